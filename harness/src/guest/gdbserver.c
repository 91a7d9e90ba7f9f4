#include "gdbserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mh_config.h"
#include MH_XV6_MEMLAYOUT_H
#include "util.h"

// g packet: i386 eax ecx edx ebx esp ebp esi edi eip; x86-64 rax rbx rcx rdx
// rsi rdi rbp rsp r8-r15 rip. siginfo_t: i386's si_addr follows signo,
// errno and code; x86-64 pads it to 8 bytes. Both builds mirror at the
// guest's offset (memlayout.h; linux/common/mlx.h keeps x86-64's arena
// below 2 GiB so that it reaches).
static const struct mh_lx_arch arches[] = {
    {"i386", 4, 4, 8, 128, 12, MIRROR_OFFSET},
    {"x86_64", 8, 7, 16, 128, 16, MIRROR_OFFSET},
};

int mh_lx_arch_of(const char *path, const struct mh_lx_arch **arch, struct mh_err *e) {
  if (elf_version(EV_CURRENT) == EV_NONE)
    return mh_fail(e, "libelf: %s", elf_errmsg(-1));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return mh_fail_errno(e, "%s: cannot open the program", path);
  Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
  GElf_Ehdr eh;
  int rc = 0;
  if (!elf || !gelf_getehdr(elf, &eh))
    rc = mh_fail(e, "%s: not an ELF executable (%s)", path, elf_errmsg(-1));
  else if (eh.e_machine == EM_386)
    *arch = &arches[0];
  else if (eh.e_machine == EM_X86_64)
    *arch = &arches[1];
  else
    rc = mh_fail(e, "%s: machine %d is neither i386 nor x86-64", path, eh.e_machine);
  if (elf)
    elf_end(elf);
  close(fd);
  return rc;
}

// ---- starting ----

static char *slurp(const char *path, long from) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f) - from;
  char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (s) {
    fseek(f, from, SEEK_SET);
    n = (long)fread(s, 1, (size_t)n, f);
    s[n] = 0;
  }
  fclose(f);
  return s;
}

// The number after key in gdbserver's messages so far; -1 until it is there.
static long said(const struct mh_gdbserver *g, const char *key, long *end) {
  char *s = slurp(g->err, 0), *p = s ? strstr(s, key) : NULL;
  long v = p ? strtol(p + strlen(key), NULL, 10) : -1;
  if (p && end) {
    char *nl = strchr(p, '\n');
    *end = nl ? (long)(nl + 1 - s) : -1;
  }
  free(s);
  return p && (!end || *end >= 0) ? v : -1;
}

// Waits until gdbserver prints key and its line is complete.
static long wait_said(struct mh_gdbserver *g, const char *key, long *end, double deadline,
                      struct mh_err *e) {
  for (;;) {
    long v = said(g, key, end);
    if (v >= 0)
      return v;
    if (mh_proc_wait(&g->proc, 10) != 0 || mh_now() > deadline) {
      char *s = slurp(g->err, 0);
      mh_fail(e, "gdbserver did not say \"%s\" %s: %.600s", key,
              g->proc.reaped ? "before it exited" : "in time", s ? s : "");
      free(s);
      return -1;
    }
  }
}

static int connect_local(int port, double deadline, struct mh_err *e) {
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (;;) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
      return mh_fail_errno(e, "socket");
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
      return fd;
    int saved = errno;
    close(fd);
    if (mh_now() > deadline || mh_proc_shutting_down()) {
      errno = saved;
      return mh_fail_errno(e, "cannot connect to gdbserver at 127.0.0.1:%d", port);
    }
    usleep(10000);
  }
}

static int spawn(struct mh_gdbserver *g, char *const argv[], struct mh_err *e) {
  int n = 0;
  while (argv[n])
    n++;
  char **v = calloc((size_t)n + 6, sizeof *v);
  if (!v)
    return mh_fail(e, "out of memory");
  int k = 0;
  v[k++] = "gdbserver";
  v[k++] = "--once";
  v[k++] = "--no-startup-with-shell";
  v[k++] = "127.0.0.1:0"; // loopback only; the kernel picks the port
  for (int i = 0; i < n; i++)
    v[k++] = argv[i];
  int rc = mh_proc_spawn_split(v, g->out, g->err, &g->proc, e);
  free(v);
  if (rc < 0)
    mh_err_suffix(e, " (Debian's gdbserver package: scripts/setup installs it)");
  return rc;
}

