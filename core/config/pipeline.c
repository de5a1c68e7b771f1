/* core/config/pipeline.c - loading and validating pipeline files (pipeline.h).
 *
 * The load is one pass over the file in document order, so the first mistake in the file is
 * the one reported, then two checks that need every stage (requires/uses/provides order), then
 * create() for each stage. Every message starts with the file and the JSON path it is about.
 * All failures go through one cleanup: tp_pipeline_free() of the partly built pipeline.
 */
#include "pipeline.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_bind.h"
#include "config_schema.h"
#include "json_source.h"
#include "log.h"
#include "message.h"
#include "names.h"
#include "plugin_loader.h"

#define MAX_RECORD_BYTES_DEFAULT (16u * 1024u * 1024u)

typedef struct loader {
  const char *file;         /* the pipeline file as given */
  char base_dir[PATH_MAX];  /* its folder, absolute */
  char given_dir[PATH_MAX]; /* its folder as given ("" for the current one), for messages */
  const tp_loader_options *options;
  tp_pipeline *pipeline;
  tp_error *err;
  tp_json_path path; /* where in the document we are */
} loader;

static int fail(loader *load, const char *fmt, ...) TP_PRINTF(2, 3);

/* Writes "<file>: <path>: <message>" (no path at the root) and returns -1. */
static int fail(loader *load, const char *fmt, ...) {
  char message[TP_ERROR_SIZE];
  va_list args;
  va_start(args, fmt);
  vsnprintf(message, sizeof message, fmt, args);
  va_end(args);
  if (load->path.length > 0)
    tp_format(load->err->message, sizeof load->err->message, "%s: %s: %s", load->file,
              load->path.text, message);
  else
    tp_format(load->err->message, sizeof load->err->message, "%s: %s", load->file, message);
  return -1;
}

static int fail_type(loader *load, const cJSON *value, const char *expected) {
  char got[64];
  return fail(load, "expected %s, got %s", expected, tp_json_describe(value, got, sizeof got));
}

/* Refuses duplicate and unknown keys of `object` (with the nearest allowed key as a hint). */
static int check_keys(loader *load, const cJSON *object, const char *const *allowed,
                      size_t allowed_count) {
  const cJSON *duplicate = tp_json_duplicate_key(object);
  if (duplicate != NULL) {
    tp_json_path_key(&load->path, duplicate->string);
    return fail(load, "duplicate key");
  }
  for (const cJSON *member = object->child; member != NULL; member = member->next) {
    size_t i = 0;
    while (i < allowed_count && strcmp(allowed[i], member->string) != 0)
      i++;
    if (i < allowed_count)
      continue;
    char hint[300];
    size_t used = 0;
    const char *nearest = tp_name_nearest(member->string, allowed, allowed_count);
    hint[0] = '\0';
    if (nearest != NULL)
      used = tp_format(hint, sizeof hint, " (did you mean \"%s\"?)", nearest);
    used += tp_format(hint + used, sizeof hint - used, "; allowed keys:");
    for (size_t k = 0; k < allowed_count && used < sizeof hint; k++)
      used += tp_format(hint + used, sizeof hint - used, "%s %s", k == 0 ? "" : ",", allowed[k]);
    tp_json_path_key(&load->path, member->string);
    return fail(load, "unknown key%s", hint);
  }
  return 0;
}

/* Reads optional string member `key` into a new string (*out stays NULL when absent). */
static int optional_string(loader *load, const cJSON *object, const char *key, int non_empty,
                           char **out) {
  const cJSON *value = cJSON_GetObjectItemCaseSensitive(object, key);
  if (value == NULL)
    return 0;
  size_t mark = tp_json_path_key(&load->path, key);
  if (!cJSON_IsString(value) || (non_empty && value->valuestring[0] == '\0'))
    return fail_type(load, value, non_empty ? "a non-empty string" : "a string");
  tp_json_path_restore(&load->path, mark);
  if ((*out = strdup(value->valuestring)) == NULL)
    return fail(load, "out of memory");
  return 0;
}

/* Reads member `key`, which must be one of `choices`, as an index into them. */
static int optional_choice(loader *load, const cJSON *object, const char *key,
                           const char *const *choices, size_t count, const char *expected,
                           int *out) {
  const cJSON *value = cJSON_GetObjectItemCaseSensitive(object, key);
  if (value == NULL)
    return 0;
  size_t mark = tp_json_path_key(&load->path, key);
  for (size_t i = 0; cJSON_IsString(value) && i < count; i++) {
    if (strcmp(value->valuestring, choices[i]) == 0) {
      *out = (int)i;
      tp_json_path_restore(&load->path, mark);
      return 0;
    }
  }
  return fail_type(load, value, expected);
}

