/* core/broker/redis_id.c - entry ids between their text and their two numbers (redis_id.h).
 * By hand rather than strtoull/snprintf: both run for every entry read. */
#include "redis_id.h"

#include <stdlib.h>
#include <string.h>

/* Reads the decimal number in text[0..length) into *value. Returns 0, or -1 (empty, not all
 * digits, or over 64 bits). */
static int parse_u64(const char *text, size_t length, uint64_t *value) {
  if (length == 0 || length > 20)
    return -1;
  uint64_t number = 0;
  for (size_t i = 0; i < length; i++) {
    unsigned digit = (unsigned)(unsigned char)text[i] - '0';
    if (digit > 9 || number > (UINT64_MAX - digit) / 10)
      return -1;
    number = number * 10 + digit;
  }
  *value = number;
  return 0;
}

int tp_redis_id_parse(const char *text, size_t length, tp_redis_id *id) {
  const char *dash = memchr(text, '-', length);
  if (dash == NULL)
    return -1;
  size_t ms_length = (size_t)(dash - text);
  tp_redis_id parsed;
  if (parse_u64(text, ms_length, &parsed.ms) != 0 ||
      parse_u64(dash + 1, length - ms_length - 1, &parsed.seq) != 0)
    return -1;
  *id = parsed;
  return 0;
}

/* Writes `value` in decimal at `text`. Returns the digits written. */
static size_t put_u64(uint64_t value, char *text) {
  char reversed[20];
  size_t count = 0;
  do {
    reversed[count++] = (char)('0' + value % 10);
    value /= 10;
  } while (value > 0);
  for (size_t i = 0; i < count; i++)
    text[i] = reversed[count - 1 - i];
  return count;
}

size_t tp_redis_id_format(tp_redis_id id, char text[TP_REDIS_ID_TEXT_SIZE]) {
  size_t length = put_u64(id.ms, text);
  text[length++] = '-';
  length += put_u64(id.seq, text + length);
  text[length] = '\0';
  return length;
}

char *tp_redis_ids_to_argv(const tp_redis_id *ids, size_t count, const char **argv,
                           size_t *lengths) {
  char *text = count > 0 ? malloc(count * TP_REDIS_ID_TEXT_SIZE) : NULL;
  for (size_t i = 0, used = 0; text != NULL && i < count; i++) {
    argv[i] = text + used;
    lengths[i] = tp_redis_id_format(ids[i], text + used);
    used += lengths[i] + 1;
  }
  return text;
}
