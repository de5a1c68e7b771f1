/* tests/plugins/summary/test_summary_callbacks.c - the built summary.so's callbacks driven one
 * by one through the real loader, host, config schema and records (tests/support), over
 * hand-built tokenized texts (no tokenize stage): per-record summaries and short comments, the
 * digest through process/finish, merging two workers' partials, export/import, the theme and
 * sentiment sections, and config errors. The same behaviour behind the real tokenize stage
 * (core/run/harness.h) is in test_summary_plugin.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <textpipe/plugin.h>
#include <textpipe/text.h>

#include "check_main.h"
#include "plugin_under_test.h"

static put_plugin put;
static const tp_plugin *plugin;
static void *instance;
static const cJSON *theme_section; /* the "theme" stage's report section finish() sees */

/* ---- Hand-built tokenized text: sentences end with " .", words split at spaces ----------- */

static const char *const stopwords[] = {"the", "is", "a",   "and", "was", "it", "very",
                                        "of",  "to", "but", "in",  "we",  "at", NULL};

typedef struct built_text {
  tp_text text; /* first member: a tp_text pointer is a built_text pointer */
  char *norms;
} built_text;

static tp_text *text_build(const char *source) {
  built_text *built = calloc(1, sizeof *built);
  tp_text *text = &built->text;
  size_t length = strlen(source);
  char *copy = strdup(source), *norms = built->norms = strdup(source);
  tp_token *tokens = calloc(length + 1, sizeof *tokens);
  tp_sentence *sentences = calloc(length + 1, sizeof *sentences);
  size_t token_count = 0, sentence_count = 0;
  int starts_sentence = 1;
  for (size_t i = 0; i < length;) {
    if (source[i] == ' ') {
      norms[i++] = '\0';
      continue;
    }
    size_t end = i;
    while (end < length && source[end] != ' ')
      end++;
    tp_token *token = &tokens[token_count];
    token->start = (uint32_t)i;
    token->length = token->norm_length = token->stem_length = (uint32_t)(end - i);
    token->norm = token->stem = norms + i;
    token->type = source[i] == '.' ? TP_TOKEN_PUNCT : TP_TOKEN_WORD;
    for (size_t s = 0; stopwords[s]; s++)
      if (strlen(stopwords[s]) == end - i && memcmp(stopwords[s], source + i, end - i) == 0)
        token->flags = TP_TOKEN_STOPWORD;
    if (starts_sentence) {
      sentences[sentence_count].start = (uint32_t)i;
      sentences[sentence_count].first_token = (uint32_t)token_count;
      sentence_count++;
    }
    starts_sentence = token->type == TP_TOKEN_PUNCT;
    tp_sentence *sentence = &sentences[sentence_count - 1];
    token->sentence = (uint32_t)(sentence_count - 1);
    sentence->token_count++;
    sentence->length = (uint32_t)(end - sentence->start);
    token_count++;
    if (end < length)
      norms[end] = '\0';
    i = end;
  }
  text->struct_size = sizeof *text;
  text->token_size = sizeof(tp_token);
  text->sentence_size = sizeof(tp_sentence);
  text->text = copy;
  text->length = length;
  text->tokens = tokens;
  text->token_count = token_count;
  text->sentences = sentences;
  text->sentence_count = sentence_count;
  text->language = "english";
  return text;
}

static void text_free(void *data) {
  tp_text *text = data;
  free((void *)text->text);
  free(((built_text *)text)->norms);
  free((void *)text->tokens);
  free((void *)text->sentences);
  free(text);
}

/* ---- Driving the plugin ------------------------------------------------------------------ */

/* Creates an instance (config checked and completed by the core's schema code), `overrides`
 * (a JSON object text) on top of the defaults. */
static int open_instance(const char *overrides, char *err, size_t err_size) {
  return put_create(&put, overrides, &instance, err, err_size);
}

/* Runs one record {"id"?, "text", extra members}, its text tokenized by text_build, through
 * process(); returns the record JSON (caller deletes). */
