/* core/config/config_schema.c - validating stage configs against tp_option tables
 * (config_schema.h).
 *
 * Every problem is reported with the JSON path of the offending key and what was expected,
 * in the words `textpipe plugins NAME` uses, so the message and the documentation agree.
 */
#include "config_schema.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "message.h"
#include "names.h"

const char *tp_option_type_name(tp_option_type type) {
  switch (type) {
  case TP_OPTION_BOOL:
    return "bool";
  case TP_OPTION_INT:
    return "int";
  case TP_OPTION_NUMBER:
    return "number";
  case TP_OPTION_STRING:
    return "string";
  case TP_OPTION_ENUM:
    return "enum";
  case TP_OPTION_STRING_LIST:
    return "string list";
  case TP_OPTION_OBJECT:
    return "object";
  case TP_OPTION_PATH:
    return "path";
  }
  return "unknown";
}

int tp_option_has_range(const tp_option *option) {
  return option->min < option->max;
}

/* A bound as people write it: 1048576 rather than 1.04858e+06, 0.05 as 0.05. */
static const char *number_text(double value, char *buffer, size_t size) {
  if (floor(value) == value && fabs(value) < 1e15)
    tp_format(buffer, size, "%.0f", value);
  else
    tp_format(buffer, size, "%.15g", value);
  return buffer;
}

const char *tp_option_expectation(const tp_option *option, char *buffer, size_t size) {
  size_t used = 0;
  switch (option->type) {
  case TP_OPTION_BOOL:
    tp_format(buffer, size, "true or false");
    break;
  case TP_OPTION_INT:
  case TP_OPTION_NUMBER: {
    const char *noun = option->type == TP_OPTION_INT ? "an integer" : "a number";
    if (tp_option_has_range(option)) {
      char low[32];
      char high[32];
      tp_format(buffer, size, "%s from %s to %s", noun, number_text(option->min, low, sizeof low),
                number_text(option->max, high, sizeof high));
    } else
      tp_format(buffer, size, "%s", noun);
    break;
  }
  case TP_OPTION_STRING:
    tp_format(buffer, size, "a string");
    break;
  case TP_OPTION_ENUM:
    used = tp_format(buffer, size, "one of");
    for (size_t i = 0; option->choices != NULL && option->choices[i] != NULL; i++) {
      if (used < size)
        used += tp_format(buffer + used, size - used, "%s \"%s\"", i == 0 ? "" : ",",
                          option->choices[i]);
    }
    break;
  case TP_OPTION_STRING_LIST:
    tp_format(buffer, size, "an array of strings");
    break;
  case TP_OPTION_OBJECT:
    tp_format(buffer, size, "an object");
    break;
  case TP_OPTION_PATH:
    tp_format(buffer, size, "a file path (a string)");
    break;
  default:
    tp_format(buffer, size, "nothing (unknown option type %d)", (int)option->type);
    break;
  }
  return buffer;
}

/* Resolves `relative` against `dir` and checks it is a readable regular file. Returns a new
 * cJSON string with the absolute path, or NULL with `reason` filled (naming the file as
 * written, so messages do not depend on where the tree is). */
static cJSON *resolve_path(const char *relative, const char *dir, const char *dir_owner,
                           char *reason, size_t size) {
  char joined[PATH_MAX];
  char resolved[PATH_MAX];
  char where[64] = "";
  if (relative[0] != '/' && dir != NULL)
    tp_format(where, sizeof where, " (relative to the %s)", dir_owner);
  if (relative[0] == '\0') {
    tp_format(reason, size, "expected a file path, got an empty string");
    return NULL;
  }
  if (relative[0] == '/' || dir == NULL)
    tp_format(joined, sizeof joined, "%s", relative);
  else
    tp_format(joined, sizeof joined, "%s/%s", dir, relative);
  struct stat info;
  if (realpath(joined, resolved) == NULL || stat(resolved, &info) != 0) {
    tp_format(reason, size, "cannot read \"%s\"%s: %s", relative, where, strerror(errno));
    return NULL;
  }
  if (!S_ISREG(info.st_mode)) {
    tp_format(reason, size, "\"%s\"%s is not a regular file", relative, where);
    return NULL;
  }
  if (access(resolved, R_OK) != 0) {
    tp_format(reason, size, "cannot read \"%s\"%s: %s", relative, where, strerror(errno));
    return NULL;
  }
  return cJSON_CreateString(resolved);
}

/* Checks one value against its option; relative PATH values are resolved against `dir`
 * (the folder of the `dir_owner`, for messages). Returns the value to store (a new cJSON owned by
 * the caller), or NULL with `reason` set to the message that follows the JSON path. */
