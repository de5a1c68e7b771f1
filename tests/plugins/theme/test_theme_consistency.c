/* tests/plugins/theme/test_theme_consistency.c - discovered themes, the records' theme_id and
 * the summary's per-theme sentences agree. Runs tokenize, sentiment, theme and summary
 * through core/run/harness.h (the real plugins) and checks, on identical records, on a generated
 * stream of several topics and on the bundled sample with 7 themes:
 *   - every theme_id a record received is in the online_ids of exactly one discovered theme,
 *     and every discovered theme has at least one online id;
 *   - with members, a theme's members are exactly the records whose theme_id maps to it;
 *   - representatives and the summary's sentences of a theme quote records of that theme only;
 *   - the summary has one entry per discovered theme, in the same order. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "harness.h"

#define MAX_RECORDS 2000

static const char *source_path(const char *relative) {
  static char path[1024];
  const char *root = getenv("TEXTPIPE_SOURCE_ROOT");
  snprintf(path, sizeof path, "%s/%s", root ? root : ".", relative);
  return path;
}

/* The records of one run: their ids and the discovered theme their theme_id maps to. */
typedef struct run_result {
  cJSON *report;
  int count;
  int ids[MAX_RECORDS];
  double theme_ids[MAX_RECORDS]; /* -1: null */
} run_result;

/* Writes a pipeline of tokenize, sentiment, theme (with `theme_config`) and summary to a
 * temporary file; returns its path (static buffer). */
static const char *write_pipeline(const char *theme_config) {
  static char path[] = "/tmp/textpipe-theme-consistency-XXXXXX";
  strcpy(path, "/tmp/textpipe-theme-consistency-XXXXXX");
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  FILE *file = fdopen(fd, "w");
  ck_assert_ptr_nonnull(file);
  fprintf(file,
          "{\"name\": \"consistency\", \"stages\": [{\"plugin\": \"tokenize\"},"
          " {\"plugin\": \"sentiment\"}, {\"plugin\": \"theme\", \"config\": %s},"
          " {\"plugin\": \"summary\"}]}\n",
          theme_config);
  fclose(file);
  return path;
}

static void run_lines(const char *theme_config, char **lines, int count, run_result *result) {
  const char *path = write_pipeline(theme_config);
  tp_harness *harness = NULL;
  tp_error err;
  ck_assert_msg(tp_harness_open(path, &harness, &err) == 0, "%s", err.message);
  unlink(path);
  ck_assert_int_le(count, MAX_RECORDS);
  result->count = count;
  for (int i = 0; i < count; i++) {
    char *output = NULL;
    ck_assert_int_eq(tp_harness_process_line(harness, lines[i], &output, &err), TP_HARNESS_OUT);
    cJSON *record = cJSON_Parse(output);
    ck_assert_ptr_nonnull(record);
    result->ids[i] = cJSON_GetObjectItem(record, "id")->valueint;
    const cJSON *theme_id = cJSON_GetObjectItem(record, "theme_id");
    result->theme_ids[i] = cJSON_IsNumber(theme_id) ? theme_id->valuedouble : -1;
    cJSON_Delete(record);
    free(output);
  }
  result->report = tp_harness_finish(harness, &err);
  ck_assert_msg(result->report != NULL, "%s", err.message);
  tp_harness_close(harness);
}

static const cJSON *section(const run_result *result, const char *name) {
  return cJSON_GetObjectItem(cJSON_GetObjectItem(result->report, "sections"), name);
}

/* The discovered theme id whose online_ids hold `online`; asserts there is exactly one. */
static int theme_of_online(const cJSON *discovered, double online) {
  int found = -1, hits = 0;
  const cJSON *theme, *id;
  cJSON_ArrayForEach(theme, discovered) {
    cJSON_ArrayForEach(id, cJSON_GetObjectItem(theme, "online_ids")) {
      if (id->valuedouble == online) {
        found = cJSON_GetObjectItem(theme, "id")->valueint;
        hits++;
      }
    }
  }
  ck_assert_msg(hits == 1, "online id %.0f is in %d discovered themes", online, hits);
  return found;
}

