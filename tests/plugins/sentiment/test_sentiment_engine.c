/* test_sentiment_engine.c - Check suite of the sentiment engine: the rules (tables of texts and
 * the expected direction of their scores), the term table (loading, errors, lexicon_extra
 * overrides), and the report statistics (merge of partials, export/import round trip).
 * Texts are tokenized by mini_text.c; the term table is loaded from the plugin's data files.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "mini_text.h"
#include "sentiment_lexicon.h"
#include "sentiment_report.h"
#include "sentiment_score.h"

static const sx_allocator libc_allocator = {malloc, realloc, free};
static sx_lexicon *lexicon;

static char *read_file(const char *relative, size_t *length) {
  const char *root = getenv("TEXTPIPE_SOURCE_ROOT");
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", root ? root : ".", relative);
  FILE *file = fopen(path, "rb");
  ck_assert_msg(file != NULL, "cannot open %s", path);
  fseek(file, 0, SEEK_END);
  *length = (size_t)ftell(file);
  rewind(file);
  char *data = malloc(*length + 1);
  ck_assert_uint_eq(fread(data, 1, *length, file), *length);
  data[*length] = '\0';
  fclose(file);
  return data;
}

static void load_default_lexicon(void) {
  char err[256];
  size_t length = 0;
  lexicon = sx_lexicon_create(&libc_allocator);
  char *words = read_file("plugins/sentiment/data/lexicon.tsv", &length);
  ck_assert_int_eq(sx_lexicon_load_words(lexicon, words, length, "lexicon.tsv", err, sizeof err),
                   0);
  free(words);
  char *rules = read_file("plugins/sentiment/data/rules.tsv", &length);
  ck_assert_int_eq(sx_lexicon_load_rules(lexicon, rules, length, "rules.tsv", err, sizeof err), 0);
  free(rules);
  ck_assert_int_eq(sx_lexicon_build_stems(lexicon, "english", err, sizeof err), 0);
}

static void free_lexicon(void) {
  sx_lexicon_destroy(lexicon);
  lexicon = NULL;
}

static double compound_of(const char *text) {
  tp_text *tokens = mini_text_new(text);
  sx_scratch scratch = {.allocator = libc_allocator};
  sx_scores scores;
  ck_assert_ptr_nonnull(tokens);
  ck_assert_int_eq(sx_score_span(lexicon, tokens, 0, tokens->token_count, &scratch, &scores), 0);
  sx_scratch_release(&scratch);
  mini_text_free(tokens);
  return scores.compound;
}

/* ---- Rules: the sign of single texts -------------------------------------------------- */
static const struct {
  const char *text;
  int sign;
} sign_cases[] = {
    {"The phone is good.", 1},
    {"The phone is not good.", -1},
    {"The phone isn't good.", -1},
    {"The phone is never good.", -1},
    {"It works without problems.", 1},
    {"The movie was bad.", -1},
    {"The movie was not bad at all.", 1},
    {"Not only good but great.", 1},
    {"The plot was great but the acting was awful.", -1},
    {"The plot was awful but the acting was great.", 1},
    {"Although the plot was great, the acting was awful.", -1},
    {"I can't say enough how awesome it is.", 1},
    {"I can't wait to see it.", 1},
    {"It is the least helpful manual.", -1},
    {"At least it is cheap and good.", 1},
    {"Loved it 😍", 1},
    {"I am so sad 😢", -1},
    {"what a day :)", 1},
    {"what a day :(", -1},
    {"This is sooo goooood", 1},
    {"A waste of money.", -1},
    {"Neither of them will charge.", -1},
    {"We would call them.", -1}, /* a hedge and no sentiment word: the hedge lean alone */
    {"They said \"Great Love\" today.", 1}, /* a quote before a name-like pair: no name */
    {"Why was this film made?", -1},
    {"The table is brown.", 0},
    {"I really like it.", 1},
    {"It looks like a toy.", 0},
    {"It disappointed me.", -1},
    {"what a day :)))", 1},
    {"what a day =(((", -1},
    {"that was #fail", -1},
    {"hahahaha", 1},
    {"It is pretty good.", 1},
    {"It is pretty bad.", -1},
    {"Great screen. But the battery died in a day and the case broke.", -1},
    {"It arrived on time!", 1},
    /* Proper names: a Capitalized sentiment word inside a run of Capitalized words in
     * mid-clause is part of a name; the first word of a clause and Title Case keep theirs. */
    {"the United States", 0},
    {"Compare that with the United States.", 0},
    {"I live in Great Britain.", 0},
    {"They voted for the Liberal Democrats.", 0},
    {"I love the United States!", 1},
    {"Great product.", 1},
    {"It is a Great product.", 1}, /* Capitalized, but no name run */
    {"Razr battery - Good buy.", 1},
    {"I Love The Way It Looks", 1}, /* Title Case: capitals mark no name */
    {"Happy Birthday Sir!", 1},
    {"THE UNITED STATES ARE GREAT", 1},
    /* Idioms that negation does not flip, and advice against buying. */
    {"Don't waste your money.", -1},
    {"Do not waste your money on this.", -1},
    {"Dont waste your time with this one.", -1},
    {"I wasted my money.", -1},
    {"Save your money.", -1},
    {"Do yourself a favor and save your money.", -1},
    {"not a waste", 1}, /* "waste" alone still flips */
    {"It was not a waste of money.", 1},
    /* "can't X enough/more": hyperbole, not negation; other negations keep flipping. */
    {"I can't recommend this enough.", 1},
    {"I cannot praise them enough.", 1},
    {"I can not thank you enough!", 1},
    {"I couldn't agree more.", 1},
    {"I couldn't be more disappointed.", -1},
    {"It is not good enough.", -1},
    {"It could not get strong enough.", -1}, /* "enough" of what was lacking */
    {"I can't thank you enough for this.", 1},
    {"I can't recommend this.", -1},
    {"I can't get enough of this album.", 1},
    {"I can't stress enough how bad it is.", -1},
    {"I can't stress this enough.", 0}, /* emphasis of nothing: no negation lean either */
    {"I don't like it more than the old one.", -1},
    /* "minus" as a noun of criticism; "minus the" means "without". */
    {"Big minus.", -1},
    {"big minus!!", -1},
    {"The only minus is the price.", -1},
    {"Great phone, minus the ads.", 1},
};

START_TEST(test_sign) {
  double compound = compound_of(sign_cases[_i].text);
  int sign = compound > 0 ? 1 : (compound < 0 ? -1 : 0);
  ck_assert_msg(sign == sign_cases[_i].sign, "\"%s\": compound %.4f, expected sign %d",
                sign_cases[_i].text, compound, sign_cases[_i].sign);
}
END_TEST