static cJSON *process_record(void *partial, const char *json, uint64_t line) {
  tp_record *record = put_record(&put, json, line);
  ck_assert_int_eq(tp_record_attach(record, TP_TEXT_KEY, text_build(record->text), text_free), 0);
  char err[256] = "";
  ck_assert_int_eq(put_process(&put, instance, partial, record, err, sizeof err), TP_KEEP);
  cJSON *result = put_record_take_json(record);
  put_record_free(record);
  return result;
}

static void feed(void *partial, const char *const *texts, size_t count, size_t from) {
  for (size_t i = from; i < count; i++) {
    char json[512];
    snprintf(json, sizeof json, "{\"id\": \"r%zu\", \"text\": \"%s\"}", i, texts[i]);
    cJSON_Delete(process_record(partial, json, i + 1));
  }
}

/* finish() with the theme stage's section (when a test set one) among the earlier sections. */
static cJSON *finish(void *partial) {
  cJSON *sections = cJSON_CreateObject();
  if (theme_section != NULL)
    cJSON_AddItemReferenceToObject(sections, "theme", (cJSON *)theme_section);
  cJSON *section = cJSON_CreateObject();
  char err[256];
  ck_assert_int_eq(put_finish(&put, instance, partial, sections, section, err, sizeof err), 0);
  cJSON_Delete(sections);
  return section;
}

static void setup(void) {
  put_open(&put, "summary");
  plugin = put.plugin;
  theme_section = NULL;
  char err[256];
  ck_assert_int_eq(open_instance("{}", err, sizeof err), 0);
}

static void teardown(void) {
  plugin->destroy(instance);
  put_close(&put);
}

static const char *const stream[] = {
    "the room was clean .",         "the room was very clean .",
    "room clean and quiet .",       "the staff was friendly .",
    "friendly staff and helpful .", "the room was clean and nice .",
    "the breakfast was cold .",     "staff friendly .",
    "the location is great .",      "great location near the station .",
};
#define STREAM_COUNT (sizeof stream / sizeof *stream)

/* ---- Per record ---------------------------------------------------------------------------- */

static const char *const long_comment =
    "the hotel room was clean and quiet . we arrived late at night after a long flight . "
    "the room was clean , quiet and the bed was comfortable . breakfast was fine . "
    "the staff at the desk was friendly and the room was clean . parking costs extra .";

typedef struct record_case {
  const char *config;
  size_t max_sentences, max_words;
} record_case;

static const record_case record_cases[] = {
    {"{}", 2, 60},
    {"{\"max_sentences\": 1}", 1, 60},
    {"{\"max_sentences\": 3, \"max_words\": 20}", 3, 20},
    {"{\"max_words\": 9}", 2, 9},
};

START_TEST(record_summary_limits_and_order) {
  const record_case *limits = &record_cases[_i];
  char err[256];
  plugin->destroy(instance);
  ck_assert_int_eq(open_instance(limits->config, err, sizeof err), 0);
  void *partial = plugin->partial_create(instance);
  char json[1024];
  snprintf(json, sizeof json, "{\"text\": \"%s\"}", long_comment);
  cJSON *record = process_record(partial, json, 1);
  const cJSON *summary = cJSON_GetObjectItem(record, "summary");
  ck_assert(cJSON_IsString(summary));
  /* Sentences of the comment, in their original order, within the limits. */
  const char *cursor = long_comment;
  size_t sentences = 0, words = 0;
  char *copy = strdup(summary->valuestring);
  for (char *sentence = strtok(copy, "."); sentence; sentence = strtok(NULL, ".")) {
    while (*sentence == ' ')
      sentence++;
    if (!*sentence)
      continue;
    const char *found = strstr(cursor, sentence);
    ck_assert_ptr_nonnull(found);
    cursor = found + strlen(sentence);
    sentences++;
    for (const char *c = sentence; *c; c++)
      words += (c == sentence || c[-1] == ' ') && *c != ' ' && *c != ',';
  }
  free(copy);
  ck_assert_uint_ge(sentences, 1);
  ck_assert_uint_le(sentences, limits->max_sentences);
  ck_assert_uint_le(words, limits->max_words);
  cJSON_Delete(record);
  plugin->partial_destroy(instance, partial);
}
END_TEST

