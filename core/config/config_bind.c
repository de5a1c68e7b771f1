/* core/config/config_bind.c - a stage's options written into the plugin's config struct
 * (config_bind.h). Values are copied with memcpy at the member's size, so a member needs no
 * particular alignment. */
#include "config_bind.h"

#include <stdbool.h>
#include <string.h>

#include "config_schema.h"
#include "message.h"

/* Whether a member of `size` bytes can hold an option of `type` (the table in plugin.h). */
static int size_fits(tp_option_type type, uint32_t size) {
  switch (type) {
  case TP_OPTION_BOOL:
    return size == sizeof(bool) || size == sizeof(int);
  case TP_OPTION_INT:
    return size == sizeof(int32_t) || size == sizeof(int64_t);
  case TP_OPTION_NUMBER:
    return size == sizeof(float) || size == sizeof(double);
  case TP_OPTION_STRING:
  case TP_OPTION_PATH:
    return size == sizeof(const char *);
  case TP_OPTION_ENUM:
    return size == sizeof(int);
  case TP_OPTION_STRING_LIST:
  case TP_OPTION_OBJECT:
    return size == sizeof(const cJSON *);
  }
  return 0;
}

int tp_config_check_bindings(const tp_option *options, uint32_t config_size, char *reason,
                             size_t reason_size) {
  for (size_t i = 0; options != NULL && options[i].name != NULL; i++) {
    const tp_option *option = &options[i];
    if (option->field_size == 0)
      continue;
    if ((uint64_t)option->field_offset + option->field_size > config_size) {
      tp_format(reason, reason_size,
                "option \"%s\" is bound to bytes %u..%u of a config struct of %u bytes "
                "(set config_size to sizeof the struct)",
                option->name, option->field_offset, option->field_offset + option->field_size,
                config_size);
      return -1;
    }
    if (!size_fits(option->type, option->field_size)) {
      tp_format(reason, reason_size,
                "option \"%s\" (%s) is bound to a member of %u bytes, which cannot hold it",
                option->name, tp_option_type_name(option->type), option->field_size);
      return -1;
    }
  }
  return 0;
}

/* The index of `value` in `choices`, or 0 (validation makes it one of them). */
static int choice_index(const char *const *choices, const char *value) {
  for (int i = 0; choices != NULL && choices[i] != NULL && value != NULL; i++) {
    if (strcmp(choices[i], value) == 0)
      return i;
  }
  return 0;
}

void tp_config_bind(const tp_option *options, const cJSON *config, void *target) {
  for (size_t i = 0; options != NULL && options[i].name != NULL; i++) {
    const tp_option *option = &options[i];
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(config, option->name);
    if (option->field_size == 0 || value == NULL || cJSON_IsNull(value))
      continue;
    char *at = (char *)target + option->field_offset;
    switch (option->type) {
    case TP_OPTION_BOOL: {
      bool flag = cJSON_IsTrue(value);
      int number = flag;
      memcpy(at, option->field_size == sizeof(bool) ? (void *)&flag : (void *)&number,
             option->field_size);
      break;
    }
    case TP_OPTION_INT: {
      int64_t wide = (int64_t)value->valuedouble;
      uint32_t narrow = (uint32_t)wide; /* the same bits as int32_t for the negative ones */
      memcpy(at, option->field_size == sizeof(int64_t) ? (void *)&wide : (void *)&narrow,
             option->field_size);
      break;
    }
    case TP_OPTION_NUMBER: {
      double wide = value->valuedouble;
      float narrow = (float)wide;
      memcpy(at, option->field_size == sizeof(double) ? (void *)&wide : (void *)&narrow,
             option->field_size);
      break;
    }
    case TP_OPTION_STRING:
    case TP_OPTION_PATH: {
      const char *text = cJSON_GetStringValue(value);
      memcpy(at, &text, sizeof text);
      break;
    }
    case TP_OPTION_ENUM: {
      int index = choice_index(option->choices, cJSON_GetStringValue(value));
      memcpy(at, &index, sizeof index);
      break;
    }
    case TP_OPTION_STRING_LIST:
    case TP_OPTION_OBJECT:
      memcpy(at, &value, sizeof value);
      break;
    }
  }
}
