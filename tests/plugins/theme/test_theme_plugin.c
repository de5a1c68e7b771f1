/* tests/plugins/theme/test_theme_plugin.c - theme.so through the real loader, host and stage
 * runner, after the "theme-tokens" fixture: per-record keys, the report section, the same
 * result whatever the worker count (merge) and through partial export/import, sentiment
 * means, and configuration errors. Pipelines and theme files are written to a temporary
 * folder. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "host.h"
#include "pipeline.h"
#include "record.h"
#include "stages.h"

#define BATCH 4 /* records per batch; batch k runs on worker k mod N, as in the runner */

static const char policy_json[] =
    "{\"themes\": ["
    " {\"name\": \"Tax\", \"keywords\": [\"tax\", \"vat\"], \"phrases\": [\"council tax\"]},"
    " {\"name\": \"Battery\", \"keywords\": [\"battery\", \"charge\"]}]}";

static char folder[] = "/tmp/theme-plugin-XXXXXX";

static void write_file(const char *name, const char *text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", folder, name);
  FILE *file = fopen(path, "w");
  ck_assert_ptr_nonnull(file);
  fputs(text, file);
  fclose(file);
}

static void setup(void) {
  ck_assert_ptr_nonnull(mkdtemp(folder));
  write_file("policy.json", policy_json);
  write_file("broken.json", "{\n  \"themes\": [\n    {\"name\" 1}\n  ]\n}\n");
  write_file("model-v2.json", "{\"format\": \"textpipe-theme-model\", \"version\": 2}");
  write_file("model-terms.json",
             "{\"format\": \"textpipe-theme-model\", \"version\": 1, \"records\": 3, "
             "\"bigrams\": true, \"vocabulary\": [17, 1.5], \"themes\": [{\"id\": 1, "
             "\"label\": \"a\", \"keyphrases\": [], \"size\": 3, \"floor\": 0.1, "
             "\"terms\": [4, 1]}]}");
  write_file("model-ids.json",
             "{\"format\": \"textpipe-theme-model\", \"version\": 1, \"records\": 3, "
             "\"bigrams\": true, \"vocabulary\": [17, 1.5], \"themes\": [{\"id\": 1, "
             "\"label\": \"a\", \"keyphrases\": [], \"size\": 3, \"floor\": 0.1, "
             "\"terms\": []}, {\"id\": 1}]}");
  write_file("model-broken.json", "{\"format\": \"textpipe-theme-model\",\n \"version\" 1}");
}

static void teardown(void) {
  char command[600];
  snprintf(command, sizeof command, "rm -rf '%s'", folder);
  ck_assert_int_eq(system(command), 0);
  strcpy(folder + strlen(folder) - 6, "XXXXXX");
}

/* Loads a pipeline [theme-tokens, theme(config)] written to the folder; -1 with err. */
static int load(const char *config, tp_pipeline **pipeline, tp_error *err) {
  char text[2048], path[512];
  snprintf(text, sizeof text,
           "{\"name\": \"t\", \"stages\": [{\"plugin\": \"theme-tokens\"}, "
           "{\"plugin\": \"theme\", \"config\": %s}]}",
           config);
  write_file("pipeline.json", text);
  snprintf(path, sizeof path, "%s/pipeline.json", folder);
  tp_loader_options options = {getenv("TEXTPIPE_PLUGIN_PATH"), tp_host_api()};
  return tp_pipeline_load(path, &options, pipeline, err);
}

typedef struct run_result {
  char **outputs;  /* enriched records */
  cJSON *sections; /* the report's sections */
} run_result;

/* A hex-pairs string ("K:V,K:V,...") as the array [K, V, ...] of format 2; a V that is a
 * float's bits (`float_values`) as that float. */
static cJSON *pairs_array(const char *text, int float_values) {
  cJSON *array = cJSON_CreateArray();
  for (const char *at = text; *at;) {
    char *end;
    unsigned long key = strtoul(at, &end, 16);
    ck_assert_int_eq(*end, ':');
    unsigned long value = strtoul(end + 1, &end, 16);
    uint32_t bits = (uint32_t)value;
    float weight;
    memcpy(&weight, &bits, sizeof weight);
    cJSON_AddItemToArray(array, cJSON_CreateNumber((double)key));
    cJSON_AddItemToArray(array, cJSON_CreateNumber(float_values ? (double)weight : (double)value));
    at = *end == ',' ? end + 1 : end;
  }
  return array;
}

/* The sketch's (gap, value) string as format 2's [index, value, ...]. */
static cJSON *cells_array(const char *text) {
  cJSON *pairs = pairs_array(text, 0), *array = cJSON_CreateArray();
  double next = 0;
  for (const cJSON *at = pairs->child; at; at = at->next->next) {
    cJSON_AddItemToArray(array, cJSON_CreateNumber(next + at->valuedouble));
    cJSON_AddItemToArray(array, cJSON_CreateNumber(at->next->valuedouble));
    next += at->valuedouble + 1;
  }
  cJSON_Delete(pairs);
  return array;
}

