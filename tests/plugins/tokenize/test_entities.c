/* tests/plugins/tokenize/test_entities.c - HTML character references (entities.c): what
 * decodes, what is left alone, and the map from decoded bytes back to the original. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "entities.h"

typedef struct decode_case {
  const char *text;
  const char *decoded; /* NULL: nothing decodes (tk_entities_decode returns 0) */
} decode_case;

static const decode_case decode_cases[] = {
    {"fish &amp; chips", "fish & chips"},
    {"love you &lt;3", "love you <3"},
    {"&gt;:( so annoyed", ">:( so annoyed"},
    {"don&#39;t", "don't"},
    {"don&#x27;t &#X27;", "don't '"},
    {"&quot;quoted&quot;", "\"quoted\""},
    {"caf&eacute; &Eacute;t&eacute;", "caf\xC3\xA9 \xC3\x89t\xC3\xA9"},
    {"wait&hellip;", "wait\xE2\x80\xA6"},
    {"&#128512; &#x1F600;", "\xF0\x9F\x98\x80 \xF0\x9F\x98\x80"},
    {"&amp;amp; once", "&amp; once"},
    {"&amp &ampx; &AMP; &#; &#x; &#12a; & alone", NULL}, /* no ';', unknown names, no digits */
    {"&#0; &#xD800; &#1114112; &#99999999999;", NULL},   /* NUL, surrogate, too big */
    {"&#1114111;", "\xF4\x8F\xBF\xBF"},                  /* U+10FFFF, the last code point */
    {"no references at all", NULL},
    {"&;&&&lt;", "&;&&<"},
    {"end &amp", NULL},
    {"&amp;", "&"},
    {"\xC3\xA9&nbsp;x", "\xC3\xA9\xC2\xA0x"},
};

START_TEST(decode_table) {
  const decode_case *c = &decode_cases[_i];
  tk_decoded decoded = {0};
  size_t length = strlen(c->text);
  int status = tk_entities_decode(&decoded, c->text, length);
  if (c->decoded == NULL) {
    ck_assert_int_eq(status, 0);
  } else {
    ck_assert_int_eq(status, 1);
    ck_assert_str_eq(decoded.text, c->decoded);
    ck_assert_uint_eq(decoded.length, strlen(c->decoded));
    ck_assert_uint_le(decoded.length, length);
    ck_assert_uint_eq(tk_decoded_source(&decoded, decoded.length), length);
    /* the map never goes backwards, and plain bytes map to the same byte */
    for (size_t i = 0; i < decoded.length; i++) {
      uint32_t from = tk_decoded_source(&decoded, i);
      ck_assert_uint_lt(from, length);
      if (i > 0)
        ck_assert_uint_ge(from, tk_decoded_source(&decoded, i - 1));
      if (c->text[from] != '&')
        ck_assert_int_eq(c->text[from], decoded.text[i]);
    }
  }
  tk_decoded_release(&decoded);
}
END_TEST

/* A token of the decoded text maps back to exactly the bytes of its references. */
START_TEST(spans_map_back) {
  const char *text = "I &lt;3 fish &amp; chips!";
  tk_decoded decoded = {0};
  ck_assert_int_eq(tk_entities_decode(&decoded, text, strlen(text)), 1);
  const char *heart = strstr(decoded.text, "<3");
  size_t start = (size_t)(heart - decoded.text);
  uint32_t from = tk_decoded_source(&decoded, start);
  uint32_t to = tk_decoded_source(&decoded, start + 2);
  ck_assert_int_eq((int)(to - from), 5);
  ck_assert(strncmp(text + from, "&lt;3", 5) == 0);
  const char *amp = strchr(decoded.text, '&');
  start = (size_t)(amp - decoded.text);
  from = tk_decoded_source(&decoded, start);
  to = tk_decoded_source(&decoded, start + 1);
  ck_assert(strncmp(text + from, "&amp;", to - from) == 0);
  ck_assert_int_eq((int)(to - from), 5);
  tk_decoded_release(&decoded);
}
END_TEST

