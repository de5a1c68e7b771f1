/* test_sentiment_timeline.c - Check suite of sentiment over time (sentiment_timeline.c): which
 * values read as times, bucket widths that grow with the span, merging partials in any split,
 * and the JSON round trip of a partial. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "sentiment_timeline.h"

typedef struct parse_case {
  const char *json; /* the field's value as JSON */
  int ok;           /* 1: a time */
  int64_t seconds;  /* when ok */
} parse_case;

static const parse_case parse_cases[] = {
    {"\"1970-01-01\"", 1, 0},
    {"\"2024-05-01\"", 1, 1714521600},
    {"\"2024-05-01T14:30\"", 1, 1714573800},
    {"\"2024-05-01t14:30:05Z\"", 1, 1714573805},
    {"\"2024-05-01 14:30:05.250Z\"", 1, 1714573805},
    {"\"2024-05-01T14:30:05,9\"", 1, 1714573805},
    {"\"2024-05-01T14:30:05+02:00\"", 1, 1714566605},
    {"\"2024-05-01T14:30:05-0130\"", 1, 1714579205},
    {"\"2024-02-29\"", 1, 1709164800},   /* a leap day */
    {"\"2000-02-29\"", 1, 951782400},    /* 400-year rule */
    {"\"1969-12-31T23:59:59Z\"", 1, -1}, /* before 1970 */
    {"\"1600-03-01\"", 1, -11670912000},
    {"\"2016-12-31T23:59:60Z\"", 1, 1483228799}, /* leap second: the one before */
    {"1714573805", 1, 1714573805},
    {"1714573805.75", 1, 1714573805},
    {"1714573805123", 1, 1714573805}, /* milliseconds */
    {"\"1714573805\"", 1, 1714573805},
    {"-86400", 1, -86400},
    {"\"2023-02-29\"", 0, 0}, /* not a leap year */
    {"\"1900-02-29\"", 0, 0}, /* century rule */
    {"\"2024-13-01\"", 0, 0},
    {"\"2024-04-31\"", 0, 0},
    {"\"2024-05-01T24:00\"", 0, 0},
    {"\"2024-05-01T10\"", 0, 0},
    {"\"2024-05-01T10:00:00.\"", 0, 0},
    {"\"2024-05-01T10:00Z junk\"", 0, 0},
    {"\"2024-5-1\"", 0, 0},
    {"\"yesterday\"", 0, 0},
    {"\"\"", 0, 0},
    {"null", 0, 0},
    {"true", 0, 0},
    {"{\"t\": 1}", 0, 0},
    {"1e300", 0, 0}, /* beyond the year 9999 */
};

START_TEST(parse_table) {
  const parse_case *c = &parse_cases[_i];
  cJSON *value = cJSON_Parse(c->json);
  ck_assert_ptr_nonnull(value);
  int64_t seconds = 42;
  int status = sx_time_parse(value, &seconds);
  ck_assert_msg((status == 0) == c->ok, "%s: status %d", c->json, status);
  if (c->ok)
    ck_assert_msg(seconds == c->seconds, "%s: %lld, expected %lld", c->json, (long long)seconds,
                  (long long)c->seconds);
  cJSON_Delete(value);
}
END_TEST

START_TEST(format_round_trip) {
  static const int64_t times[] = {0, -1, 951782400, 1714573805, -11670912000, 253402300799};
  for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
    char text[32];
    sx_time_format(times[i], text, sizeof text);
    cJSON *value = cJSON_CreateString(text);
    int64_t back = 0;
    ck_assert_int_eq(sx_time_parse(value, &back), 0);
    ck_assert_msg(back == times[i], "%s", text);
    cJSON_Delete(value);
  }
  char text[32];
  sx_time_format(1714573805, text, sizeof text);
  ck_assert_str_eq(text, "2024-05-01T14:30:05Z");
}
END_TEST

static uint64_t total_count(const sx_time_line *line) {
  uint64_t total = 0;
  for (size_t i = 0; i < line->used; i++)
    total += line->counts[i];
  return total;
}

/* Times over a year: the width climbs the ladder, nothing is lost, buckets stay in bounds. */
START_TEST(width_grows_with_span) {
  sx_time_line line = {0};
  sx_time_line_add(&line, 1714573805, 0.5, 1);
  ck_assert_int_eq(line.width, 1);
  sx_time_line_add(&line, 1714573805 + 200, -0.5, 1); /* 200 s later: 5 s buckets */
  ck_assert_int_eq(line.width, 5);
  sx_time_line_add(&line, 1714573805 - 3600, 1.0, 1); /* an hour before: 60 s buckets */
  ck_assert_int_eq(line.width, 60);
  ck_assert_uint_le(line.used, SX_TIME_BUCKETS);
  for (int day = 0; day < 365; day++)
    sx_time_line_add(&line, 1714573805 + (int64_t)day * 86400, 0.1, 1);
  ck_assert_int_eq(line.width, 604800); /* 53 weeks fit 120 buckets of a week */
  ck_assert_uint_le(line.used, SX_TIME_BUCKETS);
  ck_assert_uint_eq(total_count(&line), 368);
  double sum = 0;
  for (size_t i = 0; i < line.used; i++)
    sum += line.sums[i];
  ck_assert_double_eq_tol(sum, 1.0 + 365 * 0.1, 1e-9);
  ck_assert_uint_gt(line.counts[0], 0);
  ck_assert_uint_gt(line.counts[line.used - 1], 0);
}
END_TEST

