/* tests/unit/test_json_fast.c - tp_json_parse_plain() builds cJSON's very tree, node by node
 * (types, names, strings, valueint, the bits of valuedouble, next/prev links), for a table of
 * records and for pseudo-random ones; it leaves everything outside its subset (and every
 * error) to cJSON by answering NULL; and the plain records it is for do not fall back. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "json_fast.h"
#include "json_tree_compare.h"

/* Parses `text` both ways; returns whether the fast parse took it (and then matched). */
static int check_document(const char *text) {
  size_t length = strlen(text);
  cJSON *fast = tp_json_parse_plain(text, length);
  cJSON *reference = cJSON_ParseWithLengthOpts(text, length + 1, NULL, 1);
  if (fast != NULL) {
    ck_assert_msg(reference != NULL, "fast parse took what cJSON refuses: %s", text);
    char why[256];
    ck_assert_msg(!json_tree_differs(fast, reference, "(root)", 0, why, sizeof why), "%s: %s", why,
                  text);
  }
  int taken = fast != NULL;
  cJSON_Delete(fast);
  cJSON_Delete(reference);
  return taken;
}

/* Records the fast parse must take, and match. */
static const char *const plain[] = {
    "{}",
    " \t{ }\r\n",
    "{\"id\": 1, \"text\": \"Smart science fiction.\"}",
    "{\"id\":-0,\"n\":0,\"big\":123456789012345,\"neg\":-987654321098765}",
    "{\"f\":0.1,\"g\":-2.5e-3,\"h\":1E+400,\"i\":-1e-400,\"j\":12345678901234567890}",
    "{\"sat\":3000000000,\"low\":-3000000000,\"edge\":2147483647,\"e2\":-2147483648.5}",
    "{\"t\":true,\"f\":false,\"n\":null,\"a\":[],\"o\":{},\"deep\":[[1,[2,{\"x\":[3]}]]]}",
    "{\"esc\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t end\",\"utf\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}",
    "{\"dup\":1,\"dup\":2,\"\":\"empty name\"}",
    "{\"long\":\"0123456789abcdef0123456789abcdef\\\"0123456789\\\\abcdef0123\"}",
    "{ \"spaced\" : [ 1 , 2 , { \"k\" : \"v\" } ] , \"x\" : \"y\" }",
};

/* Outside the subset or invalid: the fast parse answers NULL (cJSON decides). */
static const char *const left_to_cjson[] = {
    "",
    "[1,2]",
    "\"text\"",
    "\xef\xbb\xbf{\"bom\":1}",
    "{\"u\":\"\\u00e9\"}",
    "{\"ctl\":\"a\x01z\"}",
    "\f{\"a\":1}",
    "{\"a\":01}",
    "{\"a\":1.}",
    "{\"a\":-}",
    "{\"a\":1e}",
    "{\"a\":1-2}",
    "{\"a\":.5}",
    "{\"a\":+1}",
    "{\"a\":1,}",
    "{\"a\" 1}",
    "{\"a\":tru}",
    "{\"a\":nul",
    "{\"a\":1} x",
    "{\"a\":\"unterminated",
    "{\"a\":\"bad escape \\x\"}",
    "{\"a\":\"ends in backslash\\",
    "{\"n\":123456789012345678901234567890123}",
};

START_TEST(plain_records_match_cjson) {
  ck_assert_msg(check_document(plain[_i]), "fell back to cJSON: %s", plain[_i]);
}
END_TEST

START_TEST(other_input_is_left_to_cjson) {
  ck_assert_msg(!check_document(left_to_cjson[_i]), "took: %s", left_to_cjson[_i]);
}
END_TEST

START_TEST(nesting_beyond_the_limit_is_left_to_cjson) {
  char text[400] = "{\"a\":";
  for (int level = 0; level < 70; level++)
    strcat(text, "[");
  for (int level = 0; level < 70; level++)
    strcat(text, "]");
  strcat(text, "}");
  ck_assert(!check_document(text));
}
END_TEST

/* No text holding a NUL character is taken, wherever it is: a 0 byte at each place of a plain
 * record (in a name, a string, a number, between tokens), or \u0000 in a string. The record
 * preparation relies on it to skip its NUL search (json_fast.h). */
START_TEST(no_nul_character_is_taken) {
  static const char record[] =
      "{\"id\": 12, \"text\": \"Smart science\\n fiction.\", \"x\": [true]}";
  size_t length = sizeof record - 1;
  char text[sizeof record];
  cJSON *whole = tp_json_parse_plain(record, length);
  ck_assert_ptr_nonnull(whole); /* taken without the 0 byte */
  cJSON_Delete(whole);
  for (size_t at = 0; at < length; at++) {
    memcpy(text, record, sizeof record);
    text[at] = '\0';
    cJSON *json = tp_json_parse_plain(text, length);
    ck_assert_msg(json == NULL, "took a 0 byte at %zu", at);
  }
  static const char escaped[] = "{\"t\":\"a\\u0000b\"}";
  ck_assert_ptr_null(tp_json_parse_plain(escaped, sizeof escaped - 1));
}
END_TEST

static uint64_t state = 0x2545f4914f6cdd1dull;

static unsigned next_random(unsigned bound) {
  state = state * 6364136223846793005ull + 1442695040888963407ull;
  return (unsigned)(state >> 33) % bound;
}

