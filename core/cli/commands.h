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

#include "stream.h"

/* What a run writes besides its records (command_run.c). */
typedef struct tp_run_outputs {
  const char *report_path;   /* NULL: no report */
  const char *report_format; /* "json", "html", NULL: by the file name */
  const char *partial_path;  /* NULL: no partial state file */
} tp_run_outputs;

/* What a report (and a partial file) is made of: a run's or a merge's results. */
typedef struct tp_run_parts {
  const char *source; /* "stdin", the path, the source URL, "merge of N partials" */
  tp_run_counts counts;
  size_t workers;
  double seconds;
  const tp_stage_stats *stats; /* stage_count entries */
  cJSON *sections;             /* taken over by tp_run_write_outputs */
  cJSON *partials;             /* each stage's exported partial (for --partial), or NULL;
                                * taken over by tp_run_write_outputs */
} tp_run_parts;

/* Writes the partial file and the report that `outputs` ask for from `parts` (whose sections
 * it takes over). Returns 0, or -1 (message logged). */
int tp_run_write_outputs(const tp_pipeline *pipeline, tp_run_parts *parts,
                         const tp_run_outputs *outputs);

/* Runs a loaded pipeline (tp_stream_run), writes the report and the partial file, prints the
 * summary line and returns the exit status. Set options->export_partials when
 * outputs->partial_path is set. */
int tp_run_pipeline(const tp_pipeline *pipeline, const tp_stream_options *options,
                    const tp_run_outputs *outputs);

int tp_command_run(int argc, char **argv);     /* core/cli/command_run.c */
int tp_command_check(int argc, char **argv);   /* core/cli/command_config.c */
int tp_command_plugins(int argc, char **argv); /* core/cli/command_config.c */
int tp_command_report(int argc, char **argv);  /* core/cli/command_report.c */
int tp_command_merge(int argc, char **argv);   /* core/cli/command_merge.c */
int tp_command_test(int argc, char **argv);    /* core/cli/command_test.c */

#endif /* TP_CORE_COMMANDS_H */
