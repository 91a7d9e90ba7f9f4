// usertests [NAME...]: run the named tests, or all of them.
//
// Each test runs in a child of its own; a watchdog process kills the child
// if it takes longer than WATCHDOG_TICKS, so one hung test costs a failure
// instead of the whole run. After every test one machine-readable line:
//   @test name=NAME status=ok|fail cycles=N
// and at the end
//   @usertests passed=N failed=M
// The exit status is 0 only if every test passed (docs/serial-protocol.md).
#include "types.h"
#include "user.h"
#include "ut.h"

#define WATCHDOG_TICKS 6000 // 60 s of guest time

struct test {
  const char *name;
  int (*fn)(void);
};

// Cheap tests first; the ones that exhaust a resource (disk, memory) last,
// so a kernel that dies under exhaustion has already reported the rest.
static const struct test tests[] = {
    {"createread", t_createread},
    {"openmodes", t_openmodes},
    {"overwrite", t_overwrite},
    {"ndirect", t_ndirect},
    {"bigfile", t_bigfile},
    {"bigwrite", t_bigwrite},
    {"unlinkopen", t_unlinkopen},
    {"sharedoffset", t_sharedoffset},
    {"dupoffset", t_dupoffset},
    {"fstattypes", t_fstattypes},
    {"manyopen", t_manyopen},
    {"badfd", t_badfd},
    {"parallelfiles", t_parallelfiles},
    {"mkdirbasic", t_mkdirbasic},
    {"chdirrel", t_chdirrel},
    {"dotdot", t_dotdot},
    {"links", t_links},
    {"linkdir", t_linkdir},
    {"deepdirs", t_deepdirs},
    {"pathbad", t_pathbad},
    {"dirsiz", t_dirsiz},
    {"readdir", t_readdir},
    {"manyfiles", t_manyfiles},
    {"inodereuse", t_inodereuse},
    {"forkwait", t_forkwait},
    {"exitstatus", t_exitstatus},
    {"zombies", t_zombies},
    {"killrun", t_killrun},
    {"killsleep", t_killsleep},
    {"killbad", t_killbad},
    {"preempt", t_preempt},
    {"execargs", t_execargs},
    {"execbad", t_execbad},
    {"exectext", t_exectext},
    {"exectextshare", t_exectextshare},
    {"exectextmce", t_exectextmce},
    {"getpid", t_getpid},
    {"orphan", t_orphan},
    {"sleeptime", t_sleeptime},
    {"forkfd", t_forkfd},
    {"forkmax", t_forkmax},
    {"sbrkgrow", t_sbrkgrow},
    {"sbrkshrink", t_sbrkshrink},
    {"sbrkzero", t_sbrkzero},
    {"sbrklimit", t_sbrklimit},
    {"sbrkfork", t_sbrkfork},
    {"forkcopy", t_forkcopy},
    {"bss", t_bss},
    {"stackguard", t_stackguard},
    {"badaccess", t_badaccess},
    {"badptr", t_badptr},
    {"ioport", t_ioport},
    {"malloc", t_malloc},
    {"pipebasic", t_pipebasic},
    {"pipeeof", t_pipeeof},
    {"pipenoreader", t_pipenoreader},
    {"pipewriters", t_pipewriters},
    {"pipedup", t_pipedup},
    {"pipefds", t_pipefds},
    {"pipechain", t_pipechain},
    {"cowfork", t_cowfork},
    {"cowwrite", t_cowwrite},
    {"cowdedup", t_cowdedup},
    {"cowsbrk", t_cowsbrk},
    {"cowexec", t_cowexec},
    {"cowlazy", t_cowlazy},
    {"cowmce", t_cowmce},
    {"forkmce", t_forkmce},
    {"mcesplit", t_mcesplit},
    {"memleak", t_memleak},
    {"oom", t_oom},
    {"fulldisk", t_fulldisk},
    {"mirrorlost", t_mirrorlost},
    {"mirror", t_mirror},
};
#define NTESTS ((int)(sizeof(tests) / sizeof(tests[0])))

static const struct test *find(const char *name) {
  for (int i = 0; i < NTESTS; i++) {
    if (strcmp(tests[i].name, name) == 0)
      return &tests[i];
  }
  return 0;
}

// The watchdog sends the test child its go signal: the test starts only
// once its watchdog exists and has run. A test that counts free pages would
// otherwise count them before and after the watchdog's fork, or before and
// after the watchdog's first stores (on memv6 those make its mirror page
// table), and blame itself for the difference.
static int start_watchdog(int victim, int go) {
  int pid = fork();
  if (pid == 0) {
    write(go, "g", 1);
    close(go);
    sleep(WATCHDOG_TICKS);
    printf(1, "usertests: watchdog: test process %d timed out\n", victim);
    kill(victim);
    exitst(0);
  }
  return pid;
}

static void wait_for_go(int *go) {
  char c;
  close(go[1]);
  read(go[0], &c, 1);
  close(go[0]); // tests expect to hold only fds 0, 1 and 2
}

// Run one test; 1 if it passed.
static int run(const struct test *t) {
  int go[2];
  int ok = 0;
  uint64 start = rdtsc();
  if (pipe(go) < 0) {
    printf(1, "usertests: %s: pipe failed\n", t->name);
    go[0] = go[1] = -1;
  }
  int pid = fork();
  if (pid == 0) {
    wait_for_go(go);
    exitst(t->fn() == 0 ? 0 : 1);
  }
  close(go[0]);
  if (pid < 0) {
    printf(1, "usertests: %s: fork failed\n", t->name);
  } else {
    int dog = start_watchdog(pid, go[1]);
    if (dog < 0)
      write(go[1], "g", 1); // no watchdog: the test runs unguarded
    int status = ut_wait_for(pid);
    if (dog > 0) {
      kill(dog);
      ut_wait_for(dog);
    }
    ok = status == 0;
    if (!ok)
      printf(1, "usertests: %s: test process status %d\n", t->name, status);
  }
  close(go[1]);
  uint64 cycles = rdtsc() - start;
  printf(1, "@test name=%s status=%s cycles=%lu\n", t->name, ok ? "ok" : "fail", cycles);
  return ok;
}

static void list_names(void) {
  printf(2, "tests:");
  for (int i = 0; i < NTESTS; i++)
    printf(2, " %s", tests[i].name);
  printf(2, "\n");
}

int ut_oracle_checks;

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], UT_ARGV_FLAG) == 0)
    return ut_argv_helper(argc, argv);
  if (argc > 1 && strcmp(argv[1], UT_ORACLE_FLAG) == 0) {
    ut_oracle_checks = 1;
    argv[1] = argv[0];
    argc--;
    argv++;
  }
  // Check every name before running anything: a typo should not cost a run.
  for (int i = 1; i < argc; i++) {
    if (find(argv[i]) == 0) {
      printf(2, "usertests: unknown test %s\n", argv[i]);
      list_names();
      return 1;
    }
  }
  int passed = 0, failed = 0;
  for (int i = 0; i < (argc > 1 ? argc - 1 : NTESTS); i++) {
    const struct test *t = argc > 1 ? find(argv[i + 1]) : &tests[i];
    if (run(t))
      passed++;
    else
      failed++;
  }
  printf(1, "@usertests passed=%d failed=%d\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