/* Rewrites an exported theme partial (format 3) in format 2, as earlier builds wrote it. */
static void to_format_2(cJSON *data) {
  cJSON_ReplaceItemInObject(data, "format", cJSON_CreateString("textpipe-theme-partial-2"));
  cJSON *sketch = cJSON_GetObjectItem(data, "sketch");
  cJSON_ReplaceItemInObject(sketch, "counters",
                            cells_array(cJSON_GetObjectItem(sketch, "counters")->valuestring));
  cJSON *item;
  cJSON_ArrayForEach(item, cJSON_GetObjectItem(data, "online")) cJSON_ReplaceItemInObject(
      item, "terms", pairs_array(cJSON_GetObjectItem(item, "terms")->valuestring, 1));
  cJSON_ArrayForEach(item, cJSON_GetObjectItem(data, "docs")) cJSON_ReplaceItemInObject(
      item, "terms", pairs_array(cJSON_GetObjectItem(item, "terms")->valuestring, 0));
}

enum { DIRECT, EXCHANGED, EXCHANGED_AS_FORMAT_2 };

/* Runs `count` lines through the pipeline on `workers` partial sets; unless `exchange` is
 * DIRECT, every worker's theme partial but the first goes through export + import before
 * finish (rewritten in format 2 on the way with EXCHANGED_AS_FORMAT_2). Without
 * `sections_wanted` the stages finish as in `textpipe run` without --report. */
static run_result run_finishing(const char *config, const char *const *lines, size_t count,
                                size_t workers, int exchange, int sections_wanted) {
  tp_pipeline *pipeline = NULL;
  tp_error err;
  ck_assert_msg(load(config, &pipeline, &err) == 0, "%s", err.message);
  pipeline->sections_discarded = !sections_wanted;
  void **partials[4];
  for (size_t w = 0; w < workers; w++) {
    partials[w] = tp_partials_create(pipeline, &err);
    ck_assert_ptr_nonnull(partials[w]);
  }
  run_result result = {0};
  result.outputs = calloc(count + 1, sizeof(char *));
  ck_assert_ptr_nonnull(result.outputs);
  for (size_t r = 0; r < count; r++) {
    size_t worker = (r / BATCH) % workers;
    tp_record record = {0};
    char reason[TP_REASON_SIZE];
    ck_assert_int_eq(tp_record_prepare(&record, pipeline, lines[r], strlen(lines[r]), r + 1, reason,
                                       sizeof reason),
                     0);
    tp_stage_stats stats = {0};
    for (size_t s = 0; s < pipeline->stage_count; s++)
      ck_assert_int_eq(tp_stage_process(&pipeline->stages[s], partials[worker][s], &record, &stats,
                                        reason, sizeof reason),
                       TP_KEEP);
    result.outputs[r] = cJSON_PrintUnformatted(record.json);
    tp_record_release(&record);
  }
  if (exchange) {
    const tp_plugin *plugin = pipeline->stages[1].handle->plugin;
    void *instance = pipeline->stages[1].instance;
    for (size_t w = 1; w < workers; w++) {
      cJSON *data = plugin->partial_export(instance, partials[w][1]);
      ck_assert_ptr_nonnull(data);
      ck_assert_str_eq(cJSON_GetObjectItem(data, "format")->valuestring,
                       "textpipe-theme-partial-3");
      if (exchange == EXCHANGED_AS_FORMAT_2)
        to_format_2(data);
      char *text = cJSON_PrintUnformatted(data); /* through text, as between processes */
      cJSON_Delete(data);
      data = cJSON_Parse(text);
      free(text);
      plugin->partial_destroy(instance, partials[w][1]);
      char message[256] = "";
      partials[w][1] = plugin->partial_import(instance, data, message, sizeof message);
      ck_assert_msg(partials[w][1] != NULL, "%s", message);
      cJSON_Delete(data);
    }
  }
  result.sections = cJSON_CreateObject();
  ck_assert_msg(tp_stages_finish(pipeline, partials, workers, result.sections, &err) == 0, "%s",
                err.message);
  for (size_t w = 0; w < workers; w++)
    tp_partials_destroy(pipeline, partials[w]);
  tp_pipeline_free(pipeline);
  return result;
}

static run_result run(const char *config, const char *const *lines, size_t count, size_t workers,
                      int exchange) {
  return run_finishing(config, lines, count, workers, exchange, 1);
}

static void run_free(run_result *result, size_t count) {
  for (size_t r = 0; r < count; r++)
    free(result->outputs[r]);
  free(result->outputs);
  cJSON_Delete(result->sections);
}

/* ---- per record ---- */

