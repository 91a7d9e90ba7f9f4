// lz: an LZ77-style compressor (hash of the next three bytes finds the
// latest earlier occurrence within a 4 KiB window; literals and matches
// as tagged groups of eight items) and its decompressor, over 96 KiB of
// text made of words repeated with variation. Checked: the data
// decompresses to exactly the input, and the output is smaller.
#include "types.h"
#include "user.h"
#include "bench.h"

#define LEN (96 * 1024)
#define WINDOW 4096
#define MIN_MATCH 3
#define MAX_MATCH (MIN_MATCH + 15)
#define HASH_BITS 12

static uchar input[LEN], packed[LEN + LEN / 8 + 16], output[LEN];
static int head[1 << HASH_BITS];

static uint hash3(const uchar *p) {
  return ((uint)p[0] << 8 ^ (uint)p[1] << 4 ^ p[2]) * 2654435761u >> (32 - HASH_BITS);
}

// Format: a flag byte, then eight items, each a literal byte (flag bit 0)
// or a match (flag bit 1): two bytes, 12 bits of distance-1 and 4 of
// length-MIN_MATCH.
static uint compress(const uchar *in, uint n, uchar *out) {
  for (int i = 0; i < (1 << HASH_BITS); i++)
    head[i] = -1;
  uint o = 0, i = 0;
  while (i < n) {
    uint flag_at = o++;
    uchar flags = 0;
    for (int item = 0; item < 8 && i < n; item++) {
      uint len = 0, dist = 0;
      if (i + MIN_MATCH <= n) {
        uint h = hash3(in + i);
        int cand = head[h];
        head[h] = (int)i;
        if (cand >= 0 && i - (uint)cand <= WINDOW) {
          while (len < MAX_MATCH && i + len < n && in[cand + len] == in[i + len])
            len++;
          dist = i - (uint)cand;
        }
      }
      if (len >= MIN_MATCH) {
        flags |= (uchar)(1 << item);
        uint code = (dist - 1) << 4 | (len - MIN_MATCH);
        out[o++] = (uchar)(code >> 8);
        out[o++] = (uchar)code;
        for (uint k = 1; k < len && i + k + MIN_MATCH <= n; k++)
          head[hash3(in + i + k)] = (int)(i + k);
        i += len;
      } else {
        out[o++] = in[i++];
      }
    }
    out[flag_at] = flags;
  }
  return o;
}

static uint decompress(const uchar *in, uint n, uchar *out) {
  uint i = 0, o = 0;
  while (i < n) {
    uchar flags = in[i++];
    for (int item = 0; item < 8 && i < n; item++) {
      if (flags & (1 << item)) {
        uint code = (uint)in[i] << 8 | in[i + 1];
        i += 2;
        uint dist = (code >> 4) + 1, len = (code & 15) + MIN_MATCH;
        for (uint k = 0; k < len; k++, o++)
          out[o] = out[o - dist];
      } else {
        out[o++] = in[i++];
      }
    }
  }
  return o;
}

int main(void) {
  static const char *const words[] = {"memory ", "mirror ", "frame ", "page ", "fault ",
                                      "kernel ", "store ",  "load ",  "the ",  "of ",
                                      "and ",    "xv6 ",    "trial ", "cost ", "\n"};
  uint s = 13, n = 0;
  while (n < LEN) {
    const char *w = words[bench_rand(&s) % 15];
    for (; *w && n < LEN; w++)
      input[n++] = (uchar)*w;
    if (bench_rand(&s) % 16 == 0 && n < LEN)
      input[n++] = (uchar)('A' + bench_rand(&s) % 26);
  }
  uint64 t0 = rdtsc();
  uint packed_len = compress(input, LEN, packed);
  uint out_len = decompress(packed, packed_len, output);
  uint64 t1 = rdtsc();
  int same = out_len == LEN && memcmp(input, output, LEN) == 0;
  int ok = same && packed_len < LEN / 2;
  printf(1, "verify lz %s in=%d packed=%d out=%d roundtrip=%d\n", ok ? "ok" : "FAIL", LEN,
         packed_len, out_len, same);
  return bench_report("lz", ok, t1 - t0);
}
