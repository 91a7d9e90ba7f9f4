// A stand-in for qemu-system-i386 that speaks just enough of QEMU's
// interfaces (argv, serial file, QMP socket, isa-debug-exit exit codes) to
// test memharness without a kernel. The kernel command line picks a script:
//   usertests [names…]  @boot, one @test per name (cycles depend on the test,
//                       the variant in the kernel file name and, without
//                       -icount, on noise), @usertests, @exit status=0
//   echo words…         prints the words; under -accel kvm it instead pauses
//                       the guest like QEMU after a KVM internal error
//   fail                a failing test, @exit status=1
//   crash               QMP SHUTDOWN guest-reset, exit code 0 (triple fault)
//   hang                @boot, then nothing
//   garbage             a broken @test line
// FAKE_QEMU_TEST_MS sets the time per test (default 5). FAKE_QEMU_LOG names
// a file that gets one line per start (to count launches). FAKE_QEMU_VERSION_MS
// delays the answer to --version.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static FILE *serial;
static int qmp_listen = -1, qmp_client = -1;
static bool qmp_ready;
static char qmp_buf[4096];
static size_t qmp_len;

static void qmp_send(const char *s) {
  if (qmp_client >= 0 && write(qmp_client, s, strlen(s)) < 0)
    qmp_client = -1;
}

static void qmp_answer(const char *line) {
  if (strstr(line, "qmp_capabilities")) {
    qmp_send("{\"return\": {}}\r\n");
    qmp_ready = true;
  } else if (strstr(line, "query-status")) {
    qmp_send("{\"return\": {\"status\": \"internal-error\", \"running\": false}}\r\n");
  } else {
    qmp_send("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"fake\"}}\r\n");
  }
}

// Serves QMP for up to ms milliseconds.
static void qmp_service(int ms) {
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    struct pollfd p[2] = {{.fd = qmp_listen, .events = POLLIN},
                          {.fd = qmp_client, .events = POLLIN}};
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    long el = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
    if (el >= ms)
      return;
    if (poll(p, 2, (int)(ms - el)) <= 0)
      continue;
    if (p[0].revents & POLLIN && qmp_client < 0) {
      qmp_client = accept(qmp_listen, NULL, NULL);
      qmp_send("{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n");
    }
    if (p[1].revents & (POLLIN | POLLHUP)) {
      ssize_t n = read(qmp_client, qmp_buf + qmp_len, sizeof qmp_buf - qmp_len - 1);
      if (n <= 0) {
        close(qmp_client);
        qmp_client = -1;
        continue;
      }
      qmp_len += (size_t)n;
      qmp_buf[qmp_len] = 0;
      char *nl;
      while ((nl = strchr(qmp_buf, '\n'))) {
        *nl = 0;
        qmp_answer(qmp_buf);
        memmove(qmp_buf, nl + 1, qmp_len - (size_t)(nl + 1 - qmp_buf) + 1);
        qmp_len -= (size_t)(nl + 1 - qmp_buf);
      }
    }
  }
}

static void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(serial, fmt, ap);
  va_end(ap);
  fputc('\n', serial);
  fflush(serial);
}

