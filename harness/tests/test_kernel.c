// memharness against our own kernels: the introspection block found by
// symbol and checked, page tables walked through physical reads, the KVM
// probe's fallback on this host, and a small campaign on both variants.
#include "cm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "accel.h"
#include "mh_config.h"
#include "mh_introspect.h"
#include "proc.h"
#include "qemu.h"
#include "rsp.h"
#include MH_XV6_MEMLAYOUT_H

static void paths(const char *variant, char *kernel, char *disk, size_t cap) {
  snprintf(kernel, cap, "%s/kernel-%s.elf", KERNEL_DIR, variant);
  snprintf(disk, cap, "%s/fs-%s.img", KERNEL_DIR, variant);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static bool serial_has(const char *path, const char *needle) {
  char buf[8192] = "";
  FILE *f = fopen(path, "r");
  if (!f)
    return false;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  fclose(f);
  return strstr(buf, needle) != NULL;
}

// Boots a variant running the shell (it waits for input forever), stops it
// once the prompt is out, and checks what the introspection block says.
static void introspect_variant(const char *variant, unsigned want_variant) {
  char kernel[512], disk[512], dir[64], sock[96], serial[96];
  paths(variant, kernel, disk, sizeof kernel);
  snprintf(dir, sizeof dir, "/tmp/mh-kern-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(sock, sizeof sock, "%s/gdb.sock", dir);
  snprintf(serial, sizeof serial, "%s/serial.log", dir);
  struct mh_qemu_opts o = {.qemu = MH_QEMU_DEFAULT,
                           .kernel = kernel,
                           .disk = disk,
                           .disk_snapshot = true,
                           .append = "sh",
                           .accel = "tcg",
                           .serial_path = serial,
                           .gdb_socket = sock};
  struct mh_argv argv;
  struct mh_err e;
  struct mh_proc qemu;
  assert_int_equal(mh_qemu_argv(&o, &argv), 0);
  if (mh_proc_spawn(argv.v, NULL, &qemu, &e) < 0)
    fail_msg("%s", e.msg);
  mh_argv_free(&argv);
  double t0 = now();
  while (!serial_has(serial, "$ ") && now() - t0 < 30)
    usleep(50000);
  if (!serial_has(serial, "$ ")) {
    mh_proc_kill(&qemu);
    fail_msg("%s kernel: no shell prompt within 30 s", variant);
  }
  char err[256];
  struct mh_rsp *r = mh_rsp_connect_unix(sock, 5000, 5000, err, sizeof err);
  if (!r) {
    mh_proc_kill(&qemu);
    fail_msg("%s", err);
  }
  struct mh_rsp_stop stop;
  if (mh_rsp_handshake(r, true) < 0)
    fail_msg("handshake: %s", mh_rsp_error(r));
  if (mh_rsp_interrupt(r, &stop) < 0)
    fail_msg("interrupt: %s", mh_rsp_error(r));

  struct introspect in;
  uint64_t addr;
  if (mh_introspect_load(r, kernel, &in, &addr, &e) < 0)
    fail_msg("%s", e.msg);
  assert_int_equal(in.variant, want_variant);
  assert_int_equal(in.kernbase, KERNBASE);
  assert_int_equal(in.usertop, USERTOP);
  assert_int_equal(in.phystop, PHYSTOP);
  assert_true(in.nproc > 0 && in.nframes == PHYSTOP / 4096);

  // The shell's page table, walked through physical memory, must lead to
  // frames the frame table calls native user frames of that process.
  assert_int_equal(mh_rsp_phys_mode(r, true), 0);
  int walked = 0;
  for (unsigned i = 0; i < in.nproc; i++) {
    struct mh_proc_info p;
    if (mh_introspect_proc(mh_rsp_physread, r, &in, i, &p, &e) < 0)
      fail_msg("%s", e.msg);
    if (p.state == PSTATE_UNUSED || p.state == PSTATE_ZOMBIE || !p.pgdir_va || !p.sz ||
        strcmp(p.name, "sh"))
      continue;
    uint32_t pa, pte;
    if (mh_walk(mh_rsp_physread, r, p.pgdir_va - in.kernbase, 0, &pa, &pte, &e) < 0)
      fail_msg("pid %d (%s): %s", p.pid, p.name, e.msg);
    assert_true(pte & 0x4); // a user page
    int kind, refs, owner;
    uint32_t partner;
    if (mh_introspect_frame(mh_rsp_physread, r, &in, pa >> 12, &kind, &refs, &partner, &owner, &e) <
        0)
      fail_msg("%s", e.msg);
    if (kind != FRAME_NATIVE)
      fail_msg("pid %d va 0 -> pa 0x%x: frame kind %d, expected native (%d)", p.pid, pa, kind,
               FRAME_NATIVE);
    assert_true(pa >= in.normal_pa_lo && pa < in.normal_pa_hi);
    printf("%s: %s pid %d va 0 -> pa 0x%08x (native frame, refs %d, owner %d)\n", variant, p.name,
           p.pid, pa, refs, owner);
    walked++;
  }
  assert_true(walked >= 1);
  mh_rsp_close(r);
  mh_proc_kill(&qemu);
  unlink(sock);
  unlink(serial);
  rmdir(dir);
}

static void introspection_block_and_page_walk_native(void **state) {
  (void)state;
  introspect_variant("native", VARIANT_NATIVE);
}

static void introspection_block_and_page_walk_memv6(void **state) {
  (void)state;
  introspect_variant("memv6", VARIANT_MEMV6);
}

static void auto_accelerator_falls_back_to_tcg_here_quickly(void **state) {
  (void)state;
  char kernel[512], disk[512];
  paths("native", kernel, disk, sizeof kernel);
  struct mh_accel_env env = {
      .qemu = MH_QEMU_DEFAULT, .kernel = kernel, .disk = disk, .probe_timeout_s = 15};
  struct mh_accel_choice c;
  struct mh_err e;
  double t0 = now();
  assert_int_equal(mh_accel_choose(MH_ACCEL_AUTO, &env, &c, &e), 0);
  double el = now() - t0;
  printf("auto -> %s in %.2f s: %s\n", c.used, el, c.reason);
  // These machines cannot run i386 guests under KVM (design §8); set
  // MH_EXPECT_KVM=1 on a host where KVM really works.
  assert_string_equal(c.used, getenv("MH_EXPECT_KVM") ? "kvm" : "tcg");
  assert_true(el < 20);
}

static void a_small_campaign_on_both_kernels(void **state) {
  (void)state;
  char dir[] = "/tmp/mh-kcamp-XXXXXX", camp[128], out[128];
  assert_non_null(mkdtemp(dir));
  snprintf(camp, sizeof camp, "%s/smoke.json", dir);
  snprintf(out, sizeof out, "%s/smoke-results.json", dir);
  FILE *f = fopen(camp, "w");
  fputs("{\"schema\": 1, \"name\": \"smoke\", \"variants\": [\"native\", \"memv6\"], "
        "\"workloads\": [{\"name\": \"ut\", \"program\": \"usertests\", \"args\": "
        "[\"createread\", \"forkwait\"], \"expect\": {\"tests\": 2, \"output\": "
        "[\"@usertests passed=2 failed=0\"]}}], \"timing\": [\"icount\", \"wall\"], "
        "\"icount_repetitions\": 1, \"repetitions\": 1, \"jobs\": 2, "
        "\"timeouts\": {\"run_s\": 60}}",
        f);
  fclose(f);
  char *argv[] = {MEMHARNESS, "run", camp, "-o", out, "--build-dir", BUILD_DIR, NULL};
  char output[16384];
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 120000, &e);
  if (rc != 0)
    fail_msg("memharness exit %d:\n%s", rc, output);
  json_object *d = json_object_from_file(out), *runs, *sums;
  assert_true(json_object_object_get_ex(d, "runs", &runs));
  assert_int_equal(json_object_array_length(runs), 4);
  for (size_t i = 0; i < 4; i++) {
    json_object *run = json_object_array_get_idx(runs, i), *v, *bv;
    json_object_object_get_ex(run, "variant", &v);
    json_object_object_get_ex(run, "boot_variant", &bv);
    assert_string_equal(json_object_get_string(v), json_object_get_string(bv));
  }
  assert_true(json_object_object_get_ex(d, "summaries", &sums));
  json_object *g;
  assert_true(json_object_object_get_ex(json_object_array_get_idx(sums, 0), "geomean", &g));
  assert_true(json_object_get_double(g) > 0);
  printf("%s", output);
  json_object_put(d);
  unlink(camp);
  unlink(out);
  rmdir(dir);
}

int main(void) {
  if (!HAVE_KERNEL) {
    printf("skipped: the kernel targets (kernel-native, kernel-memv6, fsimg-*) do not exist in "
           "this build yet\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(introspection_block_and_page_walk_native),
      cmocka_unit_test(introspection_block_and_page_walk_memv6),
      cmocka_unit_test(auto_accelerator_falls_back_to_tcg_here_quickly),
      cmocka_unit_test(a_small_campaign_on_both_kernels),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