static int handshake(struct mh_gdbserver *g, double deadline, int timeout_ms, struct mh_err *e) {
  long port = wait_said(g, "Listening on port ", NULL, deadline, e);
  if (port <= 0 || port > 65535)
    return -1;
  g->pid = (int)said(g, "created; pid = ", NULL);
  int fd = connect_local((int)port, deadline, e);
  if (fd < 0)
    return -1;
  g->rsp = mh_rsp_open_fd(fd, timeout_ms);
  if (!g->rsp) {
    close(fd);
    return mh_fail(e, "out of memory");
  }
  struct mh_rsp_stop st;
  if (mh_rsp_handshake(g->rsp, true) < 0 || mh_rsp_halt_reason(g->rsp, &st) < 0)
    return mh_fail(e, "gdbserver: %s", mh_rsp_error(g->rsp));
  // gdbserver says whom it serves before it answers the first packet.
  if (wait_said(g, "Remote debugging from host ", &g->err_from, deadline, e) < 0)
    return -1;
  if (g->pid <= 0)
    return mh_fail(e, "gdbserver did not say the program's pid");
  return 0;
}

int mh_gdbserver_start(struct mh_gdbserver *g, char *const argv[], double connect_timeout_s,
                       int timeout_ms, struct mh_err *e) {
  memset(g, 0, sizeof *g);
  snprintf(g->dir, sizeof g->dir, "/tmp/memharness-gdbs-%d-XXXXXX", (int)getpid());
  if (!mkdtemp(g->dir)) {
    g->dir[0] = 0;
    return mh_fail_errno(e, "cannot create a directory in /tmp");
  }
  snprintf(g->out, sizeof g->out, "%s/out", g->dir);
  snprintf(g->err, sizeof g->err, "%s/err", g->dir);
  double deadline = mh_now() + connect_timeout_s;
  if (spawn(g, argv, e) < 0 || handshake(g, deadline, timeout_ms, e) < 0) {
    mh_gdbserver_stop(g);
    return -1;
  }
  return 0;
}

void mh_gdbserver_stop(struct mh_gdbserver *g) {
  // k kills the program and gdbserver reaps it; gdbserver --once then ends.
  if (g->rsp && !g->exited && !g->running && !mh_rsp_broken(g->rsp)) {
    mh_rsp_set_timeout(g->rsp, 2000);
    mh_rsp_request(g->rsp, "k", NULL, NULL);
  }
  mh_rsp_close(g->rsp);
  g->rsp = NULL;
  if (g->proc.pid > 0 && mh_proc_wait(&g->proc, 2000) == 0)
    mh_proc_kill(&g->proc); // its death kills the program too (PTRACE_O_EXITKILL)
  if (g->dir[0]) {
    unlink(g->out);
    unlink(g->err);
    rmdir(g->dir);
    g->dir[0] = 0;
  }
}

char *mh_gdbserver_output(const struct mh_gdbserver *g, bool err) {
  char *s = slurp(err ? g->err : g->out, err ? g->err_from : 0);
  if (!s || !err)
    return s;
  // gdbserver's last words follow the program's: "\nChild exited with
  // status N" or "\nChild terminated with signal = ...".
  static const char *const tails[] = {"\nChild exited with status", "\nChild terminated with"};
  for (int i = 0; i < 2; i++) {
    char *p = NULL;
    for (char *q = strstr(s, tails[i]); q; q = strstr(q + 1, tails[i]))
      p = q;
    if (p)
      p[1] = 0;
  }
  return s;
}

// Register index of a g packet in a's layout (little-endian words).
static uint64_t word_at(const uint8_t *regs, const struct mh_lx_arch *a, int index) {
  uint64_t v = 0;
  for (int i = a->word - 1; i >= 0; i--)
    v = v << 8 | regs[index * a->word + i];
  return v;
}

// The g packet, at least through register last.
static int read_regs(struct mh_gdbserver *g, const struct mh_lx_arch *a, int last, uint8_t *regs,
                     size_t cap, struct mh_err *e) {
  size_t n;
  if (mh_rsp_read_registers(g->rsp, regs, cap, &n) < 0)
    return mh_fail(e, "reading the registers: %s", mh_rsp_error(g->rsp));
  size_t need = (size_t)(last + 1) * (size_t)a->word;
  if (last < 0 || n < need)
    return mh_fail(e, "gdbserver sent %zu bytes of registers, %s needs %zu", n, a->name, need);
  return 0;
}

int mh_gdbserver_sp_pc(struct mh_gdbserver *g, const struct mh_lx_arch *a, uint64_t *sp,
                       uint64_t *pc, struct mh_err *e) {
  uint8_t regs[4096];
  if (read_regs(g, a, a->pc_reg, regs, sizeof regs, e) < 0)
    return -1;
  *sp = word_at(regs, a, a->sp_reg);
  *pc = word_at(regs, a, a->pc_reg);
  return 0;
}

