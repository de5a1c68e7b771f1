/* core/broker/redis_id.c - entry ids between their text and their two numbers (redis_id.h).
 * By hand rather than strtoull/snprintf: both run for every entry read. */
#include "redis_id.h"

#include "decimal.h"

#include <stdlib.h>
#include <string.h>

/* Reads the decimal number starting at text[*at], up to the first non-digit, into *value and
 * moves *at past it. Returns 0, or -1 (no digit, or over 64 bits: only 20 digits can be,
 * checked against the largest as text). */
static int read_u64(const char *text, size_t length, size_t *at, uint64_t *value) {
  size_t start = *at, i = start;
  uint64_t number = 0;
  for (unsigned digit; i < length && (digit = (unsigned)(unsigned char)text[i] - '0') <= 9; i++)
    number = number * 10 + digit;
  size_t digits = i - start;
  if (digits == 0 || digits > 20 ||
      (digits == 20 && memcmp(text + start, "18446744073709551615", 20) > 0))
    return -1;
  *at = i;
  *value = number;
  return 0;
}

int tp_redis_id_parse(const char *text, size_t length, tp_redis_id *id) {
  size_t at = 0;
  tp_redis_id parsed;
  if (read_u64(text, length, &at, &parsed.ms) != 0 || at == length || text[at++] != '-' ||
      read_u64(text, length, &at, &parsed.seq) != 0 || at != length)
    return -1;
  *id = parsed;
  return 0;
}

size_t tp_redis_id_format(tp_redis_id id, char text[TP_REDIS_ID_TEXT_SIZE]) {
  size_t length = tp_put_decimal(id.ms, text);
  text[length++] = '-';
  length += tp_put_decimal(id.seq, text + length);
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
