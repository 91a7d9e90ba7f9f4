// The RSP client against real QEMU, cross-checked with real gdb: a tiny
// multiboot guest of our own (minikernel.S) gives known code and data.
#include "cm.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elfsym.h"
#include "mh_config.h"
#include "proc.h"
#include "qemu.h"
#include "rsp.h"

struct vm {
  char dir[64], sock[96], serial[96];
  struct mh_proc proc;
  struct mh_rsp *rsp;
};

static uint32_t sym(const char *name) {
  uint64_t a;
  struct mh_err e;
  if (mh_elf_symbol(MINIKERNEL, name, &a, NULL, &e) < 0)
    fail_msg("%s", e.msg);
  return (uint32_t)a;
}

static void boot(struct vm *v) {
  snprintf(v->dir, sizeof v->dir, "/tmp/mh-rspq-XXXXXX");
  assert_non_null(mkdtemp(v->dir));
  snprintf(v->sock, sizeof v->sock, "%s/gdb.sock", v->dir);
  snprintf(v->serial, sizeof v->serial, "%s/serial.log", v->dir);
  struct mh_qemu_opts o = {.qemu = MH_QEMU_DEFAULT,
                           .kernel = MINIKERNEL,
                           .accel = "tcg",
                           .serial_path = v->serial,
                           .gdb_socket = v->sock,
                           .paused = true};
  struct mh_argv argv;
  struct mh_err e;
  assert_int_equal(mh_qemu_argv(&o, &argv), 0);
  if (mh_proc_spawn(argv.v, NULL, &v->proc, &e) < 0)
    fail_msg("%s", e.msg);
  mh_argv_free(&argv);
  char err[256];
  v->rsp = mh_rsp_connect_unix(v->sock, 3000, 5000, err, sizeof err);
  if (!v->rsp)
    fail_msg("%s", err);
  assert_int_equal(mh_rsp_handshake(v->rsp, true), 0);
}

static void shutdown_vm(struct vm *v) {
  mh_rsp_close(v->rsp);
  mh_proc_kill(&v->proc);
  unlink(v->sock);
  unlink(v->serial);
  rmdir(v->dir);
}

static uint32_t read32(struct mh_rsp *r, uint32_t addr) {
  uint32_t x = 0;
  if (mh_rsp_read_memory(r, addr, &x, 4) < 0)
    fail_msg("read 0x%x: %s", addr, mh_rsp_error(r));
  return x;
}

// Runs gdb -batch against the stub and returns its output.
static void gdb_batch(const char *sock, char *out, size_t cap, const char *const *cmds, int n) {
  char *argv[32];
  int k = 0;
  char target[128];
  snprintf(target, sizeof target, "target remote %s", sock);
  argv[k++] = "gdb";
  argv[k++] = "-batch";
  argv[k++] = "-nx";
  argv[k++] = "-ex";
  argv[k++] = "file " MINIKERNEL;
  argv[k++] = "-ex";
  argv[k++] = target;
  for (int i = 0; i < n; i++) {
    argv[k++] = "-ex";
    argv[k++] = (char *)cmds[i];
  }
  argv[k] = NULL;
  struct mh_err e;
  int rc = mh_proc_capture(argv, out, cap, 30000, &e);
  if (rc < 0)
    fail_msg("gdb: %s", e.msg);
}

static void symbols_breakpoints_steps_and_physical_memory(void **state) {
  (void)state;
  struct vm v = {0};
  boot(&v);
  struct mh_rsp *r = v.rsp;
  struct mh_rsp_stop stop;
  assert_int_equal(mh_rsp_halt_reason(r, &stop), 0);
  assert_int_equal(stop.signal, 5);

  // The guest is loaded by firmware, so run it to a breakpoint first.
  uint32_t loop = sym("mini_loop");
  assert_int_equal(mh_rsp_breakpoint(r, 0, true, loop, 1), 0);
  assert_int_equal(mh_rsp_continue(r), 0);
  assert_int_equal(mh_rsp_wait_stop(r, 10000, &stop), 0);
  assert_int_equal(stop.signal, 5);
  uint8_t regs[512];
  size_t n;
  assert_int_equal(mh_rsp_read_registers(r, regs, sizeof regs, &n), 0);
  uint32_t eip;
  memcpy(&eip, regs + 8 * 4, 4); // i386 order: eax ecx edx ebx esp ebp esi edi eip
  assert_int_equal(eip, loop);

  assert_int_equal(read32(r, sym("mini_value")), 0x5eed1234);
  assert_int_equal(read32(r, sym("mini_counter")), 0);
  assert_int_equal(mh_rsp_step(r, &stop), 0); // incl mini_counter
  assert_int_equal(read32(r, sym("mini_counter")), 1);
  assert_int_equal(mh_rsp_breakpoint(r, 0, false, loop, 1), 0);

  // Physical memory: a write that sticks, and one to where no RAM is.
  uint8_t pattern[16];
  for (int i = 0; i < 16; i++)
    pattern[i] = (uint8_t)(0xa5 ^ (i * 17));
  assert_int_equal(mh_rsp_phys_mode(r, true), 0);
  if (mh_rsp_write_verified(r, 0x300000, pattern, sizeof pattern) < 0)
    fail_msg("%s", mh_rsp_error(r));
  assert_int_not_equal(mh_rsp_write_verified(r, 0x30000000, pattern, 4), 0);
  assert_int_equal(mh_rsp_phys_mode(r, false), 0);

  char out[4096];
  assert_int_equal(mh_rsp_monitor(r, "info registers", out, sizeof out), 0);
  assert_non_null(strstr(out, "EIP="));

  assert_int_equal(mh_rsp_continue(r), 0);
  usleep(50000);
  assert_int_equal(mh_rsp_interrupt(r, &stop), 0);
  assert_true(read32(r, sym("mini_counter")) > 1); // it really ran
  mh_rsp_close(r);                                 // QEMU takes one debugger at a time
  v.rsp = NULL;

  // gdb must see the same symbol value and the same physical bytes.
  static const char *const cmds[] = {"x/wx &mini_value", "maint packet Qqemu.PhyMemMode:1",
                                     "x/4xb 0x300000"};
  char g[8192];
  gdb_batch(v.sock, g, sizeof g, cmds, 3);
  if (!strstr(g, "0x5eed1234"))
    fail_msg("gdb did not read mini_value:\n%s", g);
  char want[64];
  snprintf(want, sizeof want, "0x%02x\t0x%02x\t0x%02x\t0x%02x", pattern[0], pattern[1], pattern[2],
           pattern[3]);
  if (!strstr(g, want))
    fail_msg("gdb reads different physical bytes (want %s):\n%s", want, g);
  shutdown_vm(&v);
}

int main(void) {
  if (access(MINIKERNEL, R_OK) != 0) {
    printf("skipped: %s not built\n", MINIKERNEL);
    return 77;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(symbols_breakpoints_steps_and_physical_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
