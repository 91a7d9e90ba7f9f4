// Figure layout: every figure `memharness plot` draws, from results with few
// tests, 16-24 tests, 60 tests and a third kernel variant, at single and
// double width, has no text that overlaps other text or leaves the canvas.
// Each SVG's <text> elements are read back with their position, anchor,
// rotation and font size; a text's box is estimated from DejaVu Sans (the
// "Sans" of the figures) advance widths. On failure the offending strings
// and boxes are printed.
//
// Also a checker for any SVG: `test_figlayout FILE.svg...` prints the
// problems of those files and exits 1 if there are any (docs/figures.md
// shows it failing on the figures of before the style).
#include "cm.h"

#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "proc.h"

#define MAX_TEXTS 1024
#define TOL 0.25 // points two boxes may share (antialiasing, rounding)

// DejaVu Sans advance widths of ASCII 32..126 in 1/2048 em.
static const short advance[95] = {
    651,  821,  942,  1716, 1303, 1946, 1597, 563,  799,  799,  1024, 1716, 651,  739,  651,  690,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690,  690,  1716, 1716, 1716, 1087,
    2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604,  604,  1343, 1141, 1767, 1532, 1612,
    1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799,  690,  799,  1716, 1024,
    1024, 1255, 1300, 1126, 1300, 1260, 721,  1300, 1298, 569,  569,  1186, 569,  1995, 1298, 1253,
    1300, 1300, 842,  1067, 803,  1298, 1212, 1675, 1212, 1212, 1075, 1303, 690,  1303, 1716};

struct tbox {
  double c[4][2]; // corners on the canvas
  char s[200];
  double pt;
};

// Width in points of UTF-8 text at pt points; other characters count as a
// wide capital.
static double text_w(const char *s, double pt) {
  double em = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p >= 32 && *p < 127)
      em += advance[*p - 32] / 2048.0;
    else if ((*p & 0xc0) != 0x80)
      em += 0.8;
  }
  return em * pt;
}

static void unescape(char *s) {
  static const char *const ent[][2] = {
      {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}};
  for (char *p = s; (p = strchr(p, '&')); p++)
    for (size_t i = 0; i < sizeof ent / sizeof *ent; i++)
      if (strncmp(p, ent[i][0], strlen(ent[i][0])) == 0)
        memmove(p + 1, p + strlen(ent[i][0]), strlen(p + strlen(ent[i][0])) + 1), *p = *ent[i][1];
}

static double attr_num(const char *tag, const char *name, double fallback) {
  const char *p = strstr(tag, name);
  return p ? strtod(p + strlen(name), NULL) : fallback;
}

// The box of one text: ascent 0.76 em above the baseline, descent 0.24 below,
// turned by the rotation about the anchor point.
static void box_of(struct tbox *b, double x, double y, double rot, const char *anchor) {
  double w = text_w(b->s, b->pt), x0 = strncmp(anchor, "end", 3) == 0      ? -w
                                       : strncmp(anchor, "middle", 6) == 0 ? -w / 2
                                                                           : 0;
  double lx[4] = {x0, x0 + w, x0 + w, x0},
         ly[4] = {-0.76 * b->pt, -0.76 * b->pt, 0.24 * b->pt, 0.24 * b->pt};
  double a = rot * M_PI / 180, c = cos(a), s = sin(a);
  for (int i = 0; i < 4; i++) {
    b->c[i][0] = x + lx[i] * c - ly[i] * s;
    b->c[i][1] = y + lx[i] * s + ly[i] * c;
  }
}