START_TEST(record_gets_themes_keyphrases_and_theme_id) {
  const char *lines[] = {
      "{\"id\": \"a\", \"text\": \"Council tax is too high. Council tax!\"}",
      "{\"text\": \"The battery will not charge\"}",
  };
  run_result result = run("{\"taxonomy\": \"policy.json\", \"keyphrases\": 2}", lines, 2, 1, 0);
  ck_assert_str_eq(result.outputs[0],
                   "{\"id\":\"a\",\"text\":\"Council tax is too high. Council tax!\","
                   "\"keyphrases\":[\"council tax\",\"high\"],"
                   "\"themes\":[{\"name\":\"Tax\",\"score\":0.8355,\"matched\":[\"council tax\","
                   "\"tax\"]}],\"theme_id\":1}");
  ck_assert_str_eq(result.outputs[1],
                   "{\"text\":\"The battery will not charge\",\"keyphrases\":[\"battery will\","
                   "\"charge\"],\"themes\":[{\"name\":\"Battery\",\"score\":0.6667,\"matched\":"
                   "[\"battery\",\"charge\"]}],\"theme_id\":2}");
  run_free(&result, 2);
}
END_TEST

/* ---- across the stream ---- */

#define TOPIC_RECORDS 12

/* 3 topics x TOPIC_RECORDS records, ids "<topic>#<i>", shuffled by a fixed stride; with
 * `sentiment`, each record carries sentiment.compound = +0.5 (battery) or -0.5 (others). */
static size_t corpus(char lines[][256], const char **pointers, int sentiment) {
  static const char *const topics[] = {"battery", "screen", "price"};
  static const char *const nouns[3][3] = {{"battery", "battery life", "battery charge"},
                                          {"screen", "touch screen", "screen brightness"},
                                          {"price", "price tag", "price point"}};
  static const char *const predicates[3][4] = {
      {"lasts all day", "drains too fast", "runs out by noon", "holds up well"},
      {"looks sharp", "seems dim outdoors", "glares in sunlight", "shows vivid colours"},
      {"costs too much", "feels fair", "beats rivals", "went up again"}};
  size_t count = 3 * TOPIC_RECORDS;
  for (size_t r = 0; r < count; r++) {
    size_t slot = (r * 7) % count; /* 7 is coprime with 36: a fixed shuffle */
    size_t topic = slot % 3, i = slot / 3;
    char extra[64] = "";
    if (sentiment)
      snprintf(extra, sizeof extra, ", \"sentiment\": {\"compound\": %s}",
               topic == 0 ? "0.5" : "-0.5");
    snprintf(lines[r], 256, "{\"id\": \"%s#%zu\", \"text\": \"The %s %s.\"%s}", topics[topic], i,
             nouns[topic][i % 3], predicates[topic][i % 4], extra);
    pointers[r] = lines[r];
  }
  return count;
}

static const cJSON *section(const run_result *result) {
  const cJSON *theme = cJSON_GetObjectItem(result->sections, "theme");
  ck_assert_ptr_nonnull(theme);
  return theme;
}

START_TEST(discovered_themes_recover_the_topics) {
  char lines[3 * TOPIC_RECORDS][256];
  const char *pointers[3 * TOPIC_RECORDS];
  size_t count = corpus(lines, pointers, 0);
  run_result result = run("{\"themes\": 3, \"members\": true}", pointers, count, 1, 0);
  const cJSON *theme = section(&result);
  ck_assert_int_eq(cJSON_GetObjectItem(theme, "records")->valueint, (int)count);
  ck_assert_ptr_null(cJSON_GetObjectItem(theme, "taxonomy"));
  const cJSON *discovered = cJSON_GetObjectItem(theme, "discovered");
  ck_assert_int_eq(cJSON_GetArraySize(discovered), 3);
  int number = 1;
  const cJSON *item;
  cJSON_ArrayForEach(item, discovered) {
    ck_assert_int_eq(cJSON_GetObjectItem(item, "id")->valueint, number++);
    ck_assert_int_eq(cJSON_GetObjectItem(item, "size")->valueint, TOPIC_RECORDS);
    ck_assert_double_eq_tol(cJSON_GetObjectItem(item, "share")->valuedouble, 0.3333, 1e-9);
    ck_assert_ptr_null(cJSON_GetObjectItem(item, "mean_sentiment"));
    const cJSON *members = cJSON_GetObjectItem(item, "members");
    ck_assert_int_eq(cJSON_GetArraySize(members), TOPIC_RECORDS);
    /* every member has the topic of the first one */
    const char *first = cJSON_GetArrayItem(members, 0)->valuestring;
    size_t prefix = strcspn(first, "#");
    const cJSON *member;
    cJSON_ArrayForEach(member, members)
        ck_assert_int_eq(strncmp(member->valuestring, first, prefix + 1), 0);
    /* the label names the topic */
    const char *label = cJSON_GetObjectItem(item, "label")->valuestring;
    ck_assert_msg(strncmp(label, first, prefix) == 0, "label \"%s\" for %s", label, first);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(item, "representatives")), 3);
    ck_assert_int_ge(cJSON_GetArraySize(cJSON_GetObjectItem(item, "keyphrases")), 2);
    ck_assert_int_ge(cJSON_GetArraySize(cJSON_GetObjectItem(item, "online_ids")), 1);
  }
  run_free(&result, count);
}
END_TEST

