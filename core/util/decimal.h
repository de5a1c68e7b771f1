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

/* 10^0 to 10^19: where each decimal length begins (tp_decimal_length). */
static const uint64_t tp_powers_of_ten[20] = {
    1ull,
    10ull,
    100ull,
    1000ull,
    10000ull,
    100000ull,
    1000000ull,
    10000000ull,
    100000000ull,
    1000000000ull,
    10000000000ull,
    100000000000ull,
    1000000000000ull,
    10000000000000ull,
    100000000000000ull,
    1000000000000000ull,
    10000000000000000ull,
    100000000000000000ull,
    1000000000000000000ull,
    10000000000000000000ull,
};

/* How many decimal digits `value` has (1 to 20), without a loop: a number of `bits` binary
 * digits has floor(bits * log10(2)) or one more decimal digits ((bits * 1233) >> 12 is that
 * floor for bits up to 64, 1233 / 4096 being log10(2) rounded up), and one compare with the
 * power of ten settles which. 0 is counted as 1, as a 1 would be. */
static inline size_t tp_decimal_length(uint64_t value) {
  uint64_t nonzero = value | 1;
  unsigned bits = 64u - (unsigned)__builtin_clzll(nonzero);
  size_t fewer = (bits * 1233u) >> 12; /* 0 to 19 */
  return fewer + (nonzero >= tp_powers_of_ten[fewer]);
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