START_TEST(record_short_comment_has_no_summary) {
  void *partial = plugin->partial_create(instance);
  cJSON *record =
      process_record(partial, "{\"text\": \"the room was clean . staff friendly .\"}", 1);
  ck_assert_ptr_null(cJSON_GetObjectItem(record, "summary"));
  cJSON_Delete(record);
  plugin->partial_destroy(instance, partial);
}
END_TEST

START_TEST(record_very_long_or_empty) {
  void *partial = plugin->partial_create(instance);
  size_t size = 300 * 40 + 64;
  char *json = malloc(size);
  strcpy(json, "{\"text\": \"");
  for (int i = 0; i < 300; i++) {
    char sentence[64];
    snprintf(sentence, sizeof sentence, "the room %d was clean and quiet . ", i);
    strcat(json, sentence);
  }
  strcat(json, "\"}");
  cJSON *record = process_record(partial, json, 1);
  const cJSON *summary = cJSON_GetObjectItem(record, "summary");
  ck_assert(cJSON_IsString(summary));
  ck_assert_int_le(strlen(summary->valuestring), 2 * 40);
  cJSON_Delete(record);
  free(json);
  record = process_record(partial, "{\"text\": \"\"}", 2);
  ck_assert_ptr_null(cJSON_GetObjectItem(record, "summary"));
  cJSON_Delete(record);
  cJSON *section = finish(partial);
  ck_assert_int_ge(cJSON_GetArraySize(cJSON_GetObjectItem(section, "digest")), 1);
  cJSON_Delete(section);
  plugin->partial_destroy(instance, partial);
}
END_TEST

START_TEST(record_without_tokens_is_an_error) {
  void *partial = plugin->partial_create(instance);
  tp_record *record = put_record(&put, "{\"text\": \"x\"}", 1);
  char err[256] = "";
  ck_assert_int_eq(put_process(&put, instance, partial, record, err, sizeof err), TP_ERROR);
  ck_assert_ptr_nonnull(strstr(err, "tokenize"));
  put_record_free(record);
  plugin->partial_destroy(instance, partial);
}
END_TEST

/* ---- Stream: digest, merge, export/import ------------------------------------------------- */

START_TEST(digest_ids_and_diversity) {
  void *partial = plugin->partial_create(instance);
  feed(partial, stream, STREAM_COUNT, 0);
  cJSON_Delete(process_record(partial, "{\"text\": \"the room was clean and tidy .\"}", 42));
  cJSON *section = finish(partial);
  const cJSON *digest = cJSON_GetObjectItem(section, "digest");
  ck_assert_int_ge(cJSON_GetArraySize(digest), 3);
  int clean = 0;
  const cJSON *entry;
  cJSON_ArrayForEach(entry, digest) {
    const cJSON *id = cJSON_GetObjectItem(entry, "id");
    ck_assert(cJSON_IsString(id) || (cJSON_IsNumber(id) && id->valueint == 42));
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(entry, "score")));
    clean += strstr(cJSON_GetObjectItem(entry, "text")->valuestring, "clean") != NULL;
  }
  ck_assert_int_eq(clean, 1); /* the clean-room sentences say one thing: picked once */
  cJSON_Delete(section);
  plugin->partial_destroy(instance, partial);
}
END_TEST

START_TEST(digest_long_string_id) {
  void *partial = plugin->partial_create(instance);
  char id[201], json[512];
  memset(id, 'x', 200);
  id[200] = '\0';
  snprintf(json, sizeof json, "{\"id\": \"%s\", \"text\": \"the room was clean and quiet .\"}", id);
  cJSON_Delete(process_record(partial, json, 1));
  cJSON *section = finish(partial);
  const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(section, "digest"), 0);
  ck_assert_str_eq(cJSON_GetObjectItem(first, "id")->valuestring, id);
  cJSON_Delete(section);
  plugin->partial_destroy(instance, partial);
}
END_TEST

