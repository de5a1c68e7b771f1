/* tests/unit/test_json_print.c - core/util/json_print.c prints exactly what cJSON_PrintUnformatted
 * prints: tables of numbers (short decimals, rounded scores, integers, huge, tiny, negative
 * zero, NaN), of strings (escapes, control bytes, UTF-8) and of whole documents, plus many
 * pseudo-random doubles; and constants whose addresses share a memo slot stay memoized. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check_main.h"
#include "decimal.h"
#include "json_bytes.h"
#include "json_print.h"
#include "pointer_slot.h"

/* Prints `item` both ways and compares. */
static void assert_same_as_cjson(const cJSON *item) {
  char *expected = cJSON_PrintUnformatted(item);
  ck_assert_ptr_nonnull(expected);
  char *buffer = NULL;
  size_t used = 0, capacity = 0;
  ck_assert_int_eq(tp_json_print_append(item, &buffer, &used, &capacity), 0);
  ck_assert_uint_eq(used, strlen(expected));
  ck_assert_msg(memcmp(buffer, expected, used) == 0, "printed %.*s, cJSON %s", (int)used, buffer,
                expected);
  free(buffer);
  cJSON_free(expected);
}

/* cJSON 1.7's rule for a number, written out: null for NaN and infinities, "%1.15g" when it
 * reads back within DBL_EPSILON (relative), else "%1.17g". */
static void reference_number(double value, char out[32]) {
  if (isnan(value) || isinf(value)) {
    strcpy(out, "null");
    return;
  }
  snprintf(out, 32, "%1.15g", value);
  double back = strtod(out, NULL);
  double larger = fabs(back) > fabs(value) ? fabs(back) : fabs(value);
  if (!(fabs(back - value) <= larger * DBL_EPSILON))
    snprintf(out, 32, "%1.17g", value);
}

/* tp_json_print_number against the rule written out; its text in `expected`. */
static void assert_number_text(double value, char expected[32]) {
  char printed[32];
  reference_number(value, expected);
  size_t length = tp_json_print_number(value, 0, printed);
  ck_assert_msg(length == strlen(expected) && strcmp(printed, expected) == 0,
                "%a: printed %s (%zu bytes), expected %s", value, printed, length, expected);
}

/* The number against the rule, as a node against cJSON, and as an object's member (the members'
 * loop prints numbers itself) against the rule. */
static void assert_number_same(double value) {
  char expected[32];
  assert_number_text(value, expected);
  cJSON *number = cJSON_CreateNumber(value);
  ck_assert_ptr_nonnull(number);
  assert_same_as_cjson(number);
  cJSON *object = cJSON_CreateObject();
  cJSON_AddItemToObjectCS(object, "n", number);
  char member[48];
  snprintf(member, sizeof member, "{\"n\":%s}", expected);
  char *buffer = NULL;
  size_t used = 0, capacity = 0;
  ck_assert_int_eq(tp_json_print_append(object, &buffer, &used, &capacity), 0);
  ck_assert_msg(used == strlen(member) && memcmp(buffer, member, used) == 0,
                "printed %.*s, expected %s", (int)used, buffer, member);
  free(buffer);
  cJSON_Delete(object);
}

/* Every value against the rule; one iteration in 9 (9 and the loop's 14 magnitudes are coprime)
 * also through assert_number_same (the sanitizer build runs the case within the suite's limit). */
static void assert_number_sampled(double value, int index) {
  char expected[32];
  if (index % 9 == 0)
    assert_number_same(value);
  else
    assert_number_text(value, expected);
}

