/* core/util/decimal.h - unsigned integers written in decimal, two digits a table lookup, for
 * the places that write numbers per record or per entry: the JSON printer (json_print.c) and
 * the Redis entry ids and command headers (core/broker/redis_id.c). No NUL is written.
 */
#ifndef TP_CORE_DECIMAL_H
#define TP_CORE_DECIMAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* "00" to "99": two digits a lookup. */
static const char tp_digit_pairs[200] =
    "00010203040506070809101112131415161718192021222324252627282930"
    "31323334353637383940414243444546474849505152535455565758596061"
    "62636465666768697071727374757677787980818283848586878889909192"
    "93949596979899";

/* Writes `pair` (0 to 99) as two digits at `at`. */
static inline void tp_put_digit_pair(char *at, unsigned pair) {
  memcpy(at, tp_digit_pairs + 2 * pair, 2); /* a constant size: one store, no call */
}

/* How many decimal digits `value` has (1 to 20). */
static inline size_t tp_decimal_length(uint64_t value) {
  size_t length = 1;
  for (uint64_t bound = 10; length < 20 && value >= bound; bound *= 10)
    length++;
  return length;
}

/* Writes the `length` (tp_decimal_length) decimal digits of `value` to out[0..length), two at
 * a time from the last. */
static inline void tp_put_decimal_digits(char *out, size_t length, uint64_t value) {
  char *at = out + length;
  while (value >= 100) {
    at -= 2;
    tp_put_digit_pair(at, (unsigned)(value % 100));
    value /= 100;
  }
  if (value >= 10)
    tp_put_digit_pair(at - 2, (unsigned)value);
  else
    at[-1] = (char)('0' + value);
}

/* Writes `value` in decimal at `out` (at most 20 bytes); returns how many. */
static inline size_t tp_put_decimal(uint64_t value, char *out) {
  size_t length = tp_decimal_length(value);
  tp_put_decimal_digits(out, length, value);
  return length;
}

#endif /* TP_CORE_DECIMAL_H */