START_TEST(merge_two_partials) {
  void *whole = plugin->partial_create(instance);
  void *first = plugin->partial_create(instance);
  void *second = plugin->partial_create(instance);
  feed(whole, stream, STREAM_COUNT, 0);
  feed(first, stream, STREAM_COUNT / 2, 0);
  feed(second, stream, STREAM_COUNT, STREAM_COUNT / 2);
  char err[256];
  ck_assert_int_eq(plugin->merge(instance, first, second, err, sizeof err), 0);
  plugin->partial_destroy(instance, second);
  cJSON *merged = finish(first), *single = finish(whole);
  ck_assert(cJSON_Compare(cJSON_GetObjectItem(merged, "digest"),
                          cJSON_GetObjectItem(single, "digest"), 1));
  cJSON_Delete(merged);
  cJSON_Delete(single);
  plugin->partial_destroy(instance, first);
  plugin->partial_destroy(instance, whole);
}
END_TEST

START_TEST(export_import_partial) {
  void *partial = plugin->partial_create(instance);
  feed(partial, stream, STREAM_COUNT, 0);
  cJSON_Delete(
      process_record(partial,
                     "{\"text\": \"the room was clean .\", \"theme_id\": 3, \"sentiment\": "
                     "{\"compound\": 0.6}}",
                     99));
  cJSON *data = plugin->partial_export(instance, partial);
  ck_assert_ptr_nonnull(data);
  char *text = cJSON_PrintUnformatted(data); /* as if sent to another process */
  cJSON *parsed = cJSON_Parse(text);
  char err[256];
  void *copy = plugin->partial_import(instance, parsed, err, sizeof err);
  ck_assert_ptr_nonnull(copy);
  cJSON *before = finish(partial), *after = finish(copy);
  ck_assert(cJSON_Compare(before, after, 1));
  cJSON_DeleteItemFromObject(parsed, "stream");
  ck_assert_ptr_null(plugin->partial_import(instance, parsed, err, sizeof err));
  ck_assert_ptr_nonnull(strstr(err, "stream"));
  cJSON_Delete(before);
  cJSON_Delete(after);
  cJSON_Delete(parsed);
  cJSON_Delete(data);
  free(text);
  plugin->partial_destroy(instance, copy);
  plugin->partial_destroy(instance, partial);
}
END_TEST

/* ---- Theme and sentiment sections --------------------------------------------------------- */

/* Asserts that the section's "negative" points are `text` alone. */
static void check_one_negative(const cJSON *section, const char *text) {
  const cJSON *negative = cJSON_GetObjectItem(section, "negative");
  ck_assert_int_eq(cJSON_GetArraySize(negative), 1);
  ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(negative, 0), "text")->valuestring, text);
}

START_TEST(themes_and_polarity) {
  cJSON *themes = cJSON_Parse("{\"discovered\": [{\"id\": 1, \"label\": \"room clean\"},"
                              " {\"id\": 2, \"label\": \"staff friendly\"}]}");
  theme_section = themes;
  void *partial = plugin->partial_create(instance);
  for (size_t i = 0; i < STREAM_COUNT; i++) {
    int staff = strstr(stream[i], "staff") != NULL;
    int cold = strstr(stream[i], "cold") != NULL;
    char json[512];
    snprintf(json, sizeof json,
             "{\"id\": %zu, \"text\": \"%s\", \"theme_id\": %d, \"sentiment\": {\"compound\": "
             "%s}}",
             i, stream[i], staff ? 2 : 1, cold ? "-0.5" : "0.7");
    cJSON_Delete(process_record(partial, json, i + 1));
  }
  cJSON *section = finish(partial);
  const cJSON *theme_list = cJSON_GetObjectItem(section, "themes");
  ck_assert_int_eq(cJSON_GetArraySize(theme_list), 2);
  const cJSON *theme;
  cJSON_ArrayForEach(theme, theme_list) {
    int id = cJSON_GetObjectItem(theme, "theme_id")->valueint;
    ck_assert_str_eq(cJSON_GetObjectItem(theme, "label")->valuestring,
                     id == 2 ? "staff friendly" : "room clean");
    const cJSON *sentence;
    cJSON_ArrayForEach(sentence, cJSON_GetObjectItem(theme, "sentences")) {
      int staff = strstr(cJSON_GetObjectItem(sentence, "text")->valuestring, "staff") != NULL;
      ck_assert_int_eq(staff, id == 2);
    }
  }
  check_one_negative(section, "the breakfast was cold .");
  ck_assert_int_ge(cJSON_GetArraySize(cJSON_GetObjectItem(section, "positive")), 1);
  cJSON_Delete(section);
  cJSON_Delete(themes);
  plugin->partial_destroy(instance, partial);
}
END_TEST