static int dotted_path_ok(const char *text) {
  if (*text == '\0' || *text == '.' || text[strlen(text) - 1] == '.')
    return 0;
  return strstr(text, "..") == NULL;
}

static int load_input(loader *load, const cJSON *input) {
  static const char *const keys[] = {"format", "text_field", "max_record_bytes"};
  static const char *const formats[] = {"ndjson", "lines", "csv"};
  tp_pipeline *pipeline = load->pipeline;
  int format = TP_INPUT_NDJSON;
  if (input == NULL)
    return 0;
  size_t mark = tp_json_path_key(&load->path, "input");
  size_t here = load->path.length;
  if (!cJSON_IsObject(input))
    return fail_type(load, input, "an object");
  if (check_keys(load, input, keys, 3) != 0 ||
      optional_choice(load, input, "format", formats, 3, "\"ndjson\", \"lines\" or \"csv\"",
                      &format) != 0)
    return -1;
  pipeline->input_format = (tp_input_format)format;
  const cJSON *field = cJSON_GetObjectItemCaseSensitive(input, "text_field");
  if (field != NULL) {
    tp_json_path_key(&load->path, "text_field");
    if (!cJSON_IsString(field) || !dotted_path_ok(field->valuestring))
      return fail_type(load, field, "a field name or dotted path such as \"comment.body\"");
    free(pipeline->text_field);
    if ((pipeline->text_field = strdup(field->valuestring)) == NULL)
      return fail(load, "out of memory");
    tp_json_path_restore(&load->path, here);
  }
  const cJSON *limit = cJSON_GetObjectItemCaseSensitive(input, "max_record_bytes");
  if (limit != NULL) {
    tp_json_path_key(&load->path, "max_record_bytes");
    if (!cJSON_IsNumber(limit) || limit->valuedouble < 1 ||
        limit->valuedouble > (double)TP_MAX_RECORD_BYTES_LIMIT ||
        (double)(uint64_t)limit->valuedouble != limit->valuedouble)
      return fail_type(load, limit, "an integer from 1 to 1073741824");
    pipeline->max_record_bytes = (uint64_t)limit->valuedouble;
  }
  tp_json_path_restore(&load->path, mark);
  return 0;
}

/* Reads "source" or "sink" (`what`): {"url": "redis://HOST:PORT/STREAM", KEY: VALUE...}, with
 * `keys` allowed beside "url" (each a string or a whole number), into one URL whose query
 * carries the keys (broker/redis_link.h). */
static int load_endpoint(loader *load, const cJSON *root, const char *what, const char *const *keys,
                         size_t key_count, char **out) {
  const cJSON *object = cJSON_GetObjectItemCaseSensitive(root, what);
  if (object == NULL)
    return 0;
  size_t mark = tp_json_path_key(&load->path, what);
  if (!cJSON_IsObject(object))
    return fail_type(load, object, "an object with \"url\"");
  if (check_keys(load, object, keys, key_count) != 0)
    return -1;
  const cJSON *url = cJSON_GetObjectItemCaseSensitive(object, "url");
  if (url == NULL)
    return fail(load, "missing \"url\" (redis://HOST:PORT/STREAM)");
  size_t here = tp_json_path_key(&load->path, "url");
  if (!cJSON_IsString(url) || strncmp(url->valuestring, "redis://", 8) != 0 ||
      strchr(url->valuestring, '?') != NULL)
    return fail_type(load, url, "a URL redis://HOST:PORT/STREAM (options as keys beside it)");
  tp_json_path_restore(&load->path, here);
  char text[2048];
  size_t used = tp_format(text, sizeof text, "%s", url->valuestring);
  char separator = '?';
  for (const cJSON *member = object->child; member != NULL; member = member->next) {
    if (strcmp(member->string, "url") == 0)
      continue;
    tp_json_path_key(&load->path, member->string);
    char value[64];
    if (cJSON_IsBool(member))
      tp_format(value, sizeof value, "%d", cJSON_IsTrue(member) ? 1 : 0);
    else if (cJSON_IsNumber(member) && member->valuedouble >= 0 && member->valuedouble < 4e9 &&
             member->valuedouble == (double)(uint64_t)member->valuedouble)
      tp_format(value, sizeof value, "%llu", (unsigned long long)member->valuedouble);
    else if (cJSON_IsString(member) && member->valuestring[0] != '\0' &&
             strlen(member->valuestring) < sizeof value &&
             strpbrk(member->valuestring, "&?=# ") == NULL)
      tp_format(value, sizeof value, "%s", member->valuestring);
    else
      return fail_type(load, member, "a name (no & ? = # or space), a whole number or a boolean");
    tp_json_path_restore(&load->path, here);
    used += tp_format(text + used, sizeof text - used, "%c%s=%s", separator, member->string, value);
    separator = '&';
  }
  tp_json_path_restore(&load->path, mark);
  if ((*out = strdup(text)) == NULL)
    return fail(load, "out of memory");
  return 0;
}

