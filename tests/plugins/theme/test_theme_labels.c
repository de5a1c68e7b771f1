/* tests/plugins/theme/test_theme_labels.c - discovered theme keyphrases and labels
 * (plugins/theme/labels.c) on hand-built phrase lists: a phrase of a few records does not
 * label a large theme, weak words do not label, a rare longer phrase gives way to its frequent
 * sub-phrase, a sub-phrase that only repeats a kept phrase is dropped, tiny themes still get a
 * label (the stream's more common words first), a phrase many records use beats one few use
 * exclusively, and the label joins two phrases that do not contain each other. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "labels.h"

#define RECORDS 400

/* Phrase lists ("a\0b\0\0") built per record; labels per record. */
typedef struct corpus {
  char *phrases[RECORDS];
  int32_t labels[RECORDS];
  size_t count;
} corpus;

/* Appends a record of theme `theme` with the phrases of `list` ("a|b|c"). */
static void add(corpus *c, int32_t theme, const char *list) {
  size_t length = strlen(list);
  char *phrases = calloc(length + 2, 1);
  memcpy(phrases, list, length);
  for (size_t i = 0; i < length; i++)
    if (phrases[i] == '|')
      phrases[i] = '\0';
  c->phrases[c->count] = phrases;
  c->labels[c->count++] = theme;
}

static void release(corpus *c) {
  for (size_t i = 0; i < c->count; i++)
    free(c->phrases[i]);
}

static int has(const th_keyphrase *slots, const char *text) {
  for (int s = 0; s < TH_THEME_KEYPHRASES && slots[s].text; s++)
    if (slots[s].length == strlen(text) && memcmp(slots[s].text, text, slots[s].length) == 0)
      return 1;
  return 0;
}

/* Whether, over the two themes of `c`, theme `theme`'s keyphrase number `slot` is `text`. */
static int has_at(corpus *c, int theme, int slot, const char *text) {
  th_keyphrase best[2 * TH_THEME_KEYPHRASES];
  ck_assert_int_eq(
      th_theme_keyphrases((const char *const *)c->phrases, c->labels, c->count, 2, best), 0);
  const th_keyphrase *at = &best[theme * TH_THEME_KEYPHRASES + slot];
  return at->text && at->length == strlen(text) && memcmp(at->text, text, at->length) == 0;
}

/* Theme 0: 300 records about batteries (some about battery life), a weak word everywhere
 * and a rare four-word phrase in 3 records; theme 1: 100 records about screens. */
static void build(corpus *c) {
  memset(c, 0, sizeof *c);
  for (int i = 0; i < 300; i++) {
    if (i < 3)
      add(c, 0, "walt doodled steamboat willie|may|battery");
    else if (i % 3 == 0)
      add(c, 0, "battery life|may");
    else if (i % 50 == 1) /* 6 records: fewer than sqrt(300) / 2 */
      add(c, 0, "battery charger dies|may|battery");
    else
      add(c, 0, "battery|may");
  }
  for (int i = 0; i < 100; i++)
    add(c, 1, i % 2 ? "screen|may" : "bright screen|may");
}

START_TEST(frequent_distinctive_phrases_label) {
  corpus c;
  build(&c);
  th_keyphrase best[2 * TH_THEME_KEYPHRASES];
  ck_assert_int_eq(th_theme_keyphrases((const char *const *)c.phrases, c.labels, c.count, 2, best),
                   0);
  const th_keyphrase *battery = best, *screen = best + TH_THEME_KEYPHRASES;
  ck_assert(has(battery, "battery"));
  ck_assert(has(battery, "battery life"));
  ck_assert(!has(battery, "walt doodled steamboat willie")); /* 3 records of 300 */
  ck_assert(!has(battery, "doodled steamboat"));
  ck_assert(!has(battery, "may"));     /* weak, and in every theme */
  ck_assert(!has(battery, "charger")); /* too few records */
  ck_assert(!has(battery, "battery charger dies"));
  ck_assert(has(screen, "screen"));
  ck_assert(!has(screen, "may"));
  char label[64];
  th_theme_label(battery, label, sizeof label);
  ck_assert_str_eq(label, "battery");
  th_theme_label(screen, label, sizeof label);
  ck_assert_str_eq(label, "screen");
  release(&c);
}
END_TEST

/* A longer phrase that most uses of its sub-phrase come with is kept, and the sub-phrase that
 * only repeats it is dropped. */
START_TEST(sub_phrase_that_repeats_is_dropped) {
  corpus c;
  memset(&c, 0, sizeof c);
  for (int i = 0; i < 60; i++)
    add(&c, 0, i < 50 ? "gas mileage" : "parking");
  for (int i = 0; i < 60; i++)
    add(&c, 1, "room service");
  th_keyphrase best[2 * TH_THEME_KEYPHRASES];
  ck_assert_int_eq(th_theme_keyphrases((const char *const *)c.phrases, c.labels, c.count, 2, best),
                   0);
  ck_assert(has(best, "gas mileage"));
  ck_assert(!has(best, "gas"));
  ck_assert(!has(best, "mileage"));
  ck_assert(has(best, "parking"));
  char label[64];
  th_theme_label(best, label, sizeof label);
  ck_assert_str_eq(label, "gas mileage / parking");
  release(&c);
}
END_TEST

