/* plugins/keys/stage_keys.c - the process-wide list of keys a plugin's stages declare
 * (stage_keys.h). */
#include "stage_keys.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int stage_keys_name_ok(const char *key) {
  size_t length = key != NULL ? strlen(key) : 0;
  if (length == 0 || length > 64)
    return 0;
  for (size_t i = 0; i < length; i++) {
    char c = key[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-'))
      return 0;
  }
  return 1;
}

const char *stage_keys_add(stage_keys *keys, const char *key) {
  for (size_t i = 0; i < keys->count; i++)
    if (strcmp(keys->list[i], key) == 0)
      return keys->list[i];
  if (keys->count >= STAGE_KEYS_MAX)
    return NULL;
  /* Never freed: records keep the key string (the core adds it without a copy), and the
   * descriptor may be read until the plugin is unloaded. At most STAGE_KEYS_MAX short strings. */
  char *copy = strdup(key);
  if (copy == NULL)
    return NULL;
  keys->list[keys->count + 1] = NULL;
  atomic_thread_fence(memory_order_release);
  keys->list[keys->count++] = copy;
  return copy;
}

int stage_keys_has(const char *const *own, size_t count, const char *key) {
  for (size_t i = 0; i < count; i++)
    if (strcmp(own[i], key) == 0)
      return 1;
  return 0;
}

void stage_keys_clear(stage_keys *keys) {
  for (size_t i = 0; i < keys->count; i++) {
    free((char *)keys->list[i]);
    keys->list[i] = NULL;
  }
  keys->count = 0;
}

int stage_keys_declare(stage_keys *keys, const char **own, size_t *own_count, const char *key,
                       char *err, size_t err_size) {
  const char *interned = NULL;
  if (!stage_keys_name_ok(key)) {
    snprintf(err, err_size, "\"%s\" is not a key name ([A-Za-z0-9_-], 1-64 characters)",
             key != NULL ? key : "(not a string)");
    return -1;
  }
  if (*own_count >= STAGE_KEYS_MAX || (interned = stage_keys_add(keys, key)) == NULL) {
    snprintf(err, err_size, "more than %d keys are declared in all", STAGE_KEYS_MAX);
    return -1;
  }
  if (!stage_keys_has(own, *own_count, interned))
    own[(*own_count)++] = interned;
  return 0;
}