/* The handle for the file at `handle->path` if the pipeline already opened it. */
static tp_plugin_handle *shared_handle(tp_pipeline *pipeline, tp_plugin_handle *handle) {
  for (size_t i = 0; i < pipeline->handle_count; i++) {
    if (strcmp(pipeline->handles[i]->path, handle->path) == 0)
      return pipeline->handles[i];
  }
  return NULL;
}

/* Opens the stage's plugin from "plugin" or "path" and records it in the pipeline. */
static int open_stage_plugin(loader *load, const cJSON *spec, tp_plugin_handle **out) {
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(spec, "plugin");
  const cJSON *file = cJSON_GetObjectItemCaseSensitive(spec, "path");
  tp_plugin_handle *handle = NULL;
  tp_error error;
  char joined[PATH_MAX + 2];
  if ((name == NULL) == (file == NULL))
    return fail(load, "give either \"plugin\" (a plugin name) or \"path\" (a .so file)%s",
                name != NULL ? ", not both" : "");
  tp_json_path_key(&load->path, name != NULL ? "plugin" : "path");
  const cJSON *value = name != NULL ? name : file;
  if (!cJSON_IsString(value) || value->valuestring[0] == '\0')
    return fail_type(load, value, name != NULL ? "a plugin name" : "a file path");
  if (name != NULL && !tp_name_is_valid(name->valuestring))
    return fail(load,
                "invalid plugin name \"%s\" (use only a-z, 0-9, '_' and '-'; to load a file, "
                "give \"path\" instead)",
                name->valuestring);
  if (file != NULL) {
    if (file->valuestring[0] == '/')
      tp_format(joined, sizeof joined, "%s", file->valuestring);
    else
      tp_format(joined, sizeof joined, "%s%s%s", load->given_dir,
                load->given_dir[0] != '\0' ? "/" : "", file->valuestring);
  }
  if (tp_plugin_open(name != NULL ? name->valuestring : NULL, file != NULL ? joined : NULL,
                     load->options, &handle, &error) != 0)
    return fail(load, "%s", error.message);
  tp_plugin_handle *existing = shared_handle(load->pipeline, handle);
  if (existing != NULL) {
    tp_plugin_close(handle);
    *out = existing;
    return 0;
  }
  tp_pipeline *pipeline = load->pipeline;
  tp_plugin_handle **grown =
      realloc(pipeline->handles, (pipeline->handle_count + 1) * sizeof *grown);
  if (grown == NULL) {
    tp_plugin_close(handle);
    return fail(load, "out of memory");
  }
  pipeline->handles = grown;
  pipeline->handles[pipeline->handle_count++] = handle;
  *out = handle;
  return 0;
}

/* The folder part of `file` as written: "." for a bare name, "/" for a file at the root. */
static void folder_as_written(const char *file, char *out, size_t size) {
  const char *slash = strrchr(file, '/');
  if (slash == NULL)
    tp_format(out, size, ".");
  else
    tp_format(out, size, "%.*s", slash == file ? 1 : (int)(slash - file), file);
}

/* The folder of `file` as written (so a symlinked file's neighbours are the link's, and
 * /dev/stdin works), made absolute. Returns 0, or -1 when the folder cannot be resolved. */
static int folder_of(const char *file, char *out, size_t size) {
  char folder[PATH_MAX];
  char resolved[PATH_MAX];
  folder_as_written(file, folder, sizeof folder);
  if (realpath(folder, resolved) == NULL)
    return -1;
  tp_format(out, size, "%s", resolved);
  return 0;
}