/* The "theme_id" of the entry of the section's "themes" that quotes `text`, or 0 if none. */
static int theme_quoting(const cJSON *section, const char *text) {
  const cJSON *theme, *sentence;
  cJSON_ArrayForEach(theme, cJSON_GetObjectItem(section, "themes")) {
    cJSON_ArrayForEach(sentence, cJSON_GetObjectItem(theme, "sentences")) {
      if (strcmp(cJSON_GetObjectItem(sentence, "text")->valuestring, text) == 0)
        return cJSON_GetObjectItem(theme, "theme_id")->valueint;
    }
  }
  return 0;
}

/* More online theme ids than a partial follows (256): each id's records, also when it comes
 * back (found in the route cache), go to its own theme; ids past the limit get none. */
START_TEST(themes_past_the_limit) {
  void *partial = plugin->partial_create(instance);
  char json[512];
  for (int id = 1; id <= 300; id++) {
    snprintf(json, sizeof json,
             "{\"id\": %d, \"text\": \"the room number %d was clean .\", \"theme_id\": %d}", id, id,
             id);
    cJSON_Delete(process_record(partial, json, (uint64_t)id));
  }
  static const struct {
    int theme_id;
    const char *text;
  } returns[] = {{7, "the pool was warm and lovely ."},
                 {256, "the lift was broken all week ."},
                 {290, "the garden was full of roses ."}};
  for (size_t r = 0; r < sizeof returns / sizeof *returns; r++) {
    snprintf(json, sizeof json, "{\"id\": %zu, \"text\": \"%s\", \"theme_id\": %d}", 400 + r,
             returns[r].text, returns[r].theme_id);
    cJSON_Delete(process_record(partial, json, 400 + r));
  }
  cJSON *section = finish(partial);
  const cJSON *themes = cJSON_GetObjectItem(section, "themes");
  ck_assert_int_eq(cJSON_GetArraySize(themes), 256);
  ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(themes, 255), "theme_id")->valueint, 256);
  ck_assert_int_eq(theme_quoting(section, returns[0].text), 7);
  ck_assert_int_eq(theme_quoting(section, returns[1].text), 256);
  ck_assert_int_eq(theme_quoting(section, returns[2].text), 0); /* 290 has no theme */
  cJSON_Delete(section);
  plugin->partial_destroy(instance, partial);
}
END_TEST

