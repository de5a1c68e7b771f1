/* core/config/config_schema.h - checking a stage's "config" object against its plugin's options.
 *
 * A plugin declares its options as data (tp_option in plugin.h). This module turns that table
 * into validation (unknown keys with the nearest valid one, types, integer-ness, ranges,
 * choices, required keys, string lists, readable files), defaults, and the words used to
 * describe an option in messages and in `textpipe plugins NAME`.
 */
#ifndef TP_CORE_CONFIG_SCHEMA_H
#define TP_CORE_CONFIG_SCHEMA_H

#include <cjson/cJSON.h>

#include "json_source.h"
#include "pipeline.h"

typedef struct tp_config_context {
  const char *file;       /* the pipeline file as given, the prefix of every message */
  const char *base_dir;   /* absolute folder of the pipeline file: relative PATH values */
  const char *plugin_dir; /* absolute folder of the plugin file: relative PATH defaults */
} tp_config_context;

/* Validates `config` (a stage's "config" value; NULL means absent, i.e. {}) against
 * `options` (may be NULL: no options). `path` is the JSON path of the config object; it is
 * extended and restored while checking members. Returns 0 and sets *out to a new object with
 * every given option (PATH values made absolute) plus defaults for the missing ones; the
 * caller frees it with cJSON_Delete. Returns -1 with err filled as
 * "<file>: <path>: <problem>" on the first problem. */
int tp_config_validate(const tp_option *options, const cJSON *config,
                       const tp_config_context *context, tp_json_path *path, cJSON **out,
                       tp_error *err);

/* Checks a plugin's option table itself (names, types, choices, defaults that parse and fit).
 * Returns 0, or -1 with a reason (without file name) in `reason`. */
int tp_config_check_table(const tp_option *options, char *reason, size_t reason_size);

/* "int", "number", "string", ... for an option type. Never NULL. */
const char *tp_option_type_name(tp_option_type type);

/* Describes what an option accepts, e.g. "an integer from 1 to 50", "one of \"a\", \"b\"".
 * Writes into `buffer` and returns it. */
const char *tp_option_expectation(const tp_option *option, char *buffer, size_t size);

/* Nonzero when an INT or NUMBER option declares a range (min < max; both 0 means none). */
int tp_option_has_range(const tp_option *option);

#endif /* TP_CORE_CONFIG_SCHEMA_H */