/* Used by many of the theme's records and likelier there beats used by few and nowhere else:
 * "doctor" (20 of theme 0's 100 records, 20 elsewhere) ranks before "fantasy" (12 records, all
 * in theme 0). */
START_TEST(many_uses_beat_exclusive_few) {
  corpus c;
  memset(&c, 0, sizeof c);
  for (int i = 0; i < 100; i++)
    add(&c, 0, i < 20 ? "doctor" : i < 32 ? "fantasy" : "patient care");
  for (int i = 0; i < 300; i++)
    add(&c, 1, i < 20 ? "doctor" : "space launch");
  ck_assert(has_at(&c, 0, 1, "doctor")); /* after "patient care" (68 records) */
  ck_assert(has_at(&c, 0, 2, "fantasy"));
  release(&c);
}
END_TEST

/* The one phrase that passes every rule is found however many rank before it: theme 0 (390
 * records) has 140 words in 20 of its records each and in all 10 records of theme 1 (too
 * common elsewhere, lift 0.68, each scoring 20 x (1 + ln 0.68) = 12.4) and "target" in 10
 * records of its own (lift 1.03, 10.3): the 140 sort first, more than labels.c sorts at first
 * (it sorts only the best 64 of more than 128 candidates until a pick needs more), and
 * "target" is still its first keyphrase. */
START_TEST(passing_phrase_found_after_many_better_scored) {
  static corpus c; /* 400 records of up to 140 words */
  memset(&c, 0, sizeof c);
  char list[140 * 8 + 16];
  for (int i = 0; i < 390; i++) {
    size_t at = (size_t)sprintf(list, "%s", i < 10 ? "target" : "");
    for (int p = 0; p < 140; p++)
      if ((i * 7 + p) % 390 < 20) /* 7 and 390 are coprime: each word in 20 records */
        at += (size_t)sprintf(list + at, "%szq%03d", at ? "|" : "", p);
    add(&c, 0, list);
  }
  for (int i = 0; i < 10; i++) {
    size_t at = 0;
    for (int p = 0; p < 140; p++)
      at += (size_t)sprintf(list + at, "%szq%03d", at ? "|" : "", p);
    add(&c, 1, list);
  }
  ck_assert(has_at(&c, 0, 0, "target"));
  release(&c);
}
END_TEST

/* A theme of one record: of its phrases (each used once), the one the stream uses more comes
 * first, not the first in alphabetical order. */
START_TEST(tiny_theme_prefers_common_words) {
  corpus c;
  memset(&c, 0, sizeof c);
  add(&c, 0, "acquires|price");
  for (int i = 0; i < 20; i++)
    add(&c, 1, i < 5 ? "price|kindle" : "kindle");
  ck_assert(has_at(&c, 0, 0, "price"));
  release(&c);
}
END_TEST

/* A theme of one record still gets its phrases, and a theme without records none. */
START_TEST(tiny_theme_falls_back) {
  corpus c;
  memset(&c, 0, sizeof c);
  add(&c, 0, "public sector|economy");
  for (int i = 0; i < 20; i++)
    add(&c, 1, "delivery speed");
  th_keyphrase best[3 * TH_THEME_KEYPHRASES];
  ck_assert_int_eq(th_theme_keyphrases((const char *const *)c.phrases, c.labels, c.count, 3, best),
                   0);
  ck_assert(has(best, "public sector"));
  ck_assert(has(best, "economy"));
  ck_assert(has(best + TH_THEME_KEYPHRASES, "delivery speed"));
  ck_assert_ptr_null(best[2 * TH_THEME_KEYPHRASES].text);
  char label[64];
  th_theme_label(best + 2 * TH_THEME_KEYPHRASES, label, sizeof label);
  ck_assert_str_eq(label, "");
  release(&c);
}
END_TEST

/* Which keyphrases can name a theme: reporting verbs, titles and vague words never alone, a
 * reporting verb at either end or a title at the end never; a title first names someone. */
static const struct {
  const char *phrase;
  int weak;
} weak_cases[] = {
    {"said", 1},
    {"says", 1},
    {"told", 1},
    {"according", 1},
    {"mr", 1},
    {"dr", 1},
    {"mrs", 1},
    {"would", 1},
    {"may", 1},
    {"said mr", 1},
    {"blair said", 1},
    {"minister mr", 1},
    {"would say", 1},
    {"mr blair", 0},
    {"battery life", 0},
    {"phones", 0},
    {"minister", 0},
    {"saidi", 0},
    {"tube station", 0},
    {"told story time", 1},
    {"sales figures", 0},
    {"people", 0},
    {"yay", 1},
    {"thanks", 1},
    {"yay parking", 1},
};

START_TEST(weak_phrases_never_label) {
  const char *phrase = weak_cases[_i].phrase;
  ck_assert_msg(th_weak_phrase(phrase, strlen(phrase)) == weak_cases[_i].weak, "%s: expected %d",
                phrase, weak_cases[_i].weak);
}
END_TEST