/* ---- Rules: the first text scores higher than the second -------------------------------- */
static const struct {
  const char *higher;
  const char *lower;
} order_cases[] = {
    {"The food is very good.", "The food is good."},
    {"The food is extremely good.", "The food is good."},
    {"The food is good.", "The food is kind of good."},
    {"The food is good.", "The food is slightly good."},
    {"The food is GOOD, they said.", "The food is good, they said."},
    {"The food is good!!!", "The food is good."},
    {"The food is good!", "The food is good."},
    {"The food is soooo good", "The food is so good"},
    {"The food is good.", "The food is sooo bad"},
    {"The food is bad.", "The food is BAD, they said."},
    {"The food is bad.", "The food is very bad."},
    {"The food is bad.", "The food is bad!!!"},
    {"It was not bad.", "It was not good."},
    {"It was slow but good.", "It was good but slow."}, /* the clause after "but" wins */
    {"I love love love it.", "I love it."},
    {"I love it. I love it. I love it.", "I love it."},
    {"The food is good.", "Is the food good?"},
    {"It works.", "It works if you shake it."},
    {"Great news about the park.", "Great news about the park http://example.com/park"},
    {"It has a problem.", "It has a big problem."}, /* big, huge, major boost */
    {"It is a huge success.", "It is a success."},
    {"It has a minor problem.", "It has a problem."}, /* minor dampens */
};

START_TEST(test_order) {
  double higher = compound_of(order_cases[_i].higher);
  double lower = compound_of(order_cases[_i].lower);
  ck_assert_msg(higher > lower, "\"%s\" %.4f should beat \"%s\" %.4f", order_cases[_i].higher,
                higher, order_cases[_i].lower, lower);
}
END_TEST

static double sum_of(const char *text) {
  tp_text *tokens = mini_text_new(text);
  sx_scratch scratch = {.allocator = libc_allocator};
  sx_scores scores;
  ck_assert_int_eq(sx_score_span(lexicon, tokens, 0, tokens->token_count, &scratch, &scores), 0);
  sx_scratch_release(&scratch);
  mini_text_free(tokens);
  return scores.sum;
}

/* A repeated term adds less each time (1, 1/sqrt(2), 1/sqrt(3)), not three times as much. */
START_TEST(test_repetition_dampened) {
  double once = sum_of("love");
  double thrice = sum_of("love love love");
  ck_assert_double_gt(thrice, once);
  ck_assert_double_eq_tol(thrice, once * (1 + 1 / sqrt(2) + 1 / sqrt(3)), 1e-4);
}
END_TEST

/* The later words of a matched phrase are part of it, not neutral words beside it: in "A waste
 * of money." the phrase's valence v stands against one neutral word ("a"), so the negative
 * and neutral shares are v : 1 (no emphasis, no lean, no other weight). */
START_TEST(test_phrase_words_not_neutral) {
  tp_text *tokens = mini_text_new("A waste of money.");
  sx_scratch scratch = {.allocator = libc_allocator};
  sx_scores scores;
  const sx_term *phrase = sx_lexicon_find(lexicon, "waste of money", 14);
  ck_assert_ptr_nonnull(phrase);
  ck_assert_int_eq(sx_score_span(lexicon, tokens, 0, tokens->token_count, &scratch, &scores), 0);
  ck_assert_double_gt(scores.negative, 0);
  double neutral_words = fabs(phrase->valence) * scores.neutral / scores.negative;
  ck_assert_double_eq_tol(neutral_words, 1.0, 1e-6);
  sx_scratch_release(&scratch);
  mini_text_free(tokens);
}
END_TEST

START_TEST(test_ratios_and_range) {
  tp_text *tokens = mini_text_new("Great food, awful service, and the room was fine!!");
  sx_scratch scratch = {.allocator = libc_allocator};
  sx_scores scores;
  ck_assert_int_eq(sx_score_span(lexicon, tokens, 0, tokens->token_count, &scratch, &scores), 0);
  ck_assert_double_le(fabs(scores.positive + scores.neutral + scores.negative - 1.0), 1e-9);
  ck_assert_double_gt(scores.positive, 0);
  ck_assert_double_gt(scores.negative, 0);
  ck_assert_double_le(fabs(scores.compound), 1.0);
  ck_assert_int_eq(sx_score_span(lexicon, tokens, 0, 0, &scratch, &scores), 0);
  ck_assert_double_eq(scores.compound, 0);
  ck_assert_double_eq(scores.neutral, 1.0);
  sx_scratch_release(&scratch);
  mini_text_free(tokens);
}
END_TEST

/* ---- The term table ---------------------------------------------------------------------- */
START_TEST(test_extra_overrides) {
  ck_assert_double_eq(compound_of("They call it mission washing."), 0);
  ck_assert_int_eq(sx_lexicon_set_valence(lexicon, "Mission  Washing", -1.5), 0);
  ck_assert_double_lt(compound_of("They call it mission washing."), 0);
  ck_assert_double_gt(compound_of("The food is good."), 0);
  ck_assert_int_eq(sx_lexicon_set_valence(lexicon, "good", -2), 0);
  ck_assert_double_lt(compound_of("The food is good."), 0);
  const sx_term *term = sx_lexicon_find(lexicon, "mission washing", 15);
  ck_assert_ptr_nonnull(term);
  ck_assert_double_eq_tol(term->valence, -1.5, 1e-6);
}
END_TEST

static const struct {
  int rules;
  const char *data;
  const char *message;
} load_error_cases[] = {
    {0, "good\t1.9\nbad\n", "test.tsv:2: expected term<TAB>valence"},
    {0, "good\tvery\n", "test.tsv:1: expected term<TAB>valence"},
    {0, "# comment\n\ngood\t99\n", "test.tsv:3: expected term<TAB>valence"},
    {1, "booster\tvery\n", "test.tsv:1: expected kind<TAB>term<TAB>number"},
    {1, "negator\tnot\nshouter\tyes\n", "test.tsv:2: unknown rule kind"},
    {1, "phrase\t\t1\n", "test.tsv:1: expected kind<TAB>term<TAB>number"},
};

START_TEST(test_load_errors) {
  sx_lexicon *table = sx_lexicon_create(&libc_allocator);
  char err[256] = "";
  const char *data = load_error_cases[_i].data;
  int status = load_error_cases[_i].rules
                   ? sx_lexicon_load_rules(table, data, strlen(data), "test.tsv", err, sizeof err)
                   : sx_lexicon_load_words(table, data, strlen(data), "test.tsv", err, sizeof err);
  ck_assert_int_eq(status, -1);
  ck_assert_msg(strncmp(err, load_error_cases[_i].message, strlen(load_error_cases[_i].message)) ==
                    0,
                "got \"%s\"", err);
  sx_lexicon_destroy(table);
}
END_TEST