// gnuplot's SVG terminal writes every text as
//   <g transform="translate(X,Y)[ rotate(A)]" ... font-size="F" ... text-anchor="T">
//   <text>STRING</text> (one per line of a multi-line label)
static size_t parse_svg(const char *path, struct tbox *b, size_t cap, double *w, double *h) {
  FILE *f = fopen(path, "r");
  if (!f)
    fail_msg("cannot read %s", path);
  static char doc[1 << 22];
  size_t len = fread(doc, 1, sizeof doc - 1, f);
  fclose(f);
  doc[len] = 0;
  const char *svg = strstr(doc, "<svg");
  assert_non_null(svg);
  *w = attr_num(svg, "width=\"", NAN);
  *h = attr_num(svg, "height=\"", NAN);
  size_t n = 0;
  for (const char *g = doc; (g = strstr(g, "<g transform=\"translate(")) && n < cap; g++) {
    const char *end = strchr(g, '>'), *t = strstr(g, "<text>"), *te = t ? strstr(t, "</text>") : 0;
    const char *next = strstr(g + 1, "<g ");
    if (!end || !t || !te || (next && next < t))
      continue;
    char tag[512] = {0};
    memcpy(tag, g, (size_t)(end - g) < sizeof tag - 1 ? (size_t)(end - g) : sizeof tag - 1);
    double x = strtod(g + strlen("<g transform=\"translate("), NULL);
    double y = strtod(strchr(g, ',') + 1, NULL);
    double rot = attr_num(tag, "rotate(", 0), pt = attr_num(tag, "font-size=\"", 12);
    const char *anchor = strstr(tag, "text-anchor=\"");
    anchor = anchor ? anchor + strlen("text-anchor=\"") : "start";
    for (; t && te && (!next || t < next) && n < cap;
         t = strstr(te, "<text>"), te = t ? strstr(t, "</text>") : 0) {
      struct tbox *bx = &b[n];
      size_t sl = (size_t)(te - t - 6);
      snprintf(bx->s, sizeof bx->s, "%.*s", (int)sl, t + 6);
      unescape(bx->s);
      bx->pt = pt;
      if (bx->s[0]) {
        box_of(bx, x, y, rot, anchor);
        n++;
      }
      y += 1.25 * pt; // gnuplot's next line of the same label
    }
  }
  return n;
}

// Separating axis test of two convex quadrilaterals: they overlap unless
// some edge's normal separates them by more than -TOL.
static bool separated_on(const struct tbox *a, const struct tbox *b, const struct tbox *edges) {
  for (int i = 0; i < 2; i++) {
    double ex = edges->c[i + 1][0] - edges->c[i][0], ey = edges->c[i + 1][1] - edges->c[i][1];
    double l = hypot(ex, ey), nx = -ey / l, ny = ex / l;
    double amin = INFINITY, amax = -INFINITY, bmin = INFINITY, bmax = -INFINITY;
    for (int k = 0; k < 4; k++) {
      double pa = a->c[k][0] * nx + a->c[k][1] * ny, pb = b->c[k][0] * nx + b->c[k][1] * ny;
      amin = fmin(amin, pa), amax = fmax(amax, pa), bmin = fmin(bmin, pb), bmax = fmax(bmax, pb);
    }
    if (amax <= bmin + TOL || bmax <= amin + TOL)
      return true;
  }
  return false;
}

static bool overlap(const struct tbox *a, const struct tbox *b) {
  return !separated_on(a, b, a) && !separated_on(a, b, b);
}

static void describe(char *out, size_t cap, const struct tbox *b) {
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (int k = 0; k < 4; k++) {
    x0 = fmin(x0, b->c[k][0]), x1 = fmax(x1, b->c[k][0]);
    y0 = fmin(y0, b->c[k][1]), y1 = fmax(y1, b->c[k][1]);
  }
  snprintf(out + strlen(out), cap - strlen(out), "\"%s\" (%.0f pt) [%.1f..%.1f] x [%.1f..%.1f]",
           b->s, b->pt, x0, x1, y0, y1);
}

// Appends the problems of one SVG to report; returns how many.
static int check_svg(const char *path, char *report, size_t cap) {
  static struct tbox b[MAX_TEXTS];
  double w, h;
  size_t n = parse_svg(path, b, MAX_TEXTS, &w, &h);
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    for (int k = 0; k < 4; k++)
      if (b[i].c[k][0] < -TOL || b[i].c[k][0] > w + TOL || b[i].c[k][1] < -TOL ||
          b[i].c[k][1] > h + TOL) {
        snprintf(report + strlen(report), cap - strlen(report),
                 "%s: clipped (canvas %.0fx%.0f): ", path, w, h);
        describe(report, cap, &b[i]);
        snprintf(report + strlen(report), cap - strlen(report), "\n");
        bad++;
        break;
      }
    for (size_t j = i + 1; j < n; j++)
      if (overlap(&b[i], &b[j])) {
        snprintf(report + strlen(report), cap - strlen(report), "%s: overlap: ", path);
        describe(report, cap, &b[i]);
        snprintf(report + strlen(report), cap - strlen(report), " and ");
        describe(report, cap, &b[j]);
        snprintf(report + strlen(report), cap - strlen(report), "\n");
        bad++;
      }
  }
  return bad;
}

