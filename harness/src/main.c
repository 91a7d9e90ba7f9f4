// memharness: command-line entry. Each command has its own option parser;
// the bigger commands live in their own modules (runcmd, compare, plot, merge …).
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_faults.h"
#include "compare.h"
#include "err.h"
#include "merge.h"
#include "mh_config.h"
#include "plot.h"
#include "runcmd.h"

static const char usage_text[] =
    "usage: memharness COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  run CAMPAIGN.json [-o results/NAME.json] [--jobs N] [--resume] [--fresh]\n"
    "                    [--build-dir DIR] [--qemu PATH]\n"
    "      Boot the native and memv6 kernels in QEMU as the campaign says, time\n"
    "      usertests (icount and/or wall), write the results JSON after every run\n"
    "      and print the overhead table.\n"
    "  compare BASELINE.json NEW.json [--threshold F] [--json] [--seed N]\n"
    "      Overhead regression: per test and geomean, the change of memv6/native\n"
    "      with a bootstrap interval; exit 1 when the whole interval lies above\n"
    "      1 + F (default F = 0.02, \"2%\" works too) or a campaign threshold is\n"
    "      newly exceeded, exit 2 when the files cannot be compared.\n"
    "  plot RESULTS.json -o DIR [--width single|double] [--scripts DIR] [--gnuplot PATH]\n"
    "      Paper figures (PDF, SVG, PNG) and their data files, through gnuplot.\n"
    "  merge SHARD.json... -o ALL.json | merge --compare A.json B.json\n"
    "      Join the shards of a fault campaign into one result (refusing shards of\n"
    "      other campaigns or builds, missing or duplicated trials); --compare\n"
    "      checks two results agree in trials and summaries (docs/slurm.md).\n"
    "  replay RESULTS.json TRIAL [--qemu PATH]\n"
    "      Run one trial of a fault campaign again alone (TRIAL is its id, e.g.\n"
    "      memv6/17) and compare its outcome with the recorded one (exit 0 same, 1 not).\n"
    "  run CAMPAIGN.json --shard K/N -o SHARD.json\n"
    "      Run only shard K of N of a fault campaign's trials (K from 0; a trial's\n"
    "      seed decides its shard); merge joins the shards (docs/slurm.md).\n"
    "\n"
    "Options of run:\n"
    "  -o, --output PATH   results file (default: results/<campaign name>.json)\n"
    "  -j, --jobs N        QEMUs in parallel (default: the campaign's \"jobs\")\n"
    "      --resume        continue an interrupted results file; finished runs are kept\n"
    "      --fresh         overwrite an unfinished results file instead of refusing\n"
    "      --build-dir DIR build tree with xv6-memv6/kernel-*.elf and fs-*.img\n"
    "                      (default: the campaign's build_dir, else " MH_BUILD_DIR ")\n"
    "      --qemu PATH     qemu-system-i386 to use (default: " MH_QEMU_DEFAULT ")\n"
    "      --shard K/N     fault campaigns: only the trials of shard K of N\n"
    "\n"
    "Global options: -h, --help; -V, --version\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  some run failed its expectation, or a fault trial ended in harness_error\n"
    "     (see the results file)\n"
    "  2  usage error      3  invalid campaign (every bad field is listed with its JSON path)\n"
    "  4  environment: missing QEMU or qemu-img, kernel, disk image or a requested\n"
    "     accelerator\n"
    "  5  harness I/O: the results file cannot be written (checked before the first\n"
    "     run), or an internal error (finished runs are kept)\n"
    "  6  command or feature not implemented yet\n"
    "  7  all runs ok, but an overhead threshold of the campaign was exceeded\n"
    "  130 interrupted by SIGINT/SIGTERM/SIGHUP at any moment (finished runs saved;\n"
    "     the resume command is printed)\n"
    "\n"
    "compare exits 0 (no regression), 1 (regression) or 2 (usage, inputs incompatible);\n"
    "plot exits 0, 2 (unusable results), 4 (gnuplot missing) or 5 (write failure).\n"
    "\n"
    "Documentation: docs/campaign.md (campaign files), docs/results.md (results files),\n"
    "docs/nightly.md (compare, nightly regression), docs/figures.md (plot),\n"
    "docs/slurm.md (--shard, merge, Slurm array jobs).\n";

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "memharness: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'memharness --help'.\n");
  return MH_EXIT_USAGE;
}

static int parse_jobs(const char *s, int *out) {
  char *end;
  long n = strtol(s, &end, 10);
  if (*end || n < 1 || n > 64)
    return -1;
  *out = (int)n;
  return 0;
}

