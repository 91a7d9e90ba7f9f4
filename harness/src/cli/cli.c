// Option parsers of run, check, compare, plot and export: each turns argv
// into its command's options and calls the command. -h/--help never gets
// here (main.c prints the command's help for it).
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "compare.h"
#include "err.h"
#include "export.h"
#include "overhead.h"
#include "plot.h"
#include "runcmd.h"

static int usage_error(const char *cmd, const char *fmt, const char *arg) {
  fprintf(stderr, "memharness %s: ", cmd);
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'memharness %s --help'.\n", cmd);
  return MH_EXIT_USAGE;
}

static int parse_int(const char *s, long lo, long hi, int *out) {
  char *end;
  long n = strtol(s, &end, 10);
  if (!*s || *end || n < lo || n > hi)
    return -1;
  *out = (int)n;
  return 0;
}

// --trials: the same bounds as $.faults.trials (campaign.c).
#define MH_TRIALS_MAX 10000000

int mh_cli_run(int argc, char **argv) {
  enum { OPT_RESUME = 256, OPT_FRESH, OPT_BUILD, OPT_QEMU, OPT_SHARD, OPT_KVMDEV, OPT_TRIALS };
  static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                       {"jobs", required_argument, NULL, 'j'},
                                       {"resume", no_argument, NULL, OPT_RESUME},
                                       {"fresh", no_argument, NULL, OPT_FRESH},
                                       {"force", no_argument, NULL, OPT_FRESH},
                                       {"build-dir", required_argument, NULL, OPT_BUILD},
                                       {"qemu", required_argument, NULL, OPT_QEMU},
                                       {"shard", required_argument, NULL, OPT_SHARD},
                                       {"kvm-device", required_argument, NULL, OPT_KVMDEV},
                                       {"trials", required_argument, NULL, OPT_TRIALS},
                                       {NULL, 0, NULL, 0}};
  struct mh_run_opts o = {0};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:j:", opts, NULL)) != -1) {
    switch (c) {
    case 'o':
      o.output = optarg;
      break;
    case 'j':
      if (parse_int(optarg, 1, 64, &o.jobs) < 0)
        return usage_error("run", "--jobs wants a number from 1 to 64, got '%s'", optarg);
      break;
    case OPT_TRIALS:
      if (parse_int(optarg, 1, MH_TRIALS_MAX, &o.trials) < 0)
        return usage_error("run", "--trials wants a number from 1 to 10000000, got '%s'", optarg);
      break;
    case OPT_RESUME:
      o.resume = true;
      break;
    case OPT_FRESH:
      o.fresh = true;
      break;
    case OPT_BUILD:
      o.build_dir = optarg;
      break;
    case OPT_QEMU:
      o.qemu = optarg;
      break;
    case OPT_KVMDEV:
      o.kvm_device = optarg;
      break;
    case OPT_SHARD: {
      struct mh_err e;
      if (mh_shard_parse(optarg, &o.shard, &e) < 0)
        return usage_error("run", "%s", e.msg);
      break;
    }
    default:
      return usage_error("run", "%s", "bad option");
    }
  }
  if (optind != argc - 1)
    return usage_error("run", "%s", "run takes exactly one CAMPAIGN.json");
  if (o.resume && o.fresh)
    return usage_error("run", "%s", "--resume and --fresh (--force) contradict each other");
  o.campaign = argv[optind];
  return mh_cmd_run(&o);
}

// One line per valid file: what it plans, so a typo in a count shows.
static void describe(const char *path, const struct mh_campaign *c) {
  if (c->has_faults) {
    printf("%s: valid fault campaign '%s': %d trials on each of %d variant(s)\n", path, c->name,
           c->faults.trials, c->nvariants);
    return;
  }
  struct mh_slot *slots = NULL;
  size_t n = 0;
  if (mh_overhead_plan(c, &slots, &n) == 0)
    printf("%s: valid overhead campaign '%s': %zu runs\n", path, c->name, n);
  else
    printf("%s: valid overhead campaign '%s'\n", path, c->name);
  free(slots);
}

int mh_cli_check(int argc, char **argv) {
  if (argc < 2)
    return usage_error("check", "%s", "give one or more CAMPAIGN.json files");
  int rc = MH_EXIT_OK;
  for (int i = 1; i < argc; i++) {
    struct mh_campaign c;
    struct mh_err e;
    if (mh_campaign_load(argv[i], &c, &e) < 0) {
      fprintf(stderr, "%s\n", e.msg);
      rc = MH_EXIT_CAMPAIGN;
      continue;
    }
    describe(argv[i], &c);
    mh_campaign_free(&c);
  }
  return rc;
}

