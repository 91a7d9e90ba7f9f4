// qrun: boot an xv6-memv6 kernel in QEMU, run one program, report how it went.
//
// The tests use qrun to boot the kernel without the full harness: it starts
// QEMU from an argv (no shell), relays the serial console, checks every
// machine line against the serial protocol, enforces a hard timeout, and
// always kills and reaps QEMU. Its exit status says what happened, so ctest
// can assert on it.
#define _GNU_SOURCE
#include "serialcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
  QRUN_OK = 0,
  QRUN_STATUS_MISMATCH = 1,
  QRUN_USAGE = 2,
  QRUN_PROTOCOL = 3,
  QRUN_NO_EXIT = 4,
  QRUN_PANIC = 5,
  QRUN_TIMEOUT = 124,
};

struct options {
  const char *qemu;
  const char *kernel;
  const char *disk;
  const char *ramdisk;
  const char *log;
  double timeout;
  int icount;
  int quiet;
  int expect_status;
  char mem[16]; // QEMU's -m value
  char append[1024];
};

struct run_state {
  FILE *log;
  int quiet;
  double t0;
  double boot_ms; // QEMU start to the first @boot line, or -1
  int protocol_errors;
  int saw_exit;
  int saw_panic;
  int exit_status;    // from the @exit line
  char pending[4096]; // a partial serial line
  size_t npending;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) {
  stop_signal = sig;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: qrun [options] KERNEL.elf [PROGRAM [ARG...]]\n"
          "Boots KERNEL in QEMU (TCG, -cpu qemu32,+mca), runs PROGRAM (the kernel\n"
          "command line) and exits with:\n"
          "  0 the guest exited with the expected status, protocol clean\n"
          "  1 the guest exited with another status\n"
          "  2 usage error\n"
          "  3 a machine line broke docs/serial-protocol.md\n"
          "  4 QEMU ended without the guest's @exit line\n"
          "  5 the kernel panicked (@panic)\n"
          "  124 timeout (QEMU was killed)\n"
          "options:\n"
          "  --disk IMG        IDE disk image (opened with snapshot=on: never modified)\n"
          "  --ramdisk IMG     the same image loaded into guest RAM (-initrd) instead:\n"
          "                    no host I/O timing enters the run, so --icount cycles repeat\n"
          "  --timeout SEC     hard limit for the whole run (default 300)\n"
          "  --icount          add -icount shift=0,sleep=off (exact, repeatable cycles)\n"
          "  --mem MB          guest RAM in MiB (default %d, memlayout.h GUEST_RAM_MB;\n"
          "                    memv6sys needs KMIRROR_RAM_MB, %d)\n"
          "  --expect-status N guest status that counts as success (default 0)\n"
          "  --log FILE        also write the serial output to FILE\n"
          "  --quiet           do not relay the serial output to stdout\n"
          "  --qemu PATH       the qemu-system-i386 to run\n",
          GUEST_RAM_MB, KMIRROR_RAM_MB);
}

static int join_append(struct options *o, int argc, char **argv) {
  size_t used = 0;
  o->append[0] = 0;
  for (int i = 0; i < argc; i++) {
    size_t n = strlen(argv[i]);
    if (strchr(argv[i], '"') || used + n + 2 > sizeof o->append)
      return -1;
    if (i)
      o->append[used++] = ' ';
    memcpy(o->append + used, argv[i], n + 1);
    used += n;
  }
  return 0;
}

