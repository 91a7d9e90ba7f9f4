// Corpus: 64-bit arithmetic (libgcc calls for division), shifts, floating
// point through x87 (conversions store with fistp/fstp), atomics.
typedef unsigned long long u64;
typedef long long s64;

u64 acc64;
s64 table64[16];
double dtable[8];
float ftable[8];
int counter;

u64 mix(u64 a, u64 b) {
  a ^= b << 13;
  a += b >> 7;
  a *= 0x9e3779b97f4a7c15ULL;
  return a ^ (a >> 29);
}

u64 divmod(u64 a, u64 b, u64 *rem) {
  *rem = a % b;
  return a / b;
}

s64 sdiv(s64 a, s64 b) {
  return a / b;
}

void fill64(int n) {
  for (int i = 0; i < 16; i++) {
    table64[i] = (s64)i * n - (1LL << 40);
    table64[i] <<= i & 7;
    acc64 += (u64)table64[i];
  }
}

s64 shift_var(s64 x, int n) {
  return (x << n) | (x >> (64 - n));
}

double average(const int *v, int n) {
  double s = 0;
  for (int i = 0; i < n; i++)
    s += v[i];
  return n ? s / n : 0;
}

void convert(int n) {
  for (int i = 0; i < 8; i++) {
    dtable[i] = (double)i / (n + 1);
    ftable[i] = (float)dtable[i] * 3.0f;
    table64[i] = (s64)(dtable[i] * 1e12);
    table64[i + 8] = (int)ftable[i];
  }
}

int atomics(int *p, int v) {
  int old = __sync_fetch_and_add(p, v);
  __sync_fetch_and_or(p, 0x100);
  __sync_bool_compare_and_swap(p, old, v);
  __sync_lock_test_and_set(&counter, v);
  return old + __sync_add_and_fetch(&counter, 1);
}

u64 factorial(int n) {
  return n <= 1 ? 1 : (u64)n * factorial(n - 1);
}

int fib(int n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int cmpflags(int a, int b, char *out) {
  out[0] = a < b;
  out[1] = a == b;
  out[2] = (unsigned)a > (unsigned)b;
  return out[0] + out[1] + out[2];
}