START_TEST(test_stems_and_unknown_language) {
  char err[256];
  sx_lexicon *table = sx_lexicon_create(&libc_allocator);
  const char *words = "hate\t-2.7\nwonderful\t2.7\n";
  ck_assert_int_eq(sx_lexicon_load_words(table, words, strlen(words), "w", err, sizeof err), 0);
  ck_assert_int_eq(sx_lexicon_build_stems(table, "english", err, sizeof err), 0);
  ck_assert_ptr_nonnull(sx_lexicon_find_stem(table, "hate", 4)); /* hated, hating */
  ck_assert_ptr_null(sx_lexicon_find_stem(table, "wonder", 6));  /* not a base form */
  sx_lexicon_destroy(table);
  table = sx_lexicon_create(&libc_allocator);
  ck_assert_int_eq(sx_lexicon_build_stems(table, "klingon", err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "klingon"));
  sx_lexicon_destroy(table);
}
END_TEST

/* A token's stem fallback (sentiment_lookup.c, sx_lookup_stem): a word missing from the list
 * takes its stem's base form at half weight, the stem packed and compared with the word's own
 * packing (up to 16 bytes) or byte by byte (longer); a stem equal to the word adds nothing. */
static const struct {
  const char *word; /* none of them in the built-in list */
  int sign;
} stem_cases[] = {
    {"frustratings", -1},      /* stem "frustrat" (frustrate, frustrating...) */
    {"frustrat", 0},           /* its own stem, that of "frustrate": no fallback */
    {"misunderstandings", -1}, /* 17 bytes: stem "misunderstand" */
};

START_TEST(test_stem_fallback) {
  double compound = compound_of(stem_cases[_i].word);
  int sign = compound > 0 ? 1 : compound < 0 ? -1 : 0;
  ck_assert_msg(sign == stem_cases[_i].sign, "\"%s\": compound %g", stem_cases[_i].word, compound);
}
END_TEST

/* A stem that points at the norm's own bytes (as tokenize writes a stem equal to its norm) is
 * the word itself only when it is as long: "frustratings" with a stem of its first 8 bytes
 * ("frustrat") still takes the fallback, and with all 12 bytes takes none. */
START_TEST(test_stem_sharing_norm) {
  static const struct {
    uint32_t stem_length;
    int sign;
  } cases[] = {{8, -1}, {12, 0}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    tp_text *tokens = mini_text_new("frustratings");
    ck_assert_ptr_nonnull(tokens);
    ck_assert_uint_eq(tokens->token_count, 1);
    tp_token *token = (tp_token *)(uintptr_t)tokens->tokens;
    ck_assert_uint_eq(token->norm_length, 12);
    token->stem = token->norm;
    token->stem_length = cases[c].stem_length;
    sx_scratch scratch = {.allocator = libc_allocator};
    sx_scores scores;
    ck_assert_int_eq(sx_score_span(lexicon, tokens, 0, 1, &scratch, &scores), 0);
    int sign = scores.compound > 0 ? 1 : scores.compound < 0 ? -1 : 0;
    ck_assert_msg(sign == cases[c].sign, "stem of %u bytes: compound %g",
                  (unsigned)cases[c].stem_length, scores.compound);
    sx_scratch_release(&scratch);
    mini_text_free(tokens);
  }
}
END_TEST

/* Phrases are matched past the filter on their second word (sx_term.next_words): one added
 * later is found; and so is one whose first word is a hashtag's or an elongated word's norm,
 * whose term ("fail", "so") starts other phrases than the norm ("#fail", "sooo") does. */
static const struct {
  const char *text;
  int sign; /* the phrase's; its first word alone has the other */
} phrase_filter_cases[] = {
    {"a dead cat bounce", 1},
    {"#fail whale", 1},
    {"sooo bad", 1},
};

START_TEST(test_phrase_filter) {
  ck_assert_int_eq(sx_lexicon_set_valence(lexicon, "dead cat bounce", 2.0), 0);
  ck_assert_int_eq(sx_lexicon_set_valence(lexicon, "fail safe", 1.0), 0);
  ck_assert_int_eq(sx_lexicon_set_valence(lexicon, "#fail whale", 3.0), 0);
  ck_assert_int_eq(sx_lexicon_set_valence(lexicon, "so what", -1.0), 0);
  ck_assert_int_eq(sx_lexicon_set_valence(lexicon, "sooo bad", 2.0), 0);
  const sx_term *dead = sx_lexicon_find(lexicon, "dead", 4);
  ck_assert_ptr_nonnull(dead);
  ck_assert_uint_ne(dead->next_words & sx_word_shape("cat", 3), 0);
  double compound = compound_of(phrase_filter_cases[_i].text);
  int sign = compound > 0 ? 1 : compound < 0 ? -1 : 0;
  ck_assert_msg(sign == phrase_filter_cases[_i].sign, "\"%s\": compound %g",
                phrase_filter_cases[_i].text, compound);
}
END_TEST

/* Pass 1 lists the items whose term starts a phrase (sx_span.heads) and pass 1b visits only
 * those: a head with a valence of its own ("dead") and one without ("cat"), in a text and in
 * each of its sentences scored from the text's kept items, all match their phrase, whose sign
 * differs from that of the words alone. */
START_TEST(test_phrase_heads_listed) {
  ck_assert_int_eq(sx_lexicon_set_valence(lexicon, "dead cat bounce", 2.0), 0);
  ck_assert_int_eq(sx_lexicon_set_valence(lexicon, "cat nap", 2.0), 0);
  const sx_term *cat = sx_lexicon_find(lexicon, "cat", 3);
  ck_assert_ptr_nonnull(cat);
  ck_assert_uint_eq(cat->flags & SX_TERM_VALENCE, 0); /* a head only by its phrase */
  tp_text *tokens = mini_text_new("a cat nap. the dead cat bounce.");
  ck_assert_ptr_nonnull(tokens);
  ck_assert_uint_eq(tokens->sentence_count, 2);
  sx_scratch scratch = {.allocator = libc_allocator};
  sx_scores scores;
  ck_assert_int_eq(sx_score_text(lexicon, tokens, &scratch, &scores), 0);
  ck_assert_msg(scores.compound > 0, "text: compound %g", scores.compound);
  for (size_t i = 0; i < tokens->sentence_count; i++) {
    const tp_sentence *sentence = TP_TEXT_SENTENCE(tokens, i);
    ck_assert_int_eq(sx_score_sentence(lexicon, tokens, sentence->first_token,
                                       sentence->token_count, &scratch, &scores),
                     0);
    ck_assert_msg(scores.compound > 0, "sentence %zu: compound %g", i, scores.compound);
  }
  sx_scratch_release(&scratch);
  mini_text_free(tokens);
}
END_TEST

