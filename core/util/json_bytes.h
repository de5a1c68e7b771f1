/* core/util/json_bytes.h - the scan shared by the JSON printer and the fast parser: how many
 * leading bytes of a string a JSON string carries as they are (tp_json_plain_length, of bytes
 * with a length; tp_json_plain_run, of a NUL-terminated string), 16 bytes a step with SSE2
 * (every x86-64), 8 a step elsewhere. */
#ifndef TP_CORE_JSON_BYTES_H
#define TP_CORE_JSON_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The bytes a JSON string cannot carry as they are: control bytes (below 0x20), '"' and '\\'.
 * A table: one load where a byte is tested in a loop (the printer's keys and constants). */
static const unsigned char tp_json_special_bytes[256] = {
    [0x00 ... 0x1f] = 1,
    ['"'] = 1,
    ['\\'] = 1,
};

/* Whether `byte` is one a JSON string cannot carry as it is (tp_json_special_bytes). */
static inline int tp_json_byte_special(unsigned char byte) {
  return tp_json_special_bytes[byte];
}

/* Whether one of the 8 bytes at `bytes` is special (tp_json_byte_special). A byte is below
 * 0x20 when (byte - 0x20) borrows into its high bit while its own high bit is clear; '"' and
 * '\\' are the zero bytes of the word xor that byte repeated. The test is exact for "any of
 * the 8", not for which one. */
static inline int tp_json_word_special(const unsigned char *bytes) {
  const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  uint64_t word;
  memcpy(&word, bytes, sizeof word);
  uint64_t quotes = word ^ (ones * '"'), backslashes = word ^ (ones * '\\');
  uint64_t special = ((word - ones * 0x20) & ~word) | ((quotes - ones) & ~quotes) |
                     ((backslashes - ones) & ~backslashes);
  return (special & highs) != 0;
}

#ifdef __SSE2__
/* The special bytes among the 16 of `chunk`, one bit each (bit i: byte i). A byte is below 0x20
 * when min(byte, 0x1f) is the byte itself (an unsigned compare; SSE2's signed one would take
 * every byte from 0x80 for a control byte). */
static inline unsigned tp_json_special_mask(__m128i chunk) {
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  const __m128i last_control = _mm_set1_epi8(0x1f);
  __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(chunk, last_control), chunk);
  __m128i special = _mm_or_si128(
      control, _mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)));
  return (unsigned)_mm_movemask_epi8(special);
}
#endif

/* The length of the longest prefix of bytes[0..length) without a special byte: the index of
 * the first special byte, or `length`. Reads nothing past bytes[length - 1].
 *
 * With SSE2, 16 bytes a step (tp_json_special_mask, whose lowest bit is the first special
 * byte). Then words of 8 (which byte in a flagged word is found one at a time), then single
 * bytes. */
static inline size_t tp_json_plain_length(const unsigned char *bytes, size_t length) {
  size_t at = 0;
#ifdef __SSE2__
  for (; length - at >= 16; at += 16) {
    unsigned mask =
        tp_json_special_mask(_mm_loadu_si128((const __m128i *)(const void *)(bytes + at)));
    if (mask != 0)
      return at + (size_t)__builtin_ctz(mask);
  }
#endif
  while (length - at >= 8 && !tp_json_word_special(bytes + at))
    at += 8;
  while (at < length && !tp_json_byte_special(bytes[at]))
    at++;
  return at;
}

/* tp_json_plain_length for the NUL-terminated `text`, whose length is not known: the index of
 * its first special byte, the NUL at its end when there is none other (NUL is a control byte).
 * One pass instead of strlen's and then tp_json_plain_length's.
 *
 * With SSE2 the loads are of aligned 16-byte blocks, the first one masked to the bytes from
 * `text` on: such a block never crosses a page, so reading the bytes of the last block past
 * the NUL is safe, as strlen does; AddressSanitizer would report those bytes, and is told not
 * to look here. */
#ifdef __SSE2__
__attribute__((no_sanitize("address"))) static inline size_t
tp_json_plain_run(const unsigned char *text) {
  size_t skip = (uintptr_t)text & 15;
  const unsigned char *block = (const unsigned char *)((uintptr_t)text - skip);
  /* the bits of the bytes before `text` in the first block are shifted out */
  unsigned keep = ~0u << skip;
  for (;; block += 16, keep = ~0u) {
    unsigned mask =
        tp_json_special_mask(_mm_load_si128((const __m128i *)(const void *)block)) & keep;
    if (mask != 0)
      return (size_t)(block + __builtin_ctz(mask) - text);
  }
}
#else
static inline size_t tp_json_plain_run(const unsigned char *text) {
  size_t at = 0;
  while (!tp_json_byte_special(text[at]))
    at++;
  return at;
}
#endif

#endif /* TP_CORE_JSON_BYTES_H */
