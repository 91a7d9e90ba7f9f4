// strsearch: every occurrence of 16 patterns in 192 KiB of text over a
// small alphabet, by Boyer-Moore-Horspool. Checked against a naive scan:
// both must find the same number of occurrences of every pattern.
#include "types.h"
#include "user.h"
#include "bench.h"

#define LEN (192 * 1024)
#define NPAT 16

static char text[LEN + 1];

static int count_horspool(const char *t, int n, const char *p, int m) {
  int shift[256];
  for (int i = 0; i < 256; i++)
    shift[i] = m;
  for (int i = 0; i < m - 1; i++)
    shift[(uchar)p[i]] = m - 1 - i;
  int count = 0;
  for (int pos = 0; pos + m <= n; pos += shift[(uchar)t[pos + m - 1]]) {
    int k = m - 1;
    while (k >= 0 && t[pos + k] == p[k])
      k--;
    count += k < 0;
  }
  return count;
}

static int count_naive(const char *t, int n, const char *p, int m) {
  int count = 0;
  for (int pos = 0; pos + m <= n; pos++)
    count += strncmp(t + pos, p, m) == 0;
  return count;
}

int main(void) {
  static const char alphabet[] = "etaoin shrdlu";
  uint s = 9;
  for (int i = 0; i < LEN; i++)
    text[i] = alphabet[bench_rand(&s) % (sizeof alphabet - 1)];
  char pats[NPAT][12];
  for (int k = 0; k < NPAT; k++) {
    // Patterns of 3 to 10 characters cut from the text, so most occur.
    int m = 3 + k % 8, at = (int)(bench_rand(&s) % (LEN - m));
    memcpy(pats[k], text + at, m);
    pats[k][m] = 0;
  }
  int fast[NPAT], slow[NPAT], total = 0, bad = 0;
  uint64 t0 = rdtsc();
  for (int k = 0; k < NPAT; k++)
    fast[k] = count_horspool(text, LEN, pats[k], strlen(pats[k]));
  uint64 t1 = rdtsc();
  for (int k = 0; k < NPAT; k++) {
    slow[k] = count_naive(text, LEN, pats[k], strlen(pats[k]));
    total += fast[k];
    bad += fast[k] != slow[k] || fast[k] == 0;
  }
  int ok = bad == 0;
  printf(1, "verify strsearch %s occurrences=%d patterns_disagreeing_or_absent=%d\n",
         ok ? "ok" : "FAIL", total, bad);
  return bench_report("strsearch", ok, t1 - t0);
}
