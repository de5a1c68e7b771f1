/* core/cli/commands.h - the subcommands of the textpipe executable.
 *
 * main.c parses the global options and hands the remaining arguments (argv[0] is the
 * subcommand name) to one of these. Each returns the process exit status:
 * 0 success, 1 some records dead-lettered, 2 usage or pipeline error, 3 runtime failure,
 * 130/143 interrupted by SIGINT/SIGTERM.
 */
#ifndef TP_CORE_COMMANDS_H
#define TP_CORE_COMMANDS_H

enum {
  TP_EXIT_OK = 0,
  TP_EXIT_DEAD_LETTERS = 1,
  TP_EXIT_USAGE = 2,
  TP_EXIT_RUNTIME = 3,
  TP_EXIT_SIGINT = 130,
  TP_EXIT_SIGTERM = 143,
};

int tp_command_run(int argc, char **argv);     /* core/cli/command_run.c */
int tp_command_check(int argc, char **argv);   /* core/cli/command_config.c */
int tp_command_plugins(int argc, char **argv); /* core/cli/command_config.c */
int tp_command_report(int argc, char **argv);  /* core/cli/command_report.c */
int tp_command_test(int argc, char **argv);    /* core/cli/command_test.c */

#endif /* TP_CORE_COMMANDS_H */