/* The filter in front of the weak-word lists never changes an answer: every listed word is
 * weak, and every word of one to three letters, and each listed word with a letter changed,
 * added or dropped, gets from th_weak_word what a plain scan of the lists gives. */
START_TEST(weak_word_filter_agrees_with_lists) {
  const char *word;
  size_t listed = 0;
  for (size_t i = 0; (word = th_weak_word_at(i)) != NULL; i++, listed++) {
    size_t length = strlen(word);
    ck_assert_msg(th_weak_word(word, length), "%s: listed but not weak", word);
    char variant[32];
    ck_assert_uint_lt(length + 2, sizeof variant);
    for (size_t at = 0; at <= length; at++)
      for (char c = 'a'; c <= 'z'; c++) {
        memcpy(variant, word, length);
        variant[at] = c; /* changed (or added at the end) */
        size_t variant_length = at == length ? length + 1 : length;
        ck_assert_int_eq(th_weak_word(variant, variant_length),
                         th_weak_word_listed(variant, variant_length));
      }
    ck_assert_int_eq(th_weak_word(word, length - 1), th_weak_word_listed(word, length - 1));
    ck_assert_int_eq(th_weak_word(word + 1, length - 1), th_weak_word_listed(word + 1, length - 1));
  }
  ck_assert_uint_gt(listed, 90);
  char short_word[3];
  size_t agreeing = 0;
  for (int a = 'a'; a <= 'z'; a++)
    for (int b = 'a' - 1; b <= 'z'; b++)
      for (int c = 'a' - 1; c <= 'z'; c++) {
        if (b < 'a' && c >= 'a')
          continue;
        size_t length = b < 'a' ? 1 : c < 'a' ? 2 : 3;
        short_word[0] = (char)a, short_word[1] = (char)b, short_word[2] = (char)c;
        ck_assert_int_eq(th_weak_word(short_word, length), th_weak_word_listed(short_word, length));
        agreeing++;
      }
  ck_assert_uint_eq(agreeing, 26 + 26 * 26 + 26 * 26 * 26);
  ck_assert(!th_weak_word("", 0));
}
END_TEST

/* Labels from a theme's keyphrases (best first, "|" between): two to four words, no word
 * named twice (plural or not), no phrase inside another. */
static const struct {
  const char *keyphrases;
  const char *label;
} label_cases[] = {
    {"rooms|room|small|clean", "rooms / small"},
    {"battery|batteries|battery life|charger", "battery / charger"},
    {"msg", "msg"},
    {"space|launch|lunar", "space / launch"},
    {"great location|tube station|tube", "great location / tube station"},
    {"water pressure heater broken|shower", "water pressure heater broken"},
    {"wifi|free|fast", "wifi / free"},
    {"ab|cd ef gh|ij", "ab / cd ef gh"},
    {"front desk staff|staff|friendly", "front desk staff / friendly"},
    {"gun|guns|assault weapons|militia", "gun / assault weapons"},
    {"opera|soap|soap opera|unsettling", "soap opera"},
    {"life|battery|phone|battery life", "battery life"},
    {"", ""},
};

START_TEST(labels_from_keyphrases) {
  th_keyphrase mine[TH_THEME_KEYPHRASES];
  for (int p = 0; p < TH_THEME_KEYPHRASES; p++)
    mine[p] = (th_keyphrase){0, NULL, 0};
  const char *list = label_cases[_i].keyphrases;
  for (int p = 0; *list && p < TH_THEME_KEYPHRASES; p++) {
    const char *end = strchr(list, '|');
    size_t length = end ? (size_t)(end - list) : strlen(list);
    mine[p] = (th_keyphrase){TH_THEME_KEYPHRASES - p, list, length};
    list += length + (end ? 1 : 0);
  }
  char label[128];
  th_theme_label(mine, label, sizeof label);
  ck_assert_str_eq(label, label_cases[_i].label);
}
END_TEST

static Suite *theme_labels_suite(void) {
  Suite *suite = suite_create("theme-labels");
  TCase *choice = tcase_create("keyphrase choice");
  tcase_add_test(choice, frequent_distinctive_phrases_label);
  tcase_add_test(choice, sub_phrase_that_repeats_is_dropped);
  tcase_add_test(choice, tiny_theme_falls_back);
  tcase_add_test(choice, many_uses_beat_exclusive_few);
  tcase_add_test(choice, tiny_theme_prefers_common_words);
  tcase_add_test(choice, passing_phrase_found_after_many_better_scored);
  suite_add_tcase(suite, choice);
  TCase *table = tcase_create("label tables");
  tcase_add_loop_test(table, weak_phrases_never_label, 0,
                      (int)(sizeof weak_cases / sizeof weak_cases[0]));
  tcase_add_test(table, weak_word_filter_agrees_with_lists);
  tcase_add_loop_test(table, labels_from_keyphrases, 0,
                      (int)(sizeof label_cases / sizeof label_cases[0]));
  suite_add_tcase(suite, table);
  return suite;
}

int main(void) {
  return tp_check_run(theme_labels_suite());
}
