/* tests/plugins/summary/test_summary_text.c - a sentence's text as the summary quotes it
 * (plugins/summary/summary_text.c): summary_text_is_plain, summary_text_copy and
 * summary_text_quote against a plain byte-by-byte model, for every position of one irregular
 * byte in texts of 0 to 70 bytes (both sides of the 16- and 8-byte steps) and for random
 * texts. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "summary_text.h"

#define MAX_TEXT 70

static int model_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The rule itself: no byte below 0x20, no two spaces in a row, no space at either end. */
static int model_is_plain(const char *bytes, size_t length) {
  for (size_t i = 0; i < length; i++) {
    unsigned char c = (unsigned char)bytes[i];
    if (c < 0x20 || (c == ' ' && (i == 0 || i + 1 == length || bytes[i + 1] == ' ')))
      return 0;
  }
  return 1;
}

/* White space dropped at both ends, each inner run of it made one space. */
static size_t model_copy(const char *bytes, size_t length, char *out) {
  size_t written = 0;
  int pending = 0;
  for (size_t i = 0; i < length; i++) {
    if (model_space(bytes[i])) {
      pending = written > 0;
      continue;
    }
    if (pending)
      out[written++] = ' ';
    pending = 0;
    out[written++] = bytes[i];
  }
  out[written] = '\0';
  return written;
}

/* Checks both functions on bytes[0..length) against the model. The text is copied to the end of
 * a buffer of its own size so that a read past it is caught by the sanitizers. */
static void check_text(const char *bytes, size_t length) {
  char *own = malloc(length + 1);
  char got[MAX_TEXT + 1], expected[MAX_TEXT + 1];
  ck_assert_ptr_nonnull(own);
  memcpy(own, bytes, length);
  int plain = summary_text_is_plain(own, length);
  ck_assert_msg(plain == model_is_plain(own, length), "is_plain of %zu bytes \"%.*s\": %d", length,
                (int)length, own, plain);
  size_t written = summary_text_copy(own, length, got);
  size_t expected_length = model_copy(own, length, expected);
  ck_assert_uint_eq(written, expected_length);
  ck_assert_msg(memcmp(got, expected, expected_length + 1) == 0, "copy of \"%.*s\": \"%s\"",
                (int)length, own, got);
  /* quoted: the text itself when plain, else the copy in the scratch buffer */
  size_t quoted_length = SIZE_MAX;
  const char *quoted = summary_text_quote(own, length, got, &quoted_length);
  ck_assert_ptr_eq(quoted, plain ? own : got);
  ck_assert_uint_eq(quoted_length, expected_length);
  ck_assert_int_eq(memcmp(quoted, expected, expected_length), 0);
  free(own);
}

/* One irregular byte (or pair) at each position of texts of every length up to MAX_TEXT, in
 * words of three letters: "abc abc a..." (plain before the change). */
START_TEST(one_irregular_spot_anywhere) {
  static const char *const spots[] = {" ",    "  ",   "\t",       "\n",   "\r\n",
                                      "\x01", "\x1f", "\xc3\xa9", "\x7f", "\xff"};
  char text[MAX_TEXT + 1];
  for (size_t length = 0; length <= MAX_TEXT; length++) {
    for (size_t i = 0; i < length; i++)
      text[i] = i % 4 == 3 ? ' ' : (char)('a' + i % 4);
    check_text(text, length);
    for (size_t s = 0; s < sizeof spots / sizeof *spots; s++) {
      size_t spot = strlen(spots[s]);
      for (size_t at = 0; at + spot <= length; at++) {
        char changed[MAX_TEXT + 1];
        memcpy(changed, text, length);
        memcpy(changed + at, spots[s], spot);
        check_text(changed, length);
      }
    }
  }
}
END_TEST

/* Random texts over letters, spaces, other white space, controls and bytes above 0x7f. */
START_TEST(random_texts) {
  static const char alphabet[] = {'a', 'b', ' ', ' ', ' ', '\t', '\n', '\x02', '\xc3', '\xa9'};
  uint64_t state = 0x9e3779b97f4a7c15ull;
  char text[MAX_TEXT + 1];
  for (int round = 0; round < 20000; round++) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    size_t length = (size_t)(state >> 33) % (MAX_TEXT + 1);
    /* mostly letters, so that many texts are plain or nearly */
    for (size_t i = 0; i < length; i++) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      unsigned pick = (unsigned)(state >> 40) % 40;
      text[i] = pick < sizeof alphabet ? alphabet[pick] : (char)('c' + pick % 20);
    }
    check_text(text, length);
  }
}
END_TEST

int main(void) {
  const TTest *const tests[] = {one_irregular_spot_anywhere, random_texts};
  return tp_check_main("summary_text", tests, sizeof tests / sizeof tests[0]);
}
