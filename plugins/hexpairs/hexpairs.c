/* plugins/hexpairs/hexpairs.c - writing and reading "K:V,K:V,..." strings of hex pairs (see
 * hexpairs.h). Written by hand rather than with printf/scanf: a plugin's partial export writes
 * hundreds of thousands of pairs.
 */
#include "hexpairs.h"

#include <string.h>

/* Writes `value` as lowercase hex at `out`; returns the end. */
static char *put_hex(char *out, uint32_t value) {
  static const char digits[] = "0123456789abcdef";
  char reversed[8];
  int length = 0;
  do {
    reversed[length++] = digits[value & 15];
    value >>= 4;
  } while (value);
  while (length)
    *out++ = reversed[--length];
  return out;
}

void hexpairs_begin(hexpairs_writer *writer, char *buffer) {
  *buffer = '\0';
  *writer = (hexpairs_writer){buffer, buffer, 0};
}

void hexpairs_put_u64(char *out, uint64_t value) {
  static const char digits[] = "0123456789abcdef";
  for (int i = 15; i >= 0; i--, value >>= 4)
    out[i] = digits[value & 15];
  out[16] = '\0';
}

void hexpairs_put(hexpairs_writer *writer, uint32_t key, uint32_t value) {
  char *out = writer->out;
  if (out != writer->text)
    *out++ = ',';
  out = put_hex(out, key);
  *out++ = ':';
  out = put_hex(out, value);
  *out = '\0';
  writer->out = out;
}

void hexpairs_put_cell(hexpairs_writer *writer, uint64_t index, uint32_t value) {
  hexpairs_put(writer, (uint32_t)(index - writer->next_cell), value);
  writer->next_cell = index + 1;
}

/* Reads one lowercase hex number of 1 to 8 digits at *at, moving *at past it; -1 if none. */
static int64_t take_hex(const char **at) {
  const char *p = *at;
  uint64_t value = 0;
  int digits = 0;
  for (;; p++, digits++) {
    int digit = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
    if (digit < 0)
      break;
    if (digits == 8)
      return -1;
    value = value * 16 + (uint64_t)digit;
  }
  *at = p;
  return digits ? (int64_t)value : -1;
}

int hexpairs_take_u64(const char **at, uint64_t *value) {
  const char *p = *at;
  uint64_t read = 0;
  for (int i = 0; i < 16; i++, p++) {
    int digit = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
    if (digit < 0)
      return -1;
    read = read << 4 | (uint64_t)digit;
  }
  *value = read;
  *at = p;
  return 0;
}

int hexpairs_take(hexpairs_reader *reader, uint32_t *key, uint32_t *value) {
  const char *at = reader->at;
  if (*at == '\0')
    return 0;
  if (at != reader->text && *at++ != ',')
    return -1;
  int64_t first = take_hex(&at);
  if (first < 0 || *at++ != ':')
    return -1;
  int64_t second = take_hex(&at);
  if (second < 0)
    return -1;
  *key = (uint32_t)first;
  *value = (uint32_t)second;
  reader->at = at;
  return 1;
}

int hexpairs_take_cell(hexpairs_reader *reader, uint64_t cell_count, uint64_t *index,
                       uint32_t *value) {
  uint32_t gap;
  const char *pair = reader->at;
  int status = hexpairs_take(reader, &gap, value);
  if (status <= 0)
    return status;
  if (*value == 0 || reader->next_cell >= cell_count || gap >= cell_count - reader->next_cell) {
    reader->at = pair; /* an error points at the pair refused */
    return -1;
  }
  *index = reader->next_cell + gap;
  reader->next_cell = *index + 1;
  return 1;
}

size_t hexpairs_count(const char *text) {
  size_t pairs = 0;
  for (const char *colon = strchr(text, ':'); colon; colon = strchr(colon + 1, ':'))
    pairs++;
  return pairs;
}