/* Appends a pseudo-random JSON value in the subset to `out`. */
static void random_value(char *out, size_t size, int depth) {
  static const char *const atoms[] = {"true",
                                      "false",
                                      "null",
                                      "0",
                                      "-0",
                                      "7",
                                      "-12",
                                      "0.5",
                                      "-3.25e2",
                                      "1e-7",
                                      "6.02E+23",
                                      "0.1234",
                                      "-0.0001",
                                      "123456789012345",
                                      "1234567890123456789",
                                      "2147483648"};
  static const char *const pieces[] = {"a", "\xc3\xa9", "\\n",          "\\\"", "\\\\",      "\\/",
                                       " ", "word",     "\xe2\x80\x99", "\\t",  "0123456789"};
  size_t used = strlen(out);
  unsigned kind = depth > 4 ? next_random(2) : next_random(4);
  if (kind == 0) {
    snprintf(out + used, size - used, "%s", atoms[next_random(16)]);
  } else if (kind == 1) {
    strncat(out, "\"", size - used - 1);
    for (unsigned n = next_random(12); n > 0; n--)
      strncat(out, pieces[next_random(11)], size - strlen(out) - 1);
    strncat(out, "\"", size - strlen(out) - 1);
  } else {
    int object = kind == 2;
    strncat(out, object ? "{" : "[", size - used - 1);
    for (unsigned n = next_random(5), first = 1; n > 0; n--, first = 0) {
      if (!first)
        strncat(out, next_random(2) ? "," : " , ", size - strlen(out) - 1);
      if (object) {
        char name[16];
        snprintf(name, sizeof name, "\"k%u\":", next_random(6)); /* repeats: duplicate names */
        strncat(out, name, size - strlen(out) - 1);
      }
      random_value(out, size, depth + 1);
    }
    strncat(out, object ? "}" : "]", size - strlen(out) - 1);
  }
}

/* The longest string of `item`'s members and elements in the order the parse copies them (a
 * member's name before its value), the last of equal lengths, into *longest. */
static void find_longest(const cJSON *item, tp_json_string *longest) {
  for (const cJSON *child = item->child; child != NULL; child = child->next) {
    if (child->string != NULL && strlen(child->string) >= longest->length)
      *longest = (tp_json_string){child->string, strlen(child->string)};
    if (cJSON_IsString(child) && strlen(child->valuestring) >= longest->length)
      *longest = (tp_json_string){child->valuestring, strlen(child->valuestring)};
    find_longest(child, longest);
  }
}

/* tp_json_parse_plain_longest names the tree's longest string, the very copy in the tree, and
 * its length without escapes; none when the text is left to cJSON. */
static void assert_longest(const char *text) {
  tp_json_string longest;
  cJSON *json = tp_json_parse_plain_longest(text, strlen(text), &longest);
  if (json == NULL) {
    ck_assert_ptr_null(longest.text);
    ck_assert_uint_eq(longest.length, 0);
    return;
  }
  tp_json_string expected = {NULL, 0};
  find_longest(json, &expected);
  ck_assert_msg(longest.text == expected.text && longest.length == expected.length,
                "%s: longest %zu bytes at %p, expected %zu at %p", text, longest.length,
                (const void *)longest.text, expected.length, (const void *)expected.text);
  cJSON_Delete(json);
}

START_TEST(longest_string_is_named) {
  assert_longest("{\"id\": 1, \"text\": \"a\\n\\\"b\\\\c\"}"); /* text: 6 bytes */
  assert_longest("{\"a long member name\": \"short\", \"t\": \"\"}");
  assert_longest("{\"ab\": \"cd\", \"ef\": [\"gh\", {\"ij\": \"kl\"}]}"); /* ties: the last */
  assert_longest("{}");
  assert_longest("{\"a\": 1, \"b\": [true, null]}"); /* names only */
  assert_longest("{\"t\": \"\\u00e9\"}");            /* left to cJSON */
}
END_TEST

START_TEST(random_records_match_cjson) {
  char text[8192];
  for (int round = 0; round < 3000; round++) {
    strcpy(text, "{\"id\":");
    random_value(text, sizeof text, 3);
    strncat(text, ",\"text\":", sizeof text - strlen(text) - 1);
    random_value(text, sizeof text, 1);
    strncat(text, "}", sizeof text - strlen(text) - 1);
    ck_assert_msg(check_document(text), "fell back to cJSON: %s", text);
    assert_longest(text);
  }
}
END_TEST

static Suite *json_fast_suite(void) {
  Suite *suite = suite_create("json_fast");
  TCase *same = tcase_create("same tree as cJSON");
  tcase_add_loop_test(same, plain_records_match_cjson, 0, (int)(sizeof plain / sizeof *plain));
  tcase_add_test(same, random_records_match_cjson);
  tcase_add_test(same, longest_string_is_named);
  suite_add_tcase(suite, same);
  TCase *other = tcase_create("left to cJSON");
  tcase_add_loop_test(other, other_input_is_left_to_cjson, 0,
                      (int)(sizeof left_to_cjson / sizeof *left_to_cjson));
  tcase_add_test(other, nesting_beyond_the_limit_is_left_to_cjson);
  tcase_add_test(other, no_nul_character_is_taken);
  suite_add_tcase(suite, other);
  return suite;
}

int main(void) {
  return tp_check_run(json_fast_suite());
}