/* The discovered theme of the record with id `record_id` (through its theme_id). */
static int theme_of_record(const run_result *result, const cJSON *discovered, int record_id) {
  for (int i = 0; i < result->count; i++)
    if (result->ids[i] == record_id) {
      ck_assert(result->theme_ids[i] >= 0);
      return theme_of_online(discovered, result->theme_ids[i]);
    }
  ck_abort_msg("record %d is not in the stream", record_id);
  return -1;
}

/* Every invariant of the header comment. Returns the number of discovered themes. */
static int check_invariants(const run_result *result) {
  const cJSON *discovered = cJSON_GetObjectItem(section(result, "theme"), "discovered");
  ck_assert(cJSON_GetArraySize(discovered) > 0);
  int per_theme[MAX_RECORDS + 1] = {0};
  for (int i = 0; i < result->count; i++) {
    ck_assert(result->theme_ids[i] >= 0); /* every generated record has content words */
    int theme = theme_of_online(discovered, result->theme_ids[i]);
    ck_assert_int_ge(theme, 1);
    ck_assert_int_le(theme, MAX_RECORDS);
    per_theme[theme]++;
  }
  const cJSON *theme, *item;
  cJSON_ArrayForEach(theme, discovered) {
    int id = cJSON_GetObjectItem(theme, "id")->valueint;
    ck_assert_int_gt(cJSON_GetArraySize(cJSON_GetObjectItem(theme, "online_ids")), 0);
    ck_assert_int_gt(per_theme[id], 0);
    const cJSON *members = cJSON_GetObjectItem(theme, "members");
    if (members) {
      ck_assert_int_eq(cJSON_GetArraySize(members), per_theme[id]);
      ck_assert_int_eq(cJSON_GetObjectItem(theme, "size")->valueint, per_theme[id]);
      cJSON_ArrayForEach(item, members) {
        ck_assert_int_eq(theme_of_record(result, discovered, item->valueint), id);
      }
    }
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(theme, "representatives")) {
      ck_assert_int_eq(theme_of_record(result, discovered, item->valueint), id);
    }
  }
  const cJSON *themes = cJSON_GetObjectItem(section(result, "summary"), "themes");
  ck_assert_int_eq(cJSON_GetArraySize(themes), cJSON_GetArraySize(discovered));
  int index = 0;
  cJSON_ArrayForEach(theme, themes) {
    int id = cJSON_GetObjectItem(theme, "theme_id")->valueint;
    ck_assert_int_eq(id,
                     cJSON_GetObjectItem(cJSON_GetArrayItem(discovered, index++), "id")->valueint);
    ck_assert_int_gt(cJSON_GetArraySize(cJSON_GetObjectItem(theme, "sentences")), 0);
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(theme, "sentences")) {
      int record_id = cJSON_GetObjectItem(item, "id")->valueint;
      ck_assert_int_eq(theme_of_record(result, discovered, record_id), id);
    }
  }
  return cJSON_GetArraySize(discovered);
}

static void free_lines(char **lines, int count) {
  for (int i = 0; i < count; i++)
    free(lines[i]);
  free(lines);
}

static const int identical_counts[] = {2, 15, 20, 40};

/* Identical records: one online theme, so one discovered theme that lists it. */
START_TEST(identical_records_share_one_theme) {
  int count = identical_counts[_i];
  char **lines = calloc((size_t)count, sizeof(char *));
  for (int i = 0; i < count; i++) {
    lines[i] = malloc(512);
    snprintf(lines[i], 512,
             "{\"id\": %d, \"text\": \"<script>alert(1)</script> The tax & economy policy is "
             "terrible and bad. I hate the </style> <img src=x> civil service. \\\"quoted\\\" & "
             "more, really awful delivery speed.\"}",
             i);
  }
  run_result *result = calloc(1, sizeof(run_result));
  run_lines("{\"members\": true}", lines, count, result);
  ck_assert_int_eq(check_invariants(result), 1);
  cJSON_Delete(result->report);
  free(result);
  free_lines(lines, count);
}
END_TEST