START_TEST(themes_follow_online_ids) {
  /* Records carry online theme ids (101..103); the theme stage folded 101 and 103 into its
   * discovered theme 1 and 102 into theme 2. */
  cJSON *themes = cJSON_Parse("{\"discovered\": [{\"id\": 1, \"label\": \"rooms\", "
                              "\"online_ids\": [101, 103]}, {\"id\": 2, \"label\": \"staff\", "
                              "\"online_ids\": [102, 999]}, {\"id\": 3, \"label\": \"empty\", "
                              "\"online_ids\": [555]}]}");
  theme_section = themes;
  void *partial = plugin->partial_create(instance);
  for (size_t i = 0; i < STREAM_COUNT; i++) {
    int staff = strstr(stream[i], "staff") != NULL;
    char json[512];
    snprintf(json, sizeof json, "{\"id\": %zu, \"text\": \"%s\", \"theme_id\": %d}", i, stream[i],
             staff ? 102 : (i % 2 ? 101 : 103));
    cJSON_Delete(process_record(partial, json, i + 1));
  }
  cJSON *section = finish(partial);
  const cJSON *theme_list = cJSON_GetObjectItem(section, "themes");
  /* one entry per discovered theme, in order; theme 3's online id has no record here */
  ck_assert_int_eq(cJSON_GetArraySize(theme_list), 3);
  const cJSON *theme;
  int expected_id = 1;
  cJSON_ArrayForEach(theme, theme_list) {
    int id = cJSON_GetObjectItem(theme, "theme_id")->valueint;
    ck_assert_int_eq(id, expected_id++);
    const cJSON *sentences = cJSON_GetObjectItem(theme, "sentences");
    if (id == 3) {
      ck_assert_str_eq(cJSON_GetObjectItem(theme, "label")->valuestring, "empty");
      ck_assert_int_eq(cJSON_GetArraySize(sentences), 0);
      continue;
    }
    ck_assert_str_eq(cJSON_GetObjectItem(theme, "label")->valuestring, id == 2 ? "staff" : "rooms");
    /* rooms: two different points; staff: its two sentences say the same, so one */
    ck_assert_int_eq(cJSON_GetArraySize(sentences), id == 2 ? 1 : 2);
    const cJSON *sentence;
    cJSON_ArrayForEach(sentence, sentences) {
      int staff = strstr(cJSON_GetObjectItem(sentence, "text")->valuestring, "staff") != NULL;
      ck_assert_int_eq(staff, id == 2);
    }
  }
  cJSON_Delete(section);
  cJSON_Delete(themes);
  plugin->partial_destroy(instance, partial);
}
END_TEST

START_TEST(per_sentence_sentiment_wins) {
  void *partial = plugin->partial_create(instance);
  /* Positive overall, but the sentiment stage scored the second sentence negative. */
  cJSON_Delete(process_record(
      partial,
      "{\"text\": \"the pool was lovely and warm . the lift was broken all week .\", "
      "\"sentiment\": {\"compound\": 0.4, \"sentences\": [{\"compound\": 0.8, \"start\": 0}, "
      "{\"compound\": -0.6, \"start\": 31}]}}",
      1));
  cJSON *section = finish(partial);
  const cJSON *negative = cJSON_GetObjectItem(section, "negative");
  const cJSON *positive = cJSON_GetObjectItem(section, "positive");
  ck_assert_int_eq(cJSON_GetArraySize(negative), 1);
  ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(negative, 0), "text")->valuestring,
                   "the lift was broken all week .");
  ck_assert_int_eq(cJSON_GetArraySize(positive), 1);
  ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(positive, 0), "text")->valuestring,
                   "the pool was lovely and warm .");
  cJSON_Delete(section);
  plugin->partial_destroy(instance, partial);
}
END_TEST

/* Member names as the sentiment stage writes them: constant strings, the same pointer in every
 * sentence's object (cJSON_StringIsConst), which the plugin recognizes by pointer after the
 * first sentence. */
static const char name_start[] = "start", name_compound[] = "compound", name_stark[] = "stark";

/* Appends {name: value} to `object` under the constant `name`. */
static void add_constant_member(cJSON *object, const char *name, double value) {
  ck_assert(cJSON_AddItemToObjectCS(object, name, cJSON_CreateNumber(value)));
}