static void open_qmp(const char *spec) {
  char path[256];
  snprintf(path, sizeof path, "%s", spec + strlen("unix:"));
  path[strcspn(path, ",")] = 0;
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  snprintf(sa.sun_path, sizeof sa.sun_path, "%.100s", path);
  qmp_listen = socket(AF_UNIX, SOCK_STREAM, 0);
  unlink(path);
  if (bind(qmp_listen, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(qmp_listen, 1) < 0) {
    perror("fake qemu: qmp");
    exit(1);
  }
}

static unsigned long base_cycles(const char *name) {
  unsigned long h = 5381;
  for (const char *p = name; *p; p++)
    h = h * 33 + (unsigned char)*p;
  return 100000 + h % 900000;
}

static int guest_exit(int status) {
  say("@exit status=%d", status);
  qmp_service(5);
  return ((status & 0x7f) << 1) | 1;
}

static int usertests(char **names, int n, bool memv6, bool icount, int test_ms) {
  static char *defaults[] = {"alpha", "beta", "gamma"};
  if (n == 0)
    names = defaults, n = 3;
  srand((unsigned)getpid());
  for (int i = 0; i < n; i++) {
    qmp_service(test_ms);
    unsigned long c = base_cycles(names[i]) * (memv6 ? 105 : 100) / 100;
    if (!icount)
      c += (unsigned long)(rand() % 2000);
    say("@test name=%s status=ok cycles=%lu", names[i], c);
  }
  say("@usertests passed=%d failed=0", n);
  return guest_exit(0);
}

int main(int argc, char **argv) {
  const char *kernel = "", *append = "", *accel = "tcg", *serial_path = NULL;
  bool icount = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
    if (!strcmp(a, "--version")) {
      // A slow start, to interrupt the harness while it asks for the version.
      const char *delay = getenv("FAKE_QEMU_VERSION_MS");
      if (delay)
        usleep((useconds_t)atoi(delay) * 1000);
      printf("QEMU emulator version 0.0.0 (fake for memharness tests)\n");
      return 0;
    }
    if (!strcmp(a, "-kernel"))
      kernel = v;
    else if (!strcmp(a, "-append"))
      append = v;
    else if (!strcmp(a, "-accel"))
      accel = v;
    else if (!strcmp(a, "-icount"))
      icount = true;
    else if (!strcmp(a, "-serial") && !strncmp(v, "file:", 5))
      serial_path = v + 5;
    else if (!strcmp(a, "-qmp"))
      open_qmp(v);
  }
  if (access(kernel, R_OK) != 0) {
    fprintf(stderr, "qemu: could not load kernel '%s'\n", kernel);
    return 1;
  }
  const char *log = getenv("FAKE_QEMU_LOG");
  if (log) {
    FILE *f = fopen(log, "a");
    if (f) {
      fprintf(f, "%d %s\n", (int)getpid(), append);
      fclose(f);
    }
  }
  serial = fopen(serial_path ? serial_path : "/dev/null", "w");
  const char *ms = getenv("FAKE_QEMU_TEST_MS");
  int test_ms = ms ? atoi(ms) : 5;
  const char *base = strrchr(kernel, '/');
  bool memv6 = strstr(base ? base + 1 : kernel, "memv6") != NULL;
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%s", append);
  char *words[64];
  int n = 0;
  for (char *w = strtok(cmd, " "); w && n < 64; w = strtok(NULL, " "))
    words[n++] = w;
  say("@boot variant=%s mem=229376 cmdline=\"%s\"", memv6 ? "memv6" : "native", append);
  if (n == 0)
    return guest_exit(1);
  if (!strcmp(words[0], "usertests"))
    return usertests(words + 1, n - 1, memv6, icount, test_ms);
  if (!strcmp(words[0], "echo") && !strcmp(accel, "kvm")) {
    fprintf(stderr, "KVM internal error. Suberror: 1\n");
    for (;;) {
      qmp_service(20);
      if (qmp_ready) {
        qmp_send("{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 0, \"microseconds\": 0}}\r\n");
        qmp_ready = false; // once
      }
    }
  }
  if (!strcmp(words[0], "echo")) {
    for (int i = 1; i < n; i++)
      fprintf(serial, "%s%s", words[i], i + 1 < n ? " " : "\n");
    return guest_exit(0);
  }
  if (!strcmp(words[0], "fail")) {
    say("@test name=broken status=fail cycles=10");
    say("@usertests passed=0 failed=1");
    return guest_exit(1);
  }
  if (!strcmp(words[0], "garbage")) {
    say("@test name=x status=maybe cycles=");
    return guest_exit(0);
  }
  if (!strcmp(words[0], "crash")) {
    for (int i = 0; i < 20 && !qmp_ready; i++)
      qmp_service(10);
    qmp_send("{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true, \"reason\": \"guest-reset\"}, "
             "\"timestamp\": {\"seconds\": 0, \"microseconds\": 0}}\r\n");
    qmp_service(20);
    return 0;
  }
  for (;;) // hang, and anything unknown
    qmp_service(1000);
}