static const double numbers[] = {
    0.0, -0.0, 1.0, -1.0, 0.5, 0.1703, -0.2189, 0.11, 0.839, 0.052, 0.0001, -0.0001, 0.00012,
    0.00009, 1e-5, 0.9999, 0.1, 0.2, 0.3, 1.0 / 3.0, 2.0 / 3, 3.14159, 123456.789, 2147483647.0,
    -2147483648.0, 2147483648.0, 3e9, 1e15, 1e16, 1e20, -1e300, 123456789.5, 999999999.999999,
    0.000123456, 1.5e-300, 4.9e-324, 0.30000000000000004, 100.25, -7.125, 1e9, 999999999.5, 0.07,
    12.5, NAN, -NAN, INFINITY, -INFINITY, 5e-5,
    /* where the integer path ends and %g turns to exponents */
    999999999999999.0, -999999999999999.0, 1e15 + 2, 1e14, 123456789012345.0, -123456789012345.0,
    9007199254740992.0, 1e21, -1e21, 1e22,
    /* tiny, subnormal and huge */
    1e-7, -3e-7, 0.000099999, DBL_MIN, DBL_MIN / 2, -DBL_MIN / 3, DBL_MAX, -DBL_MAX, DBL_EPSILON,
    /* the short-decimal path's edges: 1e-4, 1e9, 6 and 7 decimals */
    0.000100000000000001, 0.00010000000000000002, 999999999.000001, 999999999.9999999,
    123456.000001, 123456.0000005, 0.1234565, 0.0000015, 0.0000005, 1.0000005, 10, 99, 100, -1000,
    4294967296.0, -9.5};

START_TEST(number_as_cjson) {
  assert_number_same(numbers[_i]);
}
END_TEST

/* Rounded values as stages make them (4 and 3 decimals, and 1 to 7 at many magnitudes), and raw
 * random doubles. */
START_TEST(many_numbers_as_cjson) {
  uint64_t state = 0x9e3779b97f4a7c15ull;
  for (int index = 0; index < 20000; index++) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    double unit = (double)(state >> 11) / 9007199254740992.0 * 2 - 1;
    assert_number_sampled(round(unit * 10000) / 10000, index);
    assert_number_sampled(round(unit * 1000) / 1000, index);
    assert_number_sampled(unit, index);
    assert_number_sampled(unit * 1e6, index);
    /* 1 to 7 decimals at magnitudes from 1e-4 to 1e9: the short-decimal path's every k */
    for (int places = 1; places <= 7; places++) {
      double scale = pow(10, places), magnitude = pow(10, index % 14 - 4);
      assert_number_sampled(round(unit * magnitude * scale) / scale, index);
    }
    /* integers, and millionths next to a tie of the rounding to millionths */
    assert_number_sampled((double)(int64_t)(state >> 14) - (double)(1ll << 49), index);
    assert_number_sampled((double)(index - 10000), index);
    double millionths = (double)(state >> 34);
    assert_number_sampled(millionths / 1e6, index);
    assert_number_sampled((millionths + 0.5) / 1e6, index);
    assert_number_sampled(-(millionths + 0.4999999) / 1e6, index);
    double bits;
    uint64_t raw = state ^ (state >> 17);
    memcpy(&bits, &raw, sizeof bits);
    assert_number_sampled(bits, index);
  }
}
END_TEST

/* The sweeps below take a tenth of their values under AddressSanitizer (a debug build, where
 * the whole numbers case took over two minutes of a loaded machine with the full sweeps, past
 * the test's limit); the optimized build runs them whole. */
#ifdef __SANITIZE_ADDRESS__
#define SWEEP_SHARE 10
#else
#define SWEEP_SHARE 1
#endif

/* The short-decimal path (1e-4 <= |value| < 1e9, not an integer) bit for bit against the rule,
 * on two million values: decimals m / 10^k with 1 to 7 places (7 is past the path: it must hand
 * those to the general one) and whole parts of every length, and raw doubles of that range. */
START_TEST(two_million_short_decimals_as_rule) {
  uint64_t state = 0x2545f4914f6cdd1dull;
  char expected[32];
  for (int index = 0; index < 1000000 / SWEEP_SHARE; index++) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    int places = 1 + (int)(state >> 61) % 7, whole_digits = (int)(state >> 40) % 10;
    double scale = pow(10, places);
    /* up to whole_digits digits before the point and `places` after */
    double steps = (double)((state >> 3) % (uint64_t)(pow(10, whole_digits) * scale));
    double decimal = (index & 1 ? -steps : steps) / scale;
    assert_number_text(decimal, expected);
    double unit = (double)(state >> 11) / 9007199254740992.0;
    assert_number_text((index & 2 ? -unit : unit) * pow(10, index % 13 - 4), expected);
  }
}
END_TEST

/* tp_put_decimal's digits and tp_decimal_length against snprintf: next to every power of ten
 * (where a length begins) and on a million values of every bit length. */
