// crc32: the CRC-32 of IEEE 802.3 (reflected, polynomial 0xEDB88320) over
// 256 KiB, table-driven, one call per byte as a byte-stream API would do.
// Checked against the standard check value of "123456789" and against a
// bit-at-a-time computation of the same buffer.
#include "types.h"
#include "user.h"
#include "bench.h"

#define LEN (256 * 1024)
#define POLY 0xEDB88320u
#define CHECK_VALUE 0xCBF43926u // CRC-32 of the nine ASCII digits 1..9

static uint table[256];
static uchar data[LEN];

static void make_table(void) {
  for (uint i = 0; i < 256; i++) {
    uint c = i;
    for (int k = 0; k < 8; k++)
      c = (c & 1) ? (c >> 1) ^ POLY : c >> 1;
    table[i] = c;
  }
}

// Not static and not inlined: a per-byte call, like a streaming API.
__attribute__((noinline)) uint crc_byte(uint crc, uchar b) {
  return table[(crc ^ b) & 0xff] ^ (crc >> 8);
}

static uint crc_table(const uchar *p, uint n) {
  uint crc = 0xffffffffu;
  for (uint i = 0; i < n; i++)
    crc = crc_byte(crc, p[i]);
  return ~crc;
}

static uint crc_bitwise(const uchar *p, uint n) {
  uint crc = 0xffffffffu;
  for (uint i = 0; i < n; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++)
      crc = (crc & 1) ? (crc >> 1) ^ POLY : crc >> 1;
  }
  return ~crc;
}

int main(void) {
  make_table();
  bench_fill(data, LEN, 1);
  uint64 t0 = rdtsc();
  uint got = crc_table(data, LEN);
  uint64 t1 = rdtsc();
  uint check = crc_table((const uchar *)"123456789", 9);
  uint want = crc_bitwise(data, LEN);
  int ok = got == want && check == CHECK_VALUE;
  printf(1, "verify crc32 %s crc=%x bitwise=%x check=%x (want %x)\n", ok ? "ok" : "FAIL", got, want,
         check, CHECK_VALUE);
  return bench_report("crc32", ok, t1 - t0);
}
