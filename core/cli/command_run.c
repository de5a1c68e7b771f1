/* core/cli/command_run.c - `textpipe run PIPELINE [options]`: parse the options, load the
 * pipeline, hand both to the stream (stream.c), then turn what the stream returns into the
 * report, the partial state (--partial), the summary line and the exit status. */
#include <libgen.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "host.h"
#include "log.h"
#include "partial_file.h"
#include "pipeline.h"
#include "file_guard.h"
#include "report.h"
#include "report_html.h"
#include "stream.h"

static const char run_usage[] =
    "Usage: textpipe run PIPELINE [options]\n"
    "\n"
    "Streams records (NDJSON, or text lines) from stdin or -i FILE through the pipeline's\n"
    "stages and writes the enriched records as NDJSON.\n"
    "\n"
    "Options:\n"
    "  -i, --input FILE          read FILE instead of stdin (\"-\": stdin)\n"
    "  -o, --output FILE         write FILE instead of stdout (\"-\": stdout)\n"
    "  --source URL, --sink URL  read from / write to a broker instead:\n"
    "                            redis://HOST:PORT/STREAM?group=G (docs/distributed.md)\n"
    "  --report FILE             write the end-of-stream report (JSON, or HTML) to FILE\n"
    "                            (\"-\": stdout, with -o FILE)\n"
    "  --report-format FORMAT    json or html (default: html when FILE ends in .html)\n"
    "  --dead-letter FILE        write each failed record as NDJSON to FILE (\"-\": stdout,\n"
    "                            with -o FILE)\n"
    "  --partial FILE            write the run's partial state (counts and every stage's\n"
    "                            partial) to FILE, for 'textpipe merge'\n"
    "  --line-offset N           number input lines from N+1 (a shard that starts at line\n"
    "                            N+1 of the whole input; its merge then equals one run)\n"
    "  --workers N               worker threads (default: one per core; 1 if a stage is not\n"
    "                            concurrent)\n"
    "  --max-record-bytes N      longest input line accepted (default: the pipeline's\n"
    "                            input.max_record_bytes, else 16777216)\n"
    "  --stop-timeout SECONDS    after a first SIGINT/SIGTERM, how long the records in flight\n"
    "                            may take before the run stops at once (default 10; a second\n"
    "                            signal stops at once too)\n"
    "  -q, --quiet               no summary line\n"
    "  -h, --help                show this help\n"
    "\n"
    "Exit status: 0 all records out (drops included), 1 some records dead-lettered,\n"
    "2 usage or pipeline error, 3 runtime failure, 130/143 interrupted (SIGINT/SIGTERM).\n";

/* What "-" stands for after --report or --dead-letter. Compared by address, so that only a "-"
 * is held to the rules for it, not a /dev/stdout the user wrote out. */
static const char stdout_dash[] = "/dev/stdout";

static int usage_error(const char *what, const char *detail) {
  tp_log(TP_LOG_ERROR, NULL, "run: %s%s (try 'textpipe run --help')", what, detail);
  return TP_EXIT_USAGE;
}

/* Parses a positive integer no larger than `max`. Returns 0, or -1. */
static int parse_count(const char *text, uint64_t max, uint64_t *out) {
  if (text == NULL || *text < '0' || *text > '9')
    return -1;
  char *end = NULL;
  unsigned long long value = strtoull(text, &end, 10);
  if (*end != '\0' || value == 0 || value > max)
    return -1;
  *out = value;
  return 0;
}

/* Parses a number of seconds in (0, 86400] ("10", "0.5"). Returns 0, or -1. */
static int parse_seconds(const char *text, double *out) {
  if (text == NULL || ((*text < '0' || *text > '9') && *text != '.'))
    return -1;
  char *end = NULL;
  double value = strtod(text, &end);
  if (*end != '\0' || !(value > 0) || value > 86400)
    return -1;
  *out = value;
  return 0;
}

/* The value of option `name` at argv[*index]: "--name=value" or the next argument. */
static const char *option_value(int argc, char **argv, int *index, const char *name) {
  const char *argument = argv[*index];
  size_t length = strlen(name);
  if (strncmp(argument, name, length) == 0 && argument[length] == '=')
    return argument + length + 1;
  if (*index + 1 >= argc)
    return NULL;
  return argv[++*index];
}