START_TEST(per_sentence_names_by_pointer_and_bytes) {
  void *partial = plugin->partial_create(instance);
  /* Sentences start at 0, 31 and 62; the record is positive overall (0.4). */
  tp_record *record = put_record(&put,
                                 "{\"text\": \"the pool was lovely and warm . the lift was broken "
                                 "all week . the staff fixed it fast .\", "
                                 "\"sentiment\": {\"compound\": 0.4}}",
                                 1);
  ck_assert_int_eq(tp_record_attach(record, TP_TEXT_KEY, text_build(record->text), text_free), 0);
  cJSON *sentences =
      cJSON_AddArrayToObject(cJSON_GetObjectItem(record->json, "sentiment"), "sentences");
  cJSON *first = cJSON_CreateObject(), *second = cJSON_CreateObject(),
        *third = cJSON_CreateObject();
  /* positive, its names the constant ones */
  add_constant_member(first, name_compound, 0.8);
  add_constant_member(first, name_start, 0);
  /* negative: "stark" (a constant name, not "start") is not its start; its "compound" is a
   * name of its own (another pointer, the same bytes) */
  add_constant_member(second, name_stark, 5);
  cJSON_AddNumberToObject(second, "compound", -0.6);
  add_constant_member(second, name_start, 31);
  /* its first "start" is not the sentence's (a second one is not looked at), nor is a name
   * seen twice that is not "start": the record's compound, positive */
  add_constant_member(third, name_stark, 62);
  add_constant_member(third, name_stark, 62);
  add_constant_member(third, name_start, 999);
  add_constant_member(third, name_compound, -0.7);
  cJSON_AddNumberToObject(third, "start", 62);
  cJSON_AddItemToArray(sentences, first);
  cJSON_AddItemToArray(sentences, second);
  cJSON_AddItemToArray(sentences, third);
  char err[256] = "";
  ck_assert_int_eq(put_process(&put, instance, partial, record, err, sizeof err), TP_KEEP);
  put_record_free(record);
  cJSON *section = finish(partial);
  check_one_negative(section, "the lift was broken all week .");
  ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(section, "positive")), 2);
  cJSON_Delete(section);
  plugin->partial_destroy(instance, partial);
}
END_TEST

START_TEST(no_theme_or_sentiment_keys_without_those_stages) {
  void *partial = plugin->partial_create(instance);
  feed(partial, stream, STREAM_COUNT, 0);
  cJSON *section = finish(partial);
  ck_assert_ptr_null(cJSON_GetObjectItem(section, "themes"));
  ck_assert_ptr_null(cJSON_GetObjectItem(section, "positive"));
  cJSON_Delete(section);
  plugin->partial_destroy(instance, partial);
}
END_TEST

/* ---- Config errors (create) --------------------------------------------------------------- */

typedef struct config_case {
  const char *config;
  const char *message; /* expected in err */
} config_case;

static const config_case config_cases[] = {
    {"{\"digest_size\": 10, \"pool_size\": 4}", "pool_size"},
    {"{\"theme_stage\": \"\"}", "theme_stage"},
};

START_TEST(config_errors) {
  char err[256] = "";
  void *kept = instance;
  ck_assert_int_eq(open_instance(config_cases[_i].config, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, config_cases[_i].message));
  instance = kept;
}
END_TEST

static TCase *tcase_for(Suite *suite, const char *name) {
  TCase *tcase = tcase_create(name);
  tcase_add_checked_fixture(tcase, setup, teardown);
  suite_add_tcase(suite, tcase);
  return tcase;
}

static Suite *summary_callbacks_suite(void) {
  Suite *suite = suite_create("summary_callbacks");
  TCase *record = tcase_for(suite, "per_record");
  tcase_add_loop_test(record, record_summary_limits_and_order, 0,
                      sizeof record_cases / sizeof *record_cases);
  tcase_add_test(record, record_short_comment_has_no_summary);
  tcase_add_test(record, record_very_long_or_empty);
  tcase_add_test(record, record_without_tokens_is_an_error);
  TCase *digest = tcase_for(suite, "digest");
  tcase_add_test(digest, digest_ids_and_diversity);
  tcase_add_test(digest, digest_long_string_id);
  TCase *merge = tcase_for(suite, "merge");
  tcase_add_test(merge, merge_two_partials);
  tcase_add_test(merge, export_import_partial);
  TCase *sections = tcase_for(suite, "sections");
  tcase_add_test(sections, themes_and_polarity);
  tcase_add_test(sections, themes_follow_online_ids);
  tcase_add_test(sections, themes_past_the_limit);
  tcase_add_test(sections, per_sentence_sentiment_wins);
  tcase_add_test(sections, per_sentence_names_by_pointer_and_bytes);
  tcase_add_test(sections, no_theme_or_sentiment_keys_without_those_stages);
  TCase *config = tcase_for(suite, "config_errors");
  tcase_add_loop_test(config, config_errors, 0, sizeof config_cases / sizeof *config_cases);
  return suite;
}

int main(void) {
  return tp_check_run(summary_callbacks_suite());
}
