// The pieces that notice a stopped, dead or silent QEMU within a fraction
// of a second (docs/campaign.md "How sessions fail and are retried"),
// without QEMU: a child process's state, gdbstub and QMP connections whose
// other end never answers, and the bounded serial log.
#include "cm.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "proc.h"
#include "qmp.h"
#include "rsp.h"
#include "serlog.h"
#include "util.h"

static void spawn_sleeper(struct mh_proc *p) {
  char *argv[] = {"sleep", "60", NULL};
  struct mh_err e;
  assert_int_equal(mh_proc_spawn(argv, NULL, p, &e), 0);
}

// The state a signal leads to shows in /proc shortly after the kill.
static enum mh_proc_state settle(struct mh_proc *p, enum mh_proc_state want) {
  enum mh_proc_state st = mh_proc_state(p);
  for (int i = 0; i < 200 && st != want; i++) {
    usleep(5000);
    st = mh_proc_state(p);
  }
  return st;
}

static void proc_state_follows_stop_cont_kill(void **state) {
  (void)state;
  struct mh_proc p;
  spawn_sleeper(&p);
  assert_int_equal(mh_proc_state(&p), MH_PROC_RUNNING);
  kill(p.pid, SIGSTOP);
  assert_int_equal(settle(&p, MH_PROC_STOPPED), MH_PROC_STOPPED);
  kill(p.pid, SIGCONT);
  assert_int_equal(settle(&p, MH_PROC_RUNNING), MH_PROC_RUNNING);
  kill(p.pid, SIGKILL);
  assert_int_equal(settle(&p, MH_PROC_GONE), MH_PROC_GONE);
  assert_int_equal(mh_proc_signal(&p), SIGKILL);
  assert_int_equal(mh_proc_exit_code(&p), -1);
}

static const char *watch_child(void *arg) {
  return mh_proc_state(arg) == MH_PROC_RUNNING ? NULL : "the child is stopped or gone";
}

// A request to a stub that never answers, whose process is stopped: the
// watch gives up within a slice or two, long before the 30 s timeout.
static void rsp_notices_a_stopped_stub(void **state) {
  (void)state;
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  struct mh_rsp *r = mh_rsp_open_fd(sv[0], 30000);
  struct mh_proc p;
  spawn_sleeper(&p);
  mh_rsp_set_watch(r, watch_child, &p);
  kill(p.pid, SIGSTOP);
  double t0 = mh_now();
  int rc = mh_rsp_request(r, "g", NULL, NULL);
  double took = mh_now() - t0;
  printf("request to a stopped stub: rc %d after %.3f s: %s\n", rc, took, mh_rsp_error(r));
  assert_int_equal(rc, MH_RSP_EDEAD);
  assert_true(took < 1.0);
  assert_true(mh_rsp_broken(r));
  assert_non_null(strstr(mh_rsp_error(r), "stopped"));
  mh_proc_kill(&p);
  mh_rsp_close(r);
  close(sv[1]);
}

// Waiting for a running target to stop may run out of time without harm;
// a request that goes unanswered breaks the connection.
static void rsp_wait_timeout_is_not_broken_but_request_timeout_is(void **state) {
  (void)state;
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  struct mh_rsp *r = mh_rsp_open_fd(sv[0], 400);
  struct mh_proc p;
  spawn_sleeper(&p);
  mh_rsp_set_watch(r, watch_child, &p);
  struct mh_rsp_stop st;
  assert_int_equal(mh_rsp_wait_stop(r, 600, &st), MH_RSP_ETIMEOUT);
  assert_false(mh_rsp_broken(r));
  double t0 = mh_now();
  assert_int_equal(mh_rsp_request(r, "g", NULL, NULL), MH_RSP_ETIMEOUT);
  double took = mh_now() - t0;
  printf("unanswered request: %.3f s (timeout 0.4 s)\n", took);
  assert_true(took >= 0.35 && took < 1.5);
  assert_true(mh_rsp_broken(r));
  mh_proc_kill(&p);
  mh_rsp_close(r);
  close(sv[1]);
}

