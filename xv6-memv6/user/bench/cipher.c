// cipher: the XTEA block cipher (64-bit blocks, 128-bit key, 32 cycles) in
// CBC mode over 64 KiB. Checked by decrypting back to the plaintext, by a
// ciphertext that differs from it in about half its bits, and by a one-bit
// change of the key changing every block.
#include "types.h"
#include "user.h"
#include "bench.h"

#define LEN (64 * 1024)
#define WORDS (LEN / 4)
#define DELTA 0x9E3779B9u
#define CYCLES 32

static uint plain[WORDS], ct[WORDS], back[WORDS], ct2[WORDS];

static void encipher(uint v[2], const uint key[4]) {
  uint a = v[0], b = v[1], sum = 0;
  for (int i = 0; i < CYCLES; i++) {
    a += (((b << 4) ^ (b >> 5)) + b) ^ (sum + key[sum & 3]);
    sum += DELTA;
    b += (((a << 4) ^ (a >> 5)) + a) ^ (sum + key[(sum >> 11) & 3]);
  }
  v[0] = a;
  v[1] = b;
}

static void decipher(uint v[2], const uint key[4]) {
  uint a = v[0], b = v[1], sum = DELTA * CYCLES;
  for (int i = 0; i < CYCLES; i++) {
    b -= (((a << 4) ^ (a >> 5)) + a) ^ (sum + key[(sum >> 11) & 3]);
    sum -= DELTA;
    a -= (((b << 4) ^ (b >> 5)) + b) ^ (sum + key[sum & 3]);
  }
  v[0] = a;
  v[1] = b;
}

static void cbc_encrypt(const uint *in, uint *out, const uint key[4], const uint iv[2]) {
  uint chain[2] = {iv[0], iv[1]};
  for (int i = 0; i < WORDS; i += 2) {
    chain[0] ^= in[i];
    chain[1] ^= in[i + 1];
    encipher(chain, key);
    out[i] = chain[0];
    out[i + 1] = chain[1];
  }
}

static void cbc_decrypt(const uint *in, uint *out, const uint key[4], const uint iv[2]) {
  uint prev[2] = {iv[0], iv[1]};
  for (int i = 0; i < WORDS; i += 2) {
    uint v[2] = {in[i], in[i + 1]};
    decipher(v, key);
    out[i] = v[0] ^ prev[0];
    out[i + 1] = v[1] ^ prev[1];
    prev[0] = in[i];
    prev[1] = in[i + 1];
  }
}

static uint popcount(uint x) {
  uint n = 0;
  for (; x; x &= x - 1)
    n++;
  return n;
}

int main(void) {
  const uint key[4] = {0x01234567, 0x89abcdef, 0xfedcba98, 0x76543210};
  const uint key2[4] = {0x01234566, 0x89abcdef, 0xfedcba98, 0x76543210};
  const uint iv[2] = {0x13579bdf, 0x2468ace0};
  bench_fill((uchar *)plain, LEN, 3);
  uint64 t0 = rdtsc();
  cbc_encrypt(plain, ct, key, iv);
  cbc_decrypt(ct, back, key, iv);
  uint64 t1 = rdtsc();
  cbc_encrypt(plain, ct2, key2, iv);
  uint flipped = 0, same_blocks = 0;
  for (int i = 0; i < WORDS; i++)
    flipped += popcount(plain[i] ^ ct[i]);
  for (int i = 0; i < WORDS; i += 2)
    same_blocks += ct[i] == ct2[i] && ct[i + 1] == ct2[i + 1];
  // Half of LEN*8 bits flipped, within 1 %.
  uint half = LEN * 4;
  int balanced = flipped > half - half / 100 && flipped < half + half / 100;
  int roundtrip = memcmp(plain, back, LEN) == 0;
  int ok = roundtrip && balanced && same_blocks == 0;
  printf(1, "verify cipher %s roundtrip=%d flipped_bits=%d of %d same_blocks_other_key=%d\n",
         ok ? "ok" : "FAIL", roundtrip, flipped, LEN * 8, same_blocks);
  return bench_report("cipher", ok, t1 - t0);
}