static int option_is(const char *argument, const char *short_name, const char *long_name) {
  size_t length = strlen(long_name);
  if (short_name != NULL && strcmp(argument, short_name) == 0)
    return 1;
  return strncmp(argument, long_name, length) == 0 &&
         (argument[length] == '\0' || argument[length] == '=');
}

/* Refuses a run whose files are not all different where one is written: writing one would
 * destroy the other (an output opened over the input or the pipeline empties it before it is
 * read; two outputs overwrite each other). Returns 0, or the usage exit status. */
static int check_distinct_files(const char *pipeline_path, const tp_stream_options *options,
                                const tp_run_outputs *outputs) {
  tp_file_guard guard = {.count = 0};
  if (strcmp(pipeline_path, "-") != 0)
    tp_file_guard_add(&guard, "PIPELINE", pipeline_path, -1, false);
  tp_file_guard_add(&guard, "--input", options->input_path, STDIN_FILENO, false);
  tp_file_guard_add(&guard, "--output", options->output_path, STDOUT_FILENO, true);
  if (outputs->report_path != NULL)
    tp_file_guard_add(&guard, "--report", outputs->report_path, -1, true);
  if (outputs->partial_path != NULL)
    tp_file_guard_add(&guard, "--partial", outputs->partial_path, -1, true);
  if (options->dead_letter_path != NULL)
    tp_file_guard_add(&guard, "--dead-letter", options->dead_letter_path, -1, true);
  return tp_file_guard_check(&guard, "run") == 0 ? 0 : TP_EXIT_USAGE;
}

static void print_summary(const tp_stream_result *result, int quiet) {
  if (result->counts.not_written > 0)
    tp_log(TP_LOG_ERROR, NULL, "%llu records were processed but not written",
           (unsigned long long)result->counts.not_written);
  if (result->counts.unfinished > 0)
    tp_log(TP_LOG_WARN, NULL, "%llu records were read but not finished (stopped at once)",
           (unsigned long long)result->counts.unfinished);
  if (quiet)
    return;
  char line[512];
  tp_report_summary(&result->counts, result->seconds, line, sizeof line);
  char message[600];
  int length = snprintf(message, sizeof message, "textpipe: %s\n", line);
  ssize_t ignored = write(STDERR_FILENO, message, (size_t)length);
  (void)ignored;
}

int tp_run_write_outputs(const tp_pipeline *pipeline, tp_run_parts *parts,
                         const tp_run_outputs *outputs) {
  tp_error err = {{0}};
  int status = 0;
  if (outputs->partial_path != NULL) {
    cJSON *document = tp_partial_build(pipeline, parts->source, &parts->counts, parts->workers,
                                       parts->seconds, parts->stats, parts->partials);
    parts->partials = NULL; /* taken over */
    if (document == NULL || tp_partial_write(document, outputs->partial_path, &err) != 0) {
      tp_log(TP_LOG_ERROR, NULL, "%s", document == NULL ? "out of memory" : err.message);
      status = -1;
    }
    cJSON_Delete(document);
  }
  cJSON_Delete(parts->partials); /* not written */
  parts->partials = NULL;
  cJSON *sections = parts->sections;
  parts->sections = NULL; /* taken over */
  if (outputs->report_path == NULL) {
    cJSON_Delete(sections);
    return status;
  }
  cJSON *report = tp_report_build(pipeline, parts->source, &parts->counts, parts->workers,
                                  parts->seconds, parts->stats, sections);
  if (report == NULL) {
    tp_log(TP_LOG_ERROR, NULL, "out of memory building the report");
    return -1;
  }
  if (tp_report_save(report, outputs->report_path, outputs->report_format, &err) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "%s", err.message);
    status = -1;
  }
  cJSON_Delete(report);
  return status;
}

/* The exit status for a run (commands.h). */
static int exit_status(const tp_stream_result *result) {
  if (result->cannot_open)
    return TP_EXIT_USAGE; /* a file named on the command line cannot be used */
  if (result->failed || result->output_failed)
    return TP_EXIT_RUNTIME;
  if (result->signal_number != 0)
    return result->signal_number == SIGINT ? TP_EXIT_SIGINT : TP_EXIT_SIGTERM;
  if (result->counts.dead_letter > 0)
    return TP_EXIT_DEAD_LETTERS;
  return TP_EXIT_OK;
}