static int load_stage(loader *load, const cJSON *spec, size_t index) {
  static const char *const keys[] = {"plugin", "path", "id", "config"};
  tp_pipeline *pipeline = load->pipeline;
  struct tp_stage *stage = &pipeline->stages[index];
  size_t mark = tp_json_path_index(&load->path, index);
  size_t here = load->path.length;
  stage->index = index;
  stage->pipeline = pipeline;
  if (!cJSON_IsObject(spec))
    return fail_type(load, spec, "a stage object such as {\"plugin\": \"NAME\"}");
  if (check_keys(load, spec, keys, 4) != 0 || open_stage_plugin(load, spec, &stage->handle) != 0)
    return -1;
  tp_json_path_restore(&load->path, here);
  const tp_plugin *plugin = stage->handle->plugin;
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(spec, "id");
  if (id != NULL) {
    tp_json_path_key(&load->path, "id");
    if (!cJSON_IsString(id) || !tp_name_is_valid(id->valuestring))
      return fail_type(load, id, "an id of a-z, 0-9, '_' and '-'");
  }
  if ((stage->id = strdup(id != NULL ? id->valuestring : plugin->name)) == NULL)
    return fail(load, "out of memory");
  for (size_t i = 0; i < index; i++) {
    if (strcmp(pipeline->stages[i].id, stage->id) == 0)
      return fail(load, "duplicate stage id \"%s\" (stages[%zu] has it too)%s", stage->id, i,
                  id == NULL ? "; give one of them an \"id\"" : "");
  }
  tp_json_path_restore(&load->path, here);
  tp_json_path_key(&load->path, "config");
  char plugin_dir[PATH_MAX];
  if (folder_of(stage->handle->path, plugin_dir, sizeof plugin_dir) != 0)
    return fail(load, "%s: cannot resolve the plugin's folder", stage->handle->path);
  tp_config_context context = {load->file, load->base_dir, plugin_dir};
  if (tp_config_validate(plugin->options, cJSON_GetObjectItemCaseSensitive(spec, "config"),
                         &context, &load->path, &stage->config, load->err) != 0)
    return -1;
  if (plugin->config_size > 0) {
    if ((stage->bound_config = calloc(1, plugin->config_size)) == NULL)
      return fail(load, "out of memory");
    tp_config_bind(plugin->options, stage->config, stage->bound_config);
  }
  tp_json_path_restore(&load->path, mark);
  return 0;
}

/* Whether the NULL-terminated list `keys` (NULL: none) holds the first `length` bytes of `key`
 * as a whole entry. */
static int lists_key(const char *const *keys, const char *key, size_t length) {
  for (size_t i = 0; keys != NULL && keys[i] != NULL; i++)
    if (strncmp(keys[i], key, length) == 0 && keys[i][length] == '\0')
      return 1;
  return 0;
}

/* Whether `plugin` provides the top-level key `key` (its first `length` bytes). */
static int provides_key(const tp_plugin *plugin, const char *key, size_t length) {
  return lists_key(plugin->provides_keys, key, length);
}

/* The name of an available plugin that provides `key`, copied into `out`; 0 if none. */
static int find_provider(loader *load, const char *key, char *out, size_t size) {
  char **names = NULL;
  int found = 0;
  if (tp_plugin_names(load->options, &names) != 0)
    return 0;
  for (size_t i = 0; names[i] != NULL && !found; i++) {
    tp_plugin_handle *handle = NULL;
    tp_error ignored;
    if (tp_plugin_open(names[i], NULL, load->options, &handle, &ignored) != 0)
      continue; /* a broken plugin cannot be the answer */
    if (provides_key(handle->plugin, key, strlen(key))) {
      tp_format(out, size, "%s", names[i]);
      found = 1;
    }
    tp_plugin_close(handle);
  }
  tp_plugin_names_free(names);
  return found;
}

/* The option a plugin's start-up error is about, when the message names one that the stage's
 * config sets ("pool_size: 1 is smaller than ...", "config.negative_threshold (...) is ..."):
 * its name (an entry of plugin->options), or NULL. */
