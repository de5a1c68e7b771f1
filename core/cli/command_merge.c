/* core/cli/command_merge.c - `textpipe merge PARTIAL... [options]`: one report from the partial
 * states of several runs (`textpipe run --partial`), through each plugin's own
 * partial_import(), merge() and finish() (partial_file.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "host.h"
#include "log.h"
#include "partial_file.h"
#include "pipeline.h"
#include "redis_link.h"
#include "report.h"

static const char merge_usage[] =
    "Usage: textpipe merge PARTIAL... [options]\n"
    "\n"
    "Merges the partial states written by 'textpipe run --partial FILE' (for example one per\n"
    "machine or per shard of the input) into one report, as if one run had read every input.\n"
    "A PARTIAL may also be redis://HOST:PORT/STREAM?group=G: every checkpoint that group's\n"
    "consumers stored (docs/distributed.md).\n"
    "Every partial must come from the same pipeline (same stages and configs).\n"
    "\n"
    "Options:\n"
    "  --pipeline FILE           the pipeline file (default: the path each partial names)\n"
    "  --report FILE             write the merged report (JSON, or HTML) to FILE (\"-\": stdout)\n"
    "  --report-format FORMAT    json or html (default: html when FILE ends in .html)\n"
    "  --partial FILE            also write the merged partial state (merges compose)\n"
    "  -q, --quiet               no summary line\n"
    "  -h, --help                show this help\n"
    "\n"
    "Exit status: 0 merged, 2 usage error or partials that do not merge, 3 write failure.\n";

static int usage_error(const char *what, const char *detail) {
  tp_log(TP_LOG_ERROR, NULL, "merge: %s%s (try 'textpipe merge --help')", what, detail);
  return TP_EXIT_USAGE;
}

typedef struct merge_options {
  const char *pipeline_path, *report_path, *report_format, *partial_path;
  int quiet;
  const char **inputs;
  size_t input_count;
} merge_options;

/* Parses the command line into `options`. Returns 0, -1 after --help, or the usage status. */
static int parse_arguments(int argc, char **argv, merge_options *options) {
  for (int i = 1; i < argc; i++) {
    const char *argument = argv[i];
    const char **target = NULL;
    if (strcmp(argument, "-h") == 0 || strcmp(argument, "--help") == 0) {
      fputs(merge_usage, stdout);
      return -1;
    }
    if (strcmp(argument, "-q") == 0 || strcmp(argument, "--quiet") == 0) {
      options->quiet = 1;
      continue;
    }
    if (strcmp(argument, "--pipeline") == 0)
      target = &options->pipeline_path;
    else if (strcmp(argument, "--report") == 0)
      target = &options->report_path;
    else if (strcmp(argument, "--report-format") == 0)
      target = &options->report_format;
    else if (strcmp(argument, "--partial") == 0)
      target = &options->partial_path;
    if (target != NULL) {
      if (i + 1 >= argc || argv[i + 1][0] == '\0')
        return usage_error(argument, " needs a value");
      *target = argv[++i];
      continue;
    }
    if (argument[0] == '-' && argument[1] != '\0') {
      tp_log(TP_LOG_ERROR, NULL, "merge: unknown option '%s' (try 'textpipe merge --help')",
             argument);
      return TP_EXIT_USAGE;
    }
    options->inputs[options->input_count++] = argument;
  }
  if (options->input_count == 0)
    return usage_error("missing the PARTIAL files", "");
  if (options->report_format != NULL && strcmp(options->report_format, "json") != 0 &&
      strcmp(options->report_format, "html") != 0)
    return usage_error("--report-format", ": expected json or html");
  if (options->report_path != NULL && strcmp(options->report_path, "-") == 0)
    options->report_path = "/dev/stdout";
  return 0;
}

/* The documents of all inputs: partial files, and consumer groups' checkpoints in Redis. */
typedef struct merge_inputs {
  cJSON **documents;
  char **names;
  size_t count;
} merge_inputs;

static void inputs_free(merge_inputs *inputs) {
  for (size_t i = 0; i < inputs->count; i++) {
    cJSON_Delete(inputs->documents[i]);
    free(inputs->names[i]);
  }
  free(inputs->documents);
  free(inputs->names);
}

