/* core/config/pipeline.h - a loaded, validated pipeline: the boundary between configuration and
 * run.
 *
 * tp_pipeline_load() reads a pipeline file, validates it exactly as strictly as a run needs
 * (JSON syntax with file:line:col, every key by its JSON path, plugins found and loaded,
 * configs checked against each plugin's option schema, requires/provides order, and each
 * stage's create() called), and returns a pipeline whose stages hold live instances.
 * `textpipe check` is tp_pipeline_load() followed by tp_pipeline_free(); `textpipe run` hands
 * the same pipeline to the stream runner. The pipeline owns everything it points to.
 */
#ifndef TP_CORE_PIPELINE_H
#define TP_CORE_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "textpipe/plugin.h"

/* The longest record a pipeline (input.max_record_bytes) or --max-record-bytes may allow. */
#define TP_MAX_RECORD_BYTES_LIMIT ((uint64_t)1 << 30)

#define TP_ERROR_SIZE 1024

/* One error message for the user, without the "textpipe: error: " prefix, e.g.
 * "pipelines/x.json:12:7: expected ',' or '}'" or
 * "pipelines/x.json: stages[2].config.max_sentences: expected an integer from 1 to 50, got
 * \"three\"". */
typedef struct tp_error {
  char message[TP_ERROR_SIZE];
} tp_error;

typedef enum tp_input_format {
  TP_INPUT_NDJSON = 0,
  TP_INPUT_LINES,
  TP_INPUT_CSV, /* RFC 4180 with a header row; text_field names a column (core/input/csv.h) */
} tp_input_format;

typedef enum tp_on_error {
  TP_ON_ERROR_DEAD_LETTER = 0, /* "dead_letter" (default): dead-letter the record, go on */
  TP_ON_ERROR_STOP,            /* "stop": dead-letter it, then end the run (exit 1) */
} tp_on_error;

/* A plugin shared object, opened once per pipeline even if several stages use it. */
/* The most stages a pipeline may have: each costs a partial per worker and a pass over every
 * record; real pipelines have a handful (docs/pipeline-format.md). */
#define TP_MAX_STAGES 64

typedef struct tp_plugin_handle {
  char *path;              /* absolute path of the .so */
  void *dl;                /* dlopen() handle */
  const tp_plugin *plugin; /* &descriptor: what the core reads */
  tp_plugin descriptor;    /* the plugin's descriptor at this host's size (later members 0) */
  tp_option *options;      /* its option table at this host's entry size (owned), or NULL */
} tp_plugin_handle;

/* The definition of the opaque tp_stage of plugin.h. */
struct tp_stage {
  char *id;                 /* "id" from the file, or the plugin name; unique */
  size_t index;             /* position in the pipeline */
  tp_plugin_handle *handle; /* owned by the pipeline's handle list */
  cJSON *config;            /* validated config with defaults filled (owned) */
  void *bound_config;       /* the plugin's config struct filled from `config` (owned; 2.1), or
                               NULL when it binds no option (host->stage_config) */
  void *instance;           /* from create(); NULL until created */
  struct tp_pipeline *pipeline;
  const cJSON *section;    /* its report section while later stages finish(); NULL otherwise */
  const char *const *keys; /* the instance's stage_keys() (ABI 2.1), or NULL; owned by it */
};

typedef struct tp_pipeline {
  char *path; /* the file as given on the command line */
  char *name;
  char *description; /* may be NULL */
  tp_input_format input_format;
  char *text_field;          /* dotted path, e.g. "comment.body"; default "text" */
  uint64_t max_record_bytes; /* "input.max_record_bytes", default 16 MiB */
  tp_on_error on_error;
  char *source_url; /* "source" as a URL (docs/distributed.md), or NULL: -i/stdin */
  char *sink_url;   /* "sink" as a URL, or NULL: -o/stdout */
  struct tp_stage *stages;
  size_t stage_count;
  tp_plugin_handle **handles;
  size_t handle_count;
  int concurrent; /* nonzero when every stage's plugin is TP_PLUGIN_CONCURRENT */
  /* Set by `run` without --report, which throws the finish() sections away; 0 (the sections
   * are read) for every other caller. Plugins see it as host->report_wanted (ABI 2.3). */
  int sections_discarded;
} tp_pipeline;

/* Where plugins are searched for, in order: each directory of `env_path` (colon-separated,
 * typically $TEXTPIPE_PLUGIN_PATH; may be NULL), then the build tree, then the install dir. */
typedef struct tp_loader_options {
  const char *env_path;
  const tp_host *host; /* passed to every create(); the run uses tp_host_api() (host.h) */
} tp_loader_options;

/* Loads and validates the pipeline at `path`, opening plugins and creating every stage
 * instance. Returns 0 and sets *out (free with tp_pipeline_free), or -1 with err filled. */
int tp_pipeline_load(const char *path, const tp_loader_options *options, tp_pipeline **out,
                     tp_error *err);

/* Destroys stage instances, closes plugins and frees the pipeline. NULL is a no-op. */
void tp_pipeline_free(tp_pipeline *pipeline);

#endif /* TP_CORE_PIPELINE_H */
