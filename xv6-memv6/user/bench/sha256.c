// sha256: SHA-256 (FIPS 180-4) of 128 KiB. Checked against the standard's
// example digest of "abc", and the big buffer hashed in one call must give
// what it gives fed in uneven pieces (the buffering path).
#include "types.h"
#include "user.h"
#include "bench.h"

#define LEN (128 * 1024)

struct sha256 {
  uint h[8];
  uchar block[64];
  uint used;    // bytes waiting in block
  uint64 total; // bytes hashed
};

// The first 32 bits of the fractional parts of the cube roots of the
// first 64 primes, as the standard defines them.
static const uint K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint rotr(uint x, int n) {
  return (x >> n) | (x << (32 - n));
}

static void compress(uint h[8], const uchar *p) {
  uint w[64];
  for (int i = 0; i < 16; i++)
    w[i] = (uint)p[4 * i] << 24 | (uint)p[4 * i + 1] << 16 | (uint)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (int i = 0; i < 64; i++) {
    uint t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
    uint t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    k = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += k;
}

static void sha_init(struct sha256 *s) {
  static const uint iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(s->h, iv, sizeof iv);
  s->used = 0;
  s->total = 0;
}

static void sha_update(struct sha256 *s, const uchar *p, uint n) {
  s->total += n;
  while (n > 0) {
    if (s->used == 0 && n >= 64) {
      compress(s->h, p);
      p += 64;
      n -= 64;
      continue;
    }
    uint take = 64 - s->used < n ? 64 - s->used : n;
    memcpy(s->block + s->used, p, take);
    s->used += take;
    p += take;
    n -= take;
    if (s->used == 64) {
      compress(s->h, s->block);
      s->used = 0;
    }
  }
}

static void sha_final(struct sha256 *s, uchar out[32]) {
  uint64 bits = s->total * 8;
  uchar pad[72] = {0x80};
  uint padlen = (s->used < 56 ? 56 : 120) - s->used;
  for (int i = 0; i < 8; i++)
    pad[padlen + i] = (uchar)(bits >> (56 - 8 * i));
  sha_update(s, pad, padlen + 8);
  for (int i = 0; i < 32; i++)
    out[i] = (uchar)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}

static void sha_oneshot(const uchar *p, uint n, uchar out[32]) {
  struct sha256 s;
  sha_init(&s);
  sha_update(&s, p, n);
  sha_final(&s, out);
}

static void print_hex(const uchar *d) {
  for (int i = 0; i < 32; i++)
    printf(1, "%x%x", d[i] >> 4, d[i] & 15);
}

static uchar data[LEN];

int main(void) {
  // FIPS 180-4's first example: SHA-256("abc").
  static const uchar abc_digest[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                       0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                       0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
                                       0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  uchar d1[32], d2[32], dabc[32];
  bench_fill(data, LEN, 2);
  uint64 t0 = rdtsc();
  sha_oneshot(data, LEN, d1);
  uint64 t1 = rdtsc();
  struct sha256 s;
  sha_init(&s);
  for (uint off = 0, piece = 1; off < LEN; off += piece, piece = piece * 3 % 1000 + 1)
    sha_update(&s, data + off, LEN - off < piece ? LEN - off : piece);
  sha_final(&s, d2);
  sha_oneshot((const uchar *)"abc", 3, dabc);
  int ok = memcmp(d1, d2, 32) == 0 && memcmp(dabc, abc_digest, 32) == 0;
  printf(1, "verify sha256 %s digest=", ok ? "ok" : "FAIL");
  print_hex(d1);
  printf(1, " pieces=");
  print_hex(d2);
  printf(1, " abc=");
  print_hex(dabc);
  printf(1, "\n");
  return bench_report("sha256", ok, t1 - t0);
}
