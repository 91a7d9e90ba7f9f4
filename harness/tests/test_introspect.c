#include "cm.h"

#include <stdlib.h>
#include <string.h>

#include "mh_introspect.h"

// A fake physical memory of 1 MiB; reads beyond it fail like a bad address.
#define MEM (1u << 20)
static uint8_t *mem;

static int physread(void *ctx, uint32_t pa, void *buf, size_t len) {
  (void)ctx;
  if (pa + len > MEM || pa + len < pa)
    return -1;
  memcpy(buf, mem + pa, len);
  return 0;
}

static void put32(uint32_t pa, uint32_t v) {
  memcpy(mem + pa, &v, 4);
}

static int setup(void **state) {
  (void)state;
  mem = calloc(1, MEM);
  return mem ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  free(mem);
  return 0;
}

static struct introspect sample(void) {
  struct introspect in = {.magic = INTROSPECT_MAGIC,
                          .version = INTROSPECT_VERSION,
                          .size = sizeof(struct introspect),
                          .variant = VARIANT_MEMV6,
                          .kernbase = 0x80000000u,
                          .frames = 0x80020000u,
                          .frame_size = 12,
                          .nframes = 256,
                          .frame_kind_off = 0,
                          .frame_refs_off = 2,
                          .frame_partner_off = 4,
                          .frame_owner_off = 8,
                          .procs = 0x80030000u,
                          .proc_size = 64,
                          .nproc = 4,
                          .proc_pid_off = 0,
                          .proc_state_off = 4,
                          .proc_pgdir_off = 8,
                          .proc_sz_off = 12,
                          .proc_name_off = 16};
  return in;
}

static void decode_checks_magic_version_and_size(void **state) {
  (void)state;
  struct introspect in = sample(), out;
  struct mh_err e;
  assert_int_equal(mh_introspect_decode(&in, sizeof in, &out, &e), 0);
  assert_int_equal(out.nproc, 4);
  struct introspect bad = in;
  bad.magic = 0;
  assert_int_equal(mh_introspect_decode(&bad, sizeof bad, &out, &e), -1);
  assert_non_null(strstr(e.msg, "magic"));
  bad = in;
  bad.version = INTROSPECT_VERSION + 1;
  assert_int_equal(mh_introspect_decode(&bad, sizeof bad, &out, &e), -1);
  assert_non_null(strstr(e.msg, "layout version"));
  bad = in;
  bad.size = 8;
  assert_int_equal(mh_introspect_decode(&bad, sizeof bad, &out, &e), -1);
  assert_non_null(strstr(e.msg, "size"));
  assert_int_equal(mh_introspect_decode(&in, 8, &out, &e), -1);
}

static void walk_follows_two_levels_and_reports_holes(void **state) {
  (void)state;
  // pgdir at 0x1000; va 0x00403123 -> pde 1 -> table at 0x2000, pte 3 -> frame 0x7000.
  put32(0x1000 + 1 * 4, 0x2000 | 0x7);
  put32(0x2000 + 3 * 4, 0x7000 | 0x7);
  // A 4 MiB kernel page: va 0x80000000 -> pa 0.
  put32(0x1000 + 0x200 * 4, 0x00000083);
  uint32_t pa, pte;
  struct mh_err e;
  assert_int_equal(mh_walk(physread, NULL, 0x1000, 0x00403123, &pa, &pte, &e), 0);
  assert_int_equal(pa, 0x7123);
  assert_int_equal(pte, 0x7007);
  assert_int_equal(mh_walk(physread, NULL, 0x1000, 0x80012345, &pa, NULL, &e), 0);
  assert_int_equal(pa, 0x12345);
  assert_int_equal(mh_walk(physread, NULL, 0x1000, 0x00404000, &pa, NULL, &e), -1);
  assert_non_null(strstr(e.msg, "page table entry not present"));
  assert_int_equal(mh_walk(physread, NULL, 0x1000, 0x00800000, &pa, NULL, &e), -1);
  assert_non_null(strstr(e.msg, "page directory entry not present"));
  put32(0x1000 + 2 * 4, 0xfff00000 | 1); // a table outside memory
  assert_int_equal(mh_walk(physread, NULL, 0x1000, 0x00800000, &pa, NULL, &e), -1);
  assert_non_null(strstr(e.msg, "cannot read the page table entry"));
}

static void process_and_frame_tables_are_read_through_the_offsets(void **state) {
  (void)state;
  struct introspect in = sample();
  uint32_t slot = 0x30000 + 2 * 64;
  put32(slot + 0, 7);
  put32(slot + 4, PSTATE_RUNNING);
  put32(slot + 8, 0x80001000u);
  put32(slot + 12, 0x5000);
  memcpy(mem + slot + 16, "usertests", 10);
  struct mh_proc_info p;
  struct mh_err e;
  assert_int_equal(mh_introspect_proc(physread, NULL, &in, 2, &p, &e), 0);
  assert_int_equal(p.pid, 7);
  assert_int_equal(p.state, PSTATE_RUNNING);
  assert_int_equal(p.pgdir_va, 0x80001000u);
  assert_string_equal(p.name, "usertests");
  assert_int_equal(mh_introspect_proc(physread, NULL, &in, 4, &p, &e), -1);

  uint32_t ent = 0x20000 + 7 * 12;
  mem[ent] = FRAME_NATIVE;
  mem[ent + 2] = 1;
  put32(ent + 4, 0x8123);
  put32(ent + 8, 7);
  int kind, refs, owner;
  uint32_t partner;
  assert_int_equal(mh_introspect_frame(physread, NULL, &in, 7, &kind, &refs, &partner, &owner, &e),
                   0);
  assert_int_equal(kind, FRAME_NATIVE);
  assert_int_equal(refs, 1);
  assert_int_equal(partner, 0x8123);
  assert_int_equal(owner, 7);
  assert_int_equal(
      mh_introspect_frame(physread, NULL, &in, 256, &kind, &refs, &partner, &owner, &e), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(decode_checks_magic_version_and_size),
      cmocka_unit_test(walk_follows_two_levels_and_reports_holes),
      cmocka_unit_test(process_and_frame_tables_are_read_through_the_offsets),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