// "0.02" or "2%": the relative growth of the overhead ratio compare tolerates.
static int parse_threshold(const char *s, double *out) {
  char *end;
  double x = strtod(s, &end);
  if (end != s && strcmp(end, "%") == 0)
    x /= 100, end++;
  if (end == s || *end || !(x >= 0 && x < 10))
    return -1;
  *out = x;
  return 0;
}

int mh_cli_compare(int argc, char **argv) {
  enum { OPT_THRESHOLD = 256, OPT_JSON, OPT_SEED, OPT_ITER, OPT_CONF };
  static const struct option opts[] = {{"threshold", required_argument, NULL, OPT_THRESHOLD},
                                       {"json", no_argument, NULL, OPT_JSON},
                                       {"seed", required_argument, NULL, OPT_SEED},
                                       {"iterations", required_argument, NULL, OPT_ITER},
                                       {"confidence", required_argument, NULL, OPT_CONF},
                                       {NULL, 0, NULL, 0}};
  struct mh_compare_opts o = {.cfg = {MH_COMPARE_DEFAULT_THRESHOLD, MH_COMPARE_DEFAULT_SEED,
                                      MH_COMPARE_DEFAULT_ITERATIONS, 0.95}};
  int c;
  char *end;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case OPT_THRESHOLD:
      if (parse_threshold(optarg, &o.cfg.threshold) < 0)
        return usage_error("compare", "--threshold wants a fraction like 0.02 or 2%%, got '%s'",
                           optarg);
      break;
    case OPT_JSON:
      o.json = true;
      break;
    case OPT_SEED:
      o.cfg.seed = strtoull(optarg, &end, 10);
      if (*end || !*optarg || *optarg == '-')
        return usage_error("compare", "--seed wants a non-negative integer, got '%s'", optarg);
      break;
    case OPT_ITER:
      o.cfg.iterations = (unsigned)strtoul(optarg, &end, 10);
      if (*end || o.cfg.iterations < 100 || o.cfg.iterations > 1000000)
        return usage_error("compare", "--iterations wants 100 to 1000000, got '%s'", optarg);
      break;
    case OPT_CONF:
      o.cfg.level = strtod(optarg, &end);
      if (*end || !(o.cfg.level >= 0.5 && o.cfg.level <= 0.999))
        return usage_error("compare", "--confidence wants 0.5 to 0.999, got '%s'", optarg);
      break;
    default:
      return usage_error("compare", "%s", "bad option");
    }
  }
  if (optind != argc - 2)
    return usage_error("compare", "%s", "compare takes BASELINE.json NEW.json");
  o.baseline = argv[optind];
  o.fresh = argv[optind + 1];
  return mh_cmd_compare(&o);
}

int mh_cli_plot(int argc, char **argv) {
  enum { OPT_SCRIPTS = 256, OPT_GNUPLOT, OPT_WIDTH };
  static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                       {"scripts", required_argument, NULL, OPT_SCRIPTS},
                                       {"gnuplot", required_argument, NULL, OPT_GNUPLOT},
                                       {"width", required_argument, NULL, OPT_WIDTH},
                                       {NULL, 0, NULL, 0}};
  struct mh_plot_opts o = {0};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
    switch (c) {
    case 'o':
      o.outdir = optarg;
      break;
    case OPT_SCRIPTS:
      o.scripts = optarg;
      break;
    case OPT_GNUPLOT:
      o.gnuplot = optarg;
      break;
    case OPT_WIDTH:
      o.width = optarg;
      break;
    default:
      return usage_error("plot", "%s", "bad option");
    }
  }
  if (optind != argc - 1 || !o.outdir)
    return usage_error("plot", "%s", "plot takes RESULTS.json and -o DIR");
  o.results = argv[optind];
  return mh_cmd_plot(&o);
}

int mh_cli_export(int argc, char **argv) {
  static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                       {"csv", no_argument, NULL, 'c'},
                                       {NULL, 0, NULL, 0}};
  const char *out = NULL;
  bool csv = false;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
    if (c == 'o')
      out = optarg;
    else if (c == 'c')
      csv = true;
    else
      return usage_error("export", "%s", "bad option");
  }
  if (optind != argc - 1)
    return usage_error("export", "%s", "export takes one RESULTS.json");
  if (!csv)
    return usage_error("export", "%s", "name the format: --csv");
  return mh_cmd_export_csv(argv[optind], out);
}
