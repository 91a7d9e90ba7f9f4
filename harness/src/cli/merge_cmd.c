// `memharness merge`: option parsing, loading, writing (merge.c joins).
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "merge.h"
#include "results.h"
#include "trialdiff.h"

const char mh_help_merge[] =
    "usage: memharness merge SHARD.json... -o ALL.json\n"
    "       memharness merge --compare A.json B.json\n"
    "\n"
    "Joins the results of a fault campaign's shards (run --shard K/N) into one\n"
    "result, identical in trial records and summaries to a single-machine run.\n"
    "--compare checks that two results of one campaign agree in their trial\n"
    "records, golden runs and summaries (times, rates and hosts left out).\n"
    "\n"
    "Options:\n"
    "  -o, --output ALL.json   where the merged result goes (not one of the shards)\n"
    "      --compare           compare two results instead of merging\n"
    "  -h, --help              this help\n"
    "\n"
    "Exit codes:\n"
    "  0   merged / the same\n"
    "  1   refused (shards of other campaigns or builds, missing or duplicated\n"
    "      trials) / different\n"
    "  2   usage or unreadable input\n"
    "  5   the result could not be written\n"
    "\n"
    "See docs/slurm.md.\n";

static int usage(const char *msg) {
  fprintf(stderr, "memharness merge: %s\nTry 'memharness merge --help'.\n", msg);
  return MH_EXIT_USAGE;
}

// Loads every file; on the first unreadable one says which and returns -1.
static int load_all(char **paths, int n, json_object **docs) {
  for (int i = 0; i < n; i++) {
    struct mh_err e;
    docs[i] = mh_json_load(paths[i], &e);
    if (!docs[i]) {
      fprintf(stderr, "memharness merge: %s\n", e.msg);
      return -1;
    }
  }
  return 0;
}

static void put_all(json_object **docs, int n) {
  for (int i = 0; i < n; i++)
    json_object_put(docs[i]);
}

static int compare(char **paths) {
  json_object *docs[2] = {NULL, NULL};
  if (load_all(paths, 2, docs) < 0) {
    put_all(docs, 2);
    return MH_EXIT_USAGE;
  }
  int n = mh_trialdiff(docs[0], docs[1], paths[0], paths[1], stdout, 30);
  json_object *trials;
  size_t count =
      json_object_object_get_ex(docs[0], "trials", &trials) ? json_object_array_length(trials) : 0;
  if (n == 0)
    printf("same: %zu trial records, golden runs and summaries agree (host and time fields "
           "left out)\n",
           count);
  else
    printf("%d difference%s between %s and %s\n", n, n == 1 ? "" : "s", paths[0], paths[1]);
  put_all(docs, 2);
  return n ? MH_EXIT_RUNS_FAILED : MH_EXIT_OK;
}

// One line per variant: how the merged trials ended.
static void print_outcomes(json_object *doc) {
  json_object *f, *sum;
  if (!json_object_object_get_ex(doc, "faults", &f) ||
      !json_object_object_get_ex(f, "summary", &sum))
    return;
  json_object_object_foreach(sum, v, vs) {
    json_object *o, *all;
    if (!json_object_object_get_ex(vs, "outcomes", &o) ||
        !json_object_object_get_ex(o, "all", &all))
      continue;
    printf("%-8s", v);
    json_object_object_foreach(all, name, count) {
      if (json_object_get_int(count))
        printf(" %s=%d", name, json_object_get_int(count));
    }
    printf("\n");
  }
}

static int merge(char **paths, int n, const char *out) {
  if (n < 1)
    return usage("give the shards' results files");
  for (int i = 0; i < n; i++)
    if (strcmp(paths[i], out) == 0)
      return usage("-o names one of the shards; write the merged result elsewhere");
  json_object **docs = calloc((size_t)n, sizeof *docs);
  if (!docs)
    return MH_EXIT_INTERNAL;
  int rc = MH_EXIT_USAGE;
  if (load_all(paths, n, docs) == 0) {
    struct mh_err e = {""};
    json_object *merged = mh_merge_shards(docs, (const char *const *)paths, n, &e);
    if (!merged) {
      fprintf(stderr, "memharness merge: refused, nothing written:\n%s\n", e.msg);
      rc = MH_EXIT_RUNS_FAILED;
    } else if (mh_json_write_atomic(out, merged, &e) < 0) {
      fprintf(stderr, "memharness merge: %s\n", e.msg);
      rc = MH_EXIT_INTERNAL;
    } else {
      json_object *trials;
      json_object_object_get_ex(merged, "trials", &trials);
      printf("merged %d shard%s: %zu trials -> %s\n", n, n == 1 ? "" : "s",
             json_object_array_length(trials), out);
      print_outcomes(merged);
      rc = MH_EXIT_OK;
    }
    json_object_put(merged);
  }
  put_all(docs, n);
  free(docs);
  return rc;
}

int mh_cmd_merge(int argc, char **argv) {
  enum { OPT_COMPARE = 256 };
  static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                       {"compare", no_argument, NULL, OPT_COMPARE},
                                       {NULL, 0, NULL, 0}};
  const char *out = NULL;
  bool cmp = false;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
    switch (c) {
    case 'o':
      out = optarg;
      break;
    case OPT_COMPARE:
      cmp = true;
      break;
    default:
      return usage("bad option");
    }
  }
  int n = argc - optind;
  if (cmp) {
    if (n != 2 || out)
      return usage("--compare takes exactly two results files and no -o");
    return compare(argv + optind);
  }
  if (!out)
    return usage("-o ALL.json is required (where the merged result goes)");
  return merge(argv + optind, n, out);
}
