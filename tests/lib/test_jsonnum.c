/* tests/lib/test_jsonnum.c - lib/jsonnum reads a JSON number into strtod's very double, bit for
 * bit, whether the exact operation or strtod converts it (200,000 pseudo-random numbers), and
 * reads only what JSON's grammar and its length limit allow. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "jsonnum.h"

static uint64_t state = 0x9e3779b97f4a7c15ull;

/* A pseudo-random number below `bound` (a fixed sequence: failures repeat). */
static unsigned next_random(unsigned bound) {
  state = state * 6364136223846793005ull + 1442695040888963407ull;
  return (unsigned)(state >> 33) % bound;
}

/* A pseudo-random JSON number into `out`: 1 to 21 digits, a fraction or not, an exponent or
 * not (-40 to 40), so that both the exact operation and strtod convert some. */
static void random_number(char *out, size_t size) {
  size_t used = 0;
  if (next_random(2))
    out[used++] = '-';
  unsigned digits = 1 + next_random(21), point = next_random(2) ? next_random(digits) : 0;
  for (unsigned d = 0; d < digits && used + 8 < size; d++) {
    if (point && d == point)
      out[used++] = '.';
    unsigned digit = next_random(10);
    if (d == 0 && digit == 0 && point != 1)
      digit = 1 + next_random(9); /* JSON: no leading zero before more integer digits */
    out[used++] = (char)('0' + digit);
  }
  if (next_random(3) == 0)
    used += (size_t)snprintf(out + used, size - used, "e%d", (int)next_random(81) - 40);
  out[used] = '\0';
}

static void assert_reads_as_strtod(const char *number) {
  double got = 0, expected = strtod(number, NULL);
  const char *end = jsonnum_read(number, &got);
  ck_assert_msg(end == number + strlen(number), "%s: not read whole", number);
  ck_assert_msg(memcmp(&expected, &got, sizeof got) == 0, "%s: %.17g, strtod %.17g", number, got,
                expected);
}

START_TEST(random_numbers_are_strtods_doubles) {
  for (int round = 0; round < 200000; round++) {
    char number[64];
    random_number(number, sizeof number);
    assert_reads_as_strtod(number);
  }
}
END_TEST

/* At the edges of the exact operation: 2^53 and one above, 10^22 and 10^23, 19 and 20 digits,
 * a huge exponent, negative zero. */
START_TEST(edge_numbers_are_strtods_doubles) {
  static const char *const numbers[] = {"9007199254740992",
                                        "9007199254740993",
                                        "1e22",
                                        "1e23",
                                        "1e-22",
                                        "1e-23",
                                        "1234567890123456789",
                                        "12345678901234567891",
                                        "1e999",
                                        "-1e-999",
                                        "-0",
                                        "0.1",
                                        "4.35",
                                        "123.456e-7",
                                        "-0.0000000000000000000000001",
                                        "2.2250738585072014E-308"};
  for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
    assert_reads_as_strtod(numbers[i]);
}
END_TEST

/* Where a number ends, and texts that are no JSON number (NULL). */
START_TEST(only_json_numbers_are_read) {
  static const struct {
    const char *text;
    int length; /* of the number read, -1 for none */
  } cases[] = {
      {"12,", 2},
      {"-3.5]", 4},
      {"01", 1},
      {"1e+5x", 4},
      {"-", -1},
      {"+1", -1},
      {".5", -1},
      {"1.", -1},
      {"1.e5", -1},
      {"1e", -1},
      {"1e+", -1},
      {"-x", -1},
      {"", -1},
      {"12345678901234567890123456789012", 32},
      {"123456789012345678901234567890123", -1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    double number = 0;
    const char *end = jsonnum_read(cases[i].text, &number);
    if (cases[i].length < 0)
      ck_assert_msg(end == NULL, "\"%s\" was read", cases[i].text);
    else
      ck_assert_msg(end == cases[i].text + cases[i].length, "\"%s\": wrong end", cases[i].text);
  }
}
END_TEST

int main(void) {
  const TTest *const tests[] = {random_numbers_are_strtods_doubles,
                                edge_numbers_are_strtods_doubles, only_json_numbers_are_read};
  return tp_check_main("jsonnum", tests, sizeof tests / sizeof tests[0]);
}