/* ---- Report statistics --------------------------------------------------------------------- */
static void add_records(sx_report *report, uint64_t first_line, uint64_t last_line) {
  for (uint64_t line = first_line; line <= last_line; line++) {
    double compound = sin((double)line * 0.7);
    sx_label label = compound >= 0.05    ? SX_LABEL_POSITIVE
                     : compound <= -0.05 ? SX_LABEL_NEGATIVE
                                         : SX_LABEL_NEUTRAL;
    char id[32];
    snprintf(id, sizeof id, "\"r%llu\"", (unsigned long long)line);
    sx_report_add(report, compound, label, line, id);
  }
}

static char *section_text(const sx_report *report) {
  cJSON *section = cJSON_CreateObject();
  ck_assert_int_eq(sx_report_write(report, section), 0);
  char *text = cJSON_PrintUnformatted(section);
  cJSON_Delete(section);
  return text;
}

START_TEST(test_report_merge) {
  static sx_report whole, first, second;
  sx_report_init(&whole, 3);
  sx_report_init(&first, 3);
  sx_report_init(&second, 3);
  add_records(&whole, 1, 1000);
  add_records(&first, 1, 300); /* workers see interleaved batches in the core; any split works */
  add_records(&second, 301, 1000);
  sx_report_merge(&first, &second);
  char *expected = section_text(&whole);
  char *merged = section_text(&first);
  ck_assert_str_eq(merged, expected);
  cJSON *section = cJSON_Parse(merged);
  ck_assert_int_eq(cJSON_GetObjectItem(section, "records")->valueint, 1000);
  const cJSON *timeline = cJSON_GetObjectItem(section, "timeline");
  ck_assert_int_eq(cJSON_GetObjectItem(timeline, "bucket_records")->valueint, 8);
  ck_assert_int_le(cJSON_GetArraySize(cJSON_GetObjectItem(timeline, "means")), 128);
  const cJSON *best = cJSON_GetArrayItem(cJSON_GetObjectItem(section, "most_positive"), 0);
  uint64_t best_line = 1;
  for (uint64_t line = 1; line <= 1000; line++) {
    best_line = sin((double)line * 0.7) > sin((double)best_line * 0.7) ? line : best_line;
  }
  char best_id[32];
  snprintf(best_id, sizeof best_id, "r%llu", (unsigned long long)best_line);
  ck_assert_str_eq(cJSON_GetObjectItem(best, "id")->valuestring, best_id);
  cJSON_Delete(section);
  free(expected);
  free(merged);
}
END_TEST

START_TEST(test_report_export_import) {
  static sx_report report, copy;
  char err[256];
  sx_report_init(&report, 5);
  add_records(&report, 1, 777);
  cJSON *exported = sx_report_export(&report);
  ck_assert_ptr_nonnull(exported);
  char *text = cJSON_PrintUnformatted(exported);
  cJSON *parsed = cJSON_Parse(text);
  ck_assert_int_eq(sx_report_import(&copy, parsed, err, sizeof err), 0);
  char *original = section_text(&report);
  char *imported = section_text(&copy);
  ck_assert_str_eq(imported, original);
  cJSON_DeleteItemFromObject(parsed, "histogram");
  ck_assert_int_eq(sx_report_import(&copy, parsed, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "histogram"));
  cJSON_Delete(exported);
  cJSON_Delete(parsed);
  free(text);
  free(original);
  free(imported);
}
END_TEST

/* A listed record keeps the start of its text for the report's quotes: whole when short, cut
 * at a space with an ellipsis when long; the text survives export and import. */
START_TEST(test_report_keeps_quote_texts) {
  static sx_report report, copy;
  char err[256], long_text[1000] = "";
  while (strlen(long_text) < 600)
    strcat(long_text, "caf\xC3\xA9 words ");
  sx_report_init(&report, 2);
  const char *short_text = "Tr\xC3\xA8s bien <3";
  sx_report_add_quoted(&report, 0.9, SX_LABEL_POSITIVE, 1, "1", short_text, strlen(short_text));
  sx_report_add_quoted(&report, 0.8, SX_LABEL_POSITIVE, 2, "2", long_text, strlen(long_text));
  sx_report_add_quoted(&report, 0.1, SX_LABEL_POSITIVE, 3, "3", "dropped", 7); /* not top 2 */
  cJSON *exported = sx_report_export(&report);
  ck_assert_int_eq(sx_report_import(&copy, exported, err, sizeof err), 0);
  ck_assert_str_eq(copy.positive[0].text, short_text);
  const char *cut = copy.positive[1].text;
  size_t length = strlen(cut);
  ck_assert_uint_lt(length, SX_REPORT_TEXT_BYTES);
  ck_assert(strcmp(cut + length - 3, "\xE2\x80\xA6") == 0);
  ck_assert(strncmp(cut, long_text, length - 3) == 0);
  ck_assert(cut[length - 4] != ' ' && long_text[length - 3] == ' '); /* cut before a space */
  cJSON *section = cJSON_CreateObject();
  ck_assert_int_eq(sx_report_write(&copy, section), 0);
  ck_assert_int_eq(sx_report_blocks(&copy, section), 0);
  const cJSON *blocks = cJSON_GetObjectItem(section, "blocks");
  const cJSON *quotes = cJSON_GetArrayItem(blocks, cJSON_GetArraySize(blocks) - 1);
  ck_assert_str_eq(cJSON_GetObjectItem(quotes, "title")->valuestring, "Most positive");
  const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(quotes, "items"), 0);
  ck_assert_str_eq(cJSON_GetObjectItem(first, "text")->valuestring, short_text);
  ck_assert_int_eq(cJSON_GetObjectItem(first, "record")->valueint, 1);
  cJSON_Delete(section);
  cJSON_Delete(exported);
}
END_TEST

