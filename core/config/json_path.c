/* core/config/json_path.c - describing JSON values and building JSON paths for messages.
 *
 * tp_json_describe() words a value for an error ("an array", "\"abc\"", "0.1"),
 * tp_json_duplicate_key() finds a key given twice in one object (cJSON keeps both silently),
 * and tp_json_path_* build the "$.stages[2].config.model" paths that errors name.
 */
#include "json_source.h"

#include <math.h>
#include <stdarg.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"

const char *tp_json_describe(const cJSON *value, char *buffer, size_t size) {
  if (cJSON_IsString(value)) {
    const char *string = value->valuestring;
    if (strlen(string) > 40)
      tp_format(buffer, size, "\"%.37s...\"", string);
    else
      tp_format(buffer, size, "\"%s\"", string);
  } else if (cJSON_IsArray(value)) {
    tp_format(buffer, size, "an array");
  } else if (cJSON_IsObject(value)) {
    tp_format(buffer, size, "an object");
  } else if (cJSON_IsTrue(value)) {
    tp_format(buffer, size, "true");
  } else if (cJSON_IsFalse(value)) {
    tp_format(buffer, size, "false");
  } else if (cJSON_IsNull(value)) {
    tp_format(buffer, size, "null");
  } else if (cJSON_IsNumber(value) && !isfinite(value->valuedouble)) {
    tp_format(buffer, size, "a number out of range");
  } else if (cJSON_IsNumber(value)) {
    /* The shortest of 15 or 17 digits that reads back the same: 0.1, not 0.10000000000000001. */
    tp_format(buffer, size, "%.15g", value->valuedouble);
    if (strtod(buffer, NULL) != value->valuedouble)
      tp_format(buffer, size, "%.17g", value->valuedouble);
  } else {
    tp_format(buffer, size, "nothing");
  }
  return buffer;
}

static uint64_t key_hash(const char *key) {
  uint64_t hash = 1469598103934665603u; /* FNV-1a */
  for (; *key != '\0'; key++)
    hash = (hash ^ (unsigned char)*key) * 1099511628211u;
  return hash;
}

const cJSON *tp_json_duplicate_key(const cJSON *object) {
  if (!cJSON_IsObject(object))
    return NULL;
  size_t count = 0;
  for (const cJSON *member = object->child; member != NULL; member = member->next)
    count++;
  /* Members in a hash set, in order: linear, so a file of a million keys is not a hang. */
  size_t slots = 64;
  while (slots < 2 * count)
    slots *= 2;
  const cJSON **set = count > 16 ? calloc(slots, sizeof *set) : NULL;
  if (set != NULL) {
    const cJSON *found = NULL;
    for (const cJSON *member = object->child; member != NULL && found == NULL;
         member = member->next) {
      size_t slot = (size_t)key_hash(member->string) & (slots - 1);
      while (set[slot] != NULL && strcmp(set[slot]->string, member->string) != 0)
        slot = (slot + 1) & (slots - 1);
      if (set[slot] != NULL)
        found = member;
      set[slot] = member;
    }
    free(set);
    return found;
  }
  for (const cJSON *member = object->child; member != NULL; member = member->next) {
    for (const cJSON *earlier = object->child; earlier != member; earlier = earlier->next) {
      if (strcmp(earlier->string, member->string) == 0)
        return member;
    }
  }
  return NULL;
}

void tp_json_path_init(tp_json_path *path) {
  path->text[0] = '\0';
  path->length = 0;
}

static void path_append(tp_json_path *path, const char *fmt, ...) TP_PRINTF(2, 3);

static void path_append(tp_json_path *path, const char *fmt, ...) {
  size_t room = sizeof path->text - path->length;
  va_list args;
  va_start(args, fmt);
  int written = vsnprintf(path->text + path->length, room, fmt, args);
  va_end(args);
  if (written < 0)
    written = 0;
  path->length += (size_t)written < room ? (size_t)written : room - 1;
}

static int is_plain_key(const char *key) {
  if (*key == '\0')
    return 0;
  for (const char *c = key; *c != '\0'; c++) {
    if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
      return 0;
  }
  return 1;
}

size_t tp_json_path_key(tp_json_path *path, const char *key) {
  size_t previous = path->length;
  if (!is_plain_key(key))
    path_append(path, "[\"%s\"]", key);
  else
    path_append(path, "%s%s", path->length == 0 ? "" : ".", key);
  return previous;
}

size_t tp_json_path_index(tp_json_path *path, size_t index) {
  size_t previous = path->length;
  path_append(path, "[%zu]", index);
  return previous;
}

void tp_json_path_restore(tp_json_path *path, size_t length) {
  if (length < path->length) {
    path->length = length;
    path->text[length] = '\0';
  }
}
