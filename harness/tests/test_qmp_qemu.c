// QMP against real QEMU: lifecycle events, commands, and an internal
// snapshot on a qcow2 overlay restored with loadvm (checked over RSP).
#include "cm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elfsym.h"
#include "mh_config.h"
#include "proc.h"
#include "qemu.h"
#include "qmp.h"
#include "rsp.h"

static char dir[64], base[128], overlay[128], gdb[128], qmp[128];

static uint32_t mini_value(void) {
  uint64_t a;
  struct mh_err e;
  if (mh_elf_symbol(MINIKERNEL, "mini_value", &a, NULL, &e) < 0)
    fail_msg("%s", e.msg);
  return (uint32_t)a;
}

static bool saw_event(struct mh_qmp *q, const char *name) {
  mh_qmp_pump(q);
  for (size_t i = 0; i < mh_qmp_nevents(q); i++)
    if (!strcmp(mh_qmp_event_at(q, i)->name, name))
      return true;
  return false;
}

static char *hmp(struct mh_qmp *q, const char *cmd) {
  char *out = NULL;
  struct mh_err e;
  if (mh_qmp_hmp(q, cmd, &out, 10000, &e) < 0)
    fail_msg("%s: %s", cmd, e.msg);
  return out;
}

static void snapshot_restores_memory_and_events_arrive(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/mh-qmp-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(base, sizeof base, "%s/base.img", dir);
  snprintf(overlay, sizeof overlay, "%s/overlay.qcow2", dir);
  snprintf(gdb, sizeof gdb, "%s/gdb.sock", dir);
  snprintf(qmp, sizeof qmp, "%s/qmp.sock", dir);
  FILE *f = fopen(base, "w");
  assert_int_equal(ftruncate(fileno(f), 1 << 20), 0);
  fclose(f);
  struct mh_err e;
  if (mh_qcow2_overlay(NULL, base, "raw", overlay, &e) < 0)
    fail_msg("%s", e.msg);
  struct mh_qemu_opts o = {.qemu = MH_QEMU_DEFAULT,
                           .kernel = MINIKERNEL,
                           .disk = overlay,
                           .disk_format = "qcow2",
                           .accel = "tcg",
                           .gdb_socket = gdb,
                           .qmp_socket = qmp};
  struct mh_argv argv;
  struct mh_proc p;
  assert_int_equal(mh_qemu_argv(&o, &argv), 0);
  if (mh_proc_spawn(argv.v, NULL, &p, &e) < 0)
    fail_msg("%s", e.msg);
  mh_argv_free(&argv);
  struct mh_qmp *q = mh_qmp_connect(qmp, 5000, NULL, NULL, &e);
  if (!q)
    fail_msg("%s", e.msg);
  json_object *ret = NULL, *status;
  assert_int_equal(mh_qmp_execute(q, "query-status", NULL, &ret, 5000, &e), 0);
  assert_true(json_object_object_get_ex(ret, "status", &status));
  assert_string_equal(json_object_get_string(status), "running");
  json_object_put(ret);
  assert_int_equal(mh_qmp_execute(q, "no-such-command", NULL, NULL, 5000, &e), -1);
  assert_non_null(strstr(e.msg, "no-such-command"));

  usleep(300000); // let the guest reach its loop
  char err[256];
  struct mh_rsp *r = mh_rsp_connect_unix(gdb, 5000, 5000, err, sizeof err);
  assert_non_null(r);
  struct mh_rsp_stop stop;
  assert_int_equal(mh_rsp_handshake(r, true), 0);
  assert_int_equal(mh_rsp_interrupt(r, &stop), 0);
  for (int i = 0; i < 50 && !saw_event(q, "STOP"); i++)
    usleep(20000);
  assert_true(saw_event(q, "STOP")); // the debugger stopped the guest

  free(hmp(q, "savevm s1"));
  char *info = hmp(q, "info snapshots");
  assert_non_null(strstr(info, "s1"));
  free(info);
  uint32_t changed = 0xdead0001, v = 0;
  assert_int_equal(mh_rsp_write_verified(r, mini_value(), &changed, 4), 0);
  free(hmp(q, "loadvm s1"));
  assert_int_equal(mh_rsp_read_memory(r, mini_value(), &v, 4), 0);
  assert_int_equal(v, 0x5eed1234); // the snapshot's memory is back

  mh_rsp_close(r);
  assert_int_equal(mh_qmp_execute(q, "quit", NULL, NULL, 5000, &e), 0);
  assert_int_equal(mh_proc_wait(&p, 5000), 1);
  assert_true(saw_event(q, "SHUTDOWN"));
  mh_qmp_close(q);
  unlink(base);
  unlink(overlay);
  unlink(gdb);
  unlink(qmp);
  rmdir(dir);
}

int main(void) {
  if (access(MINIKERNEL, R_OK) != 0) {
    printf("skipped: %s not built\n", MINIKERNEL);
    return 77;
  }
  const struct CMUnitTest tests[] = {cmocka_unit_test(snapshot_restores_memory_and_events_arrive)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