/* The discovered section without "online_ids" (online themes depend on the worker count). */
static char *final_themes(const run_result *result) {
  cJSON *copy = cJSON_Duplicate(cJSON_GetObjectItem(section(result), "discovered"), 1);
  cJSON *item;
  cJSON_ArrayForEach(item, copy) cJSON_DeleteItemFromObject(item, "online_ids");
  char *text = cJSON_PrintUnformatted(copy);
  cJSON_Delete(copy);
  return text;
}

static const size_t worker_counts[] = {2, 3, 4};

START_TEST(workers_merge_to_the_same_themes) {
  char lines[3 * TOPIC_RECORDS][256];
  const char *pointers[3 * TOPIC_RECORDS];
  size_t count = corpus(lines, pointers, 0);
  const char *config = "{\"themes\": 3, \"members\": true, \"seed\": 5}";
  run_result one = run(config, pointers, count, 1, 0);
  run_result many = run(config, pointers, count, worker_counts[_i], 0);
  char *expected = final_themes(&one), *got = final_themes(&many);
  ck_assert_str_eq(got, expected);
  /* every record's theme_id is listed under exactly one discovered theme, which has the
   * record among its members */
  const cJSON *discovered = cJSON_GetObjectItem(section(&many), "discovered");
  for (size_t r = 0; r < count; r++) {
    cJSON *record = cJSON_Parse(many.outputs[r]);
    double online = cJSON_GetObjectItem(record, "theme_id")->valuedouble;
    const char *record_id = cJSON_GetObjectItem(record, "id")->valuestring;
    int found = 0, member = 0;
    const cJSON *item, *id;
    cJSON_ArrayForEach(item, discovered) {
      int mine = 0;
      cJSON_ArrayForEach(id, cJSON_GetObjectItem(item, "online_ids")) mine +=
          id->valuedouble == online;
      found += mine;
      cJSON_ArrayForEach(id, cJSON_GetObjectItem(item, "members")) member +=
          mine && strcmp(id->valuestring, record_id) == 0;
    }
    ck_assert_int_eq(found, 1);
    ck_assert_int_eq(member, 1);
    cJSON_Delete(record);
  }
  free(expected);
  free(got);
  run_free(&one, count);
  run_free(&many, count);
}
END_TEST

/* Both partial formats (3, the hex-pairs strings written now; 2, the arrays of numbers of
 * earlier builds) give the state the partial had. */
static const int exchange_forms[] = {EXCHANGED, EXCHANGED_AS_FORMAT_2};

START_TEST(partials_survive_export_and_import) {
  char lines[3 * TOPIC_RECORDS][256];
  const char *pointers[3 * TOPIC_RECORDS];
  size_t count = corpus(lines, pointers, 1);
  const char *config = "{\"taxonomy\": \"policy.json\", \"themes\": 3, \"members\": true}";
  run_result direct = run(config, pointers, count, 3, DIRECT);
  run_result exchanged = run(config, pointers, count, 3, exchange_forms[_i]);
  char *expected = cJSON_PrintUnformatted(direct.sections);
  char *got = cJSON_PrintUnformatted(exchanged.sections);
  ck_assert_str_eq(got, expected);
  free(expected);
  free(got);
  run_free(&direct, count);
  run_free(&exchanged, count);
}
END_TEST

START_TEST(sampling_bounds_the_retained_records) {
  char lines[3 * TOPIC_RECORDS][256];
  const char *pointers[3 * TOPIC_RECORDS];
  size_t count = corpus(lines, pointers, 0);
  /* a 64-record sample is the minimum; 36 records fit, so the result must equal members */
  run_result sampled = run("{\"themes\": 3, \"sample\": 64}", pointers, count, 2, 0);
  const cJSON *item;
  size_t total = 0;
  cJSON_ArrayForEach(item, cJSON_GetObjectItem(section(&sampled), "discovered")) {
    ck_assert_ptr_null(cJSON_GetObjectItem(item, "members"));
    total += (size_t)cJSON_GetObjectItem(item, "size")->valueint;
  }
  ck_assert_uint_eq(total, count);
  run_free(&sampled, count);
}
END_TEST