START_TEST(test_report_median_and_ids) {
  static sx_report report;
  sx_report_init(&report, 2);
  const double values[] = {-0.5, 0.1, 0.3, 0.9, -0.8};
  for (size_t i = 0; i < 5; i++) {
    sx_report_add(&report, values[i], SX_LABEL_NEUTRAL, i + 1, NULL);
  }
  cJSON *section = cJSON_CreateObject();
  ck_assert_int_eq(sx_report_write(&report, section), 0);
  ck_assert_double_eq_tol(cJSON_GetObjectItem(section, "median_compound")->valuedouble, 0.1, 0.001);
  ck_assert_double_eq_tol(cJSON_GetObjectItem(section, "mean_compound")->valuedouble, 0.0, 1e-9);
  const cJSON *worst = cJSON_GetObjectItem(section, "most_negative");
  ck_assert_int_eq(cJSON_GetArraySize(worst), 2);
  ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(worst, 0), "id")->valueint, 5);
  ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(worst, 1), "id")->valueint, 1);
  cJSON_Delete(section);
}
END_TEST

/* Scores `sentence` of `text` from what the last sx_score_text() kept in `kept` (*with) and on
 * its own with `plain` (*without); both must succeed. */
static void score_sentence_both_ways(const tp_text *text, const tp_sentence *sentence,
                                     sx_scratch *kept, sx_scratch *plain, sx_scores *with,
                                     sx_scores *without) {
  ck_assert_int_eq(
      sx_score_sentence(lexicon, text, sentence->first_token, sentence->token_count, kept, with),
      0);
  ck_assert_int_eq(
      sx_score_span(lexicon, text, sentence->first_token, sentence->token_count, plain, without),
      0);
}

/* sx_score_text() + sx_score_sentence() (one lookup per token, reused) score the text and each
 * sentence exactly as sx_score_span() does on its own: elongations, emoticons, stems, phrases,
 * negation and contrast across several sentences. */
START_TEST(test_kept_lookups_score_the_same) {
  tp_text *tokens = mini_text_new("The room was sooo goood :) But the staff disappoints. "
                                  "Not bad at all, a waste of money? We would call them. "
                                  "I LOVE it!!");
  sx_scratch kept = {.allocator = libc_allocator}, plain = {.allocator = libc_allocator};
  sx_scores with, without;
  ck_assert_ptr_nonnull(tokens);
  ck_assert_uint_ge(tokens->sentence_count, 3);
  ck_assert_int_eq(sx_score_text(lexicon, tokens, &kept, &with), 0);
  ck_assert_int_eq(sx_score_span(lexicon, tokens, 0, tokens->token_count, &plain, &without), 0);
  ck_assert_mem_eq(&with, &without, sizeof with);
  for (size_t i = 0; i < tokens->sentence_count; i++) {
    const tp_sentence *sentence = &tokens->sentences[i];
    score_sentence_both_ways(tokens, sentence, &kept, &plain, &with, &without);
    ck_assert_mem_eq(&with, &without, sizeof with);
  }
  sx_scratch_release(&kept);
  sx_scratch_release(&plain);
  mini_text_free(tokens);
}
END_TEST

/* A producer built with a larger tp_token (a later ABI minor appends members) is read by its
 * own token_size: the same text with 24 bytes of garbage after each token scores the same,
 * whole and per sentence (the lookups and pass 1 step through the tokens by that size). */
START_TEST(test_token_stride) {
  tp_text *tokens = mini_text_new("The staff was not helpful. But the room, oh my, was GREAT!! "
                                  "Sooo good :) #love it");
  ck_assert_ptr_nonnull(tokens);
  size_t stride = sizeof(tp_token) + 24;
  char *padded = malloc(tokens->token_count * stride);
  ck_assert_ptr_nonnull(padded);
  memset(padded, 0xa5, tokens->token_count * stride);
  for (size_t i = 0; i < tokens->token_count; i++) {
    memcpy(padded + i * stride, &tokens->tokens[i], sizeof(tp_token));
  }
  tp_text wide = *tokens;
  wide.tokens = (const tp_token *)(const void *)padded;
  wide.token_size = (uint32_t)stride;
  sx_scratch kept = {.allocator = libc_allocator}, other = {.allocator = libc_allocator};
  sx_scores narrow_scores, wide_scores;
  ck_assert_int_eq(sx_score_text(lexicon, tokens, &kept, &narrow_scores), 0);
  ck_assert_int_eq(sx_score_text(lexicon, &wide, &other, &wide_scores), 0);
  ck_assert_mem_eq(&narrow_scores, &wide_scores, sizeof narrow_scores);
  ck_assert_uint_ge(tokens->sentence_count, 3);
  for (size_t i = 0; i < tokens->sentence_count; i++) {
    const tp_sentence *sentence = &tokens->sentences[i];
    ck_assert_int_eq(sx_score_sentence(lexicon, tokens, sentence->first_token,
                                       sentence->token_count, &kept, &narrow_scores),
                     0);
    ck_assert_int_eq(sx_score_sentence(lexicon, &wide, sentence->first_token, sentence->token_count,
                                       &other, &wide_scores),
                     0);
    ck_assert_mem_eq(&narrow_scores, &wide_scores, sizeof narrow_scores);
  }
  sx_scratch_release(&kept);
  sx_scratch_release(&other);
  free(padded);
  mini_text_free(tokens);
}
END_TEST

/* ---- Word ids (tp_token.word_id, ABI 2.4): the word memo of pass 1 ------------------------ */

/* The words given ids so far, as "type flags same norm|stem" (flags without SPACE_BEFORE, same:
 * the stem points at the norm): what text.h says two tokens with one id share. */
static char id_words[512][160];
static size_t id_word_count;

/* Gives each token of `text` the id of its word, as tokenize would: the same id for the same
 * word in every text, a new one for a word not seen before; but where tokenize's ids differ in
 * their low bits, these share 8 values of them, so that the memo's slots change hands often
 * (each valid only for the id it holds). */
static void give_word_ids(tp_text *text) {
  for (size_t i = 0; i < text->token_count; i++) {
    tp_token *token = (tp_token *)(uintptr_t)&text->tokens[i];
    char key[160];
    snprintf(key, sizeof key, "%u %u %d %.*s|%.*s", (unsigned)token->type,
             (unsigned)(token->flags & ~TP_TOKEN_SPACE_BEFORE), token->stem == token->norm,
             (int)token->norm_length, token->norm, (int)token->stem_length, token->stem);
    size_t k = 0;
    while (k < id_word_count && strcmp(id_words[k], key) != 0) {
      k++;
    }
    if (k == id_word_count) {
      ck_assert_uint_lt(id_word_count, sizeof id_words / sizeof id_words[0]);
      strcpy(id_words[id_word_count++], key);
    }
    token->word_id = (uint64_t)(k + 1) << 32 | (k & 7);
  }
}

/* Scores `text` whole and sentence by sentence with `scratch`, into scores[0..] (room for
 * 1 + its sentences). */
