// mirror-translate: the command line of the static mirror translator.
//   mirror-translate --offset 0x40000000 [--stats] [--bench N] [-o OUT] [IN]
// See docs/translator.md.
#include "rewrite.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f) {
  fprintf(f, "usage: mirror-translate --offset OFFSET [--arch i386|x86_64] [--stats] [--bench N]\n"
             "                        [--max-errors N] [--no-stack-mirror] [-o OUT.s] [IN.s]\n"
             "Writes IN (default: standard input) to OUT (default: standard output) with\n"
             "every memory write mirrored at OFFSET + address. Errors name file:line.\n"
             "--no-stack-mirror: stack writes (push, call, stores through %%esp or %%ebp)\n"
             "are not mirrored; %%ebp must be a frame pointer (the memv6sys kernel).\n");
}

static int read_all(FILE *f, struct buf *b) {
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (b->len + n + 1 > b->cap) {
      size_t cap = b->cap ? b->cap * 2 : sizeof chunk * 2;
      while (cap < b->len + n + 1)
        cap *= 2;
      char *p = realloc(b->p, cap);
      if (!p)
        return -1;
      b->p = p;
      b->cap = cap;
    }
    memcpy(b->p + b->len, chunk, n);
    b->len += n;
  }
  return ferror(f) ? -1 : 0;
}

// Writes the whole buffer to path through a temporary file and rename, so a
// reader never sees half a file.
static int write_atomic(const char *path, const struct buf *b) {
  if (strcmp(path, "-") == 0)
    return fwrite(b->p, 1, b->len, stdout) == b->len && fflush(stdout) == 0 ? 0 : -1;
  size_t n = strlen(path) + 32;
  char *tmp = malloc(n);
  if (!tmp)
    return -1;
  snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
  FILE *f = fopen(tmp, "w");
  int ok = f && fwrite(b->p, 1, b->len, f) == b->len;
  if (f && fclose(f) != 0)
    ok = 0;
  if (ok && rename(tmp, path) != 0)
    ok = 0;
  if (!ok) {
    fprintf(stderr, "mirror-translate: %s: %s\n", path, strerror(errno));
    unlink(tmp);
  }
  free(tmp);
  return ok ? 0 : -1;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  const char *offset_arg = NULL, *in_path = "-", *out_path = "-";
  int stats = 0, max_errors = 50, no_stack = 0;
  long bench = 0;
  const struct arch *arch = &arch_i386;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--offset") == 0 && v)
      offset_arg = v, i++;
    else if (strcmp(a, "-o") == 0 && v)
      out_path = v, i++;
    else if (strcmp(a, "--stats") == 0)
      stats = 1;
    else if (strcmp(a, "--no-stack-mirror") == 0)
      no_stack = 1;
    else if (strcmp(a, "--bench") == 0 && v)
      bench = strtol(v, NULL, 10), i++;
    else if (strcmp(a, "--max-errors") == 0 && v)
      max_errors = atoi(v), i++;
    else if (strcmp(a, "--arch") == 0 && v) {
      arch = arch_find(v);
      if (!arch) {
        fprintf(stderr, "mirror-translate: unsupported architecture '%s' (known: i386, x86_64)\n",
                v);
        return 2;
      }
      i++;
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      return 0;
    } else if (a[0] == '-' && a[1]) {
      usage(stderr);
      return 2;
    } else
      in_path = a;
  }
  if (!offset_arg) {
    fprintf(stderr, "mirror-translate: --offset is required (CMake passes MIRROR_OFFSET)\n");
    return 2;
  }
  char *end;
  errno = 0;
  unsigned long long off = strtoull(offset_arg, &end, 0);
  // On x86-64 the offset is added to 32-bit signed displacements.
  unsigned long long max = arch->word == 8 ? 0x7fffffffULL : 0xffffffffULL;
  if (errno || *end || off == 0 || off > max) {
    fprintf(stderr, "mirror-translate: bad --offset '%s' (1 to 0x%llx for %s)\n", offset_arg, max,
            arch->name);
    return 2;
  }
  char offset[32];
  snprintf(offset, sizeof offset, "0x%llx", off);
  char msg[200];
  if (arch->check(msg, sizeof msg) != 0) {
    fprintf(stderr, "mirror-translate: internal error in the %s table: %s\n", arch->name, msg);
    return 2;
  }

  struct buf in = {0}, out = {0};
  FILE *f = strcmp(in_path, "-") == 0 ? stdin : fopen(in_path, "r");
  if (!f || read_all(f, &in) < 0) {
    fprintf(stderr, "mirror-translate: %s: %s\n", in_path, strerror(errno));
    return 2;
  }
  if (f != stdin)
    fclose(f);

  struct mirror_opts o = {arch,   offset,     strcmp(in_path, "-") == 0 ? "<stdin>" : in_path,
                          stderr, max_errors, no_stack};
  struct mirror_stats st;
  memset(&st, 0, sizeof st);
  double t0 = now();
  int errors = mirror_translate(&o, in.p ? in.p : "", in.len, &out, &st);
  long runs = 1;
  if (!errors && bench > 1) { // repeat for a stable speed figure
    for (; runs < bench; runs++) {
      struct buf scratch = {0};
      struct mirror_stats s2;
      memset(&s2, 0, sizeof s2);
      o.errors = NULL;
      mirror_translate(&o, in.p, in.len, &scratch, &s2);
      buf_free(&scratch);
    }
  }
  double secs = now() - t0;
  if (errors) {
    fprintf(stderr, "mirror-translate: %s: %d error%s, no output written\n", o.filename, errors,
            errors == 1 ? "" : "s");
    if (strcmp(out_path, "-") != 0)
      unlink(out_path); // no stale output from an earlier run
    return 1;
  }
  if (write_atomic(out_path, &out) < 0)
    return 2;
  if (stats) {
    double growth = st.lines_in ? 100.0 * (double)(st.lines_out - st.lines_in) / st.lines_in : 0;
    double bgrowth =
        st.bytes_in ? 100.0 * ((double)st.bytes_out - (double)st.bytes_in) / st.bytes_in : 0;
    fprintf(stderr,
            "mirror-stats: file=%s lines_in=%ld lines_out=%ld line_growth=%.1f%% bytes_in=%zu "
            "bytes_out=%zu byte_growth=%.1f%% insns=%ld writes=%ld\n",
            o.filename, st.lines_in, st.lines_out, growth, st.bytes_in, st.bytes_out, bgrowth,
            st.insns, st.writes);
    fprintf(stderr, "mirror-stats: file=%s", o.filename);
    for (int i = 0; i < arch->nclasses; i++)
      fprintf(stderr, " %s=%ld", arch->classes[i], st.per_class[i]);
    fprintf(stderr, "\n");
    fprintf(stderr, "mirror-stats: file=%s runs=%ld seconds=%.6f lines_per_s=%.0f\n", o.filename,
            runs, secs, secs > 0 ? (double)st.lines_in * runs / secs : 0.0);
  }
  buf_free(&in);
  buf_free(&out);
  return 0;
}