START_TEST(report_counts_taxonomy_and_sentiment) {
  char lines[3 * TOPIC_RECORDS][256];
  const char *pointers[3 * TOPIC_RECORDS];
  size_t count = corpus(lines, pointers, 1);
  run_result result =
      run("{\"taxonomy\": \"policy.json\", \"themes\": 3, \"examples\": 2}", pointers, count, 2, 0);
  const cJSON *taxonomy = cJSON_GetObjectItem(section(&result), "taxonomy");
  char *text = cJSON_PrintUnformatted(taxonomy);
  /* battery records come first in input order as lines 1 (battery#0), 4 (battery#7), ... */
  ck_assert_str_eq(text, "[{\"name\":\"Battery\",\"count\":12,\"share\":0.3333,"
                         "\"mean_sentiment\":0.5,\"examples\":[\"battery#0\",\"battery#7\"]},"
                         "{\"name\":\"Tax\",\"count\":0,\"share\":0,\"examples\":[]}]");
  free(text);
  const cJSON *item;
  cJSON_ArrayForEach(item, cJSON_GetObjectItem(section(&result), "discovered")) {
    double mean = cJSON_GetObjectItem(item, "mean_sentiment")->valuedouble;
    ck_assert(mean == 0.5 || mean == -0.5);
  }
  run_free(&result, count);
}
END_TEST

START_TEST(members_beyond_the_clustering_limit_are_assigned) {
  /* more records than finish clusters (8192): the rest go to their nearest theme */
  enum { PER_TOPIC = 2800, TOTAL = 3 * PER_TOPIC };
  static const char *const texts[3] = {"battery charge drains", "screen display glare",
                                       "price cost bargain"};
  char(*lines)[96] = malloc(TOTAL * sizeof *lines);
  const char **pointers = malloc(TOTAL * sizeof *pointers);
  ck_assert_ptr_nonnull(lines);
  ck_assert_ptr_nonnull(pointers);
  for (size_t r = 0; r < TOTAL; r++) {
    snprintf(lines[r], sizeof lines[r], "{\"id\": \"%zu#%zu\", \"text\": \"%s\"}", r % 3, r / 3,
             texts[r % 3]);
    pointers[r] = lines[r];
  }
  run_result result =
      run("{\"themes\": 3, \"members\": true, \"keyphrases\": 0}", pointers, TOTAL, 2, 0);
  const cJSON *item;
  size_t themes = 0;
  cJSON_ArrayForEach(item, cJSON_GetObjectItem(section(&result), "discovered")) {
    const cJSON *members = cJSON_GetObjectItem(item, "members");
    ck_assert_int_eq(cJSON_GetArraySize(members), PER_TOPIC);
    char topic = cJSON_GetArrayItem(members, 0)->valuestring[0];
    const cJSON *member;
    cJSON_ArrayForEach(member, members) ck_assert_int_eq(member->valuestring[0], topic);
    themes++;
  }
  ck_assert_uint_eq(themes, 3);
  run_free(&result, TOTAL);
  free(lines);
  free(pointers);
}
END_TEST

typedef struct import_error {
  const char *data;
  const char *message;
} import_error;