static void score_text_and_sentences(const tp_text *text, sx_scratch *scratch, sx_scores *scores) {
  ck_assert_int_eq(sx_score_text(lexicon, text, scratch, &scores[0]), 0);
  for (size_t i = 0; i < text->sentence_count; i++) {
    const tp_sentence *sentence = &text->sentences[i];
    ck_assert_int_eq(sx_score_sentence(lexicon, text, sentence->first_token, sentence->token_count,
                                       scratch, &scores[1 + i]),
                     0);
  }
}

/* Tokens with word ids score exactly as the same tokens without (each word looked up every
 * time): every text of the sign and order tables, whole and per sentence, with one scratch
 * whose memo sees the words of all of them, twice (the second time every word from the memo). */
START_TEST(test_word_ids_score_the_same) {
  sx_scratch memoized = {.allocator = libc_allocator};
  const char *texts[sizeof sign_cases / sizeof sign_cases[0] +
                    2 * (sizeof order_cases / sizeof order_cases[0])];
  size_t text_count = 0;
  for (size_t i = 0; i < sizeof sign_cases / sizeof sign_cases[0]; i++) {
    texts[text_count++] = sign_cases[i].text;
  }
  for (size_t i = 0; i < sizeof order_cases / sizeof order_cases[0]; i++) {
    texts[text_count++] = order_cases[i].lower;
    texts[text_count++] = order_cases[i].higher;
  }
  for (int round = 0; round < 2; round++) {
    for (size_t i = 0; i < text_count; i++) {
      tp_text *tokens = mini_text_new(texts[i]);
      ck_assert_ptr_nonnull(tokens);
      sx_scratch plain = {.allocator = libc_allocator};
      sx_scores with[64], without[64];
      ck_assert_uint_lt(tokens->sentence_count, 64);
      score_text_and_sentences(tokens, &plain, without);
      give_word_ids(tokens);
      score_text_and_sentences(tokens, &memoized, with);
      for (size_t k = 0; k <= tokens->sentence_count; k++) {
        ck_assert_msg(memcmp(&with[k], &without[k], sizeof with[k]) == 0,
                      "\"%s\" (span %zu): compound %g with ids, %g without", texts[i], k,
                      with[k].compound, without[k].compound);
      }
      sx_scratch_release(&plain);
      mini_text_free(tokens);
    }
  }
  ck_assert_uint_gt(id_word_count, 100);
  sx_scratch_release(&memoized);
}
END_TEST

/* The memo is used, and trusts the ids: a word given the id of another scores as that one (a
 * producer breaking text.h's rule would be believed), with the same scratch; without ids, or
 * with a fresh scratch, it is looked up. */
START_TEST(test_word_ids_are_trusted) {
  sx_scratch scratch = {.allocator = libc_allocator}, fresh = {.allocator = libc_allocator};
  sx_scores scores;
  tp_text *good = mini_text_new("good"), *bad = mini_text_new("bad");
  ck_assert_ptr_nonnull(good);
  ck_assert_ptr_nonnull(bad);
  ck_assert_int_eq(sx_score_span(lexicon, bad, 0, 1, &scratch, &scores), 0);
  ck_assert_double_lt(scores.compound, 0); /* no id yet: looked up */
  ((tp_token *)(uintptr_t)good->tokens)->word_id = (uint64_t)9 << 32 | 3;
  ((tp_token *)(uintptr_t)bad->tokens)->word_id = (uint64_t)9 << 32 | 3;
  ck_assert_int_eq(sx_score_span(lexicon, good, 0, 1, &scratch, &scores), 0);
  ck_assert_double_gt(scores.compound, 0);
  ck_assert_int_eq(sx_score_span(lexicon, bad, 0, 1, &scratch, &scores), 0);
  ck_assert_double_gt(scores.compound, 0); /* "good"'s lookup, by its id */
  ck_assert_int_eq(sx_score_span(lexicon, bad, 0, 1, &fresh, &scores), 0);
  ck_assert_double_lt(scores.compound, 0);
  sx_scratch_release(&scratch);
  sx_scratch_release(&fresh);
  mini_text_free(good);
  mini_text_free(bad);
}
END_TEST

/* Sets the word id of `text`'s only token. */
static void set_word_id(tp_text *text, uint64_t id) {
  ((tp_token *)(uintptr_t)text->tokens)->word_id = id;
}

static double compound_with(tp_text *text, sx_scratch *scratch) {
  sx_scores scores;
  ck_assert_int_eq(sx_score_span(lexicon, text, 0, text->token_count, scratch, &scores), 0);
  return scores.compound;
}

/* A slot tags its word with the id's bits above the slot number in 32 bits: ids that differ only
 * beyond them (at or above 2^48) are never taken for one another; such ids are looked up every
 * time. Words with no term or rule share one lookup, still trusted by id. */
START_TEST(test_word_ids_beyond_the_tag) {
  sx_scratch scratch = {.allocator = libc_allocator};
  tp_text *good = mini_text_new("good"), *bad = mini_text_new("bad"),
          *plain = mini_text_new("soup");
  ck_assert_ptr_nonnull(good);
  ck_assert_ptr_nonnull(bad);
  ck_assert_ptr_nonnull(plain);
  uint64_t low = (uint64_t)1 << 16 | 3, high = (uint64_t)1 << 48 | low;
  set_word_id(good, high);
  ck_assert_double_gt(compound_with(good, &scratch), 0);
  set_word_id(bad, low); /* same slot, and the same tag but for bit 48 */
  ck_assert_double_lt(compound_with(bad, &scratch), 0);
  set_word_id(good, high);
  ck_assert_double_gt(compound_with(good, &scratch), 0);
  set_word_id(bad, high); /* not memoized: looked up */
  ck_assert_double_lt(compound_with(bad, &scratch), 0);
  set_word_id(good, UINT64_MAX);
  ck_assert_double_gt(compound_with(good, &scratch), 0);
  set_word_id(plain, (uint64_t)5 << 32 | 9);
  ck_assert_double_eq(compound_with(plain, &scratch), 0);
  set_word_id(good, (uint64_t)5 << 32 | 9); /* "soup"'s id: its lookup, no term */
  ck_assert_double_eq(compound_with(good, &scratch), 0);
  sx_scratch_release(&scratch);
  mini_text_free(good);
  mini_text_free(bad);
  mini_text_free(plain);
}
END_TEST

/* The memo keeps at most SX_WORD_MEMO_SLOTS lookups of words with a term (each miss of one adds
 * a lookup, whatever the slot); the next one empties it. Seen through a word trusted by its id
 * ("bad" given the id "good" was kept under) until then, and looked up afresh after. */
