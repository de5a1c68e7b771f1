/* tests/support/plugin_under_test.h - one built-in plugin driven through the real core, for
 * the plugin tests that call its callbacks one by one.
 *
 * The plugin's .so is opened by the real loader (core/config/plugin_loader.h, the build tree search
 * path), its config is validated and completed by the real schema code
 * (core/config/config_schema.h), create() gets the real host table (core/run/host.h, tp_host_api())
 * and a real stage, records are real records (core/run/record.h, tp_record_prepare) and process()
 * runs through the real tp_stage_process (core/run/stages.h), so record_set / record_attach enforce
 * the plugin's `provides` exactly as in a run. Failures end the test with a Check assertion.
 */
#ifndef TP_TESTS_PLUGIN_UNDER_TEST_H
#define TP_TESTS_PLUGIN_UNDER_TEST_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "pipeline.h"
#include "record.h"

/* One opened plugin and the one-stage pipeline its instances run in (NDJSON input, text field
 * "text"). Keep it in place (a static or on the stack): the stage points into it. */
typedef struct put_plugin {
  tp_plugin_handle *handle;
  const tp_plugin *plugin; /* handle->plugin */
  tp_pipeline pipeline;
  struct tp_stage stage; /* what create() and process() see; stage.instance is set per call */
  cJSON **configs;       /* the configs handed to create(): they must outlive the instances */
  void **bound_configs;  /* each config's bound struct (NULL entries when none), likewise */
  size_t config_count;
} put_plugin;

/* Opens the built-in plugin `name` through tp_plugin_open (search path: $TEXTPIPE_PLUGIN_PATH,
 * then the build tree), with the real host. Asserts on failure (the message names why). */
void put_open(put_plugin *put, const char *name);

/* Frees the configs, closes the plugin and clears `put`. Destroy the instances first. */
void put_close(put_plugin *put);

/* Validates `json` (a stage's "config" object as text; NULL means {}) against the plugin's
 * options with tp_config_validate, as a pipeline load does. Returns 0 and sets *config (the
 * given values plus defaults; the caller frees it with cJSON_Delete after destroying any
 * instance made from it), or -1 with err as "<plugin> test: config.<key>: <problem>". Asserts
 * that `json` parses. */
int put_config(const put_plugin *put, const char *json, cJSON **config, tp_error *err);

/* put_config, then the plugin's create() with the real host and stage. Returns 0 and sets
 * *instance (free with put->plugin->destroy; `put` keeps the config until put_close), or -1
 * with err holding the core's message (config rejected) or the plugin's (create failed). */
int put_create(put_plugin *put, const char *json, void **instance, char *err, size_t err_size);

/* A new record made from the NDJSON line `json` (copied) by tp_record_prepare, as the reader
 * makes one, with input line number `line`. Asserts that it is a valid record. Free with
 * put_record_free. */
tp_record *put_record(const put_plugin *put, const char *json, uint64_t line);

/* Frees a record from put_record: its JSON, its attachments (their free functions run) and
 * the copy of its line. NULL is a no-op. */
void put_record_free(tp_record *record);

/* Takes the record's JSON out of it (the caller frees it with cJSON_Delete); the record keeps
 * its attachments until put_record_free. */
cJSON *put_record_take_json(tp_record *record);

/* Runs `instance`'s process() on `record` through tp_stage_process, as a worker does. Returns
 * the plugin's result; on TP_ERROR `err` holds its message. */
tp_result put_process(put_plugin *put, void *instance, void *partial, tp_record *record, char *err,
                      size_t err_size);

/* Runs `instance`'s finish() on `partial` into `section` while host->report_section() reads
 * `sections` (the earlier stages' sections, by stage id; may be NULL), as the end of a stream
 * does. Returns finish()'s result (0, or -1 with err filled). */
int put_finish(put_plugin *put, void *instance, void *partial, const cJSON *sections,
               cJSON *section, char *err, size_t err_size);

#endif /* TP_TESTS_PLUGIN_UNDER_TEST_H */