/* Reads every input. Returns 0, or -1 (logged). */
static int read_inputs(const merge_options *options, merge_inputs *inputs) {
  char message[TP_ERROR_SIZE];
  tp_error err = {{0}};
  for (size_t i = 0; i < options->input_count; i++) {
    const char *input = options->inputs[i];
    if (strncmp(input, "redis://", 8) == 0) {
      if (tp_redis_checkpoints_read(input, &inputs->documents, &inputs->names, &inputs->count,
                                    message, sizeof message) != 0) {
        tp_log(TP_LOG_ERROR, NULL, "%s", message);
        return -1;
      }
      continue;
    }
    cJSON *document = tp_partial_read(input, &err);
    cJSON **documents = realloc(inputs->documents, (inputs->count + 1) * sizeof *documents);
    char **names =
        documents != NULL ? realloc(inputs->names, (inputs->count + 1) * sizeof *names) : NULL;
    if (documents != NULL)
      inputs->documents = documents;
    if (names != NULL)
      inputs->names = names;
    char *name = strdup(input);
    if (document == NULL || documents == NULL || names == NULL || name == NULL) {
      tp_log(TP_LOG_ERROR, NULL, "%s", document == NULL ? err.message : "out of memory");
      cJSON_Delete(document);
      free(name);
      return -1;
    }
    inputs->documents[inputs->count] = document;
    inputs->names[inputs->count++] = name;
  }
  return 0;
}

int tp_command_merge(int argc, char **argv) {
  merge_options options = {0};
  options.inputs = calloc((size_t)argc + 1, sizeof *options.inputs);
  merge_inputs inputs = {0};
  tp_pipeline *pipeline = NULL;
  tp_partial_merged merged = {0};
  tp_error err = {{0}};
  int status = TP_EXIT_USAGE;
  if (options.inputs == NULL) {
    tp_log(TP_LOG_ERROR, NULL, "out of memory");
    status = TP_EXIT_RUNTIME;
    goto done;
  }
  int parsed = parse_arguments(argc, argv, &options);
  if (parsed != 0) {
    status = parsed < 0 ? TP_EXIT_OK : parsed;
    goto done;
  }
  if (read_inputs(&options, &inputs) != 0)
    goto done;
  const char *pipeline_path = options.pipeline_path != NULL
                                  ? options.pipeline_path
                                  : tp_partial_pipeline_path(inputs.documents[0]);
  if (pipeline_path == NULL) {
    tp_log(TP_LOG_ERROR, NULL, "%s: pipeline: missing (give --pipeline FILE)", inputs.names[0]);
    goto done;
  }
  tp_loader_options loader = {getenv("TEXTPIPE_PLUGIN_PATH"), tp_host_api()};
  if (tp_pipeline_load(pipeline_path, &loader, &pipeline, &err) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "%s", err.message);
    goto done;
  }
  if (tp_partial_merge(pipeline, inputs.documents, (const char *const *)inputs.names, inputs.count,
                       &merged, &err) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "%s", err.message);
    goto done;
  }
  char source[64];
  snprintf(source, sizeof source, "merge of %zu partials", inputs.count);
  tp_run_parts parts = {source,       merged.counts,   merged.workers, merged.seconds,
                        merged.stats, merged.sections, merged.partials};
  merged.sections = merged.partials = NULL; /* taken over */
  tp_run_outputs outputs = {options.report_path, options.report_format, options.partial_path};
  status = tp_run_write_outputs(pipeline, &parts, &outputs) == 0 ? TP_EXIT_OK : TP_EXIT_RUNTIME;
  if (!options.quiet) {
    char line[512];
    tp_report_summary(&merged.counts, merged.seconds, line, sizeof line);
    fprintf(stderr, "textpipe: merged %zu partials: %s\n", inputs.count, line);
  }
done:
  tp_partial_merged_free(&merged);
  inputs_free(&inputs);
  free(options.inputs);
  tp_pipeline_free(pipeline);
  return status;
}