START_TEST(test_word_memo_empties_when_full) {
  sx_scratch scratch = {.allocator = libc_allocator};
  tp_text *good = mini_text_new("good"), *bad = mini_text_new("bad");
  ck_assert_ptr_nonnull(good);
  ck_assert_ptr_nonnull(bad);
  uint64_t kept = (uint64_t)1 << 32 | 7;
  set_word_id(good, kept);
  ck_assert_double_gt(compound_with(good, &scratch), 0); /* lookup 1 (0: no term) */
  /* New ids in every slot but 7, for lookups 2 .. SX_WORD_MEMO_SLOTS - 1: the memo is full. */
  for (uint64_t k = 2; k < SX_WORD_MEMO_SLOTS; k++) {
    set_word_id(good, k << 24 | (8 + k % (SX_WORD_MEMO_SLOTS - 8)));
    ck_assert_double_gt(compound_with(good, &scratch), 0);
  }
  set_word_id(bad, kept);
  ck_assert_double_gt(compound_with(bad, &scratch), 0); /* still "good"'s lookup */
  set_word_id(good, (uint64_t)1 << 40 | 8);
  ck_assert_double_gt(compound_with(good, &scratch), 0); /* one more: emptied first */
  set_word_id(bad, kept);
  ck_assert_double_lt(compound_with(bad, &scratch), 0);
  sx_scratch_release(&scratch);
  mini_text_free(good);
  mini_text_free(bad);
}
END_TEST

/* A scratch given another lexicon forgets its lookups (they point into the first one): the same
 * word with the same id takes each lexicon's valence. */
START_TEST(test_word_memo_follows_the_lexicon) {
  char err[256];
  sx_lexicon *liking = sx_lexicon_create(&libc_allocator);
  sx_lexicon *hating = sx_lexicon_create(&libc_allocator);
  const char *plus = "soup\t2\n", *minus = "soup\t-2\n";
  ck_assert_int_eq(sx_lexicon_load_words(liking, plus, strlen(plus), "plus", err, sizeof err), 0);
  ck_assert_int_eq(sx_lexicon_load_words(hating, minus, strlen(minus), "minus", err, sizeof err),
                   0);
  tp_text *soup = mini_text_new("soup");
  ck_assert_ptr_nonnull(soup);
  ((tp_token *)(uintptr_t)soup->tokens)->word_id = (uint64_t)11 << 32 | 5;
  sx_scratch scratch = {.allocator = libc_allocator};
  sx_scores scores;
  ck_assert_int_eq(sx_score_span(liking, soup, 0, 1, &scratch, &scores), 0);
  ck_assert_double_gt(scores.compound, 0);
  ck_assert_int_eq(sx_score_span(hating, soup, 0, 1, &scratch, &scores), 0);
  ck_assert_double_lt(scores.compound, 0);
  ck_assert_int_eq(sx_score_span(liking, soup, 0, 1, &scratch, &scores), 0);
  ck_assert_double_gt(scores.compound, 0);
  sx_scratch_release(&scratch);
  mini_text_free(soup);
  sx_lexicon_destroy(liking);
  sx_lexicon_destroy(hating);
}
END_TEST

/* The phrase matches the text's pass keeps for its sentences (sx_score_text) serve a sentence
 * only where it holds the phrase whole: sentences that end inside a phrase ("... the kiss" +
 * "of death ...", as a tokenizer splitting at a line break may cut one) and phrases wholly
 * inside a sentence score exactly as sx_score_span() scores the sentence on its own. */
START_TEST(test_kept_phrases_score_the_same) {
  tp_text *tokens = mini_text_new("I saw the kiss of death and the upper hand won");
  ck_assert_ptr_nonnull(tokens);
  ck_assert_uint_eq(tokens->token_count, 11);
  /* Sentence ends without punctuation: inside "kiss of death", then around "upper hand". */
  const tp_sentence cuts[][3] = {
      {{.first_token = 0, .token_count = 4}, {.first_token = 4, .token_count = 7}},
      {{.first_token = 0, .token_count = 5}, {.first_token = 5, .token_count = 6}},
      {{.first_token = 0, .token_count = 9}, {.first_token = 9, .token_count = 2}},
      {{.first_token = 0, .token_count = 3}, {.first_token = 3, .token_count = 8}},
  };
  sx_scratch kept = {.allocator = libc_allocator}, plain = {.allocator = libc_allocator};
  int differs = 0;
  for (size_t cut = 0; cut < sizeof cuts / sizeof cuts[0]; cut++) {
    tp_text split = *tokens;
    split.sentences = cuts[cut];
    split.sentence_count = 2;
    sx_scores with, without, whole;
    ck_assert_int_eq(sx_score_text(lexicon, &split, &kept, &whole), 0);
    for (size_t i = 0; i < split.sentence_count; i++) {
      const tp_sentence *sentence = &cuts[cut][i];
      score_sentence_both_ways(&split, sentence, &kept, &plain, &with, &without);
      ck_assert_mem_eq(&with, &without, sizeof with);
      differs += memcmp(&with, &whole, sizeof with) != 0;
    }
  }
  ck_assert_int_gt(differs, 0); /* the sentences were scored, not given the text's scores */
  sx_scratch_release(&kept);
  sx_scratch_release(&plain);
  mini_text_free(tokens);
}
END_TEST

/* Each sentence scored from the items the text's pass kept (sx_score_text, then
 * sx_score_sentence once per sentence, in order) scores exactly as sx_score_span() scores it on
 * its own, and so does a second call for a sentence (pass 1 done afresh): a verb that follows a
 * subject only across the sentence break ("I. Like it"), marks and a link counted per sentence,
 * sentences cut without punctuation, whose negation, boosters and names would otherwise reach
 * across the cut ("It is not" + "good", "very" + "bad", "saw" + "Great"), and a producer whose
 * "!!" token names the next sentence (not the one holding it). */