// A QMP server that greets, accepts capabilities and then never answers
// again: a QEMU whose main loop hangs (in loadvm, say).
struct mute_qmp {
  char path[108];
  int listen_fd;
  pthread_t th;
};

static void *mute_qmp_main(void *arg) {
  struct mute_qmp *m = arg;
  int fd = accept(m->listen_fd, NULL, NULL);
  if (fd < 0)
    return NULL;
  const char *greet = "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n";
  char buf[512];
  if (write(fd, greet, strlen(greet)) < 0 || read(fd, buf, sizeof buf) <= 0 ||
      write(fd, "{\"return\": {}}\n", 15) < 0) {
    close(fd);
    return NULL;
  }
  while (read(fd, buf, sizeof buf) > 0)
    ; // swallow commands until the client closes
  close(fd);
  return NULL;
}

static struct mh_qmp *connect_mute(struct mute_qmp *m) {
  snprintf(m->path, sizeof m->path, "/tmp/mh-watchdog-%d.sock", (int)getpid());
  unlink(m->path);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s", m->path);
  m->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
  assert_int_equal(bind(m->listen_fd, (struct sockaddr *)&sa, sizeof sa), 0);
  assert_int_equal(listen(m->listen_fd, 1), 0);
  assert_int_equal(pthread_create(&m->th, NULL, mute_qmp_main, m), 0);
  struct mh_err e;
  struct mh_qmp *q = mh_qmp_connect(m->path, 5000, NULL, NULL, &e);
  if (!q)
    fail_msg("connect: %s", e.msg);
  return q;
}

static void close_mute(struct mute_qmp *m, struct mh_qmp *q) {
  mh_qmp_close(q);
  pthread_join(m->th, NULL);
  close(m->listen_fd);
  unlink(m->path);
}

static void qmp_command_unanswered_times_out_and_breaks(void **state) {
  (void)state;
  struct mute_qmp m = {.listen_fd = -1};
  struct mh_qmp *q = connect_mute(&m);
  struct mh_proc p;
  spawn_sleeper(&p);
  mh_qmp_set_watch(q, watch_child, &p);
  struct mh_err e;
  double t0 = mh_now();
  int rc = mh_qmp_hmp(q, "loadvm mh0", NULL, 700, &e);
  double took = mh_now() - t0;
  printf("loadvm to a QEMU that runs but never answers: rc %d after %.3f s: %s\n", rc, took, e.msg);
  assert_int_equal(rc, -1);
  assert_true(took >= 0.65 && took < 2.0);
  assert_true(mh_qmp_broken(q));
  mh_proc_kill(&p);
  close_mute(&m, q);
}

static void qmp_notices_a_stopped_qemu(void **state) {
  (void)state;
  struct mute_qmp m = {.listen_fd = -1};
  struct mh_qmp *q = connect_mute(&m);
  struct mh_proc p;
  spawn_sleeper(&p);
  mh_qmp_set_watch(q, watch_child, &p);
  kill(p.pid, SIGSTOP);
  struct mh_err e;
  double t0 = mh_now();
  int rc = mh_qmp_hmp(q, "loadvm mh0", NULL, 30000, &e);
  double took = mh_now() - t0;
  printf("loadvm to a stopped QEMU: rc %d after %.3f s: %s\n", rc, took, e.msg);
  assert_int_equal(rc, -1);
  assert_true(took < 1.0);
  assert_true(mh_qmp_broken(q));
  assert_non_null(strstr(e.msg, "stopped"));
  mh_proc_kill(&p);
  close_mute(&m, q);
}

// A QEMU stopped before it created its QMP socket never will: the connect
// loop gives up within a watch slice or two instead of at its timeout.
static void qmp_connect_gives_up_on_a_stopped_qemu(void **state) {
  (void)state;
  struct mh_proc p;
  spawn_sleeper(&p);
  kill(p.pid, SIGSTOP);
  struct mh_err e;
  double t0 = mh_now();
  struct mh_qmp *q = mh_qmp_connect("/tmp/mh-watchdog-no-such.sock", 30000, watch_child, &p, &e);
  double took = mh_now() - t0;
  printf("connect while the QEMU is stopped: %s after %.3f s: %s\n", q ? "connected" : "failed",
         took, e.msg);
  assert_null(q);
  assert_true(took < 1.0);
  assert_non_null(strstr(e.msg, "stopped"));
  mh_proc_kill(&p);
}

