/* lib/jsonnum/jsonnum.c - one JSON number into strtod's double (jsonnum.h). */
#include "jsonnum.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c) {
  return c >= '0' && c <= '9';
}

/* The powers of ten that are exact doubles (5^22 < 2^53; 10^23 is not). */
static const double exact_tens[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* strtod's double for the number from `start` to `end` (in JSON's grammar) when one exact
 * operation gives it: 1 with *number set, else 0 (then ask strtod). Its digits make an integer m
 * of at most 2^53 (an exact double) and its decimal exponent e is within 22 of zero (10^|e| is
 * an exact double), so m x 10^e or m / 10^-e is a single IEEE operation on exact operands, which
 * rounds the true product or quotient to nearest as strtod does. Not taken: more than 19
 * digits, an exponent beyond that, or m above 2^53. */
static int exact_decimal(const char *start, const char *end, double *number) {
  int negative = *start == '-';
  const char *at = start + negative, *integer = at;
  uint64_t mantissa = 0;
  for (; at < end && is_digit(*at); at++)
    mantissa = mantissa * 10 + (uint64_t)(*at - '0');
  long digits = at - integer, exponent = 0;
  if (at < end && *at == '.') {
    const char *fraction = ++at;
    for (; at < end && is_digit(*at); at++)
      mantissa = mantissa * 10 + (uint64_t)(*at - '0');
    digits += at - fraction;
    exponent = -(at - fraction);
  }
  if (digits > 19) /* 19 digits stay below 2^64 */
    return 0;
  if (at < end) { /* 'e' or 'E', a sign, digits */
    at++;
    int minus = *at == '-';
    at += *at == '+' || *at == '-';
    long written = 0;
    for (; at < end; at++) {
      if (written > 1000)
        return 0;
      written = written * 10 + (*at - '0');
    }
    exponent += minus ? -written : written;
  }
  if (mantissa > (1ull << 53) || exponent < -22 || exponent > 22)
    return 0;
  double value = (double)mantissa;
  value = exponent < 0 ? value / exact_tens[-exponent] : value * exact_tens[exponent];
  *number = negative ? -value : value; /* "-0" is -0.0, as strtod */
  return 1;
}

const char *jsonnum_read(const char *at, double *number) {
  const char *start = at;
  at += *at == '-';
  if (*at == '0')
    at++;
  else if (*at >= '1' && *at <= '9')
    while (is_digit(*at))
      at++;
  else
    return NULL;
  if (*at == '.') {
    at++;
    if (!is_digit(*at))
      return NULL;
    while (is_digit(*at))
      at++;
  }
  if (*at == 'e' || *at == 'E') {
    at++;
    at += *at == '+' || *at == '-';
    if (!is_digit(*at))
      return NULL;
    while (is_digit(*at))
      at++;
  }
  size_t length = (size_t)(at - start);
  if (length > JSONNUM_MAX_LENGTH)
    return NULL;
  if (!exact_decimal(start, at, number)) {
    char copy[JSONNUM_MAX_LENGTH + 1];
    memcpy(copy, start, length);
    copy[length] = '\0';
    char *after = NULL;
    *number = strtod(copy, &after);
    if (after != copy + length)
      return NULL;
  }
  return at;
}