int tp_run_pipeline(const tp_pipeline *pipeline, const tp_stream_options *options,
                    const tp_run_outputs *outputs) {
  tp_stream_result result;
  if (tp_stream_run(pipeline, options, &result) != 0) {
    tp_stream_result_free(&result);
    return result.cannot_open ? TP_EXIT_USAGE : TP_EXIT_RUNTIME;
  }
  if (result.exit_at_once && result.sections == NULL) { /* a stage still busy: counts only */
    result.sections = cJSON_CreateObject();
    result.stats = calloc(pipeline->stage_count + 1, sizeof *result.stats);
  }
  if (result.sections == NULL || result.stats == NULL) {
    result.failed = 1; /* the stages could not finish (logged) */
  } else {
    tp_run_parts parts = {result.input_name, result.counts,   result.workers, result.seconds,
                          result.stats,      result.sections, result.partials};
    result.sections = result.partials = NULL; /* taken over */
    if (tp_run_write_outputs(pipeline, &parts, outputs) != 0)
      result.failed = 1;
  }
  print_summary(&result, options->quiet);
  if (result.exit_at_once) /* a busy stage or a stuck write: nothing can be waited for */
    _exit(exit_status(&result));
  tp_stream_result_free(&result);
  return exit_status(&result);
}

int tp_command_run(int argc, char **argv) {
  tp_stream_options options = {0};
  tp_run_outputs outputs = {0};
  const char *pipeline_path = NULL;
  int input_given = 0, output_given = 0; /* -i/--source, -o/--sink override the pipeline's */
  for (int i = 1; i < argc; i++) {
    const char *argument = argv[i];
    const char **target = NULL;
    const char *name = NULL;
    if (strcmp(argument, "-h") == 0 || strcmp(argument, "--help") == 0) {
      fputs(run_usage, stdout);
      return TP_EXIT_OK;
    } else if (strcmp(argument, "-q") == 0 || strcmp(argument, "--quiet") == 0) {
      options.quiet = 1;
      continue;
    } else if (option_is(argument, "-i", "--input") || option_is(argument, NULL, "--source")) {
      input_given = 1;
      target = &options.input_path, name = argument[2] == 's' ? "--source" : "--input";
    } else if (option_is(argument, "-o", "--output") || option_is(argument, NULL, "--sink")) {
      output_given = 1;
      target = &options.output_path, name = argument[2] == 's' ? "--sink" : "--output";
    } else if (option_is(argument, NULL, "--report")) {
      target = &outputs.report_path, name = "--report";
    } else if (option_is(argument, NULL, "--report-format")) {
      target = &outputs.report_format, name = "--report-format";
    } else if (option_is(argument, NULL, "--partial")) {
      target = &outputs.partial_path, name = "--partial";
    } else if (option_is(argument, NULL, "--dead-letter")) {
      target = &options.dead_letter_path, name = "--dead-letter";
    } else if (option_is(argument, NULL, "--line-offset")) {
      const char *value = option_value(argc, argv, &i, "--line-offset");
      uint64_t number = 0;
      if (value == NULL)
        return usage_error("--line-offset", " needs a value");
      if (strcmp(value, "0") != 0 && parse_count(value, UINT64_C(1) << 52, &number) != 0)
        return usage_error("--line-offset", ": expected a whole number from 0 to 2^52");
      options.line_offset = number;
      continue;
    } else if (option_is(argument, NULL, "--stop-timeout")) {
      const char *value = option_value(argc, argv, &i, "--stop-timeout");
      if (value == NULL)
        return usage_error("--stop-timeout", " needs a value");
      if (parse_seconds(value, &options.stop_timeout) != 0)
        return usage_error("--stop-timeout", ": expected seconds, more than 0 and at most 86400");
      continue;
    } else if (option_is(argument, NULL, "--workers") ||
               option_is(argument, NULL, "--max-record-bytes")) {
      int workers = argument[2] == 'w';
      name = workers ? "--workers" : "--max-record-bytes";
      const char *value = option_value(argc, argv, &i, name);
      uint64_t number = 0;
      if (value == NULL)
        return usage_error(name, " needs a value");
      if (parse_count(value, workers ? 256 : TP_MAX_RECORD_BYTES_LIMIT, &number) != 0)
        return usage_error(name, workers ? ": expected a whole number from 1 to 256"
                                         : ": expected a whole number of bytes from 1 to "
                                           "1073741824");
      if (workers)
        options.workers = (size_t)number;
      else
        options.max_record_bytes = number;
      continue;
    } else if (argument[0] == '-' && argument[1] != '\0') {
      tp_log(TP_LOG_ERROR, NULL, "run: unknown option '%s' (try 'textpipe run --help')", argument);
      return TP_EXIT_USAGE;
    } else {
      if (pipeline_path != NULL)
        return usage_error("more than one pipeline given", "");
      pipeline_path = argument;
      continue;
    }
    const char *value = option_value(argc, argv, &i, name);
    if (value == NULL || value[0] == '\0')
      return usage_error(name, " needs a file name");
    /* "-" is the usual name for stdin/stdout; for the report and the dead-letters it is
     * stdout too, which then must not carry the records (checked below). */
    int standard = strcmp(value, "-") == 0;
    if (standard && (target == &outputs.report_path || target == &options.dead_letter_path ||
                     target == &outputs.partial_path))
      *target = stdout_dash; /* told apart from a /dev/stdout written out by its address */
    else
      *target = standard ? NULL : value;
  }
  if (pipeline_path == NULL)
    return usage_error("missing the PIPELINE file", "");
  if (outputs.report_format != NULL && strcmp(outputs.report_format, "json") != 0 &&
      strcmp(outputs.report_format, "html") != 0)
    return usage_error("--report-format", ": expected json or html");
  if (outputs.report_format != NULL && outputs.report_path == NULL)
    return usage_error("--report-format", " needs --report FILE");
  const char *const to_stdout[] = {outputs.report_path, options.dead_letter_path};
  for (size_t i = 0; i < 2; i++)
    if (to_stdout[i] == stdout_dash && options.output_path == NULL)
      return usage_error(i == 0 ? "--report -" : "--dead-letter -",
                         ": stdout already carries the records (give -o FILE to write the "
                         "records elsewhere)");
  if (outputs.report_path == stdout_dash && options.dead_letter_path == stdout_dash)
    return usage_error("--report - and --dead-letter -", ": only one of them can go to stdout");
  if (outputs.partial_path == stdout_dash)
    return usage_error("--partial", ": give a file name");
  int clash = check_distinct_files(pipeline_path, &options, &outputs);
  if (clash != 0)
    return clash;

  tp_loader_options loader = {getenv("TEXTPIPE_PLUGIN_PATH"), tp_host_api()};
  tp_pipeline *pipeline = NULL;
  tp_error err = {{0}};
  if (tp_pipeline_load(pipeline_path, &loader, &pipeline, &err) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "%s", err.message);
    return TP_EXIT_USAGE;
  }
  if (options.quiet)
    tp_log_set_level(TP_LOG_WARN);
  const char *const written[] = {outputs.report_path, outputs.partial_path};
  for (size_t i = 0; i < 2; i++) {
    if (written[i] != NULL && tp_report_check_writable(written[i], &err) != 0) {
      tp_log(TP_LOG_ERROR, NULL, "%s", err.message);
      tp_pipeline_free(pipeline);
      return TP_EXIT_USAGE;
    }
  }
  options.export_partials = outputs.partial_path != NULL;
  /* tp_run_write_outputs drops the sections without --report: stages may skip filling them. */
  pipeline->sections_discarded = outputs.report_path == NULL;
  if (!input_given && pipeline->source_url != NULL)
    options.input_path = pipeline->source_url; /* the pipeline's "source" */
  if (!output_given && pipeline->sink_url != NULL)
    options.output_path = pipeline->sink_url;
  int status = tp_run_pipeline(pipeline, &options, &outputs);
  tp_pipeline_free(pipeline);
  return status;
}