// ---- registers ----

// The general registers in g-packet order, by the names campaigns use.
static const char *const i386_regs[] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
static const char *const x86_64_regs[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
// x86-64's order under their 32-bit names (the low halves).
static const char *const x86_64_low[] = {"eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp"};

static int index_of(const char *const *names, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (strcmp(names[i], name) == 0)
      return i;
  return -1;
}

int mh_lx_register(const struct mh_lx_arch *a, const char *name) {
  if (strcmp(name, "sp") == 0)
    return a->sp_reg;
  if (a->word == 4)
    return index_of(i386_regs, 8, name);
  int i = index_of(x86_64_regs, 16, name);
  return i >= 0 ? i : index_of(x86_64_low, 8, name);
}

bool mh_lx_is_register(const char *name) {
  return mh_lx_register(&arches[0], name) >= 0 || mh_lx_register(&arches[1], name) >= 0;
}

const char *mh_lx_register_names(const struct mh_lx_arch *a) {
  return a->word == 4 ? "eax ecx edx ebx esp ebp esi edi, sp"
                      : "rax rbx rcx rdx rsi rdi rbp rsp r8-r15, eax ebx ecx edx esi edi ebp "
                        "esp (the same registers), sp";
}

int mh_gdbserver_reg(struct mh_gdbserver *g, const struct mh_lx_arch *a, int index, uint64_t *v,
                     struct mh_err *e) {
  uint8_t regs[4096];
  if (read_regs(g, a, index, regs, sizeof regs, e) < 0)
    return -1;
  *v = word_at(regs, a, index);
  return 0;
}

// ---- stepping ----

int mh_gdbserver_step(struct mh_gdbserver *g, int gdb_signal, int timeout_ms,
                      struct mh_rsp_stop *st, struct mh_err *e) {
  char cmd[32];
  if (gdb_signal) // its only thread's id is its pid
    snprintf(cmd, sizeof cmd, "vCont;S%02x:%x", (unsigned)gdb_signal & 0xff, (unsigned)g->pid);
  else
    snprintf(cmd, sizeof cmd, "vCont;s:%x", (unsigned)g->pid);
  int rc = mh_rsp_resume(g->rsp, cmd);
  g->running = rc == 0;
  if (rc == 0)
    rc = mh_rsp_wait_stop(g->rsp, timeout_ms, st);
  if (rc < 0) {
    mh_fail(e, "gdbserver: stepping: %s", mh_rsp_error(g->rsp));
    return rc;
  }
  g->running = false;
  g->exited = st->kind == 'W' || st->kind == 'X';
  return 0;
}

int mh_gdbserver_can_step(struct mh_gdbserver *g, struct mh_err *e) {
  const char *reply = NULL;
  size_t len = 0;
  int rc = mh_rsp_request(g->rsp, "vCont?", &reply, &len);
  if (rc < 0 && rc != MH_RSP_EUNSUPPORTED) // unsupported: an empty answer, judged below
    return mh_fail(e, "gdbserver: vCont?: %s", mh_rsp_error(g->rsp));
  if (rc < 0)
    reply = "", len = 0;
  char buf[128];
  snprintf(buf, sizeof buf, "%.*s;", (int)(len < 120 ? len : 120), reply ? reply : "");
  if (strncmp(buf, "vCont", 5) == 0 && strstr(buf, ";s;") && strstr(buf, ";S;"))
    return 0;
  return mh_fail(e,
                 "this gdbserver does not single-step the program (vCont? answered \"%.*s\"), "
                 "which $.faults.when.icount needs: drop when.icount (stop at a breakpoint "
                 "only) or use a gdbserver that steps",
                 (int)(len < 100 ? len : 100), reply ? reply : "");
}

bool mh_gdbserver_available(void) {
  char *argv[] = {"gdbserver", "--version", NULL};
  char out[256];
  struct mh_err e;
  return mh_proc_capture(argv, out, sizeof out, 10000, &e) == 0;
}

bool mh_hwpoison_available(char *why, size_t cap) {
  if (access("/proc/sys/vm/memory_failure_early_kill", F_OK) != 0) {
    snprintf(why, cap,
             "this kernel has no CONFIG_MEMORY_FAILURE (no vm.memory_failure_early_kill)");
    return false;
  }
  if (geteuid() != 0) {
    snprintf(why, cap, "madvise(MADV_HWPOISON) needs CAP_SYS_ADMIN; memharness is not root");
    return false;
  }
  snprintf(why, cap, "CONFIG_MEMORY_FAILURE and root");
  return true;
}