static int parse_options(int argc, char **argv, struct options *o) {
  static const struct option longopts[] = {{"disk", required_argument, 0, 'd'},
                                           {"ramdisk", required_argument, 0, 'r'},
                                           {"timeout", required_argument, 0, 't'},
                                           {"icount", no_argument, 0, 'i'},
                                           {"mem", required_argument, 0, 'm'},
                                           {"expect-status", required_argument, 0, 'e'},
                                           {"log", required_argument, 0, 'l'},
                                           {"quiet", no_argument, 0, 'q'},
                                           {"qemu", required_argument, 0, 'Q'},
                                           {"help", no_argument, 0, 'h'},
                                           {0, 0, 0, 0}};
  *o = (struct options){.qemu = QEMU_PATH, .timeout = 300};
  snprintf(o->mem, sizeof o->mem, "%dM", GUEST_RAM_MB);
  int c;
  while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
    switch (c) {
    case 'd':
      o->disk = optarg;
      break;
    case 'r':
      o->ramdisk = optarg;
      break;
    case 't':
      o->timeout = atof(optarg);
      break;
    case 'i':
      o->icount = 1;
      break;
    case 'm': {
      char *endp;
      long mb = strtol(optarg, &endp, 10);
      if (*endp || mb < 64 || mb > 2048) {
        fprintf(stderr, "qrun: --mem %s: give the guest RAM in MiB, 64 to 2048\n", optarg);
        return -1;
      }
      snprintf(o->mem, sizeof o->mem, "%ldM", mb);
      break;
    }
    case 'e':
      o->expect_status = atoi(optarg);
      break;
    case 'l':
      o->log = optarg;
      break;
    case 'q':
      o->quiet = 1;
      break;
    case 'Q':
      o->qemu = optarg;
      break;
    case 'h':
      usage(stdout);
      exit(QRUN_OK);
    default:
      return -1;
    }
  }
  if (optind >= argc || o->timeout <= 0)
    return -1;
  o->kernel = argv[optind++];
  if (join_append(o, argc - optind, argv + optind) < 0) {
    fprintf(stderr, "qrun: the command line is too long or contains '\"'\n");
    return -1;
  }
  return 0;
}

// Builds QEMU's argv. Every string lives in o or in static storage.
static void build_argv(const struct options *o, const char **av, char *drive, size_t dlen) {
  int n = 0;
  av[n++] = o->qemu;
  const char *fixed[] = {
      "-machine",    "pc",       "-accel", "tcg",        "-cpu",
      "qemu32,+mca", "-display", "none",   "-no-reboot", "-monitor",
      "none",        "-serial",  "stdio",  "-device",    "isa-debug-exit,iobase=0xf4,iosize=0x04"};
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
    av[n++] = fixed[i];
  av[n++] = "-m";
  av[n++] = o->mem;
  av[n++] = "-kernel";
  av[n++] = o->kernel;
  av[n++] = "-append";
  av[n++] = o->append;
  if (o->disk) {
    snprintf(drive, dlen, "file=%s,format=raw,if=ide,index=0,media=disk,snapshot=on", o->disk);
    av[n++] = "-drive";
    av[n++] = drive;
  }
  if (o->ramdisk) {
    av[n++] = "-initrd";
    av[n++] = o->ramdisk;
  }
  if (o->icount) {
    av[n++] = "-icount";
    av[n++] = "shift=0,sleep=off";
  }
  av[n] = NULL;
}