/* A stream of 8 topics, each with its own words, plus words every topic shares; a fixed
 * generator, so the run is deterministic. */
static char **generated_stream(int count) {
  static const char *shared[] = {"really", "think", "people", "good", "bad", "time", "year"};
  char **lines = calloc((size_t)count, sizeof(char *));
  uint64_t state = 12345;
  for (int i = 0; i < count; i++) {
    char text[600] = "";
    size_t used = 0;
    state = state * 6364136223846793005u + 1442695040888963407u;
    unsigned topic = (unsigned)(state >> 33) % 8;
    for (int w = 0; w < 9; w++) {
      state = state * 6364136223846793005u + 1442695040888963407u;
      unsigned pick = (unsigned)(state >> 33);
      if (pick % 4 == 0)
        used += (size_t)snprintf(text + used, sizeof text - used, "%s ", shared[pick / 4 % 7]);
      else /* a topic word: t<topic>w<0..24>, made pronounceable */
        used += (size_t)snprintf(text + used, sizeof text - used, "%c%cla%cno ", 'b' + topic,
                                 'a' + (char)(pick / 4 % 5), 'a' + (char)(pick / 20 % 5));
    }
    lines[i] = malloc(700);
    snprintf(lines[i], 700, "{\"id\": %d, \"text\": \"%s.\"}", i + 1, text);
  }
  return lines;
}

static const char *stream_configs[] = {
    "{}",
    "{\"members\": true}",
    "{\"sample\": 300}",
    "{\"themes\": 12, \"members\": true}",
};

START_TEST(generated_stream_maps_every_theme_id) {
  int count = 1500;
  char **lines = generated_stream(count);
  run_result *result = calloc(1, sizeof(run_result));
  run_lines(stream_configs[_i], lines, count, result);
  ck_assert_int_ge(check_invariants(result), 2);
  cJSON_Delete(result->report);
  free(result);
  free_lines(lines, count);
}
END_TEST

/* The bundled sample with 7 themes for 7 records: a record's theme holds it, and the theme's
 * quoted sentences are its own records'. */
START_TEST(sample_with_seven_themes) {
  FILE *sample = fopen(source_path("samples/comments.ndjson"), "r");
  ck_assert_ptr_nonnull(sample);
  char **lines = calloc(16, sizeof(char *));
  char line[65536];
  int count = 0;
  while (count < 16 && fgets(line, sizeof line, sample))
    lines[count++] = strdup(line);
  fclose(sample);
  ck_assert_int_eq(count, 7);
  run_result *result = calloc(1, sizeof(run_result));
  run_lines("{\"themes\": 7, \"members\": true}", lines, count, result);
  check_invariants(result);
  cJSON_Delete(result->report);
  free(result);
  free_lines(lines, count);
}
END_TEST

static Suite *theme_consistency_suite(void) {
  Suite *suite = suite_create("theme-consistency");
  TCase *identical = tcase_create("identical records");
  tcase_add_loop_test(identical, identical_records_share_one_theme, 0,
                      (int)(sizeof identical_counts / sizeof identical_counts[0]));
  suite_add_tcase(suite, identical);
  TCase *stream = tcase_create("generated stream");
  tcase_set_timeout(stream, 60);
  tcase_add_loop_test(stream, generated_stream_maps_every_theme_id, 0,
                      (int)(sizeof stream_configs / sizeof stream_configs[0]));
  suite_add_tcase(suite, stream);
  TCase *seven = tcase_create("sample with seven themes");
  tcase_add_test(seven, sample_with_seven_themes);
  suite_add_tcase(suite, seven);
  return suite;
}

int main(void) {
  return tp_check_run(theme_consistency_suite());
}