static cJSON *check_value(const tp_option *option, const cJSON *value, const char *dir,
                          const char *dir_owner, char *reason, size_t size) {
  char expected[700];
  char got[64];
  tp_option_expectation(option, expected, sizeof expected);
  tp_json_describe(value, got, sizeof got);
  int ok = 0;
  switch (option->type) {
  case TP_OPTION_BOOL:
    ok = cJSON_IsBool(value);
    break;
  case TP_OPTION_INT:
    ok = cJSON_IsNumber(value) && floor(value->valuedouble) == value->valuedouble &&
         fabs(value->valuedouble) <= 9007199254740992.0 &&
         (!tp_option_has_range(option) ||
          (value->valuedouble >= option->min && value->valuedouble <= option->max));
    break;
  case TP_OPTION_NUMBER:
    ok = cJSON_IsNumber(value) &&
         (!tp_option_has_range(option) ||
          (value->valuedouble >= option->min && value->valuedouble <= option->max));
    break;
  case TP_OPTION_STRING:
    ok = cJSON_IsString(value);
    break;
  case TP_OPTION_ENUM:
    for (size_t i = 0;
         cJSON_IsString(value) && option->choices != NULL && option->choices[i] != NULL; i++) {
      if (strcmp(option->choices[i], value->valuestring) == 0)
        ok = 1;
    }
    break;
  case TP_OPTION_STRING_LIST:
    ok = cJSON_IsArray(value);
    for (const cJSON *item = ok ? value->child : NULL; item != NULL; item = item->next) {
      if (!cJSON_IsString(item)) {
        int index = 0;
        for (const cJSON *before = value->child; before != item; before = before->next)
          index++;
        tp_format(reason, size, "[%d]: expected a string, got %s", index,
                  tp_json_describe(item, got, sizeof got));
        return NULL;
      }
    }
    break;
  case TP_OPTION_OBJECT:
    ok = cJSON_IsObject(value);
    break;
  case TP_OPTION_PATH:
    if (cJSON_IsString(value))
      return resolve_path(value->valuestring, dir, dir_owner, reason, size);
    break;
  }
  if (!ok) {
    size_t used = tp_format(reason, size, "expected %s, got %s", expected, got);
    const char *nearest = NULL;
    if (option->type == TP_OPTION_ENUM && cJSON_IsString(value)) {
      size_t count = 0;
      while (option->choices[count] != NULL)
        count++;
      nearest = tp_name_nearest(value->valuestring, option->choices, count);
    }
    if (nearest != NULL)
      tp_format(reason + used, size - used, " (did you mean \"%s\"?)", nearest);
    return NULL;
  }
  cJSON *copy = cJSON_Duplicate(value, 1);
  if (copy == NULL)
    tp_format(reason, size, "out of memory");
  return copy;
}

static const tp_option *find_option(const tp_option *options, const char *name) {
  for (size_t i = 0; options != NULL && options[i].name != NULL; i++) {
    if (strcmp(options[i].name, name) == 0)
      return &options[i];
  }
  return NULL;
}

/* "; did you mean "x"?" / "; options: a, b" / "; this plugin takes no options". */
static void unknown_key_hint(const tp_option *options, const char *key, char *hint, size_t size) {
  const char *names[64];
  size_t count = 0;
  while (options != NULL && options[count].name != NULL && count < 64) {
    names[count] = options[count].name;
    count++;
  }
  if (count == 0) {
    tp_format(hint, size, " (this plugin takes no options)");
    return;
  }
  const char *nearest = tp_name_nearest(key, names, count);
  size_t used = 0;
  if (nearest != NULL)
    used = tp_format(hint, size, " (did you mean \"%s\"?)", nearest);
  used += tp_format(hint + used, size > used ? size - used : 0, "; valid options:");
  for (size_t i = 0; i < count && used < size; i++)
    used += tp_format(hint + used, size - used, "%s %s", i == 0 ? "" : ",", names[i]);
}

