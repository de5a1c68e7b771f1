/* plugins/keys/stage_keys.c - one stage's declared output keys (stage_keys.h). */
#include "stage_keys.h"

#include <stdio.h>
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

const char *stage_keys_find(const stage_keys *keys, const char *key) {
  for (size_t i = 0; i < keys->count; i++)
    if (strcmp(keys->list[i], key) == 0)
      return keys->list[i];
  return NULL;
}

int stage_keys_declare(stage_keys *keys, const tp_host *host, const char *key, char *err,
                       size_t err_size) {
  if (!stage_keys_name_ok(key)) {
    snprintf(err, err_size, "\"%s\" is not a key name ([A-Za-z0-9_-], 1-64 characters)",
             key != NULL ? key : "(not a string)");
    return -1;
  }
  if (stage_keys_find(keys, key) != NULL)
    return 0;
  if (keys->count >= STAGE_KEYS_MAX) {
    snprintf(err, err_size, "more than %d keys are declared", STAGE_KEYS_MAX);
    return -1;
  }
  size_t length = strlen(key) + 1;
  char *copy = host->alloc(length);
  if (copy == NULL) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  memcpy(copy, key, length);
  keys->list[keys->count++] = copy;
  keys->list[keys->count] = NULL;
  return 0;
}

void stage_keys_free(stage_keys *keys, const tp_host *host) {
  for (size_t i = 0; i < keys->count; i++)
    host->free(keys->list[i]);
  memset(keys, 0, sizeof *keys);
}