START_TEST(decimals_as_snprintf) {
  uint64_t values[3 * 20 + 2] = {0, UINT64_MAX};
  size_t count = 2;
  for (uint64_t power = 1, k = 0; k < 20; k++, power *= 10) {
    values[count++] = power - 1;
    values[count++] = power;
    values[count++] = power + 1;
  }
  uint64_t state = 0x853c49e6748fea9bull;
  for (int index = 0; index < 1000000 / SWEEP_SHARE + (int)count; index++) {
    uint64_t value = (size_t)index < count ? values[index] : 0;
    if ((size_t)index >= count) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      value = state >> (index % 64); /* every bit length */
    }
    char expected[24], printed[24];
    int length = snprintf(expected, sizeof expected, "%llu", (unsigned long long)value);
    ck_assert_uint_eq(tp_decimal_length(value), (size_t)length);
    ck_assert_uint_eq(tp_put_decimal(value, printed), (size_t)length);
    ck_assert_msg(memcmp(printed, expected, (size_t)length) == 0, "%s printed %.*s", expected,
                  length, printed);
  }
}
END_TEST

static const char *const strings[] = {
    "",
    "plain",
    "quote \" and backslash \\ and slash /",
    "\b\f\n\r\t",
    "\x01\x02\x1f\x7f",
    "caf\xc3\xa9 \xe2\x80\x99 \xf0\x9f\x98\x80",
    "ends with newline\n",
    /* longer than 8 bytes: the 8-at-a-time skip must stop at each of these */
    "0123456789abcdef\"",
    "01234567\\89abcdef",
    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\x1f tail after a control byte",
    "\xff\xfe\xe2\x80\x99\x7f\x80 then a tab\t and \x01 at the end\x01",
};

START_TEST(string_as_cjson) {
  cJSON *object = cJSON_CreateObject();
  ck_assert_ptr_nonnull(cJSON_AddStringToObject(object, strings[_i], strings[_i]));
  assert_same_as_cjson(object);
  cJSON_Delete(object);
}
END_TEST

static const char *const documents[] = {
    "{}",
    "[]",
    "null",
    "true",
    "[false,true,null,1,-2.5,\"x\",[],{},[[{}]]]",
    "{\"id\":1,\"text\":\"Hi\\u0000there\",\"n\":{\"a\":[1,2,{\"b\":null}]}}",
    "{\"sentiment\":{\"compound\":0.1703,\"positive\":0.11,\"neutral\":0.839,"
    "\"negative\":0.052,\"label\":\"positive\"},\"themes\":[],\"theme_id\":1}",
};

START_TEST(document_as_cjson) {
  cJSON *json = cJSON_Parse(documents[_i]);
  ck_assert_ptr_nonnull(json);
  assert_same_as_cjson(json);
  cJSON_Delete(json);
}
END_TEST

/* Escapes that outgrow the room reserved for the text as it is: the buffer grows mid-string. */
START_TEST(long_escaped_string_as_cjson) {
  size_t length = 20000;
  char *text = malloc(length + 1);
  ck_assert_ptr_nonnull(text);
  for (size_t i = 0; i < length; i++)
    text[i] = "\x01\"a\n\\bc\x1f"[i % 8];
  text[length] = '\0';
  cJSON *string = cJSON_CreateString(text);
  ck_assert_ptr_nonnull(string);
  assert_same_as_cjson(string);
  cJSON_Delete(string);
  free(text);
}
END_TEST

/* tp_json_plain_length stops at the first byte to escape whatever its place: within the
 * 16-byte steps, the 8-byte words or the single bytes of the tail; the bytes just outside the
 * special ranges (0x20, 0x7f, 0x80, 0xff: SSE2's signed compare would take 0x80 and up) are
 * carried as they are. */
START_TEST(plain_length_finds_every_special_byte) {
  static const unsigned char special[] = {0x00, 0x01, 0x1f, '"', '\\'};
  static const unsigned char plain[] = {'a', 0x20, 0x7f, 0x80, 0x9f, 0xe9, 0xff};
  unsigned char bytes[48];
  for (size_t length = 0; length <= sizeof bytes; length++) {
    for (size_t p = 0; p < sizeof plain; p++) {
      memset(bytes, plain[p], sizeof bytes);
      ck_assert_uint_eq(tp_json_plain_length(bytes, length), length);
    }
    for (size_t at = 0; at < length; at++)
      for (size_t s = 0; s < sizeof special; s++) {
        memset(bytes, 0x80, sizeof bytes);
        bytes[at] = special[s];
        if (at + 1 < length)
          bytes[at + 1] = '"'; /* a later special byte does not move the answer */
        ck_assert_msg(tp_json_plain_length(bytes, length) == at,
                      "length %zu, byte 0x%02x at %zu: %zu", length, special[s], at,
                      tp_json_plain_length(bytes, length));
      }
  }
}
END_TEST

