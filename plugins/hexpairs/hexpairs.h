/* plugins/hexpairs/hexpairs.h - pairs of unsigned 32-bit numbers written as one string,
 * "K:V,K:V,..." with each number in lowercase hex (1 to 8 digits), for plugins whose partial
 * state holds long numeric vectors: one JSON string instead of two cJSON numbers a pair is
 * far cheaper to build, print, parse and free (a Redis checkpoint exports the whole state).
 *
 * Two uses: plain pairs (a term hash and its count or a float's bits), and sparse cells, where
 * K is the gap (the number of zero cells skipped since the previous non-zero one) and V the
 * non-zero value. A static library linked into each plugin that wants it: it depends on
 * nothing but the C library and allocates nothing (the caller owns every buffer).
 */
#ifndef HEXPAIRS_H
#define HEXPAIRS_H

#include <stddef.h>
#include <stdint.h>

/* The most bytes one pair takes: 8 hex digits, ':', 8 hex digits, ','. A buffer for n pairs
 * needs n * HEXPAIRS_PAIR_BYTES + 1 bytes (the terminating NUL). */
#define HEXPAIRS_PAIR_BYTES 18

/* Writing: `text` is the caller's buffer, `out` where the next pair goes, `next_cell` the cell
 * index after the last cell written (sparse cells only). Start with hexpairs_begin(); the
 * string is NUL-terminated after every call. */
typedef struct hexpairs_writer {
  char *text;
  char *out;
  uint64_t next_cell;
} hexpairs_writer;

/* Reading: `text` the whole string, `at` where the next pair starts, `next_cell` as above.
 * Start with {text, text, 0}. */
typedef struct hexpairs_reader {
  const char *text;
  const char *at;
  uint64_t next_cell;
} hexpairs_reader;

/* The buffer size for at most `pairs` pairs, terminating NUL included. */
static inline size_t hexpairs_bytes(size_t pairs) {
  return pairs * HEXPAIRS_PAIR_BYTES + 1;
}

/* Starts `writer` on `buffer` (hexpairs_bytes(n) bytes for n pairs) as the empty string. */
void hexpairs_begin(hexpairs_writer *writer, char *buffer);

/* Appends the pair (key, value). */
void hexpairs_put(hexpairs_writer *writer, uint32_t key, uint32_t value);

/* Appends cell `index` (greater than every index written before) holding `value` (non-zero)
 * as the pair (gap, value). */
void hexpairs_put_cell(hexpairs_writer *writer, uint64_t index, uint32_t value);

/* Reads the next pair into *key and *value: 1 when read, 0 at the end of the string, -1 when
 * the text there is not a pair (the reader is then left where it stopped). */
int hexpairs_take(hexpairs_reader *reader, uint32_t *key, uint32_t *value);

/* Reads the next sparse cell into *index and *value: 1 when read, 0 at the end, -1 when the
 * text is not a pair, the value is zero, or the index is not below `cell_count`. */
int hexpairs_take_cell(hexpairs_reader *reader, uint64_t cell_count, uint64_t *index,
                       uint32_t *value);

/* The bytes hexpairs_put_u64 writes: 16 hex digits and the terminating NUL. */
#define HEXPAIRS_U64_BYTES 17

/* Writes `value` at `out` as exactly 16 lowercase hex digits (leading zeros kept) and a NUL,
 * HEXPAIRS_U64_BYTES bytes in all: what printf's "%016" PRIx64 writes, without its cost (a
 * summary partial writes one per term of every retained sentence). */
void hexpairs_put_u64(char *out, uint64_t value);

/* Reads exactly 16 lowercase hex digits at *at into *value and moves *at past them. Returns 0,
 * or -1 (nothing moved) when there are fewer or a character is not one. */
int hexpairs_take_u64(const char **at, uint64_t *value);

/* How many pairs `text` holds if well formed (the number of ':' in it), to size a reader's
 * destination before reading. */
size_t hexpairs_count(const char *text);

#endif
