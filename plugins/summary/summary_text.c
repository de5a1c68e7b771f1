/* plugins/summary/summary_text.c - a sentence's text as the summary quotes it: white space
 * normalized (see summary_text.h).
 */
#include "summary_text.h"

#include <stdint.h>
#include <string.h>

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

#define BYTES_ONES  0x0101010101010101ull
#define BYTES_HIGHS 0x8080808080808080ull

/* Sixteen bytes: GCC's and Clang's vector extension (SSE2 on x86-64, NEON on ARM). */
typedef unsigned char byte_lanes __attribute__((vector_size(16)));

/* Sixteen bytes a step while the byte after them is in the text (each block's last byte is
 * paired with it, so the next block starts with nothing carried), then eight. */
int summary_text_is_plain(const char *bytes, size_t length) {
  if (length > 0 && (bytes[0] == ' ' || bytes[length - 1] == ' '))
    return 0;
  size_t i = 0;
  for (; i + 17 <= length; i += 16) {
    byte_lanes here, after;
    memcpy(&here, bytes + i, sizeof here);
    memcpy(&after, bytes + i + 1, sizeof after);
    byte_lanes found = (here < 0x20) | ((here == ' ') & (after == ' '));
    uint64_t halves[2];
    memcpy(halves, &found, sizeof halves);
    if (halves[0] | halves[1])
      return 0;
  }
  uint64_t carry = 0; /* 0x80 when the last byte looked at was a space not yet paired */
  for (; i + 8 <= length; i += 8) {
    uint64_t word;
    memcpy(&word, bytes + i, 8);
    /* The high bit of each byte below 0x20 (exact for the lowest one, enough for "any"). */
    uint64_t controls = (word - BYTES_ONES * 0x20) & ~word & BYTES_HIGHS;
    /* The high bit of each byte that is a space (exact: no carry crosses bytes). */
    uint64_t other = word ^ (BYTES_ONES * ' ');
    uint64_t spaces = ~(((other & ~BYTES_HIGHS) + ~BYTES_HIGHS) | other | ~BYTES_HIGHS);
    if (controls | (spaces & (spaces << 8 | carry)))
      return 0;
    carry = spaces >> 56;
  }
  int previous_space = carry != 0;
  for (; i < length; i++) {
    unsigned char c = (unsigned char)bytes[i];
    if (c < 0x20 || (c == ' ' && previous_space))
      return 0;
    previous_space = c == ' ';
  }
  return 1;
}

/* The copy of a text that is not plain. */
static size_t normalize(const char *bytes, size_t length, char *out) {
  size_t written = 0;
  int pending_space = 0;
  for (size_t i = 0; i < length; i++) {
    char c = bytes[i];
    if ((unsigned char)c <= ' ' && is_space(c)) { /* a byte above ' ' is never white space */
      pending_space = written > 0;
      continue;
    }
    if (pending_space)
      out[written++] = ' ';
    pending_space = 0;
    out[written++] = c;
  }
  out[written] = '\0';
  return written;
}

size_t summary_text_copy(const char *bytes, size_t length, char *out) {
  if (!summary_text_is_plain(bytes, length))
    return normalize(bytes, length, out);
  memcpy(out, bytes, length);
  out[length] = '\0';
  return length;
}

const char *summary_text_quote(const char *bytes, size_t length, char *scratch,
                               size_t *quoted_length) {
  if (summary_text_is_plain(bytes, length)) {
    *quoted_length = length;
    return bytes;
  }
  *quoted_length = normalize(bytes, length, scratch);
  return scratch;
}