static const import_error import_errors[] = {
    {"{}", "partial: format: expected \"textpipe-theme-partial-3\" (or "
           "\"textpipe-theme-partial-2\")"},
    {"{\"format\": \"textpipe-theme-partial-2\"}",
     "partial: records: expected a non-negative number"},
    {"{\"format\": \"textpipe-theme-partial-2\", \"records\": 1}",
     "partial: term_total: expected a non-negative number"},
    {"{\"format\": \"textpipe-theme-partial-2\", \"records\": 1, \"term_total\": 5, \"sketch\": "
     "{\"width\": 64, "
     "\"depth\": 4, \"documents\": 1, \"counters\": []}}",
     "partial: sketch: 4x64 does not match this stage's 4x32768 (a different \"vocabulary\")"},
    {"{\"format\": \"textpipe-theme-partial-2\", \"records\": 1, \"term_total\": 5, \"sketch\": "
     "{\"width\": 32768, "
     "\"depth\": 4, \"documents\": 1, \"counters\": [1]}}",
     "partial: sketch.counters: expected an array of 2-number groups"},
    {"{\"format\": \"textpipe-theme-partial-2\", \"records\": 1, \"term_total\": 5, \"sketch\": "
     "{\"width\": 32768, "
     "\"depth\": 4, \"documents\": 1, \"counters\": [999999999, 1]}}",
     "partial: sketch.counters: index 999999999 or value 1 out of range"},
    {"{\"format\": \"textpipe-theme-partial-2\", \"records\": 1, \"term_total\": 5, \"sketch\": "
     "{\"width\": 32768, "
     "\"depth\": 4, \"documents\": 1, \"counters\": []}, \"online\": [], \"docs\": "
     "[{\"id\": [], \"line\": 1, \"online\": 0, \"terms\": [], \"phrases\": []}]}",
     "partial: docs[0]: expected id (string or number), phrases (array) and an optional "
     "numeric sentiment"},
    /* format 3: the vectors are strings of hex pairs, refused when malformed */
    {"{\"format\": \"textpipe-theme-partial-3\", \"records\": 1, \"term_total\": 5, \"sketch\": "
     "{\"width\": 32768, \"depth\": 4, \"documents\": 1, \"counters\": [0, 1]}}",
     "partial: sketch.counters: expected a string of hex pairs \"gap:value,...\""},
    {"{\"format\": \"textpipe-theme-partial-3\", \"records\": 1, \"term_total\": 5, \"sketch\": "
     "{\"width\": 32768, \"depth\": 4, \"documents\": 1, \"counters\": \"0:1,2:X\"}}",
     "partial: sketch.counters: not a string of hex pairs \"gap:value,...\" (at character 3: "
     "\",2:X\")"},
    {"{\"format\": \"textpipe-theme-partial-3\", \"records\": 1, \"term_total\": 5, \"sketch\": "
     "{\"width\": 32768, \"depth\": 4, \"documents\": 1, \"counters\": \"5:0\"}}",
     "partial: sketch.counters: not a string of hex pairs \"gap:value,...\" (at character 0: "
     "\"5:0\")"},
    {"{\"format\": \"textpipe-theme-partial-3\", \"records\": 1, \"term_total\": 5, \"sketch\": "
     "{\"width\": 32768, \"depth\": 4, \"documents\": 1, \"counters\": \"1ffff:1,0:2\"}}",
     "partial: sketch.counters: not a string of hex pairs \"gap:value,...\" (at character 7: "
     "\",0:2\")"},
    {"{\"format\": \"textpipe-theme-partial-3\", \"records\": 1, \"term_total\": 5, \"sketch\": "
     "{\"width\": 32768, \"depth\": 4, \"documents\": 1, \"counters\": \"\"}, \"online\": "
     "[{\"ids\": [1], \"count\": 1, \"sentiment_sum\": 0, \"sentiment_count\": 0, "
     "\"terms\": \"a:7f800000\"}]}",
     "partial: online[0].terms: weight 7f800000 of term 10 is not a finite float"},
    {"{\"format\": \"textpipe-theme-partial-3\", \"records\": 1, \"term_total\": 5, \"sketch\": "
     "{\"width\": 32768, \"depth\": 4, \"documents\": 1, \"counters\": \"\"}, \"online\": "
     "[{\"ids\": [1], \"count\": 1, \"sentiment_sum\": 0, \"sentiment_count\": 0, "
     "\"terms\": \"a:3f800000;\"}]}",
     "partial: online[0].terms: not a string of hex pairs \"hash:weight bits,...\" (at "
     "character 10: \";\")"},
    {"{\"format\": \"textpipe-theme-partial-3\", \"records\": 1, \"term_total\": 5, \"sketch\": "
     "{\"width\": 32768, \"depth\": 4, \"documents\": 1, \"counters\": \"\"}, \"online\": [], "
     "\"docs\": [{\"id\": 1, \"line\": 1, \"online\": 0, \"terms\": \"ab:1,123456789:2\", "
     "\"phrases\": []}]}",
     "partial: docs[0].terms: not a string of hex pairs \"hash:count,...\" (at character 4: "
     "\",123456789:2\")"},
    {"{\"format\": \"textpipe-theme-partial-2\", \"records\": 1, \"term_total\": 5, \"sketch\": "
     "{\"width\": 32768, \"depth\": 4, \"documents\": 1, \"counters\": \"0:1\"}}",
     "partial: sketch.counters: expected an array of 2-number groups"},
};

START_TEST(partial_import_errors_name_the_member) {
  tp_pipeline *pipeline = NULL;
  tp_error err;
  ck_assert_msg(load("{}", &pipeline, &err) == 0, "%s", err.message);
  const tp_plugin *plugin = pipeline->stages[1].handle->plugin;
  cJSON *data = cJSON_Parse(import_errors[_i].data);
  ck_assert_ptr_nonnull(data);
  char message[256] = "";
  ck_assert_ptr_null(
      plugin->partial_import(pipeline->stages[1].instance, data, message, sizeof message));
  ck_assert_str_eq(message, import_errors[_i].message);
  cJSON_Delete(data);
  tp_pipeline_free(pipeline);
}
END_TEST

/* Fit on the stream with model_out, then apply the model to the same records on `workers`
 * workers (through export and import): every record gets the id of the fitted theme it was a
 * member of, from its first record on, none is an outlier, and the sizes agree. */
static const size_t apply_workers[] = {1, 2};