/* tp_json_plain_run, on NUL-terminated strings starting at each of the 16 alignments: it stops
 * at the first special byte before the NUL, else at the NUL, whatever bytes follow the NUL in
 * its aligned block (specials there are not counted). */
START_TEST(plain_run_finds_every_special_byte) {
  static const unsigned char special[] = {0x01, 0x1f, '"', '\\'};
  _Alignas(16) unsigned char area[96];
  for (size_t offset = 0; offset < 16; offset++) {
    unsigned char *text = area + offset;
    for (size_t length = 0; length <= 48; length++) {
      memset(area, '"', sizeof area); /* special bytes before and after the string */
      memset(text, 0x80, length);
      text[length] = '\0';
      ck_assert_msg(tp_json_plain_run(text) == length, "offset %zu, length %zu: %zu", offset,
                    length, tp_json_plain_run(text));
      for (size_t at = 0; at < length; at++)
        for (size_t k = 0; k < sizeof special; k++) {
          memset(text, 0xff, length);
          text[at] = special[k];
          ck_assert_msg(tp_json_plain_run(text) == at, "offset %zu, byte 0x%02x at %zu of %zu",
                        offset, special[k], at, length);
        }
    }
  }
}
END_TEST

/* A string ending on the last byte of a page followed by an unreadable page, at every length up
 * to 40 bytes: the aligned blocks tp_json_plain_run reads stay on the readable page (a fault
 * would end the test). */
START_TEST(plain_run_stays_on_the_page) {
  long page = sysconf(_SC_PAGESIZE);
  unsigned char *pages =
      mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ck_assert_ptr_ne(pages, MAP_FAILED);
  ck_assert_int_eq(mprotect(pages + page, (size_t)page, PROT_NONE), 0);
  for (size_t length = 0; length <= 40; length++) {
    unsigned char *text = pages + page - 1 - length;
    memset(text, 'a', length);
    text[length] = '\0';
    ck_assert_uint_eq(tp_json_plain_run(text), length);
  }
  munmap(pages, (size_t)page * 2);
}
END_TEST

/* A string with one byte to escape at each place from 0 to 40 prints as cJSON prints it. */
START_TEST(escape_at_every_place_as_cjson) {
  static const char special[] = {'\x01', '\n', '\x1f', '"', '\\'};
  char text[42];
  for (size_t length = 1; length < sizeof text; length++)
    for (size_t at = 0; at < length; at++)
      for (size_t s = 0; s < sizeof special; s++) {
        memset(text, 'x', length);
        text[length] = '\0';
        text[at] = special[s];
        cJSON *string = cJSON_CreateString(text);
        ck_assert_ptr_nonnull(string);
        assert_same_as_cjson(string);
        cJSON_Delete(string);
      }
}
END_TEST

/* The members' loop writes a member's ',', memoized key and number or constant string into one
 * reservation: printed into a buffer that starts at every capacity from 1 byte up, members with
 * the longest of each (a 29-byte key and label, quoted with the ':' to the memo's 32 bytes, a
 * 24-character number), ones a byte too long, escaped ones, in objects and arrays, come out as
 * cJSON's text (and AddressSanitizer sees no write past the buffer). */