static const char *option_named_by(const tp_plugin *plugin, const cJSON *config,
                                   const char *message) {
  if (strncmp(message, "config.", 7) == 0)
    message += 7;
  for (size_t i = 0; plugin->options != NULL && plugin->options[i].name != NULL; i++) {
    const char *name = plugin->options[i].name;
    size_t length = strlen(name);
    if (strncmp(message, name, length) == 0 && strchr(":. (", message[length]) != NULL &&
        message[length] != '\0' && cJSON_GetObjectItemCaseSensitive(config, name) != NULL)
      return name;
  }
  return NULL;
}

/* Whether the created stage provides the top-level key `key` (its first `length` bytes):
 * its plugin's provides_keys or the keys its instance declared (stage_keys(): a script's
 * provides, a config option). */
static int stage_provides_key(const tp_stage *stage, const char *key, size_t length) {
  return provides_key(stage->handle->plugin, key, length) || lists_key(stage->keys, key, length);
}

/* The index of the first stage in [from, to) that provides the top-level key of `key` (its
 * part before the first '.'), or `to`. */
static size_t provider_in(const tp_pipeline *pipeline, const char *key, size_t from, size_t to) {
  size_t length = strcspn(key, ".");
  while (from < to && !stage_provides_key(&pipeline->stages[from], key, length))
    from++;
  return from;
}

/* Stage `s` needs `key` (`how`: "requires" or "uses") and no earlier stage provides it: fails
 * with a message naming the stage to move or to add. */
static int missing_key(loader *load, size_t s, const char *how, const char *key) {
  tp_pipeline *pipeline = load->pipeline;
  const tp_stage *stage = &pipeline->stages[s];
  char message[TP_ERROR_SIZE - 300];
  char provider[128];
  char root[128];
  tp_json_path_key(&load->path, "stages");
  tp_json_path_index(&load->path, s);
  tp_format(message, sizeof message,
            "stage \"%s\" (plugin %s) %s \"%s\", which no earlier stage provides", stage->id,
            stage->handle->plugin->name, how, key);
  size_t later = provider_in(pipeline, key, s + 1, pipeline->stage_count);
  if (later < pipeline->stage_count)
    return fail(load, "%s; stage \"%s\" (stages[%zu]) provides it: move it before this one",
                message, pipeline->stages[later].id, later);
  tp_format(root, sizeof root, "%.*s", (int)strcspn(key, "."), key);
  if (find_provider(load, root, provider, sizeof provider))
    return fail(load, "%s; add a stage {\"plugin\": \"%s\"} before it", message, provider);
  return fail(load, "%s, and no available plugin provides it", message);
}

/* Stage `s` would read the optional `key` that only the later stage `later` provides: warns,
 * naming both stages and the key. */
static void late_optional_key(const loader *load, size_t s, size_t later, const tp_key_use *use) {
  const tp_stage *stages = load->pipeline->stages;
  tp_log(TP_LOG_WARN, NULL,
         "%s: stages[%zu]: stage \"%s\" (plugin %s) reads \"%s\"%s (optional), but stage \"%s\" "
         "(stages[%zu]) provides it only after it runs: move \"%s\" before \"%s\" to use it",
         load->file, s, stages[s].id, stages[s].handle->plugin->name, use->key,
         use->flags & TP_USE_REPORT_SECTION ? " and that stage's report section" : "",
         stages[later].id, later, stages[later].id, stages[s].id);
}

/* Every key a stage requires, and every required key it uses, must be provided by an earlier
 * stage (the error names the fix); an optional key provided only later is warned about. A key
 * used from a report section is read in finish(), which runs in stage order too. */
static int check_order(loader *load) {
  tp_pipeline *pipeline = load->pipeline;
  for (size_t s = 0; s < pipeline->stage_count; s++) {
    const tp_plugin *plugin = pipeline->stages[s].handle->plugin;
    for (size_t r = 0; plugin->requires_keys != NULL && plugin->requires_keys[r] != NULL; r++) {
      if (provider_in(pipeline, plugin->requires_keys[r], 0, s) == s)
        return missing_key(load, s, "requires", plugin->requires_keys[r]);
    }
    for (size_t u = 0; plugin->uses != NULL && plugin->uses[u].key != NULL; u++) {
      const tp_key_use *use = &plugin->uses[u];
      if (provider_in(pipeline, use->key, 0, s) < s)
        continue;
      if (!(use->flags & TP_USE_OPTIONAL))
        return missing_key(load, s, "uses", use->key);
      size_t later = provider_in(pipeline, use->key, s + 1, pipeline->stage_count);
      if (later < pipeline->stage_count)
        late_optional_key(load, s, later, use);
    }
  }
  return 0;
}