// A guest that floods the serial port: QEMU appends (O_APPEND, as
// append=on), the harness trims as it goes; the disk holds about head +
// tail, and the text read keeps the exact head and tail with the count of
// bytes in between.
static void serial_flood_keeps_head_and_tail(void **state) {
  (void)state;
  char path[] = "/tmp/mh-serlog-XXXXXX";
  int tmp = mkstemp(path);
  assert_true(tmp >= 0);
  close(tmp);
  struct mh_serlog l;
  assert_int_equal(mh_serlog_open(&l, path), 0);
  int qemu = open(path, O_WRONLY | O_APPEND);
  assert_true(qemu >= 0);
  assert_int_equal(write(qemu, "old trial\n", 10), 10);
  mh_serlog_mark(&l); // the file is emptied: the next trial starts at 0
  char chunk[8192];
  long total = 0, most_disk = 0;
  for (int i = 0; i < 1000; i++) { // 8 MB, in the order a guest prints it
    for (size_t k = 0; k < sizeof chunk; k++)
      chunk[k] = (char)('a' + (total + (long)k) / 1000 % 26);
    assert_int_equal(write(qemu, chunk, sizeof chunk), (ssize_t)sizeof chunk);
    total += (long)sizeof chunk;
    if (i % 16 == 15) { // every 128 KiB, as a watch tick might
      mh_serlog_trim(&l);
      struct stat st;
      fstat(qemu, &st);
      if ((long)st.st_blocks * 512 > most_disk)
        most_disk = (long)st.st_blocks * 512;
    }
  }
  printf("wrote %ld bytes; the log used at most %ld bytes of disk\n", total, most_disk);
  assert_true(most_disk < 1024 * 1024);
  char *text = mh_serlog_read(&l);
  long elided = total - MH_SERIAL_HEAD - MH_SERIAL_TAIL;
  printf("elided %ld (expected %ld)\n", l.elided, elided);
  assert_int_equal(l.elided, elided);
  char marker[64];
  int mlen = snprintf(marker, sizeof marker, "\n@serial elided=%ld\n", elided);
  assert_int_equal(strlen(text), MH_SERIAL_HEAD + mlen + MH_SERIAL_TAIL);
  for (long k = 0; k < MH_SERIAL_HEAD; k++)
    if (text[k] != (char)('a' + k / 1000 % 26))
      fail_msg("head byte %ld: %c, expected %c", k, text[k], (char)('a' + k / 1000 % 26));
  assert_memory_equal(text + MH_SERIAL_HEAD, marker, (size_t)mlen);
  for (long k = 0; k < MH_SERIAL_TAIL; k++) {
    long at = total - MH_SERIAL_TAIL + k;
    if (text[MH_SERIAL_HEAD + mlen + k] != (char)('a' + at / 1000 % 26))
      fail_msg("tail byte %ld differs", k);
  }
  free(text);
  // The next trial starts empty, and a short output is read whole.
  mh_serlog_mark(&l);
  assert_int_equal(write(qemu, "hello\n", 6), 6);
  text = mh_serlog_read(&l);
  assert_string_equal(text, "hello\n");
  assert_int_equal(l.elided, 0);
  free(text);
  close(qemu);
  mh_serlog_close(&l);
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(proc_state_follows_stop_cont_kill),
      cmocka_unit_test(rsp_notices_a_stopped_stub),
      cmocka_unit_test(rsp_wait_timeout_is_not_broken_but_request_timeout_is),
      cmocka_unit_test(qmp_command_unanswered_times_out_and_breaks),
      cmocka_unit_test(qmp_notices_a_stopped_qemu),
      cmocka_unit_test(qmp_connect_gives_up_on_a_stopped_qemu),
      cmocka_unit_test(serial_flood_keeps_head_and_tail),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
