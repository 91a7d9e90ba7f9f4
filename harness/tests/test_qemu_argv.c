#include "cm.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mh_config.h"
#include "qemu.h"

// The value following flag in argv, or NULL.
static const char *after(const struct mh_argv *a, const char *flag) {
  for (int i = 0; i + 1 < a->n; i++)
    if (!strcmp(a->v[i], flag))
      return a->v[i + 1];
  return NULL;
}

static bool has(const struct mh_argv *a, const char *word) {
  for (int i = 0; i < a->n; i++)
    if (!strcmp(a->v[i], word))
      return true;
  return false;
}

static void contract_arguments_are_all_there(void **state) {
  (void)state;
  struct mh_qemu_opts o = {.qemu = "qemu-system-i386",
                           .kernel = "/k/kernel-memv6.elf",
                           .disk = "/k/fs memv6.img",
                           .disk_snapshot = true,
                           .append = "usertests forktest sbrkbasic",
                           .accel = "tcg",
                           .serial_path = "/s/serial.log",
                           .gdb_socket = "/s/gdb.sock",
                           .qmp_socket = "/s/qmp.sock"};
  struct mh_argv a;
  assert_int_equal(mh_qemu_argv(&o, &a), 0);
  assert_string_equal(a.v[0], "qemu-system-i386");
  assert_null(a.v[a.n]);
  assert_string_equal(after(&a, "-machine"), "pc");
  assert_string_equal(after(&a, "-accel"), "tcg");
  assert_string_equal(after(&a, "-cpu"), "qemu32,+mca");
  // No mem_mb: the guest RAM memlayout.h sizes for native and memv6.
  char ram[16];
  snprintf(ram, sizeof ram, "%dM", MH_GUEST_RAM_MB);
  assert_string_equal(after(&a, "-m"), ram);
  assert_string_equal(after(&a, "-display"), "none");
  assert_true(has(&a, "-no-reboot"));
  assert_string_equal(after(&a, "-kernel"), "/k/kernel-memv6.elf");
  // One argv element, spaces and all: no shell ever splits it.
  assert_string_equal(after(&a, "-append"), "usertests forktest sbrkbasic");
  assert_string_equal(after(&a, "-drive"),
                      "file=/k/fs memv6.img,format=raw,if=ide,index=0,media=disk,snapshot=on");
  assert_string_equal(after(&a, "-device"), "isa-debug-exit,iobase=0xf4,iosize=0x04");
  assert_string_equal(after(&a, "-serial"), "file:/s/serial.log");
  assert_string_equal(after(&a, "-monitor"), "none");
  assert_string_equal(after(&a, "-gdb"), "unix:/s/gdb.sock,server=on,wait=off");
  assert_string_equal(after(&a, "-qmp"), "unix:/s/qmp.sock,server=on,wait=off");
  assert_false(has(&a, "-icount"));
  assert_false(has(&a, "-S"));
  char *joined = mh_argv_join(&a);
  assert_non_null(strstr(joined, "-append 'usertests forktest sbrkbasic'"));
  free(joined);
  mh_argv_free(&a);
}

static void icount_pause_and_kvm(void **state) {
  (void)state;
  struct mh_qemu_opts o = {
      .qemu = "q", .kernel = "k", .accel = "kvm", .icount = true, .paused = true, .mem_mb = 512};
  struct mh_argv a;
  assert_int_equal(mh_qemu_argv(&o, &a), 0);
  assert_string_equal(after(&a, "-icount"), "shift=0,sleep=off");
  assert_string_equal(after(&a, "-accel"), "kvm");
  assert_string_equal(after(&a, "-m"), "512M");
  assert_true(has(&a, "-S"));
  assert_false(has(&a, "-drive"));
  assert_false(has(&a, "-gdb"));
  mh_argv_free(&a);
}

// icount runs take the disk from RAM so that no host I/O timing enters them.
static void disk_in_ram_replaces_ide(void **state) {
  (void)state;
  struct mh_qemu_opts o = {
      .qemu = "q", .kernel = "k", .disk = "/k/fs-native.img", .disk_in_ram = true, .icount = true};
  struct mh_argv a;
  assert_int_equal(mh_qemu_argv(&o, &a), 0);
  assert_string_equal(after(&a, "-initrd"), "/k/fs-native.img");
  assert_null(after(&a, "-drive"));
  mh_argv_free(&a);
  // -initrd splits its argument at commas: such a path must be refused.
  o.disk = "/k/fs,native.img";
  assert_int_equal(mh_qemu_argv(&o, &a), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(contract_arguments_are_all_there),
                                     cmocka_unit_test(icount_pause_and_kvm),
                                     cmocka_unit_test(disk_in_ram_replaces_ide)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