static int create_stages(loader *load) {
  tp_pipeline *pipeline = load->pipeline;
  const tp_host *host = load->options != NULL ? load->options->host : NULL;
  for (size_t s = 0; s < pipeline->stage_count; s++) {
    struct tp_stage *stage = &pipeline->stages[s];
    const tp_plugin *plugin = stage->handle->plugin;
    char message[TP_ERROR_SIZE - 200];
    if (plugin->create == NULL)
      continue;
    tp_json_path_key(&load->path, "stages");
    tp_json_path_index(&load->path, s);
    if (host == NULL)
      return fail(load, "cannot create stage \"%s\": no host table (internal error)", stage->id);
    message[0] = '\0';
    if (plugin->create(host, stage, stage->config, &stage->instance, message, sizeof message) !=
        0) {
      stage->instance = NULL;
      const char *option = option_named_by(plugin, stage->config, message);
      if (option != NULL) { /* point at the option, not only at the stage */
        tp_json_path_key(&load->path, "config");
        tp_json_path_key(&load->path, option);
      }
      return fail(load, "stage \"%s\" (plugin %s) failed to start: %s", stage->id, plugin->name,
                  message[0] != '\0' ? message : "no reason given");
    }
    if (plugin->stage_keys != NULL)
      stage->keys = plugin->stage_keys(stage->instance);
    tp_json_path_restore(&load->path, 0);
  }
  return 0;
}

/* The file name without folder and ".json", as the default pipeline name. */
static char *default_name(const char *file) {
  const char *base = strrchr(file, '/');
  base = base != NULL ? base + 1 : file;
  size_t length = strlen(base);
  if (length > 5 && strcmp(base + length - 5, ".json") == 0)
    length -= 5;
  return strndup(base, length);
}

static int load_document(loader *load, const cJSON *root) {
  static const char *const keys[] = {"name",     "description", "input", "stages",
                                     "on_error", "source",      "sink"};
  static const char *const source_keys[] = {"url",   "group", "consumer", "field",     "count",
                                            "block", "idle",  "claim",    "checkpoint"};
  static const char *const sink_keys[] = {"url", "dead", "maxlen", "field", "exactly_once"};
  static const char *const on_error[] = {"dead_letter", "stop"};
  tp_pipeline *pipeline = load->pipeline;
  int policy = TP_ON_ERROR_DEAD_LETTER;
  if (!cJSON_IsObject(root))
    return fail_type(load, root, "a JSON object with \"stages\"");
  if (check_keys(load, root, keys, 7) != 0 ||
      load_endpoint(load, root, "source", source_keys, 9, &pipeline->source_url) != 0 ||
      load_endpoint(load, root, "sink", sink_keys, 5, &pipeline->sink_url) != 0 ||
      optional_string(load, root, "name", 1, &pipeline->name) != 0 ||
      optional_string(load, root, "description", 0, &pipeline->description) != 0 ||
      load_input(load, cJSON_GetObjectItemCaseSensitive(root, "input")) != 0)
    return -1;
  const cJSON *stages = cJSON_GetObjectItemCaseSensitive(root, "stages");
  if (stages == NULL)
    return fail(load, "missing \"stages\" (an array of stages, may be empty)");
  tp_json_path_key(&load->path, "stages");
  if (!cJSON_IsArray(stages))
    return fail_type(load, stages, "an array of stages");
  size_t count = (size_t)cJSON_GetArraySize(stages);
  if (count > TP_MAX_STAGES) {
    tp_json_path_index(&load->path, TP_MAX_STAGES);
    return fail(load, "too many stages: %zu (a pipeline has at most %d)", count, TP_MAX_STAGES);
  }
  if (count > 0 && (pipeline->stages = calloc(count, sizeof *pipeline->stages)) == NULL)
    return fail(load, "out of memory");
  const cJSON *spec = stages->child;
  for (size_t i = 0; i < count; i++, spec = spec->next) {
    pipeline->stage_count = i + 1; /* so that cleanup sees the partly built stage */
    if (load_stage(load, spec, i) != 0)
      return -1;
  }
  tp_json_path_restore(&load->path, 0);
  if (optional_choice(load, root, "on_error", on_error, 2, "\"dead_letter\" or \"stop\"",
                      &policy) != 0)
    return -1;
  pipeline->on_error = (tp_on_error)policy;
  if (pipeline->name == NULL && (pipeline->name = default_name(load->file)) == NULL)
    return fail(load, "out of memory");
  /* Stages are created first: the order check then knows the keys they declare. */
  if (create_stages(load) != 0 || check_order(load) != 0)
    return -1;
  pipeline->concurrent = 1;
  for (size_t s = 0; s < pipeline->stage_count; s++) {
    if (!(pipeline->stages[s].handle->plugin->flags & TP_PLUGIN_CONCURRENT))
      pipeline->concurrent = 0;
  }
  return 0;
}