START_TEST(members_at_every_capacity) {
  static const char longest_key[] = "k1234567890123456789012345678"; /* 29 bytes */
  static const char too_long_key[] = "k12345678901234567890123456789";
  static const char escaped_key[] = "tab\tkey";
  static const char longest_label[] = "l1234567890123456789012345678"; /* 29 bytes */
  static const char too_long_label[] = "l12345678901234567890123456789";
  static const double numbers[] = {-1.2345678901234567e-300, 0.1703, -0.0, DBL_MAX, 12};
  cJSON *root = cJSON_CreateObject();
  cJSON *list = cJSON_CreateArray();
  cJSON_AddItemToObjectCS(root, "first", cJSON_CreateNumber(1)); /* then each has a ',' */
  for (size_t i = 0; i < sizeof numbers / sizeof *numbers; i++) {
    cJSON_AddItemToObjectCS(root, longest_key, cJSON_CreateNumber(numbers[i]));
    cJSON_AddItemToObjectCS(root, too_long_key, cJSON_CreateNumber(numbers[i]));
    cJSON_AddItemToObjectCS(root, escaped_key, cJSON_CreateStringReference(longest_label));
    cJSON_AddItemToObjectCS(root, longest_key, cJSON_CreateStringReference(too_long_label));
    cJSON_AddItemToObject(root, too_long_key, cJSON_CreateStringReference(longest_label));
    cJSON_AddItemToArray(list, cJSON_CreateNumber(numbers[i]));
    cJSON_AddItemToArray(list, cJSON_CreateStringReference(longest_label));
  }
  cJSON_AddItemToObjectCS(root, longest_key, list);
  char *expected = cJSON_PrintUnformatted(root);
  ck_assert_ptr_nonnull(expected);
  size_t length = strlen(expected);
  for (size_t capacity = 1; capacity <= length + 1; capacity++) {
    tp_json_constants constants;
    tp_json_constants_clear(&constants);
    char *buffer = malloc(capacity);
    ck_assert_ptr_nonnull(buffer);
    size_t used = 0, room = capacity;
    ck_assert_int_eq(tp_json_print_append_with(root, &constants, &buffer, &used, &room), 0);
    ck_assert_msg(used == length && memcmp(buffer, expected, length) == 0,
                  "capacity %zu: printed %.*s", capacity, (int)used, buffer);
    free(buffer);
  }
  cJSON_free(expected);
  cJSON_Delete(root);
}
END_TEST

START_TEST(raw_and_appending) {
  cJSON *object = cJSON_CreateObject();
  cJSON_AddRawToObject(object, "raw", "[1, 2]");
  char *buffer = NULL;
  size_t used = 0, capacity = 0;
  ck_assert_int_eq(tp_json_print_append(object, &buffer, &used, &capacity), 0);
  ck_assert_int_eq(tp_json_print_append(object, &buffer, &used, &capacity), 0);
  ck_assert_uint_eq(used, 2 * strlen("{\"raw\":[1, 2]}"));
  ck_assert(memcmp(buffer, "{\"raw\":[1, 2]}{\"raw\":[1, 2]}", used) == 0);
  /* a raw item without text cannot be printed (nor can cJSON print it): nothing appended */
  cJSON *broken = cJSON_CreateRaw("x");
  cJSON_free(broken->valuestring);
  broken->valuestring = NULL;
  cJSON_AddItemToObject(object, "broken", broken);
  ck_assert_ptr_null(cJSON_PrintUnformatted(object));
  size_t before = used;
  ck_assert_int_eq(tp_json_print_append(object, &buffer, &used, &capacity), -1);
  ck_assert_uint_eq(used, before);
  free(buffer);
  cJSON_Delete(object);
}
END_TEST

/* Constant keys and string values (cJSON_AddItemToObjectCS, cJSON_CreateStringReference) are
 * memoized by pointer for one print call: many of them, more than the memo's slots, repeated in
 * turn, some escaped, some too long to memoize, some the same text at another address, and one
 * string both a key and a value, print as cJSON prints them. */
static const char *const constants[] = {"compound",
                                        "positive",
                                        "neutral",
                                        "negative",
                                        "label",
                                        "start",
                                        "length",
                                        "sentences",
                                        "tab\there",
                                        "quote\"",
                                        "control\x01",
                                        "",
                                        "caf\xc3\xa9",
                                        "a key longer than the thirty-two bytes of a memo slot",
                                        "exactly thirty bytes of text..",
                                        "twenty-nine bytes of text...."};