START_TEST(a_fitted_model_applies_with_the_same_ids) {
  char lines[3 * TOPIC_RECORDS][256];
  const char *pointers[3 * TOPIC_RECORDS];
  size_t count = corpus(lines, pointers, 0);
  char config[1024];
  snprintf(config, sizeof config,
           "{\"themes\": 3, \"members\": true, \"model_out\": \"%s/fitted.json\"}", folder);
  run_result fit = run(config, pointers, count, 1, 0);
  run_result applied = run("{\"model\": \"fitted.json\"}", pointers, count, apply_workers[_i], 1);
  const cJSON *fitted = cJSON_GetObjectItem(section(&fit), "discovered");
  for (size_t r = 0; r < count; r++) {
    cJSON *record = cJSON_Parse(applied.outputs[r]);
    const char *id = cJSON_GetObjectItem(record, "id")->valuestring;
    const cJSON *theme_id = cJSON_GetObjectItem(record, "theme_id");
    ck_assert_msg(cJSON_IsNumber(theme_id), "record %s: %s", id, applied.outputs[r]);
    ck_assert_double_gt(cJSON_GetObjectItem(record, "theme_similarity")->valuedouble, 0);
    int found = 0;
    const cJSON *theme, *member;
    cJSON_ArrayForEach(theme, fitted) {
      cJSON_ArrayForEach(member, cJSON_GetObjectItem(theme, "members")) {
        if (strcmp(member->valuestring, id) == 0)
          found = cJSON_GetObjectItem(theme, "id")->valueint;
      }
    }
    ck_assert_int_eq(theme_id->valueint, found);
    cJSON_Delete(record);
  }
  const cJSON *report = section(&applied);
  ck_assert_int_eq(cJSON_GetObjectItem(report, "outliers")->valueint, 0);
  const cJSON *themes = cJSON_GetObjectItem(report, "discovered");
  ck_assert_int_eq(cJSON_GetArraySize(themes), 3);
  for (int j = 0; j < 3; j++) {
    const cJSON *mine = cJSON_GetArrayItem(themes, j), *theirs = cJSON_GetArrayItem(fitted, j);
    ck_assert_int_eq(cJSON_GetObjectItem(mine, "size")->valueint, TOPIC_RECORDS);
    ck_assert_str_eq(cJSON_GetObjectItem(mine, "label")->valuestring,
                     cJSON_GetObjectItem(theirs, "label")->valuestring);
  }
  run_free(&fit, count);
  run_free(&applied, count);
}
END_TEST

static char *read_folder_file(const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", folder, name);
  FILE *file = fopen(path, "rb");
  ck_assert_msg(file != NULL, "%s was not written", path);
  static char text[1 << 16];
  size_t length = fread(text, 1, sizeof text - 1, file);
  ck_assert_int_lt(length, sizeof text - 1);
  text[length] = '\0';
  fclose(file);
  return strdup(text);
}

/* When nobody reads the report (host->report_wanted 0), finish writes only "records": no
 * clustering, no blocks; with model_out it still fits and writes the same model file as a
 * run whose report is read. The records are the same either way. */
START_TEST(an_unread_section_skips_the_clustering_but_not_model_out) {
  char lines[3 * TOPIC_RECORDS][256];
  const char *pointers[3 * TOPIC_RECORDS];
  size_t count = corpus(lines, pointers, 0);
  char config[1024];
  snprintf(config, sizeof config, "{\"themes\": 3, \"model_out\": \"%s/read.json\"}", folder);
  run_result read = run(config, pointers, count, 1, 0);
  ck_assert_ptr_nonnull(cJSON_GetObjectItem(section(&read), "discovered"));

  run_result unread = run_finishing("{\"themes\": 3}", pointers, count, 1, 0, 0);
  char *printed = cJSON_PrintUnformatted(section(&unread));
  ck_assert_str_eq(printed, "{\"records\":36}");
  free(printed);

  snprintf(config, sizeof config, "{\"themes\": 3, \"model_out\": \"%s/unread.json\"}", folder);
  run_result fitted = run_finishing(config, pointers, count, 1, 0, 0);
  char *model_read = read_folder_file("read.json"), *model_unread = read_folder_file("unread.json");
  ck_assert_str_eq(model_unread, model_read);
  for (size_t r = 0; r < count; r++) {
    ck_assert_str_eq(unread.outputs[r], read.outputs[r]);
    ck_assert_str_eq(fitted.outputs[r], read.outputs[r]);
  }
  free(model_read);
  free(model_unread);
  run_free(&read, count);
  run_free(&unread, count);
  run_free(&fitted, count);
}
END_TEST

/* A record that shares no word with the model is an outlier: theme_id null. */
START_TEST(a_record_far_from_every_theme_is_an_outlier) {
  char lines[3 * TOPIC_RECORDS][256];
  const char *pointers[3 * TOPIC_RECORDS + 1];
  size_t count = corpus(lines, pointers, 0);
  char config[1024];
  snprintf(config, sizeof config, "{\"themes\": 3, \"model_out\": \"%s/fitted.json\"}", folder);
  run_result fit = run(config, pointers, count, 1, 0);
  const char *far[] = {"{\"id\": \"x\", \"text\": \"Penguins waddle across frozen lakes.\"}"};
  run_result applied = run("{\"model\": \"fitted.json\"}", far, 1, 1, 0);
  cJSON *record = cJSON_Parse(applied.outputs[0]);
  ck_assert(cJSON_IsNull(cJSON_GetObjectItem(record, "theme_id")));
  ck_assert_int_eq(cJSON_GetObjectItem(section(&applied), "outliers")->valueint, 1);
  cJSON_Delete(record);
  run_free(&fit, count);
  run_free(&applied, 1);
}
END_TEST