static pid_t start_qemu(const struct options *o, int *out_fd) {
  const char *av[40];
  char drive[4096];
  build_argv(o, av, drive, sizeof drive);
  int fds[2];
  if (pipe(fds) < 0)
    return -1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    // The guest's serial input: an empty pipe, at end of file at once. Not
    // /dev/null: on a host where something replaced it with a regular
    // file, that file's text became console input and changed the runs.
    int in[2];
    if (pipe(in) == 0) {
      close(in[1]);
      dup2(in[0], STDIN_FILENO);
      close(in[0]);
    }
    execv(o->qemu, (char *const *)av);
    fprintf(stderr, "qrun: cannot run %s: %s (install qemu-system-x86)\n", o->qemu,
            strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  *out_fd = fds[0];
  return pid;
}

static void handle_line(struct run_state *s, char *line) {
  size_t n = strlen(line);
  while (n && (line[n - 1] == '\r' || line[n - 1] == '\n'))
    line[--n] = 0;
  if (line[0] != '@')
    return;
  char err[256];
  if (serial_check(line, err, sizeof err) < 0) {
    s->protocol_errors++;
    fprintf(stderr, "qrun: protocol error: %s: %s\n", err, line);
    return;
  }
  struct serial_event ev;
  serial_parse(line, &ev, err, sizeof err);
  if (strcmp(ev.name, "boot") == 0 && s->boot_ms < 0)
    s->boot_ms = now_ms() - s->t0;
  if (strcmp(ev.name, "panic") == 0)
    s->saw_panic = 1;
  if (strcmp(ev.name, "exit") == 0) {
    s->saw_exit = 1;
    s->exit_status = atoi(serial_get(&ev, "status"));
  }
}

// Relays serial bytes and feeds complete lines to the checker.
static void consume(struct run_state *s, const char *buf, size_t n) {
  if (!s->quiet)
    fwrite(buf, 1, n, stdout);
  if (s->log)
    fwrite(buf, 1, n, s->log);
  for (size_t i = 0; i < n; i++) {
    if (s->npending + 1 < sizeof s->pending)
      s->pending[s->npending++] = buf[i];
    if (buf[i] == '\n') {
      s->pending[s->npending] = 0;
      handle_line(s, s->pending);
      s->npending = 0;
    }
  }
}

// Pumps serial output until QEMU closes it, the deadline passes, or a
// signal arrives. Returns 1 on timeout or signal.
static int pump(struct run_state *s, int fd, double deadline) {
  char buf[4096];
  for (;;) {
    if (stop_signal || now_ms() > deadline)
      return 1;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = poll(&p, 1, 100);
    if (r < 0 && errno != EINTR)
      return 1;
    if (r <= 0)
      continue;
    ssize_t got = read(fd, buf, sizeof buf);
    if (got <= 0)
      return 0;
    consume(s, buf, (size_t)got);
  }
}

// isa-debug-exit reports ((status & 0x7f) << 1) | 1, so only the low seven
// bits of the status can be cross-checked against QEMU's exit code.
static int code_matches_status(int code, int status) {
  return (code >> 1) == (status & 0x7f);
}

static int verdict(const struct options *o, struct run_state *s, int wstatus, int timed_out) {
  if (timed_out) {
    fprintf(stderr, "qrun: timeout after %.0f s%s: QEMU killed\n", o->timeout,
            stop_signal ? " (or signal)" : "");
    return QRUN_TIMEOUT;
  }
  int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
  if (s->saw_panic) {
    fprintf(stderr, "qrun: the kernel panicked (QEMU exit code %d)\n", code);
    return QRUN_PANIC;
  }
  if (!s->saw_exit || !(code & 1)) {
    fprintf(stderr, "qrun: QEMU ended (exit code %d) without the guest's @exit line\n", code);
    return QRUN_NO_EXIT;
  }
  if (!code_matches_status(code, s->exit_status)) {
    fprintf(stderr, "qrun: @exit status=%d disagrees with QEMU exit code %d\n", s->exit_status,
            code);
    return QRUN_PROTOCOL;
  }
  if (s->protocol_errors)
    return QRUN_PROTOCOL;
  return s->exit_status == o->expect_status ? QRUN_OK : QRUN_STATUS_MISMATCH;
}

int main(int argc, char **argv) {
  struct options o;
  if (parse_options(argc, argv, &o) < 0) {
    usage(stderr);
    return QRUN_USAGE;
  }
  struct run_state s = {.quiet = o.quiet, .boot_ms = -1};
  if (o.log && !(s.log = fopen(o.log, "w"))) {
    fprintf(stderr, "qrun: cannot write log %s: %s\n", o.log, strerror(errno));
    return QRUN_USAGE;
  }
  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  int fd;
  s.t0 = now_ms();
  pid_t pid = start_qemu(&o, &fd);
  if (pid < 0) {
    perror("qrun: starting QEMU");
    return QRUN_NO_EXIT;
  }
  int timed_out = pump(&s, fd, s.t0 + o.timeout * 1e3);
  if (timed_out)
    kill(pid, SIGKILL);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
    ;
  close(fd);
  fflush(stdout);
  double wall = (now_ms() - s.t0) / 1e3;
  int rc = verdict(&o, &s, wstatus, timed_out);
  fprintf(stderr, "qrun: status=%d wall=%.2fs boot_ms=%.0f protocol_errors=%d result=%d\n",
          s.saw_exit ? s.exit_status : -999, wall, s.boot_ms, s.protocol_errors, rc);
  if (s.log)
    fclose(s.log);
  return rc;
}
