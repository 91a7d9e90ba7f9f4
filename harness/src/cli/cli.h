// The command line: each command's help text and option parser (cli.c,
// cli_help.c); main.c's one table dispatches to them.
#ifndef MH_CLI_H
#define MH_CLI_H

extern const char mh_help_run[], mh_help_check[], mh_help_compare[], mh_help_plot[],
    mh_help_export[], mh_help_merge[], mh_help_replay[];
// The exit codes of every command, for the global help.
extern const char mh_help_exit_codes[];

// Each takes the command's argv (argv[0] is the command name) and returns
// the process exit code (enum mh_exit).
int mh_cli_run(int argc, char **argv);
int mh_cli_check(int argc, char **argv);
int mh_cli_compare(int argc, char **argv);
int mh_cli_plot(int argc, char **argv);
int mh_cli_export(int argc, char **argv);
int mh_cmd_merge(int argc, char **argv);
int mh_cmd_replay(int argc, char **argv);

#endif