/* Buffers are reused: a long text after a short one, then a text with nothing to decode. */
START_TEST(buffers_reused) {
  tk_decoded decoded = {0};
  ck_assert_int_eq(tk_entities_decode(&decoded, "&lt;", 4), 1);
  char *long_text = malloc(5001);
  for (int i = 0; i < 1000; i++)
    memcpy(long_text + 5 * i, "&amp;", 5);
  long_text[5000] = '\0';
  ck_assert_int_eq(tk_entities_decode(&decoded, long_text, 5000), 1);
  ck_assert_uint_eq(decoded.length, 1000);
  ck_assert_uint_eq(tk_decoded_source(&decoded, 999), 4995);
  ck_assert_int_eq(tk_entities_decode(&decoded, "plain", 5), 0);
  ck_assert_uint_eq(decoded.length, 1000); /* left as it was */
  free(long_text);
  tk_decoded_release(&decoded);
}
END_TEST

/* Every plain byte maps to its own offset in the original, in runs of every length from 0 to 70
 * before, between and after references (the copy of plain runs works in blocks). */
START_TEST(plain_runs_map_exactly) {
  int run = _i;
  char text[3 * 70 + 16];
  size_t length = 0;
  for (int part = 0; part < 3; part++) {
    for (int k = 0; k < run; k++)
      text[length++] = (char)('a' + (k + part) % 26);
    if (part < 2) {
      memcpy(text + length, part == 0 ? "&lt;" : "&#233;", part == 0 ? 4 : 6);
      length += part == 0 ? 4 : 6;
    }
  }
  text[length] = '\0';
  tk_decoded decoded = {0};
  ck_assert_int_eq(tk_entities_decode(&decoded, text, length), 1);
  ck_assert_uint_eq(decoded.length, (size_t)(3 * run + 1 + 2));
  size_t at = 0; /* in the original */
  for (size_t i = 0; i < decoded.length; i++) {
    if (text[at] == '&') {
      size_t end = strchr(text + at, ';') - text + 1;
      size_t bytes = text[at + 1] == 'l' ? 1 : 2; /* "<" or "\xC3\xA9" */
      for (size_t k = 0; k < bytes; k++, i++)
        ck_assert_uint_eq(tk_decoded_source(&decoded, i), at);
      i--;
      at = end;
      continue;
    }
    ck_assert_uint_eq(tk_decoded_source(&decoded, i), at);
    ck_assert_int_eq(decoded.text[i], text[at]);
    at++;
  }
  ck_assert_uint_eq(at, length);
  ck_assert_uint_eq(tk_decoded_source(&decoded, decoded.length), length);
  tk_decoded_release(&decoded);
}
END_TEST

START_TEST(named_table) {
  ck_assert_int_eq(tk_entities_table_check(), -1);
  ck_assert_str_eq(tk_entities_named("amp", 3), "&");
  ck_assert_str_eq(tk_entities_named("rsquo", 5), "\xE2\x80\x99");
  ck_assert_ptr_null(tk_entities_named("am", 2));
  ck_assert_ptr_null(tk_entities_named("ampx", 4));
  ck_assert_ptr_null(tk_entities_named("Amp", 3));
  ck_assert_ptr_null(tk_entities_named("", 0));
}
END_TEST

static Suite *entities_suite(void) {
  Suite *suite = suite_create("entities");
  TCase *decode = tcase_create("decode");
  tcase_add_loop_test(decode, decode_table, 0, (int)(sizeof decode_cases / sizeof decode_cases[0]));
  tcase_add_test(decode, spans_map_back);
  tcase_add_test(decode, buffers_reused);
  tcase_add_loop_test(decode, plain_runs_map_exactly, 0, 71);
  tcase_add_test(decode, named_table);
  suite_add_tcase(suite, decode);
  return suite;
}

int main(void) {
  return tp_check_run(entities_suite());
}