static char dir[64], output[65536], report[1 << 16];

static int mh(const char *const *args, int n) {
  char *argv[16] = {MEMHARNESS};
  for (int i = 0; i < n && i < 14; i++)
    argv[i + 1] = (char *)args[i];
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 60000, &e);
  if (rc < 0)
    fail_msg("%s", e.msg);
  return rc;
}
#define MH(...)                                                                                    \
  mh((const char *const[]){__VA_ARGS__},                                                           \
     sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static bool have_gnuplot(void) {
  char *argv[] = {"gnuplot", "--version", NULL};
  char out[128];
  struct mh_err e;
  return mh_proc_capture(argv, out, sizeof out, 10000, &e) == 0;
}

// Draws every figure of results at one width and checks every SVG drawn;
// returns the number of figures; all text of all of them goes to texts.
static int draw_and_check(const char *results, const char *width, const char *tag, char *texts,
                          size_t cap) {
  char out[256];
  snprintf(out, sizeof out, "%s/%s-%s", dir, tag, width);
  int rc = MH("plot", results, "-o", out, "--width", width);
  if (rc != 0)
    fail_msg("plot %s --width %s: exit %d\n%s", results, width, rc, output);
  DIR *d = opendir(out);
  assert_non_null(d);
  int figs = 0, bad = 0;
  report[0] = 0;
  for (struct dirent *de; (de = readdir(d));) {
    size_t l = strlen(de->d_name);
    if (l < 4 || strcmp(de->d_name + l - 4, ".svg") != 0)
      continue;
    char path[600];
    snprintf(path, sizeof path, "%s/%s", out, de->d_name);
    bad += check_svg(path, report, sizeof report);
    static struct tbox b[MAX_TEXTS];
    double w, h;
    size_t n = parse_svg(path, b, MAX_TEXTS, &w, &h);
    for (size_t i = 0; i < n; i++)
      snprintf(texts + strlen(texts), cap - strlen(texts), "%s\n", b[i].s);
    figs++;
  }
  closedir(d);
  if (bad)
    fail_msg("%d text problems in the figures of %s at %s width:\n%s", bad, results, width, report);
  return figs;
}

// s in the texts, as drawn or with the lines of wrapped notes joined.
static void expect_text(const char *texts, const char *s) {
  static char joined[sizeof report * 4];
  snprintf(joined, sizeof joined, "%s", texts);
  for (char *p = joined; (p = strchr(p, '\n'));)
    *p = ' ';
  if (!strstr(texts, s) && !strstr(joined, s))
    fail_msg("expected a text \"%s\" in the figures; their texts:\n%s", s, texts);
}

static void reject_text(const char *texts, const char *s) {
  const char *p = strstr(texts, s);
  if (p)
    fail_msg("unexpected text \"%s\" in the figures:\n%.400s", s, p);
}

static char texts[1 << 18];

static void overhead_figures_few_and_medium(void **state) {
  (void)state;
  if (!have_gnuplot())
    skip();
  const char *widths[] = {"single", "double"};
  for (int i = 0; i < 2; i++) {
    texts[0] = 0;
    // 8 tests, icount (exact) and wall (3 runs: no interval).
    assert_int_equal(
        draw_and_check(TEST_DATA "/quick-sample.json", widths[i], "quick", texts, sizeof texts), 2);
    expect_text(texts, "normalized time, native = 1 (lower is better)");
    expect_text(texts, "icount: guest instructions, exact, n = 2 identical runs per kernel");
    expect_text(texts, "median of n = 3 runs per kernel, no CI (needs >= 5)");
    reject_text(texts, "memv6/native");
    // Five workloads of 24, 18, 16, 5 and 4 tests; the last (usertests-clock)
    // has every test not_compared, so it has no figure.
    texts[0] = 0;
    assert_int_equal(draw_and_check(BASELINE, widths[i], "baseline", texts, sizeof texts), 4);
    expect_text(texts, "exectextshare");
  }
}

static void overhead_figures_of_60_tests(void **state) {
  (void)state;
  if (!have_gnuplot())
    skip();
  const char *widths[] = {"single", "double"};
  for (int i = 0; i < 2; i++) {
    texts[0] = 0;
    // The whole usertests: 60 compared tests, 12 not compared; wall with 5 runs.
    assert_int_equal(
        draw_and_check(TEST_DATA "/overhead-sample.json", widths[i], "full", texts, sizeof texts),
        2);
    expect_text(texts, "not compared: mirror");
    expect_text(texts, "median of n = 5 runs per kernel, whiskers: 95% bootstrap CI");
    expect_text(texts, "fulldisk");
  }
}

// The compute suite under icount and as host processes (a real run of
// campaigns/compute-host.json): a figure per timing mode, and the two side
// by side with the host's whiskers.
static void icount_beside_host(void **state) {
  (void)state;
  if (!have_gnuplot())
    skip();
  const char *widths[] = {"single", "double"};
  for (int i = 0; i < 2; i++) {
    texts[0] = 0;
    assert_int_equal(draw_and_check(TEST_DATA "/compute-host-sample.json", widths[i], "host", texts,
                                    sizeof texts),
                     3);
    expect_text(texts, "icount (geomean 1.130)");
    expect_text(texts, "host (geomean");
    expect_text(texts, "bars: memv6/native; icount: guest instructions");
    expect_text(texts, "host: CPU time (ns) as Linux processes, median of n = 21 runs per kernel, "
                       "whiskers: 95% bootstrap CI");
  }
}

// A results file with a third variant: the quick sample's memv6 runs again
// as "memv6sys" with 7 % fewer cycles (made up, for the layout only).
static void write_three_variants(const char *path) {
  json_object *doc = json_object_from_file(TEST_DATA "/quick-sample.json");
  assert_non_null(doc);
  json_object *runs = json_object_object_get(doc, "runs");
  size_t n = json_object_array_length(runs);
  for (size_t i = 0; i < n; i++) {
    json_object *r = json_object_array_get_idx(runs, i), *copy = NULL;
    if (strcmp(json_object_get_string(json_object_object_get(r, "variant")), "memv6") != 0)
      continue;
    assert_int_equal(json_object_deep_copy(r, &copy, NULL), 0);
    json_object_object_add(copy, "variant", json_object_new_string("memv6sys"));
    json_object *tests = json_object_object_get(copy, "tests");
    for (size_t k = 0; k < json_object_array_length(tests); k++) {
      json_object *t = json_object_array_get_idx(tests, k);
      double c = json_object_get_double(json_object_object_get(t, "cycles"));
      json_object_object_add(t, "cycles", json_object_new_double(floor(c * 0.93)));
    }
    json_object_array_add(runs, copy);
  }
  json_object_array_add(json_object_object_get(json_object_object_get(doc, "campaign"), "variants"),
                        json_object_new_string("memv6sys"));
  assert_int_equal(json_object_to_file(path, doc), 0);
  json_object_put(doc);
}

static void every_variant_appears(void **state) {
  (void)state;
  if (!have_gnuplot())
    skip();
  char path[128];
  snprintf(path, sizeof path, "%s/three.json", dir);
  write_three_variants(path);
  const char *widths[] = {"single", "double"};
  for (int i = 0; i < 2; i++) {
    texts[0] = 0;
    assert_int_equal(draw_and_check(path, widths[i], "three", texts, sizeof texts), 2);
    expect_text(texts, "memv6 (geomean");
    expect_text(texts, "memv6sys (geomean");
  }
}

static void fault_figures(void **state) {
  (void)state;
  if (!have_gnuplot())
    skip();
  const char *widths[] = {"single", "double"};
  for (int i = 0; i < 2; i++) {
    texts[0] = 0;
    assert_int_equal(
        draw_and_check(TEST_DATA "/recovery-sample.json", widths[i], "faults", texts, sizeof texts),
        4);
    // Outcomes: bars by variant, n per bar, only the classes that occur.
    expect_text(texts, "\nnative\n");
    expect_text(texts, "\nmemv6\n");
    expect_text(texts, "n = 8");
    expect_text(texts, "killed");
    expect_text(texts, "recovered");
    reject_text(texts, "harness_error");
    reject_text(texts, "native/native");
    // Latency in the unit it is measured in, the bar named by its value.
    expect_text(texts, "guest instructions (icount)");
    expect_text(texts, "bar: 10,000 instructions");
    reject_text(texts, "cycles");
    // Failure rate: its interval named, the counts at each row's end.
    expect_text(texts, "failure rate (%), 95% Wilson interval, faults in native frames");
    expect_text(texts, "8/8");
    expect_text(texts, "0/8");
    // Rate: the bar's value and the line named.
    expect_text(texts, "trials per minute");
    expect_text(texts, "bar: 600 trials/min");
  }
}

// A fault campaign whose trials hit two kinds of frame and end in every
// outcome (counts made up, for the layout only): bars per variant and
// frame kind, and a legend of all seven outcomes that must wrap.
static void write_every_outcome(const char *path) {
  json_object *doc = json_object_from_file(TEST_DATA "/recovery-sample.json");
  assert_non_null(doc);
  static const char *const names[] = {"benign", "recovered", "sdc",   "killed",
                                      "panic",  "hang",      "reset", "harness_error"};
  json_object *sum = json_object_object_get(json_object_object_get(doc, "faults"), "summary");
  const char *variants[] = {"native", "memv6"};
  for (int v = 0; v < 2; v++) {
    json_object *kinds = json_object_object_get(
        json_object_object_get(json_object_object_get(sum, variants[v]), "outcomes"),
        "by_frame_kind");
    assert_non_null(kinds);
    json_object *counts = json_object_new_object();
    for (int i = 0; i < 8; i++)
      json_object_object_add(counts, names[i], json_object_new_int(1 + (i + v) % 3));
    json_object_object_add(kinds, "mirror", counts);
    // The same outcomes as trial records, which the failure rates count.
    json_object *trials = json_object_object_get(doc, "trials");
    for (int i = 0; i < 8; i++)
      for (int k = 0; k < 1 + (i + v) % 3; k++) {
        json_object *t = json_object_new_object(), *fs = json_object_new_array(),
                    *f = json_object_new_object();
        json_object_object_add(t, "variant", json_object_new_string(variants[v]));
        json_object_object_add(t, "outcome", json_object_new_string(names[i]));
        json_object_object_add(f, "injected", json_object_new_boolean(1));
        json_object_object_add(f, "frame_kind", json_object_new_string("mirror"));
        json_object_object_add(f, "candidates", json_object_new_int(4));
        json_object_array_add(fs, f);
        json_object_object_add(t, "faults", fs);
        // A harness_error trial may have no mce array at all: the
        // latency figure must skip it, not abort.
        if (strcmp(names[i], "harness_error") != 0)
          json_object_object_add(t, "mce", json_object_new_array());
        json_object_array_add(trials, t);
      }
  }
  assert_int_equal(json_object_to_file(path, doc), 0);
  json_object_put(doc);
}

static void fault_figures_of_every_outcome(void **state) {
  (void)state;
  if (!have_gnuplot())
    skip();
  char path[128];
  snprintf(path, sizeof path, "%s/outcomes.json", dir);
  write_every_outcome(path);
  const char *widths[] = {"single", "double"};
  for (int i = 0; i < 2; i++) {
    texts[0] = 0;
    assert_int_equal(draw_and_check(path, widths[i], "outcomes", texts, sizeof texts), 4);
    expect_text(texts, "memv6, mirror frames");
    expect_text(texts, "native, native frames");
    expect_text(texts, "harness_error");
    expect_text(texts, "n = 17");
    // Failure rates per frame kind: sdc, killed, panic, hang and reset of
    // the trials that are no harness error.
    expect_text(texts, "failure rate (%), 95% Wilson interval");
    reject_text(texts, "interval, faults in");
    expect_text(texts, "10/13");
    expect_text(texts, "9/14");
  }
}

// A fault campaign on all three kernels (issue 23's kinds-* campaigns):
// the sample's memv6 trials again as memv6sys, with kernel-mirror frames
// added (made up, for the layout only). The outcome bars of the three
// variants stand side by side, each named.
static void write_three_fault_variants(const char *path) {
  json_object *doc = json_object_from_file(TEST_DATA "/recovery-sample.json");
  assert_non_null(doc);
  json_object_array_add(json_object_object_get(json_object_object_get(doc, "campaign"), "variants"),
                        json_object_new_string("memv6sys"));
  json_object *sum = json_object_object_get(json_object_object_get(doc, "faults"), "summary");
  json_object *copy = NULL;
  assert_int_equal(json_object_deep_copy(json_object_object_get(sum, "memv6"), &copy, NULL), 0);
  json_object *counts = json_object_new_object();
  json_object_object_add(counts, "recovered", json_object_new_int(5));
  json_object_object_add(counts, "benign", json_object_new_int(1));
  json_object_object_add(
      json_object_object_get(json_object_object_get(copy, "outcomes"), "by_frame_kind"), "kmirror",
      counts);
  json_object_object_add(sum, "memv6sys", copy);
  json_object *trials = json_object_object_get(doc, "trials");
  size_t n = json_object_array_length(trials);
  for (size_t i = 0; i < n; i++) {
    json_object *t = json_object_array_get_idx(trials, i), *t2 = NULL;
    if (strcmp(json_object_get_string(json_object_object_get(t, "variant")), "memv6") != 0)
      continue;
    assert_int_equal(json_object_deep_copy(t, &t2, NULL), 0);
    json_object_object_add(t2, "variant", json_object_new_string("memv6sys"));
    json_object_array_add(trials, t2);
  }
  assert_int_equal(json_object_to_file(path, doc), 0);
  json_object_put(doc);
}

static void fault_figures_of_three_variants(void **state) {
  (void)state;
  if (!have_gnuplot())
    skip();
  char path[128];
  snprintf(path, sizeof path, "%s/three-faults.json", dir);
  write_three_fault_variants(path);
  const char *widths[] = {"single", "double"};
  for (int i = 0; i < 2; i++) {
    texts[0] = 0;
    assert_int_equal(draw_and_check(path, widths[i], "three-faults", texts, sizeof texts), 4);
    expect_text(texts, "native, native frames");
    expect_text(texts, "memv6, native frames");
    expect_text(texts, "memv6sys, native frames");
    expect_text(texts, "memv6sys, kmirror frames");
  }
}

// The checker itself finds what it is for: two texts drawn over each other,
// and a label running off the canvas (the y label of before the style).
static void the_checker_finds_overlap_and_clipping(void **state) {
  (void)state;
  char path[128];
  snprintf(path, sizeof path, "%s/bad.svg", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("<svg width=\"237\" height=\"151\" viewBox=\"0 0 237 151\">\n"
        "<g transform=\"translate(50.00,100.00) rotate(-45)\" font-size=\"6.00\" "
        "text-anchor=\"end\">\n<text>sbrkshrink</text>\n</g>\n"
        "<g transform=\"translate(54.00,100.00) rotate(-45)\" font-size=\"6.00\" "
        "text-anchor=\"end\">\n<text>sbrkzero</text>\n</g>\n"
        "<g transform=\"translate(100.00,100.00) rotate(-45)\" font-size=\"6.00\" "
        "text-anchor=\"end\">\n<text>getpid</text>\n</g>\n"
        "<g transform=\"translate(10.00,30.00) rotate(-90)\" font-size=\"7.00\" "
        "text-anchor=\"middle\">\n<text>memv6/native, icount</text>\n</g>\n</svg>\n",
        f);
  fclose(f);
  report[0] = 0;
  int bad = check_svg(path, report, sizeof report);
  if (bad != 2 || !strstr(report, "overlap: \"sbrkshrink\"") ||
      !strstr(report, "clipped (canvas 237x151): \"memv6/native, icount\""))
    fail_msg("expected one overlap (sbrkshrink, sbrkzero) and one clipped label, got %d:\n%s", bad,
             report);
}

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/mh-figlayout-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  if (getenv("MH_KEEP_FIGURES")) // to look at them: the directory is printed
    return fprintf(stderr, "figures kept in %s\n", dir), 0;
  char *argv[] = {"rm", "-rf", dir, NULL};
  struct mh_err e;
  char out[16];
  mh_proc_capture(argv, out, sizeof out, 10000, &e);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1) { // checker mode: test_figlayout FILE.svg...
    int bad = 0;
    for (int i = 1; i < argc; i++)
      bad += check_svg(argv[i], report, sizeof report);
    fputs(report, stdout);
    printf("%d text problem(s) in %d file(s)\n", bad, argc - 1);
    return bad ? 1 : 0;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(the_checker_finds_overlap_and_clipping),
      cmocka_unit_test(overhead_figures_few_and_medium),
      cmocka_unit_test(overhead_figures_of_60_tests),
      cmocka_unit_test(icount_beside_host),
      cmocka_unit_test(every_variant_appears),
      cmocka_unit_test(fault_figures),
      cmocka_unit_test(fault_figures_of_every_outcome),
      cmocka_unit_test(fault_figures_of_three_variants),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
