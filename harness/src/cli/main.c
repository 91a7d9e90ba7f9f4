// memharness: command-line entry. One table names every command with its
// one-line summary, its help and its handler; `memharness COMMAND --help`
// and `memharness help COMMAND` print that help, whatever the command.
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "mh_config.h"

struct command {
  const char *name;
  const char *summary; // one line in the global help
  const char *help;    // the whole help of the command (stdout, exit 0)
  int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
    {"run", "run a campaign (overhead or fault injection) and write its results", mh_help_run,
     mh_cli_run},
    {"check", "validate campaign files without running anything", mh_help_check, mh_cli_check},
    {"compare", "overhead regression between two results files", mh_help_compare, mh_cli_compare},
    {"plot", "paper figures (PDF, SVG, PNG) from a results file", mh_help_plot, mh_cli_plot},
    {"export", "a results file as CSV for pandas or R", mh_help_export, mh_cli_export},
    {"merge", "join the shards of a fault campaign, or compare two results", mh_help_merge,
     mh_cmd_merge},
    {"replay", "run one trial of a fault campaign again and compare its outcome", mh_help_replay,
     mh_cmd_replay},
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static void global_help(void) {
  printf("usage: memharness COMMAND [OPTIONS]\n"
         "       memharness COMMAND --help     the options and exit codes of COMMAND\n"
         "\nCommands:\n");
  for (size_t i = 0; i < NCOMMANDS; i++)
    printf("  %-8s %s\n", commands[i].name, commands[i].summary);
  printf("\nGlobal options: -h, --help; -V, --version\n\n%s", mh_help_exit_codes);
  printf("\nDocumentation: docs/cli.md (commands and options), docs/campaign.md (campaign\n"
         "files), docs/results.md (results files), docs/nightly.md (compare),\n"
         "docs/figures.md (plot), docs/slurm.md (--shard, merge).\n");
}

static const struct command *find(const char *name) {
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (strcmp(commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

// -h or --help anywhere after the command (before a "--") asks for its help.
static bool wants_help(int argc, char **argv) {
  for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
      return true;
  return false;
}

static int unknown(const char *name) {
  fprintf(stderr, "memharness: unknown command '%s'\nTry 'memharness --help'.\n", name);
  return MH_EXIT_USAGE;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "memharness: missing COMMAND\nTry 'memharness --help'.\n");
    return MH_EXIT_USAGE;
  }
  const char *name = argv[1];
  if (!strcmp(name, "-h") || !strcmp(name, "--help") || (!strcmp(name, "help") && argc == 2)) {
    global_help();
    return MH_EXIT_OK;
  }
  if (!strcmp(name, "help")) {
    const struct command *c = find(argv[2]);
    if (!c)
      return unknown(argv[2]);
    fputs(c->help, stdout);
    return MH_EXIT_OK;
  }
  if (!strcmp(name, "-V") || !strcmp(name, "--version")) {
    printf("memharness %s\n", MH_VERSION);
    return MH_EXIT_OK;
  }
  const struct command *c = find(name);
  if (!c)
    return unknown(name);
  if (wants_help(argc - 1, argv + 1)) {
    fputs(c->help, stdout);
    return MH_EXIT_OK;
  }
  return c->run(argc - 1, argv + 1);
}