START_TEST(constants_as_cjson) {
  static char copies[40][16]; /* the same texts at other addresses */
  cJSON *root = cJSON_CreateArray();
  size_t count = sizeof constants / sizeof *constants;
  for (int round = 0; round < 40; round++) {
    cJSON *object = cJSON_CreateObject();
    ck_assert_ptr_nonnull(object);
    for (size_t k = 0; k < count; k++) {
      const char *key = constants[(k + (size_t)round) % count];
      const char *value = constants[(k * 7 + (size_t)round) % count];
      cJSON_AddItemToObjectCS(object, key, cJSON_CreateStringReference(value));
    }
    snprintf(copies[round], sizeof copies[round], "copy %d", round % 3);
    cJSON_AddItemToObjectCS(object, copies[round], cJSON_CreateStringReference(copies[round]));
    cJSON_AddItemToObjectCS(object, "label", cJSON_CreateNumber(round));
    cJSON_AddItemToArray(root, object);
  }
  assert_same_as_cjson(root);
  cJSON_Delete(root);
  /* the memo is one call's: a constant's text changed between two calls prints changed */
  char buffer[16] = "before";
  cJSON *one = cJSON_CreateObject();
  cJSON_AddItemToObjectCS(one, buffer, cJSON_CreateStringReference(buffer));
  assert_same_as_cjson(one);
  strcpy(buffer, "after");
  assert_same_as_cjson(one);
  cJSON_Delete(one);
}
END_TEST

/* One memo across the prints of many trees, all made before the first print and each freed
 * after its own (as a batch slice prints its records): the same text as cJSON prints. */
START_TEST(constants_across_prints) {
  enum { TREES = 30 };
  static char texts[TREES][16]; /* constants that differ from tree to tree */
  size_t count = sizeof constants / sizeof *constants;
  cJSON *trees[TREES];
  size_t expected_length = 0;
  char *expected = malloc(1);
  for (int tree = 0; tree < TREES; tree++) {
    snprintf(texts[tree], sizeof texts[tree], "own %d", tree);
    trees[tree] = cJSON_CreateObject();
    for (size_t k = 0; k < (size_t)tree % 7 + 3; k++)
      cJSON_AddItemToObjectCS(trees[tree], constants[(k * 5 + (size_t)tree) % count],
                              cJSON_CreateStringReference(constants[(k + (size_t)tree) % count]));
    cJSON_AddItemToObjectCS(trees[tree], texts[tree], cJSON_CreateStringReference(texts[tree]));
    char *printed = cJSON_PrintUnformatted(trees[tree]);
    expected = realloc(expected, expected_length + strlen(printed) + 1);
    memcpy(expected + expected_length, printed, strlen(printed));
    expected_length += strlen(printed);
    cJSON_free(printed);
  }
  tp_json_constants memo;
  tp_json_constants_clear(&memo);
  char *buffer = NULL;
  size_t used = 0, capacity = 0;
  for (int tree = 0; tree < TREES; tree++) {
    ck_assert_int_eq(tp_json_print_append_with(trees[tree], &memo, &buffer, &used, &capacity), 0);
    cJSON_Delete(trees[tree]);
  }
  ck_assert_uint_eq(used, expected_length);
  ck_assert_msg(memcmp(buffer, expected, used) == 0, "printed %.*s\nexpected %.*s", (int)used,
                buffer, (int)expected_length, expected);
  free(buffer);
  free(expected);
}
END_TEST

/* `wanted` addresses in `area` (`size` bytes, 16 apart) whose own slot among `slots` is the
 * same, into found[]; fails the test if there are not that many. */
static void same_slot_addresses(char *area, size_t size, size_t slots, char **found,
                                size_t wanted) {
  for (size_t first = 0; first + 16 <= size; first += 16) {
    size_t count = 0;
    size_t home = tp_pointer_slot(area + first, slots);
    for (size_t at = first; at + 16 <= size && count < wanted; at += 16)
      if (tp_pointer_slot(area + at, slots) == home)
        found[count++] = area + at;
    if (count == wanted)
      return;
  }
  ck_abort_msg("no %zu addresses share a slot", wanted);
}

/* Pointers that share their own slot are all kept, each found again where it was put; a full
 * set gives a newcomer its own slot to replace. */
