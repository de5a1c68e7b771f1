/* tests/plugins/summary/test_summary_readable.c - which sentences the digest quotes as they are:
 * tables of sentences, list items, truncated clauses, fragments (with a first "Its" read as
 * "it's") and first-person anecdotes, and the factor each gets
 * (plugins/summary/summary_readable.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "summary_readable.h"

/* A text and what a classifier should say of it. */
typedef struct text_case {
  const char *text;
  int expected;
} text_case;

static void check_case(const text_case *test_case, int (*classify)(const char *, size_t)) {
  int got = classify(test_case->text, strlen(test_case->text));
  ck_assert_msg(got == test_case->expected, "\"%s\": got %d, expected %d", test_case->text, got,
                test_case->expected);
}

static int reading_of(const char *text, size_t length) {
  return (int)summary_readable(text, length);
}

static const text_case cases[] = {
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
    /* more list markers */
    {"b) the pool is small", SUMMARY_LIST_ITEM},
    {"\xc2\xb7 clean rooms", SUMMARY_LIST_ITEM},
    {"A) nice", SUMMARY_LIST_ITEM},
    {"A nice room.", SUMMARY_FRAGMENT},
    {"C) the third point", SUMMARY_LIST_ITEM},
    {"A. Smith wrote it", SUMMARY_SENTENCE},
    /* the start cut off */
    {", The screen is easy on the eyes .", SUMMARY_TRUNCATED},
    {"; it was fine", SUMMARY_TRUNCATED},
    {"and the sound quality is great !", SUMMARY_TRUNCATED},
    {"but I do miss the old one.", SUMMARY_TRUNCATED},
    {"And the staff was helpful.", SUMMARY_SENTENCE},
    {"so far it has been great", SUMMARY_SENTENCE},
    {"Android is great.", SUMMARY_SENTENCE},
    /* the end cut off */
    {"The video camera works great and the", SUMMARY_TRUNCATED},
    {"The staff was friendly and polite, and the a .", SUMMARY_TRUNCATED},
    {"The sound quality is good, and", SUMMARY_TRUNCATED},
    {"It is one of", SUMMARY_TRUNCATED},
    {"Looks are great and interior is comfortable, but it ?", SUMMARY_TRUNCATED},
    {"The room was small and we ...", SUMMARY_TRUNCATED},
    {"I bought it and I love it.", SUMMARY_SENTENCE},
    {"The battery life on this thing really is", SUMMARY_TRUNCATED},
    {"That is what it is.", SUMMARY_SENTENCE},
    {"The screen is better than the 660 .", SUMMARY_SENTENCE},
    {"The room was clean and modern", SUMMARY_SENTENCE},
    {"The hotel I was referred to", SUMMARY_TRUNCATED},
    {"This is the hotel I was referred to.", SUMMARY_SENTENCE},
    /* a first "Its" read as "it's" before a determiner, preposition, adverb or adjective */
    {"Its a great device", SUMMARY_SENTENCE},
    {"Its very light and small.", SUMMARY_SENTENCE},
    {"Its really good value.", SUMMARY_SENTENCE},
    {"Its amazing.", SUMMARY_SENTENCE},
    {"its affordable and useful", SUMMARY_SENTENCE},
    {"Its in an easy location from the tube.", SUMMARY_SENTENCE},
    {"Its great.", SUMMARY_SENTENCE},
    {"Its battery and its screen.", SUMMARY_FRAGMENT},
    {"Its saving grace, the location.", SUMMARY_FRAGMENT},
    {"Nothing beats its a cappella choir.", SUMMARY_FRAGMENT}, /* only a first "its" */
    {"Its packaging, all cardboard.", SUMMARY_FRAGMENT},
    {"Great for its size.", SUMMARY_FRAGMENT},
    /* words that only end like a past form */
    {"Good speed and a hundred channels.", SUMMARY_FRAGMENT},
    {"Great screen, cleaned daily.", SUMMARY_SENTENCE},
};

START_TEST(sentences_fragments_and_list_items) {
  check_case(&cases[_i], reading_of);
}
END_TEST

START_TEST(fragments_give_way_to_sentences) {
  ck_assert_double_eq(summary_reading_factor(SUMMARY_SENTENCE), 1.0);
  ck_assert_double_lt(summary_reading_factor(SUMMARY_FRAGMENT), 1.0);
  ck_assert_double_lt(summary_reading_factor(SUMMARY_TRUNCATED), 1.0);
  ck_assert_double_lt(summary_reading_factor(SUMMARY_LIST_ITEM),
                      summary_reading_factor(SUMMARY_FRAGMENT));
}
END_TEST

/* First-person anecdotes: "I" or "we" opening a clause, at most one adverb, a past event. */
static const text_case stories[] = {
    {"We booked the room through an agency.", 1},
    {"I bought this for my wife last year.", 1},
    {"We finally got a room on the top floor.", 1},
    {"When we arrived, the room was not ready.", 1},
    {"My husband and I stayed here for a week.", 1},
    {"The room was fine, we stayed only a night.", 1},
    {"I\xe2\x80\x99ve used it every day since.", 1},
    {"We had a great time.", 1},
    {"I used it for a month.", 1},
    {"I need a new battery.", 0},
    {"I loved this hotel.", 0}, /* an attitude, not an event */
    {"We really enjoyed the pool.", 0},
    {"The price we paid was reasonable.", 0}, /* a relative clause */
    {"Glad I updated the map.", 0},
    {"I love the screen.", 0}, /* the present */
    {"I am so disappointed with the mileage.", 0},
    {"I would stay here again.", 0},
    {"The staff helped us when we asked.", 1},
    {"The staff was helpful.", 0},
    {"", 0},
};

START_TEST(first_person_anecdotes) {
  check_case(&stories[_i], summary_anecdote);
}
END_TEST

/* The quote factor is the reading's factor, times the anecdote factor for an anecdote. */
START_TEST(quote_factor_combines_reading_and_anecdote) {
  static const struct {
    const char *text;
    double factor;
  } factors[] = {
      {"The staff was helpful.", 1.0},
      {"We booked the room through an agency.", SUMMARY_ANECDOTE_FACTOR},
      {"good read, thanks.", SUMMARY_FRAGMENT_FACTOR},
      {"and we booked it for a week", SUMMARY_TRUNCATED_FACTOR * SUMMARY_ANECDOTE_FACTOR},
      {"- Rishi trying to clear the mess up", SUMMARY_LIST_FACTOR},
  };
  for (size_t i = 0; i < sizeof factors / sizeof *factors; i++)
    ck_assert_double_eq_tol(summary_quote_factor(factors[i].text, strlen(factors[i].text)),
                            factors[i].factor, 1e-12);
  ck_assert_double_lt(SUMMARY_ANECDOTE_FACTOR, 1.0);
  ck_assert_double_gt(SUMMARY_ANECDOTE_FACTOR, SUMMARY_FRAGMENT_FACTOR); /* mild */
}
END_TEST

int main(void) {
  Suite *suite = suite_create("summary-readable");
  TCase *table = tcase_create("table");
  tcase_add_loop_test(table, sentences_fragments_and_list_items, 0,
                      (int)(sizeof cases / sizeof cases[0]));
  tcase_add_test(table, fragments_give_way_to_sentences);
  tcase_add_loop_test(table, first_person_anecdotes, 0, (int)(sizeof stories / sizeof stories[0]));
  tcase_add_test(table, quote_factor_combines_reading_and_anecdote);
  suite_add_tcase(suite, table);
  return tp_check_run(suite);
}
