// Corpus test: every C and .S file of the given directories (the userland,
// xv6-memv6/user, when it exists, and tests/corpus) is compiled with the
// userland's flags at -O0 and -O2, translated and assembled. Zero errors are
// allowed; the counts of each rewritten class, the size growth and the
// translation speed on the largest file are printed at the end.
//   test_corpus MIRROR-TRANSLATE CC OFFSET WORKDIR DIR... -- CFLAGS...
#include "proc.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#define MAXCLASS 32

struct job {
  char *src;
  const char *opt;
  char name[256];
};

static const char *translator, *cc, *offset, *workdir;
static char **cflags;
static int ncflags;

// Totals over the corpus.
static char class_name[MAXCLASS][32];
static long class_count[MAXCLASS];
static int nclass;
static long lines_in, lines_out, bytes_in, bytes_out, files;
static char largest[1400];
static long largest_lines;

static int run(char **argv, struct proc_result *r) {
  if (proc_run(argv, r) < 0)
    return -1;
  if (r->status != 0)
    print_error("%s: exit %d\n%s%s", argv[0], r->status, r->out, r->err);
  return r->status;
}

static long field(const char *s, const char *key) {
  const char *p = strstr(s, key);
  return p ? atol(p + strlen(key)) : -1;
}

// "mirror-stats: file=F store=2 setcc=0 ..." -> totals.
static void add_stats(const char *err) {
  const char *line = strstr(err, "mirror-stats: ");
  assert_non_null(line);
  lines_in += field(line, " lines_in=");
  lines_out += field(line, " lines_out=");
  bytes_in += field(line, " bytes_in=");
  bytes_out += field(line, " bytes_out=");
  const char *cls = strchr(line, '\n');
  assert_non_null(cls);
  cls = strstr(cls, "mirror-stats: ");
  assert_non_null(cls);
  const char *end = strchr(cls, '\n');
  const char *p = strchr(cls, ' ') + 1;
  p = strchr(p, ' '); // skip file=
  while (p && p < end) {
    p++;
    const char *eq = strchr(p, '=');
    if (!eq || eq > end)
      break;
    char nm[32];
    snprintf(nm, sizeof nm, "%.*s", (int)(eq - p), p);
    int k = 0;
    while (k < nclass && strcmp(class_name[k], nm) != 0)
      k++;
    if (k == nclass && nclass < MAXCLASS)
      snprintf(class_name[nclass++], sizeof class_name[0], "%s", nm);
    if (k < MAXCLASS)
      class_count[k] += atol(eq + 1);
    p = strchr(eq, ' ');
  }
}