int tp_config_validate(const tp_option *options, const cJSON *config,
                       const tp_config_context *context, tp_json_path *path, cJSON **out,
                       tp_error *err) {
  char reason[TP_ERROR_SIZE - 200];
  char got[64];
  cJSON *result = NULL;
  const cJSON *duplicate = tp_json_duplicate_key(config);
  if (config != NULL && !cJSON_IsObject(config)) {
    tp_format(err->message, sizeof err->message, "%s: %s: expected an object, got %s",
              context->file, path->text, tp_json_describe(config, got, sizeof got));
    return -1;
  }
  if (duplicate != NULL) {
    size_t mark = tp_json_path_key(path, duplicate->string);
    tp_format(err->message, sizeof err->message, "%s: %s: duplicate key", context->file,
              path->text);
    tp_json_path_restore(path, mark);
    return -1;
  }
  result = cJSON_CreateObject();
  if (result == NULL)
    goto out_of_memory;
  /* Given keys, in the file's order, so the first mistake in the file is the one reported. */
  for (const cJSON *member = config != NULL ? config->child : NULL; member != NULL;
       member = member->next) {
    size_t mark = tp_json_path_key(path, member->string);
    const tp_option *option = find_option(options, member->string);
    if (option == NULL) {
      unknown_key_hint(options, member->string, reason, sizeof reason);
      tp_format(err->message, sizeof err->message, "%s: %s: unknown option%s", context->file,
                path->text, reason);
      tp_json_path_restore(path, mark);
      goto fail;
    }
    cJSON *value =
        check_value(option, member, context->base_dir, "pipeline file", reason, sizeof reason);
    if (value == NULL) {
      tp_format(err->message, sizeof err->message, "%s: %s%s%s", context->file, path->text,
                reason[0] == '[' ? "" : ": ", reason);
      tp_json_path_restore(path, mark);
      goto fail;
    }
    if (!cJSON_AddItemToObject(result, option->name, value)) {
      cJSON_Delete(value);
      tp_json_path_restore(path, mark);
      goto out_of_memory;
    }
    tp_json_path_restore(path, mark);
  }
  /* Missing keys: required ones are errors, the others take their defaults. */
  for (size_t i = 0; options != NULL && options[i].name != NULL; i++) {
    const tp_option *option = &options[i];
    if (cJSON_GetObjectItemCaseSensitive(result, option->name) != NULL)
      continue;
    if (option->required) {
      tp_format(err->message, sizeof err->message, "%s: %s: missing required option \"%s\" (%s)",
                context->file, path->text[0] != '\0' ? path->text : "config", option->name,
                tp_option_expectation(option, reason, sizeof reason));
      goto fail;
    }
    if (option->default_json == NULL)
      continue;
    cJSON *parsed = cJSON_Parse(option->default_json);
    int parsed_ok = parsed != NULL;
    cJSON *value = parsed_ok ? check_value(option, parsed, context->plugin_dir, "plugin file",
                                           reason, sizeof reason)
                             : NULL;
    cJSON_Delete(parsed);
    if (value == NULL) {
      size_t mark = tp_json_path_key(path, option->name);
      tp_format(err->message, sizeof err->message, "%s: %s: the plugin's default %s: %s",
                context->file, path->text, option->default_json,
                parsed_ok ? reason : "is not valid JSON");
      tp_json_path_restore(path, mark);
      goto fail;
    }
    if (!cJSON_AddItemToObject(result, option->name, value)) {
      cJSON_Delete(value);
      goto out_of_memory;
    }
  }
  *out = result;
  return 0;
out_of_memory:
  tp_format(err->message, sizeof err->message, "%s: %s: out of memory", context->file, path->text);
  cJSON_Delete(result);
  return -1;
fail:
  cJSON_Delete(result);
  return -1;
}

int tp_config_check_table(const tp_option *options, char *reason, size_t reason_size) {
  char detail[256];
  for (size_t i = 0; options != NULL && options[i].name != NULL; i++) {
    const tp_option *option = &options[i];
    const char *name = option->name;
    int name_ok = *name != '\0';
    for (const char *c = name; *c != '\0'; c++) {
      if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
        name_ok = 0;
    }
    if (!name_ok) {
      tp_format(reason, reason_size, "option name \"%s\" is not [a-z0-9_]+", name);
      return -1;
    }
    if ((unsigned)option->type > TP_OPTION_PATH) {
      tp_format(reason, reason_size, "option \"%s\" has unknown type %d", name, (int)option->type);
      return -1;
    }
    if (option->type == TP_OPTION_ENUM && (option->choices == NULL || option->choices[0] == NULL)) {
      tp_format(reason, reason_size, "enum option \"%s\" has no choices", name);
      return -1;
    }
    for (size_t j = 0; j < i; j++) {
      if (strcmp(options[j].name, name) == 0) {
        tp_format(reason, reason_size, "option \"%s\" is declared twice", name);
        return -1;
      }
    }
    if (option->default_json == NULL || option->type == TP_OPTION_PATH)
      continue; /* a PATH default is checked where it is used, against the plugin's folder */
    cJSON *parsed = cJSON_Parse(option->default_json);
    int parsed_ok = parsed != NULL;
    cJSON *checked =
        parsed_ok ? check_value(option, parsed, NULL, NULL, detail, sizeof detail) : NULL;
    cJSON_Delete(parsed);
    if (checked == NULL) {
      tp_format(reason, reason_size, "option \"%s\" has a bad default %s: %s", name,
                option->default_json, parsed_ok ? detail : "not valid JSON");
      return -1;
    }
    cJSON_Delete(checked);
  }
  return 0;
}