/* ---- configuration ---- */

typedef struct config_error {
  const char *config;
  const char *message; /* the end of the loader's message */
} config_error;

static const config_error config_errors[] = {
    {"{\"keyphrases\": 99}",
     "stages[1].config.keyphrases: expected an integer from 0 to 50, got 99"},
    {"{\"themes\": \"three\"}",
     "stages[1].config.themes: expected an integer from 0 to 256, got \"three\""},
    {"{\"taxonomy\": \"broken.json\"}", "/broken.json:3:13: invalid JSON"},
    {"{\"model\": \"model-v2.json\"}",
     "/model-v2.json: version: the file is version 2, this theme stage reads version 1"},
    {"{\"model\": \"model-broken.json\"}", "/model-broken.json:2:12: invalid JSON"},
    {"{\"model\": \"model-terms.json\"}",
     "/model-terms.json: themes[0].terms[0]: expected a vocabulary index below 1 and a weight "
     "after it"},
    {"{\"model\": \"model-ids.json\"}",
     "/model-ids.json: themes[1].id: 1 is also the id of themes[0]"},
    {"{\"model\": \"model-v2.json\", \"model_out\": \"x.json\"}",
     "config.model_out: a stage applies a model (model) or fits one, not both"},
    {"{\"model\": \"policy.json\"}",
     "/policy.json: format: expected \"textpipe-theme-model\" (not a theme model file)"},
};

START_TEST(config_errors_are_reported) {
  tp_pipeline *pipeline = NULL;
  tp_error err;
  ck_assert_int_eq(load(config_errors[_i].config, &pipeline, &err), -1);
  const char *expected = config_errors[_i].message;
  size_t length = strlen(err.message), tail = strlen(expected);
  ck_assert_msg(length >= tail && strcmp(err.message + length - tail, expected) == 0, "got: %s",
                err.message);
}
END_TEST

START_TEST(theme_file_errors_name_the_key) {
  write_file("bad.json", "{\"themes\": [{\"name\": \"A\", \"keywords\": [3]}]}");
  tp_pipeline *pipeline = NULL;
  tp_error err;
  ck_assert_int_eq(load("{\"taxonomy\": \"bad.json\"}", &pipeline, &err), -1);
  ck_assert_msg(strstr(err.message, "stage \"theme\" (plugin theme) failed to start: "
                                    "config.taxonomy: ") != NULL,
                "got: %s", err.message);
  ck_assert_msg(strstr(err.message, "/bad.json: themes[0].keywords[0]: expected a non-empty "
                                    "string") != NULL,
                "got: %s", err.message);
}
END_TEST

static Suite *theme_plugin_suite(void) {
  Suite *suite = suite_create("theme-plugin");
  TCase *records = tcase_create("per record");
  tcase_add_checked_fixture(records, setup, teardown);
  tcase_add_test(records, record_gets_themes_keyphrases_and_theme_id);
  suite_add_tcase(suite, records);
  TCase *stream = tcase_create("across the stream");
  tcase_add_checked_fixture(stream, setup, teardown);
  tcase_set_timeout(stream, 60); /* 8,400 records with members, slow under the sanitizers */
  tcase_add_test(stream, discovered_themes_recover_the_topics);
  tcase_add_loop_test(stream, workers_merge_to_the_same_themes, 0,
                      (int)(sizeof worker_counts / sizeof worker_counts[0]));
  tcase_add_loop_test(stream, partials_survive_export_and_import, 0,
                      (int)(sizeof exchange_forms / sizeof exchange_forms[0]));
  tcase_add_test(stream, sampling_bounds_the_retained_records);
  tcase_add_test(stream, report_counts_taxonomy_and_sentiment);
  tcase_add_test(stream, members_beyond_the_clustering_limit_are_assigned);
  tcase_add_loop_test(stream, a_fitted_model_applies_with_the_same_ids, 0,
                      (int)(sizeof apply_workers / sizeof apply_workers[0]));
  tcase_add_test(stream, a_record_far_from_every_theme_is_an_outlier);
  tcase_add_test(stream, an_unread_section_skips_the_clustering_but_not_model_out);
  tcase_add_loop_test(stream, partial_import_errors_name_the_member, 0,
                      (int)(sizeof import_errors / sizeof import_errors[0]));
  suite_add_tcase(suite, stream);
  TCase *config = tcase_create("configuration");
  tcase_add_checked_fixture(config, setup, teardown);
  tcase_add_loop_test(config, config_errors_are_reported, 0,
                      (int)(sizeof config_errors / sizeof config_errors[0]));
  tcase_add_test(config, theme_file_errors_name_the_key);
  suite_add_tcase(suite, config);
  return suite;
}

int main(void) {
  return tp_check_run(theme_plugin_suite());
}
