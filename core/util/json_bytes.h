/* core/util/json_bytes.h - the 8-bytes-at-a-time test shared by the JSON printer and the fast
 * parser: whether a word of string bytes holds one that a JSON string cannot carry as it is. */
#ifndef TP_CORE_JSON_BYTES_H
#define TP_CORE_JSON_BYTES_H

#include <stdint.h>
#include <string.h>

/* Whether one of the 8 bytes at `bytes` is a control byte (below 0x20), '"' or '\\'. A byte is
 * below 0x20 when (byte - 0x20) borrows into its high bit while its own high bit is clear;
 * '"' and '\\' are the zero bytes of the word xor that byte repeated. The test is exact for
 * "any of the 8" (which byte it is, the caller finds one at a time). */
static inline int tp_json_word_special(const unsigned char *bytes) {
  const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  uint64_t word;
  memcpy(&word, bytes, sizeof word);
  uint64_t quotes = word ^ (ones * '"'), backslashes = word ^ (ones * '\\');
  uint64_t special = ((word - ones * 0x20) & ~word) | ((quotes - ones) & ~quotes) |
                     ((backslashes - ones) & ~backslashes);
  return (special & highs) != 0;
}

#endif /* TP_CORE_JSON_BYTES_H */