/* Turns "<file>: <path>: ..." (every error about a key) into "<file>:<line>:<col>: <path>: ...",
 * the line and column of the key (or array element) the JSON path names in the file's text.
 * The path is read from the message, which may name a key below the loader's own path. */
static void add_position(tp_error *err, const char *file, const char *text, size_t length) {
  size_t file_length = strlen(file);
  const char *message = err->message;
  if (strncmp(message, file, file_length) != 0 || strncmp(message + file_length, ": ", 2) != 0)
    return;
  const char *path = message + file_length + 2;
  const char *path_end = strstr(path, ": ");
  if (path_end == NULL || path_end == path || (size_t)(path_end - path) >= 512 ||
      !(isalpha((unsigned char)path[0]) || path[0] == '_' || path[0] == '['))
    return;
  char wanted[512];
  tp_format(wanted, sizeof wanted, "%.*s", (int)(path_end - path), path);
  if (strchr(wanted, ' ') != NULL && strchr(wanted, '[') == NULL)
    return; /* words, not a path */
  size_t offset = tp_json_locate(text, length, wanted), line, column;
  if (offset == 0)
    return;
  tp_json_position(text, offset, &line, &column);
  char rest[TP_ERROR_SIZE];
  tp_format(rest, sizeof rest, "%s", path);
  tp_format(err->message, sizeof err->message, "%s:%zu:%zu: %s", file, line, column, rest);
}

int tp_pipeline_load(const char *path, const tp_loader_options *options, tp_pipeline **out,
                     tp_error *err) {
  cJSON *root = NULL;
  char *text = NULL;
  size_t length = 0;
  loader load = {.file = path, .options = options, .err = err};
  tp_json_path_init(&load.path);
  *out = NULL;
  if (tp_json_load_file_text(path, &root, &text, &length, err) != 0)
    return -1;
  load.pipeline = calloc(1, sizeof *load.pipeline);
  if (load.pipeline == NULL || (load.pipeline->path = strdup(path)) == NULL ||
      (load.pipeline->text_field = strdup("text")) == NULL) {
    tp_format(err->message, sizeof err->message, "%s: out of memory", path);
    goto fail;
  }
  load.pipeline->max_record_bytes = MAX_RECORD_BYTES_DEFAULT;
  if (strchr(path, '/') != NULL) /* else "": stage paths stay as written */
    folder_as_written(path, load.given_dir, sizeof load.given_dir);
  if (folder_of(path, load.base_dir, sizeof load.base_dir) != 0) {
    tp_format(err->message, sizeof err->message, "%s: cannot resolve its folder", path);
    goto fail;
  }
  if (load_document(&load, root) != 0) {
    add_position(err, path, text, length);
    goto fail;
  }
  cJSON_Delete(root);
  free(text);
  *out = load.pipeline;
  return 0;
fail:
  cJSON_Delete(root);
  free(text);
  tp_pipeline_free(load.pipeline);
  return -1;
}

void tp_pipeline_free(tp_pipeline *pipeline) {
  if (pipeline == NULL)
    return;
  for (size_t s = pipeline->stage_count; s-- > 0;) {
    struct tp_stage *stage = &pipeline->stages[s];
    if (stage->instance != NULL && stage->handle->plugin->destroy != NULL)
      stage->handle->plugin->destroy(stage->instance);
    cJSON_Delete(stage->config);
    free(stage->bound_config);
    free(stage->id);
  }
  free(pipeline->stages);
  for (size_t h = 0; h < pipeline->handle_count; h++)
    tp_plugin_close(pipeline->handles[h]);
  free(pipeline->handles);
  free(pipeline->path);
  free(pipeline->name);
  free(pipeline->description);
  free(pipeline->text_field);
  free(pipeline->source_url);
  free(pipeline->sink_url);
  free(pipeline);
}
