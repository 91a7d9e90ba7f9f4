// memharness: command-line entry. Each command has its own option parser;
// commands of later issues are listed and refuse with MH_EXIT_NOT_IMPL.
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mh_config.h"
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
    "  compare BASELINE.json NEW.json   (not implemented yet)\n"
    "  plot RESULTS.json -o DIR         (not implemented yet)\n"
    "  merge A.json B.json ... -o OUT   (not implemented yet)\n"
    "  replay RESULTS.json TRIAL        (not implemented yet)\n"
    "  run --shard K/N                  (not implemented yet)\n"
    "\n"
    "Options of run:\n"
    "  -o, --output PATH   results file (default: results/<campaign name>.json)\n"
    "  -j, --jobs N        QEMUs in parallel (default: the campaign's \"jobs\")\n"
    "      --resume        continue an interrupted results file; finished runs are kept\n"
    "      --fresh         overwrite an unfinished results file instead of refusing\n"
    "      --build-dir DIR build tree with xv6-memv6/kernel-*.elf and fs-*.img\n"
    "                      (default: the campaign's build_dir, else " MH_BUILD_DIR ")\n"
    "      --qemu PATH     qemu-system-i386 to use (default: " MH_QEMU_DEFAULT ")\n"
    "\n"
    "Global options: -h, --help; -V, --version\n"
    "\n"
    "Exit codes:\n"
    "  0  success          1  some run failed its expectation (see the results file)\n"
    "  2  usage error      3  invalid campaign (every bad field is listed with its JSON path)\n"
    "  4  environment: missing QEMU, kernel, disk image or a requested accelerator\n"
    "  5  harness I/O or internal error (finished runs are kept)\n"
    "  6  command or feature not implemented yet\n"
    "  7  all runs ok, but an overhead threshold of the campaign was exceeded\n"
    "  130 interrupted by SIGINT/SIGTERM (finished runs saved; use --resume)\n"
    "\n"
    "Documentation: docs/campaign.md (campaign files), docs/results.md (results files).\n";

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
    case OPT_SHARD:
      fprintf(stderr, "memharness: run --shard is not implemented yet (scale-out issue)\n");
      return MH_EXIT_NOT_IMPL;
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
  static const char *const later[] = {"compare", "plot", "merge", "replay"};
  for (size_t i = 0; i < sizeof later / sizeof *later; i++)
    if (!strcmp(cmd, later[i])) {
      fprintf(stderr, "memharness: '%s' is not implemented yet\n", cmd);
      return MH_EXIT_NOT_IMPL;
    }
  return usage_error("unknown command '%s'", cmd);
}
