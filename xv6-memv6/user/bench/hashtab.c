// hashtab: a chained hash table of string keys with malloc'd entries:
// 16384 inserts, lookups of every key and of as many absent ones, then
// half the keys deleted and everything looked up again. Checked against
// counts known by construction (keys are distinct by construction).
#include "types.h"
#include "user.h"
#include "bench.h"

#define NKEYS 16384
#define NBUCKETS 4096

struct entry {
  struct entry *next;
  uint value;
  char key[16];
};

static struct entry *buckets[NBUCKETS];

// FNV-1a: 32-bit offset basis and prime.
static uint hash(const char *s) {
  uint h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (uchar)*s) * 16777619u;
  return h;
}

// "k" and the number in base 36, distinct for distinct n.
static void make_key(char *out, uint n) {
  char digits[12];
  int len = 0;
  do {
    uint d = n % 36;
    digits[len++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    n /= 36;
  } while (n);
  out[0] = 'k';
  for (int i = 0; i < len; i++)
    out[1 + i] = digits[len - 1 - i];
  out[1 + len] = 0;
}

static int insert(const char *key, uint value) {
  struct entry **b = &buckets[hash(key) % NBUCKETS];
  for (struct entry *e = *b; e; e = e->next) {
    if (strcmp(e->key, key) == 0) {
      e->value = value;
      return 0;
    }
  }
  struct entry *e = malloc(sizeof *e);
  if (!e)
    return -1;
  strcpy(e->key, key);
  e->value = value;
  e->next = *b;
  *b = e;
  return 1;
}

static struct entry *lookup(const char *key) {
  for (struct entry *e = buckets[hash(key) % NBUCKETS]; e; e = e->next) {
    if (strcmp(e->key, key) == 0)
      return e;
  }
  return 0;
}

static int delete (const char *key) {
  for (struct entry **p = &buckets[hash(key) % NBUCKETS]; *p; p = &(*p)->next) {
    if (strcmp((*p)->key, key) == 0) {
      struct entry *e = *p;
      *p = e->next;
      free(e);
      return 1;
    }
  }
  return 0;
}

int main(void) {
  char key[16];
  int inserted = 0, found = 0, right = 0, absent = 0, deleted = 0, after = 0;
  uint64 t0 = rdtsc();
  for (uint i = 0; i < NKEYS; i++) {
    make_key(key, i * 7919);
    inserted += insert(key, i) == 1;
  }
  for (uint i = 0; i < 2 * NKEYS; i++) {
    make_key(key, i * 7919);
    struct entry *e = lookup(key);
    found += e != 0;
    right += e != 0 && e->value == i;
    absent += e == 0 && i >= NKEYS;
  }
  for (uint i = 0; i < NKEYS; i += 2) {
    make_key(key, i * 7919);
    deleted += delete (key);
  }
  for (uint i = 0; i < NKEYS; i++) {
    make_key(key, i * 7919);
    after += lookup(key) != 0;
  }
  uint64 t1 = rdtsc();
  int ok = inserted == NKEYS && found == NKEYS && right == NKEYS && absent == NKEYS &&
           deleted == NKEYS / 2 && after == NKEYS / 2;
  printf(1, "verify hashtab %s inserted=%d found=%d right=%d absent=%d deleted=%d left=%d\n",
         ok ? "ok" : "FAIL", inserted, found, right, absent, deleted, after);
  return bench_report("hashtab", ok, t1 - t0);
}