/* Splitting the same times between partials in any way and merging gives the same line. */
START_TEST(merge_matches_one_pass) {
  int64_t times[200];
  for (int i = 0; i < 200; i++)
    times[i] = 1700000000 + (int64_t)((i * 7919) % 200) * 3607 - (i % 3) * 86400;
  sx_time_line whole = {0};
  for (int i = 0; i < 200; i++)
    sx_time_line_add(&whole, times[i], 1.0, 1);
  for (int split = 0; split <= 200; split += 37) {
    sx_time_line a = {0}, b = {0};
    for (int i = 0; i < 200; i++)
      sx_time_line_add(i < split ? &a : &b, times[i], 1.0, 1);
    a.untimed = 2;
    b.untimed = 3;
    sx_time_line_merge(&a, &b);
    ck_assert_int_eq(a.width, whole.width);
    ck_assert_int_eq(a.first, whole.first);
    ck_assert_uint_eq(a.used, whole.used);
    ck_assert_uint_eq(a.untimed, 5);
    for (size_t i = 0; i < whole.used; i++) {
      ck_assert_uint_eq(a.counts[i], whole.counts[i]);
      ck_assert_double_eq_tol(a.sums[i], whole.sums[i], 1e-9);
    }
  }
}
END_TEST

START_TEST(export_import_and_report) {
  sx_time_line line = {0};
  sx_time_line_add(&line, 1714521600, 0.5, 1);          /* 2024-05-01 */
  sx_time_line_add(&line, 1714521600 + 7200, -0.25, 1); /* two hours later */
  line.untimed = 4;
  cJSON *data = sx_time_line_export(&line);
  ck_assert_ptr_nonnull(data);
  sx_time_line back;
  char err[128] = "";
  ck_assert_int_eq(sx_time_line_import(&back, data, err, sizeof err), 0);
  ck_assert_int_eq(back.width, line.width);
  ck_assert_int_eq(back.first, line.first);
  ck_assert_uint_eq(back.used, line.used);
  ck_assert_uint_eq(back.untimed, 4);
  ck_assert(memcmp(back.counts, line.counts, line.used * sizeof line.counts[0]) == 0);
  cJSON_Delete(data);

  cJSON *report = sx_time_line_report(&line, "created_at");
  char *printed = cJSON_PrintUnformatted(report);
  ck_assert_str_eq(printed, "{\"field\":\"created_at\",\"bucket_seconds\":300,\"start\":"
                            "\"2024-05-01T00:00:00Z\",\"end\":\"2024-05-01T02:05:00Z\",\"means\":"
                            "[0.5,null,null,null,null,null,null,null,null,null,null,null,null,"
                            "null,null,null,null,null,null,null,null,null,null,null,-0.25],"
                            "\"counts\":[1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1],"
                            "\"untimed\":4}");
  free(printed);
  cJSON_Delete(report);

  static const char *const bad[] = {
      "{\"width\":7,\"first\":0,\"sums\":[],\"counts\":[],\"untimed\":0}", /* not a step */
      "{\"width\":60,\"first\":0,\"sums\":[1],\"counts\":[],\"untimed\":0}",
      "{\"width\":60,\"first\":0,\"sums\":[1],\"counts\":[-1],\"untimed\":0}",
      "{\"width\":0,\"first\":0,\"sums\":[1],\"counts\":[1],\"untimed\":0}",
      "{\"width\":60,\"first\":0,\"sums\":[],\"counts\":[]}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cJSON *partial = cJSON_Parse(bad[i]);
    ck_assert_int_eq(sx_time_line_import(&back, partial, err, sizeof err), -1);
    cJSON_Delete(partial);
  }
}
END_TEST

static Suite *timeline_suite(void) {
  Suite *suite = suite_create("sentiment_timeline");
  TCase *parse = tcase_create("parse");
  tcase_add_loop_test(parse, parse_table, 0, (int)(sizeof parse_cases / sizeof parse_cases[0]));
  tcase_add_test(parse, format_round_trip);
  suite_add_tcase(suite, parse);
  TCase *buckets = tcase_create("buckets");
  tcase_add_test(buckets, width_grows_with_span);
  tcase_add_test(buckets, merge_matches_one_pass);
  tcase_add_test(buckets, export_import_and_report);
  suite_add_tcase(suite, buckets);
  return suite;
}

int main(void) {
  return tp_check_run(timeline_suite());
}
