// usertests: the shared pieces of the test program.
//
// A test is a function returning 0 when the behaviour it checks holds.
// The runner (ut_main.c) calls each one in a child process of its own, so a
// test may crash, leak descriptors or move its break without harming the
// others. Tests create files under names starting with "ut" and remove
// them before they return, failed or not where that is possible.
#ifndef UT_H
#define UT_H
#include "types.h"

#define PGSIZE 4096

// CHECK(cond): on failure say where and return 1 from the test.
#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      ut_complain(__FILE__, __LINE__, #cond);                                                      \
      return 1;                                                                                    \
    }                                                                                              \
  } while (0)

void ut_complain(const char *file, int line, const char *what);

// Processes.
int ut_wait_for(int pid); // the status of child pid (reaping others); -1000 if none
int ut_run_child(int (*fn)(int), int arg); // fn(arg) in a child; its exit status
// Reap all n children in pids, in whatever order they end; 0 if every one
// exited with status 0.
int ut_wait_all(const int *pids, int n);
#define UT_KILLED (-1) // status of a process the kernel killed

// Files and data.
void ut_pattern(char *buf, int n, int seed); // deterministic bytes
int ut_is_pattern(const char *buf, int n, int seed);
int ut_write_file(const char *name, const char *data, int n); // 0 on success
int ut_file_size(const char *name);                           // -1 if missing
int ut_exists(const char *name);
extern char ut_buf[16 * 1024]; // scratch; tests run alone, so one is enough
extern char ut_buf2[16 * 1024];

// The break right now, as a number.
uint ut_brk(void);

// Called by main when usertests is exec'ed as its own helper.
int ut_argv_helper(int argc, char **argv);
#define UT_ARGV_FLAG "-argv"

// `usertests -oracle TEST...`: tests that can also run the memv6 mirror
// oracle in the middle of a scenario do so. Off by default, so the timed
// suite does the same work on both kernels (the oracle is memv6-only work).
#define UT_ORACLE_FLAG "-oracle"
extern int ut_oracle_checks;
void ut_expected_arg(char *out, int k); // the k-th argument execargs passes

// The tests, by area (ut_file.c, ut_dir.c, ut_proc.c, ut_mem.c, ut_pipe.c).
int t_createread(void);
int t_openmodes(void);
int t_overwrite(void);
int t_ndirect(void);
int t_bigfile(void);
int t_bigwrite(void);
int t_unlinkopen(void);
int t_sharedoffset(void);
int t_dupoffset(void);
int t_fstattypes(void);
int t_manyopen(void);
int t_badfd(void);
int t_parallelfiles(void);
int t_fulldisk(void);

int t_mkdirbasic(void);
int t_chdirrel(void);
int t_dotdot(void);
int t_links(void);
int t_linkdir(void);
int t_deepdirs(void);
int t_pathbad(void);
int t_dirsiz(void);
int t_readdir(void);
int t_manyfiles(void);
int t_inodereuse(void);

int t_forkwait(void);
int t_exitstatus(void);
int t_forkmax(void);
int t_zombies(void);
int t_killrun(void);
int t_killsleep(void);
int t_killbad(void);
int t_preempt(void);
int t_execargs(void);
int t_execbad(void);
int t_getpid(void);
int t_orphan(void);
int t_sleeptime(void);
int t_forkfd(void);

int t_sbrkgrow(void);
int t_sbrkshrink(void);
int t_sbrkzero(void);
int t_sbrklimit(void);
int t_sbrkfork(void);
int t_forkcopy(void);
int t_bss(void);
int t_stackguard(void);
int t_badaccess(void);
int t_badptr(void);
int t_ioport(void);
int t_malloc(void);
int t_memleak(void);
int t_oom(void);

int t_pipebasic(void);
int t_pipeeof(void);
int t_pipenoreader(void);
int t_pipewriters(void);
int t_pipedup(void);
int t_pipefds(void);
int t_pipechain(void);

int t_cowfork(void); // ut_cow.c: copy-on-write fork and dedup
int t_cowwrite(void);
int t_cowdedup(void);
int t_cowsbrk(void);
int t_cowexec(void);
int t_cowlazy(void);
int t_cowmce(void);
int t_forkmce(void);
int t_mcesplit(void);

int t_mirror(void); // ut_mirror.c: the MemV6 mirror oracle
int t_mirrorlost(void);

int t_exectext(void); // ut_exec.c: exec's image cache
int t_exectextshare(void);
int t_exectextmce(void);
#endif