static int cmd_run(int argc, char **argv) {
  enum { OPT_RESUME = 256, OPT_FRESH, OPT_BUILD, OPT_QEMU, OPT_SHARD, OPT_KVMDEV };
  static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                       {"jobs", required_argument, NULL, 'j'},
                                       {"resume", no_argument, NULL, OPT_RESUME},
                                       {"fresh", no_argument, NULL, OPT_FRESH},
                                       {"build-dir", required_argument, NULL, OPT_BUILD},
                                       {"qemu", required_argument, NULL, OPT_QEMU},
                                       {"shard", required_argument, NULL, OPT_SHARD},
                                       {"kvm-device", required_argument, NULL, OPT_KVMDEV},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  struct mh_run_opts o = {0};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:j:h", opts, NULL)) != -1) {
    switch (c) {
    case 'o':
      o.output = optarg;
      break;
    case 'j':
      if (parse_jobs(optarg, &o.jobs) < 0)
        return usage_error("--jobs wants a number from 1 to 64, got '%s'", optarg);
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
        return usage_error("%s", e.msg);
      break;
    }
    case 'h':
      fputs(usage_text, stdout);
      return MH_EXIT_OK;
    default:
      return usage_error("%s", "bad option for run");
    }
  }
  if (optind != argc - 1)
    return usage_error("%s", "run takes exactly one CAMPAIGN.json");
  if (o.resume && o.fresh)
    return usage_error("%s", "--resume and --fresh contradict each other");
  o.campaign = argv[optind];
  return mh_cmd_run(&o);
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

static int cmd_compare(int argc, char **argv) {
  enum { OPT_THRESHOLD = 256, OPT_JSON, OPT_SEED, OPT_ITER, OPT_CONF };
  static const struct option opts[] = {{"threshold", required_argument, NULL, OPT_THRESHOLD},
                                       {"json", no_argument, NULL, OPT_JSON},
                                       {"seed", required_argument, NULL, OPT_SEED},
                                       {"iterations", required_argument, NULL, OPT_ITER},
                                       {"confidence", required_argument, NULL, OPT_CONF},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  struct mh_compare_opts o = {.cfg = {MH_COMPARE_DEFAULT_THRESHOLD, MH_COMPARE_DEFAULT_SEED,
                                      MH_COMPARE_DEFAULT_ITERATIONS, 0.95}};
  int c;
  char *end;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case OPT_THRESHOLD:
      if (parse_threshold(optarg, &o.cfg.threshold) < 0)
        return usage_error("--threshold wants a fraction like 0.02 or 2%%, got '%s'", optarg);
      break;
    case OPT_JSON:
      o.json = true;
      break;
    case OPT_SEED:
      o.cfg.seed = strtoull(optarg, &end, 10);
      if (*end || !*optarg)
        return usage_error("--seed wants a non-negative integer, got '%s'", optarg);
      break;
    case OPT_ITER:
      o.cfg.iterations = (unsigned)strtoul(optarg, &end, 10);
      if (*end || o.cfg.iterations < 100 || o.cfg.iterations > 1000000)
        return usage_error("--iterations wants 100 to 1000000, got '%s'", optarg);
      break;
    case OPT_CONF:
      o.cfg.level = strtod(optarg, &end);
      if (*end || !(o.cfg.level >= 0.5 && o.cfg.level <= 0.999))
        return usage_error("--confidence wants 0.5 to 0.999, got '%s'", optarg);
      break;
    case 'h':
      fputs(usage_text, stdout);
      return MH_EXIT_OK;
    default:
      return usage_error("%s", "bad option for compare");
    }
  }
  if (optind != argc - 2)
    return usage_error("%s", "compare takes BASELINE.json NEW.json");
  o.baseline = argv[optind];
  o.fresh = argv[optind + 1];
  return mh_cmd_compare(&o);
}

static int cmd_plot(int argc, char **argv) {
  enum { OPT_SCRIPTS = 256, OPT_GNUPLOT, OPT_WIDTH };
  static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                       {"scripts", required_argument, NULL, OPT_SCRIPTS},
                                       {"gnuplot", required_argument, NULL, OPT_GNUPLOT},
                                       {"width", required_argument, NULL, OPT_WIDTH},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  struct mh_plot_opts o = {0};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
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
    case 'h':
      fputs(usage_text, stdout);
      return MH_EXIT_OK;
    default:
      return usage_error("%s", "bad option for plot");
    }
  }
  if (optind != argc - 1 || !o.outdir)
    return usage_error("%s", "plot takes RESULTS.json and -o DIR");
  o.results = argv[optind];
  return mh_cmd_plot(&o);
}

int main(int argc, char **argv) {
  if (argc < 2)
    return usage_error("%s", "missing COMMAND");
  const char *cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
    fputs(usage_text, stdout);
    return MH_EXIT_OK;
  }
  if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
    printf("memharness %s\n", MH_VERSION);
    return MH_EXIT_OK;
  }
  if (!strcmp(cmd, "run"))
    return cmd_run(argc - 1, argv + 1);
  if (!strcmp(cmd, "compare"))
    return cmd_compare(argc - 1, argv + 1);
  if (!strcmp(cmd, "plot"))
    return cmd_plot(argc - 1, argv + 1);
  if (!strcmp(cmd, "replay"))
    return mh_cmd_replay(argc - 1, argv + 1);
  if (!strcmp(cmd, "merge"))
    return mh_cmd_merge(argc - 1, argv + 1);
  return usage_error("unknown command '%s'", cmd);
}
