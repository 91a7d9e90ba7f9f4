// sort: 32768 integers sorted by a recursive quicksort (median of three,
// insertion sort below 16) and by a top-down merge sort. Checked: both
// outputs ascending, equal to each other, and the same multiset as the
// input (sum and xor of all elements).
#include "types.h"
#include "user.h"
#include "bench.h"

#define N 32768

static int input[N], q[N], m[N], tmp[N];

static void swap(int *a, int *b) {
  int t = *a;
  *a = *b;
  *b = t;
}

static void insertion(int *a, int n) {
  for (int i = 1; i < n; i++) {
    int v = a[i], j = i;
    for (; j > 0 && a[j - 1] > v; j--)
      a[j] = a[j - 1];
    a[j] = v;
  }
}

static void quicksort(int *a, int n) {
  if (n < 16) {
    insertion(a, n);
    return;
  }
  int mid = n / 2;
  if (a[mid] < a[0])
    swap(&a[mid], &a[0]);
  if (a[n - 1] < a[0])
    swap(&a[n - 1], &a[0]);
  if (a[n - 1] < a[mid])
    swap(&a[n - 1], &a[mid]);
  int pivot = a[mid], i = 0, j = n - 1;
  while (i <= j) {
    while (a[i] < pivot)
      i++;
    while (a[j] > pivot)
      j--;
    if (i <= j)
      swap(&a[i++], &a[j--]);
  }
  quicksort(a, j + 1);
  quicksort(a + i, n - i);
}

static void mergesort(int *a, int *t, int n) {
  if (n < 2)
    return;
  int h = n / 2;
  mergesort(a, t, h);
  mergesort(a + h, t, n - h);
  int i = 0, j = h, k = 0;
  while (i < h && j < n)
    t[k++] = a[i] <= a[j] ? a[i++] : a[j++];
  while (i < h)
    t[k++] = a[i++];
  while (j < n)
    t[k++] = a[j++];
  memcpy(a, t, n * sizeof(int));
}

int main(void) {
  uint s = 5;
  uint sum = 0, x = 0;
  for (int i = 0; i < N; i++) {
    input[i] = (int)(bench_rand(&s) % 1000000) - 500000;
    sum += input[i];
    x ^= input[i];
  }
  memcpy(q, input, sizeof input);
  memcpy(m, input, sizeof input);
  uint64 t0 = rdtsc();
  quicksort(q, N);
  mergesort(m, tmp, N);
  uint64 t1 = rdtsc();
  int ascending = 1;
  uint qsum = 0, qx = 0;
  for (int i = 0; i < N; i++) {
    if (i > 0 && q[i - 1] > q[i])
      ascending = 0;
    qsum += q[i];
    qx ^= q[i];
  }
  int same = memcmp(q, m, sizeof q) == 0;
  int ok = ascending && same && qsum == sum && qx == x;
  printf(1, "verify sort %s ascending=%d quick_eq_merge=%d sum=%x/%x xor=%x/%x min=%d max=%d\n",
         ok ? "ok" : "FAIL", ascending, same, qsum, sum, qx, x, q[0], q[N - 1]);
  return bench_report("sort", ok, t1 - t0);
}