START_TEST(test_sentences_from_kept_items) {
  static const char *const texts[] = {
      "I. Like it!! Not bad? Great job http://a.example/b but the staff disappoints.",
      "It is not good at all but I saw Great Britain and very bad weather",
  };
  /* for the second text, cuts inside its one sentence, with the tokens' numbers to match */
  static const uint32_t cut_after[][3] = {{3, 0, 0}, {3, 7, 9}, {8, 9, 11}};
  sx_scratch kept = {.allocator = libc_allocator}, plain = {.allocator = libc_allocator};
  size_t cut_count = sizeof cut_after / sizeof cut_after[0];
  for (size_t variant = 0; variant < 2 + cut_count; variant++) {
    int disagrees = variant == 1 + cut_count;
    tp_text *tokens = mini_text_new(texts[variant == 0 || disagrees ? 0 : 1]);
    ck_assert_ptr_nonnull(tokens);
    tp_text text = *tokens;
    tp_token own_tokens[32];
    tp_sentence cuts[4];
    if (disagrees) {
      ck_assert_uint_le(tokens->token_count, 32);
      memcpy(own_tokens, tokens->tokens, tokens->token_count * sizeof *own_tokens);
      size_t t = 0;
      while (t < tokens->token_count && strcmp(own_tokens[t].norm, "!!") != 0) {
        t++;
      }
      ck_assert_uint_lt(t, tokens->token_count);
      own_tokens[t].sentence++;
      text.tokens = own_tokens;
    } else if (variant > 0) { /* the same tokens, renumbered into the cuts' sentences */
      ck_assert_uint_le(tokens->token_count, 32);
      memcpy(own_tokens, tokens->tokens, tokens->token_count * sizeof *own_tokens);
      size_t count = 0, first = 0;
      for (size_t c = 0; c <= 3; c++) {
        size_t end = c < 3 && cut_after[variant - 1][c] != 0 ? cut_after[variant - 1][c]
                                                             : tokens->token_count;
        cuts[count] =
            (tp_sentence){.first_token = (uint32_t)first, .token_count = (uint32_t)(end - first)};
        for (size_t t = first; t < end; t++) {
          own_tokens[t].sentence = (uint32_t)count;
        }
        count++;
        first = end;
        if (end == tokens->token_count) {
          break;
        }
      }
      text.tokens = own_tokens;
      text.sentences = cuts;
      text.sentence_count = count;
    }
    ck_assert_uint_ge(text.sentence_count, 2);
    sx_scores with, without, again;
    ck_assert_int_eq(sx_score_text(lexicon, &text, &kept, &with), 0);
    for (size_t i = 0; i < text.sentence_count; i++) {
      const tp_sentence *sentence = TP_TEXT_SENTENCE(&text, i);
      score_sentence_both_ways(&text, sentence, &kept, &plain, &with, &without);
      ck_assert_msg(memcmp(&with, &without, sizeof with) == 0,
                    "text %zu sentence %zu: kept %.4f, alone %.4f", variant, i, with.compound,
                    without.compound);
      ck_assert_int_eq(sx_score_sentence(lexicon, &text, sentence->first_token,
                                         sentence->token_count, &kept, &again),
                       0);
      ck_assert_mem_eq(&again, &without, sizeof again);
    }
    mini_text_free(tokens);
  }
  sx_scratch_release(&kept);
  sx_scratch_release(&plain);
}
END_TEST

/* A text's last sentence ends at the text's last item, not at the items a longer text scored
 * before it left in the same scratch: here the longer text's fourth item ("good", token 4 of its
 * sentence 1) would pass for one of the last sentence of the shorter ("Very bad!!", tokens 2 to
 * 4 of its sentence 1, three items in all). */
START_TEST(test_sentences_after_a_longer_text) {
  sx_scratch kept = {.allocator = libc_allocator}, plain = {.allocator = libc_allocator};
  tp_text *longer = mini_text_new("good. good good good good.");
  tp_text *text = mini_text_new("Nice. Very bad!!");
  ck_assert_ptr_nonnull(longer);
  ck_assert_ptr_nonnull(text);
  sx_scores with, without;
  ck_assert_int_eq(sx_score_text(lexicon, longer, &kept, &with), 0);
  ck_assert_int_eq(sx_score_text(lexicon, text, &kept, &with), 0);
  ck_assert_uint_eq(text->sentence_count, 2);
  for (size_t i = 0; i < text->sentence_count; i++) {
    score_sentence_both_ways(text, TP_TEXT_SENTENCE(text, i), &kept, &plain, &with, &without);
    ck_assert_msg(memcmp(&with, &without, sizeof with) == 0, "sentence %zu: kept %.4f, alone %.4f",
                  i, with.compound, without.compound);
  }
  mini_text_free(longer);
  mini_text_free(text);
  sx_scratch_release(&kept);
  sx_scratch_release(&plain);
}
END_TEST

static Suite *sentiment_engine_suite(void) {
  Suite *suite = suite_create("sentiment_engine");
  TCase *rules = tcase_create("rules");
  tcase_add_unchecked_fixture(rules, load_default_lexicon, free_lexicon);
  tcase_add_loop_test(rules, test_sign, 0, sizeof sign_cases / sizeof sign_cases[0]);
  tcase_add_loop_test(rules, test_order, 0, sizeof order_cases / sizeof order_cases[0]);
  tcase_add_test(rules, test_ratios_and_range);
  tcase_add_test(rules, test_phrase_words_not_neutral);
  tcase_add_test(rules, test_repetition_dampened);
  tcase_add_test(rules, test_kept_lookups_score_the_same);
  tcase_add_test(rules, test_token_stride);
  tcase_add_test(rules, test_kept_phrases_score_the_same);
  tcase_add_test(rules, test_sentences_from_kept_items);
  tcase_add_test(rules, test_sentences_after_a_longer_text);
  tcase_add_test(rules, test_word_ids_score_the_same);
  tcase_add_test(rules, test_word_ids_are_trusted);
  tcase_add_test(rules, test_word_memo_follows_the_lexicon);
  tcase_add_test(rules, test_word_ids_beyond_the_tag);
  tcase_add_test(rules, test_word_memo_empties_when_full);
  suite_add_tcase(suite, rules);
  TCase *table = tcase_create("term_table");
  tcase_add_checked_fixture(table, load_default_lexicon, free_lexicon);
  tcase_add_test(table, test_extra_overrides);
  tcase_add_loop_test(table, test_load_errors, 0,
                      sizeof load_error_cases / sizeof load_error_cases[0]);
  tcase_add_test(table, test_stems_and_unknown_language);
  tcase_add_loop_test(table, test_stem_fallback, 0, sizeof stem_cases / sizeof stem_cases[0]);
  tcase_add_test(table, test_stem_sharing_norm);
  tcase_add_loop_test(table, test_phrase_filter, 0,
                      sizeof phrase_filter_cases / sizeof phrase_filter_cases[0]);
  tcase_add_test(table, test_phrase_heads_listed);
  suite_add_tcase(suite, table);
  TCase *report = tcase_create("report");
  tcase_add_test(report, test_report_merge);
  tcase_add_test(report, test_report_export_import);
  tcase_add_test(report, test_report_keeps_quote_texts);
  tcase_add_test(report, test_report_median_and_ids);
  suite_add_tcase(suite, report);
  return suite;
}

int main(void) {
  return tp_check_run(sentiment_engine_suite());
}
