/* tests/plugins/summary/test_summary_readable.c - which sentences the digest quotes as they are:
 * a table of sentences, list items and fragments (plugins/summary/summary_readable.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "summary_readable.h"

static const struct {
  const char *text;
  summary_reading reading;
} cases[] = {
    {"- Rishi trying to clear the mess up", SUMMARY_LIST_ITEM},
    {"* cheap and cheerful", SUMMARY_LIST_ITEM},
    {"\xe2\x80\xa2 The room was clean.", SUMMARY_LIST_ITEM},
    {"2) the price went up", SUMMARY_LIST_ITEM},
    {"  > quoted reply", SUMMARY_LIST_ITEM},
    {"good read, thanks.", SUMMARY_FRAGMENT},
    {"Great location near the tube.", SUMMARY_FRAGMENT},
    {"Rishi trying to clear the mess up", SUMMARY_FRAGMENT},
    {"The room was clean.", SUMMARY_SENTENCE},
    {"That\xe2\x80\x99s not really a mission, then?", SUMMARY_SENTENCE},
    {"I love it.", SUMMARY_SENTENCE},
    {"The battery lasts all day.", SUMMARY_SENTENCE},
    {"Brilliant analysis of why the mission approach collapsed.", SUMMARY_SENTENCE},
    {"Staff can't do enough for you", SUMMARY_SENTENCE},
    {"2.5 stars overall is what it deserves", SUMMARY_SENTENCE},
    {"Compared to others it is cheap", SUMMARY_SENTENCE},
    {"In the car, it locks onto the satellites fast.", SUMMARY_SENTENCE},
    {"Low noise, which really adds to the comfort.", SUMMARY_SENTENCE},
    {"Nothing but praise for it, bus and all.", SUMMARY_FRAGMENT},
    {"Free wifi in this lobby.", SUMMARY_FRAGMENT},
    {"", SUMMARY_FRAGMENT},
};

START_TEST(sentences_fragments_and_list_items) {
  summary_reading got = summary_readable(cases[_i].text, strlen(cases[_i].text));
  ck_assert_msg(got == cases[_i].reading, "\"%s\": got %d, expected %d", cases[_i].text, got,
                cases[_i].reading);
}
END_TEST

START_TEST(fragments_give_way_to_sentences) {
  ck_assert_double_eq(summary_reading_factor(SUMMARY_SENTENCE), 1.0);
  ck_assert_double_lt(summary_reading_factor(SUMMARY_FRAGMENT), 1.0);
  ck_assert_double_lt(summary_reading_factor(SUMMARY_LIST_ITEM),
                      summary_reading_factor(SUMMARY_FRAGMENT));
}
END_TEST

int main(void) {
  Suite *suite = suite_create("summary-readable");
  TCase *table = tcase_create("table");
  tcase_add_loop_test(table, sentences_fragments_and_list_items, 0,
                      (int)(sizeof cases / sizeof cases[0]));
  tcase_add_test(table, fragments_give_way_to_sentences);
  suite_add_tcase(suite, table);
  SRunner *runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