static void translate_file(void **state) {
  const struct job *j = *state;
  char native[1400], mirrored[1400], obj[1400];
  snprintf(native, sizeof native, "%s/%s.s", workdir, j->name);
  snprintf(mirrored, sizeof mirrored, "%s/%s.mirror.s", workdir, j->name);
  snprintf(obj, sizeof obj, "%s/%s.o", workdir, j->name);
  int is_asm = strlen(j->src) > 2 && strcmp(j->src + strlen(j->src) - 2, ".S") == 0;

  char **v = calloc((size_t)ncflags + 16, sizeof *v);
  int k = 0;
  v[k++] = (char *)cc;
  for (int i = 0; i < ncflags; i++)
    v[k++] = cflags[i];
  v[k++] = (char *)j->opt;
  v[k++] = is_asm ? "-E" : "-S";
  v[k++] = j->src;
  v[k++] = "-o";
  v[k++] = native;
  v[k] = NULL;
  struct proc_result r;
  assert_int_equal(run(v, &r), 0);
  proc_free(&r);

  char *t[] = {(char *)translator, "--offset", (char *)offset, "--stats", native, "-o",
               mirrored,           NULL};
  assert_int_equal(run(t, &r), 0);
  add_stats(r.err);
  long lines = field(r.err, " lines_in=");
  if (lines > largest_lines) {
    largest_lines = lines;
    snprintf(largest, sizeof largest, "%s", native);
  }
  files++;
  proc_free(&r);

  char *a[] = {(char *)cc, "-m32", "-c", mirrored, "-o", obj, NULL};
  assert_int_equal(run(a, &r), 0);
  proc_free(&r);
  free(v);
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

// The C and .S files of dir, sorted; a missing directory has none.
static int list_sources(const char *dir, char ***out) {
  DIR *d = opendir(dir);
  int n = 0;
  *out = NULL;
  if (!d) {
    printf("# corpus: %s does not exist (yet), skipped\n", dir);
    return 0;
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (len < 3 || e->d_name[0] == '.')
      continue;
    const char *ext = e->d_name + len - 2;
    if (strcmp(ext, ".c") != 0 && strcmp(ext, ".S") != 0)
      continue;
    char **grown = realloc(*out, (size_t)(n + 1) * sizeof **out);
    if (!grown)
      abort();
    *out = grown;
    size_t plen = strlen(dir) + len + 2;
    (*out)[n] = malloc(plen);
    snprintf((*out)[n], plen, "%s/%s", dir, e->d_name);
    n++;
  }
  closedir(d);
  qsort(*out, (size_t)n, sizeof **out, by_name);
  return n;
}

static void report(void) {
  printf("\n# corpus: %ld translations (files x -O0/-O2), 0 errors\n", files);
  long total = 0;
  for (int k = 0; k < nclass; k++) {
    printf("#   %-11s %7ld\n", class_name[k], class_count[k]);
    total += class_count[k];
  }
  printf("#   %-11s %7ld\n", "total", total);
  printf("# lines %ld -> %ld (+%.1f%%), bytes %ld -> %ld (+%.1f%%)\n", lines_in, lines_out,
         lines_in ? 100.0 * (double)(lines_out - lines_in) / (double)lines_in : 0.0, bytes_in,
         bytes_out, bytes_in ? 100.0 * (double)(bytes_out - bytes_in) / (double)bytes_in : 0.0);
  if (largest[0]) {
    char out[1500];
    snprintf(out, sizeof out, "%s.bench.s", largest);
    char *b[] = {(char *)translator,
                 "--offset",
                 (char *)offset,
                 "--stats",
                 "--bench",
                 "200",
                 largest,
                 "-o",
                 out,
                 NULL};
    struct proc_result r;
    if (proc_run(b, &r) == 0 && r.status == 0) {
      const char *speed = strstr(r.err, " runs=");
      printf("# speed on the largest file (%s, %ld lines):%.*s\n", largest, largest_lines,
             speed ? (int)strcspn(speed, "\n") : 0, speed ? speed : "");
    }
    proc_free(&r);
  }
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: test_corpus MIRROR-TRANSLATE CC OFFSET WORKDIR DIR... -- CFLAGS\n");
    return 2;
  }
  translator = argv[1];
  cc = argv[2];
  offset = argv[3];
  workdir = argv[4];
  mkdir(workdir, 0777);
  int i = 5;
  struct job *jobs = NULL;
  int njobs = 0;
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    char **srcs;
    int n = list_sources(argv[i], &srcs);
    for (int s = 0; s < n; s++)
      for (int o = 0; o < 2; o++) {
        struct job *grown = realloc(jobs, (size_t)(njobs + 1) * sizeof *jobs);
        if (!grown)
          abort();
        jobs = grown;
        struct job *j = &jobs[njobs++];
        j->src = srcs[s];
        j->opt = o ? "-O2" : "-O0";
        const char *base = strrchr(srcs[s], '/') + 1;
        // Directory index in the name keeps two dirs' files apart.
        snprintf(j->name, sizeof j->name, "d%d-%s%s", i - 5, base, j->opt);
      }
  }
  if (i < argc)
    i++;
  cflags = argv + i;
  ncflags = argc - i;
  struct CMUnitTest *tests = calloc((size_t)njobs + 1, sizeof *tests);
  for (int k = 0; k < njobs; k++) {
    tests[k].name = jobs[k].name;
    tests[k].test_func = translate_file;
    tests[k].initial_state = &jobs[k];
  }
  int failed = _cmocka_run_group_tests("translator corpus", tests, (size_t)njobs, NULL, NULL);
  if (!failed)
    report();
  return failed;
}