START_TEST(pointer_probe_keeps_sharing_pointers) {
  enum { SLOTS = 8 };
  static char area[16 * 4096];
  char *sharing[3];
  same_slot_addresses(area, sizeof area, SLOTS, sharing, 3);
  const char *set[SLOTS] = {NULL};
  size_t put[3];
  int found;
  for (size_t k = 0; k < 3; k++) {
    put[k] = tp_pointer_probe(set, SLOTS, sharing[k], &found);
    ck_assert_int_eq(found, 0);
    set[put[k]] = sharing[k];
  }
  ck_assert_uint_ne(put[0], put[1]);
  ck_assert_uint_ne(put[1], put[2]);
  ck_assert_uint_ne(put[0], put[2]);
  for (size_t k = 0; k < 3; k++) {
    ck_assert_uint_eq(tp_pointer_probe(set, SLOTS, sharing[k], &found), put[k]);
    ck_assert_int_eq(found, 1);
  }
  for (size_t k = 0, slot; k < SLOTS; k++) { /* fill the rest */
    slot = tp_pointer_probe(set, SLOTS, area + 16 * (100 + k), &found);
    if (set[slot] == NULL)
      set[slot] = area + 16 * (100 + k);
  }
  char *newcomer = area + 16 * 2000;
  ck_assert_uint_eq(tp_pointer_probe(set, SLOTS, newcomer, &found),
                    tp_pointer_slot(newcomer, SLOTS));
  ck_assert_int_eq(found, 0);
}
END_TEST

/* Two constant keys whose addresses share a memo slot, used in turn (like every sentence's
 * "compound" and "label"): both stay memoized, and the print is cJSON's. */
START_TEST(constants_sharing_a_slot_stay_memoized) {
  static char area[16 * 4096];
  char *sharing[2];
  same_slot_addresses(area, sizeof area, TP_JSON_CONSTANT_SLOTS, sharing, 2);
  strcpy(sharing[0], "compound");
  strcpy(sharing[1], "label");
  cJSON *list = cJSON_CreateArray();
  for (int k = 0; k < 4; k++) {
    cJSON *member = cJSON_CreateObject();
    cJSON_AddItemToObjectCS(member, sharing[0], cJSON_CreateNumber(k));
    cJSON_AddItemToObjectCS(member, sharing[1], cJSON_CreateStringReference(sharing[0]));
    cJSON_AddItemToArray(list, member);
  }
  assert_same_as_cjson(list);
  tp_json_constants memo;
  tp_json_constants_clear(&memo);
  char *buffer = NULL;
  size_t used = 0, capacity = 0;
  ck_assert_int_eq(tp_json_print_append_with(list, &memo, &buffer, &used, &capacity), 0);
  int held[2] = {0, 0};
  for (size_t slot = 0; slot < TP_JSON_CONSTANT_SLOTS; slot++)
    for (int k = 0; k < 2; k++)
      held[k] |= memo.text[slot] == sharing[k];
  ck_assert_msg(held[0] && held[1], "memoized: compound %d, label %d", held[0], held[1]);
  free(buffer);
  cJSON_Delete(list);
}
END_TEST

static Suite *json_print_suite(void) {
  Suite *suite = suite_create("json_print");
  TCase *numbers_case = tcase_create("numbers");
  tcase_add_loop_test(numbers_case, number_as_cjson, 0, (int)(sizeof numbers / sizeof *numbers));
  tcase_add_test(numbers_case, many_numbers_as_cjson);
  tcase_add_test(numbers_case, two_million_short_decimals_as_rule);
  tcase_add_test(numbers_case, decimals_as_snprintf);
  tcase_set_timeout(numbers_case, 60);
  suite_add_tcase(suite, numbers_case);
  TCase *strings_case = tcase_create("strings");
  tcase_add_loop_test(strings_case, string_as_cjson, 0, (int)(sizeof strings / sizeof *strings));
  tcase_add_test(strings_case, long_escaped_string_as_cjson);
  tcase_add_test(strings_case, plain_length_finds_every_special_byte);
  tcase_add_test(strings_case, plain_run_finds_every_special_byte);
  tcase_add_test(strings_case, plain_run_stays_on_the_page);
  tcase_add_test(strings_case, escape_at_every_place_as_cjson);
  suite_add_tcase(suite, strings_case);
  TCase *documents_case = tcase_create("documents");
  tcase_add_loop_test(documents_case, document_as_cjson, 0,
                      (int)(sizeof documents / sizeof *documents));
  tcase_add_test(documents_case, raw_and_appending);
  tcase_add_test(documents_case, members_at_every_capacity);
  tcase_add_test(documents_case, constants_as_cjson);
  tcase_add_test(documents_case, constants_across_prints);
  tcase_add_test(documents_case, pointer_probe_keeps_sharing_pointers);
  tcase_add_test(documents_case, constants_sharing_a_slot_stay_memoized);
  suite_add_tcase(suite, documents_case);
  return suite;
}

int main(void) {
  return tp_check_run(json_print_suite());
}
