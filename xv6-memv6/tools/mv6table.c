// mv6table: the MemV6 overhead and recovery figures from two qrun logs.
//
//   mv6table NATIVE.log MEMV6.log
//
// Prints, for every usertests test present in both logs, the cycles on each
// kernel and their ratio (memv6 / native), then the geometric mean and the
// worst ratio. Tests that do different work on purpose on the two kernels
// (mirror: the oracle exists only on memv6) are listed but left out of the
// summary. Then the @mce recovery cost (median and max cycles over the lines
// with action=recovered in either log) and the last @oracle summary (pages
// compared). Either log may be /dev/null. Use logs of icount runs (qrun --icount --ramdisk), whose
// cycles are exact.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXTESTS 256
#define MAXMCE 4096

struct test {
  char name[64];
  double cycles;
};

struct log {
  struct test tests[MAXTESTS];
  int ntests;
  double mce[MAXMCE];
  int nmce;
  char oracle[256];
};

static const char *const excluded[] = {"mirror", NULL};

static int is_excluded(const char *name) {
  for (int i = 0; excluded[i]; i++)
    if (strcmp(name, excluded[i]) == 0)
      return 1;
  return 0;
}

static void take_line(struct log *l, const char *line) {
  struct test t;
  double cycles;
  if (sscanf(line, "@test name=%63s status=%*s cycles=%lf", t.name, &t.cycles) == 2 &&
      l->ntests < MAXTESTS)
    l->tests[l->ntests++] = t;
  const char *c = strstr(line, " cycles=");
  if (strncmp(line, "@mce ", 5) == 0 && strstr(line, "action=recovered") && c &&
      sscanf(c, " cycles=%lf", &cycles) == 1 && l->nmce < MAXMCE)
    l->mce[l->nmce++] = cycles;
  if (strncmp(line, "@oracle pid=0 pages=", 20) == 0) {
    snprintf(l->oracle, sizeof l->oracle, "%.200s", line);
    l->oracle[strcspn(l->oracle, "\r\n")] = 0;
  }
}

static int read_log(const char *path, struct log *l) {
  FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    return -1;
  }
  char line[1024];
  while (fgets(line, sizeof line, f))
    take_line(l, line);
  fclose(f);
  return 0;
}

static const struct test *find(const struct log *l, const char *name) {
  for (int i = 0; i < l->ntests; i++)
    if (strcmp(l->tests[i].name, name) == 0)
      return &l->tests[i];
  return NULL;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void print_ratios(const struct log *n, const struct log *m) {
  double logsum = 0, worst = 0;
  const char *worst_name = "-";
  int count = 0;
  printf("%-16s %14s %14s %8s\n", "test", "native", "memv6", "ratio");
  for (int i = 0; i < n->ntests; i++) {
    const struct test *a = &n->tests[i], *b = find(m, a->name);
    if (!b || a->cycles <= 0)
      continue;
    double r = b->cycles / a->cycles;
    int skip = is_excluded(a->name);
    printf("%-16s %14.0f %14.0f %8.3f%s\n", a->name, a->cycles, b->cycles, r,
           skip ? "  (not in summary)" : "");
    if (skip)
      continue;
    logsum += log(r);
    count++;
    if (r > worst) {
      worst = r;
      worst_name = a->name;
    }
  }
  if (count)
    printf("summary: tests=%d geomean=%.3f worst=%.3f (%s)\n", count, exp(logsum / count), worst,
           worst_name);
}

static void print_recovery(struct log *l) {
  if (!l->nmce) {
    printf("recovery: no @mce action=recovered lines\n");
    return;
  }
  qsort(l->mce, l->nmce, sizeof l->mce[0], cmp_double);
  double median =
      l->nmce % 2 ? l->mce[l->nmce / 2] : (l->mce[l->nmce / 2 - 1] + l->mce[l->nmce / 2]) / 2;
  printf("recovery: events=%d median_cycles=%.0f max_cycles=%.0f\n", l->nmce, median,
         l->mce[l->nmce - 1]);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: mv6table NATIVE.log MEMV6.log\n");
    return 2;
  }
  static struct log n, m;
  if (read_log(argv[1], &n) < 0 || read_log(argv[2], &m) < 0)
    return 2;
  // Logs without @test lines (e.g. memcheck runs) still give the recovery
  // figures.
  if (n.ntests && m.ntests)
    print_ratios(&n, &m);
  else
    printf("no @test lines in %s: no overhead table\n", n.ntests ? argv[2] : argv[1]);
  print_recovery(&m);
  if (m.oracle[0])
    printf("oracle: %s\n", m.oracle);
  return 0;
}
