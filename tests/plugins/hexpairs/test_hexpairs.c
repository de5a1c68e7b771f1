/* tests/plugins/hexpairs/test_hexpairs.c - unit tests of plugins/hexpairs: pairs and sparse
 * cells written and read back over the whole 32-bit range, the exact text written, the buffer
 * bound of hexpairs_bytes(), and every malformed string refused with the reader left at the
 * pair that failed. The plugins' own partial tests cover the formats built on top of it.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "hexpairs.h"

START_TEST(pairs_written_exactly) {
  char buffer[hexpairs_bytes(3)];
  hexpairs_writer writer;
  hexpairs_begin(&writer, buffer);
  ck_assert_str_eq(buffer, "");
  hexpairs_put(&writer, 0, 0);
  ck_assert_str_eq(buffer, "0:0");
  hexpairs_put(&writer, 0xabc, 10);
  hexpairs_put(&writer, UINT32_MAX, 0x10);
  ck_assert_str_eq(buffer, "0:0,abc:a,ffffffff:10");
}
END_TEST

START_TEST(widest_pairs_fit_the_bound) {
  enum { PAIRS = 5 };
  char buffer[hexpairs_bytes(PAIRS) + 1];
  memset(buffer, 'x', sizeof buffer);
  hexpairs_writer writer;
  hexpairs_begin(&writer, buffer);
  for (int i = 0; i < PAIRS; i++)
    hexpairs_put(&writer, UINT32_MAX, UINT32_MAX);
  ck_assert_uint_eq(strlen(buffer), hexpairs_bytes(PAIRS) - 2); /* no ',' after the last */
  ck_assert_int_eq(buffer[sizeof buffer - 1], 'x');
  ck_assert_uint_eq(hexpairs_count(buffer), PAIRS);
}
END_TEST

START_TEST(pairs_round_trip) {
  enum { PAIRS = 2000 };
  uint32_t keys[PAIRS], values[PAIRS];
  uint64_t state = 88172645463325252u;
  for (int i = 0; i < PAIRS; i++) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    keys[i] = (uint32_t)state >> (i % 32);
    values[i] = (uint32_t)(state >> 32) >> (i % 29);
  }
  char *buffer = malloc(hexpairs_bytes(PAIRS));
  hexpairs_writer writer;
  hexpairs_begin(&writer, buffer);
  for (int i = 0; i < PAIRS; i++)
    hexpairs_put(&writer, keys[i], values[i]);
  ck_assert_uint_eq(hexpairs_count(buffer), PAIRS);
  hexpairs_reader reader = {buffer, buffer, 0};
  uint32_t key, value;
  for (int i = 0; i < PAIRS; i++) {
    ck_assert_int_eq(hexpairs_take(&reader, &key, &value), 1);
    ck_assert_uint_eq(key, keys[i]);
    ck_assert_uint_eq(value, values[i]);
  }
  ck_assert_int_eq(hexpairs_take(&reader, &key, &value), 0);
  free(buffer);
}
END_TEST

START_TEST(cells_round_trip_as_gaps) {
  char buffer[hexpairs_bytes(4)];
  hexpairs_writer writer;
  hexpairs_begin(&writer, buffer);
  hexpairs_put_cell(&writer, 0, 7);
  hexpairs_put_cell(&writer, 1, 1);
  hexpairs_put_cell(&writer, 20, 2);
  hexpairs_put_cell(&writer, 4095, UINT32_MAX);
  ck_assert_str_eq(buffer, "0:7,0:1,12:2,fea:ffffffff");
  hexpairs_reader reader = {buffer, buffer, 0};
  const uint64_t want_index[] = {0, 1, 20, 4095};
  const uint32_t want_value[] = {7, 1, 2, UINT32_MAX};
  uint64_t index;
  uint32_t value;
  for (int i = 0; i < 4; i++) {
    ck_assert_int_eq(hexpairs_take_cell(&reader, 4096, &index, &value), 1);
    ck_assert_uint_eq(index, want_index[i]);
    ck_assert_uint_eq(value, want_value[i]);
  }
  ck_assert_int_eq(hexpairs_take_cell(&reader, 4096, &index, &value), 0);
}
END_TEST

/* Reads `text` as pairs; returns the first non-1 status and the offset the reader stopped at. */
static int read_all(const char *text, size_t *stopped_at) {
  hexpairs_reader reader = {text, text, 0};
  uint32_t key, value;
  int status;
  while ((status = hexpairs_take(&reader, &key, &value)) == 1)
    ;
  *stopped_at = (size_t)(reader.at - text);
  return status;
}

START_TEST(malformed_pairs_refused_where_they_fail) {
  static const struct {
    const char *text;
    size_t stopped_at; /* where the last good pair ends */
  } cases[] = {
      {"1", 0},           {"1:", 0},          {":1", 0},   {"1:2,", 3},
      {"1:2;3:4", 3},     {"1:2,,3:4", 3},    {"A:1", 0},  {"1:2,3:-4", 3},
      {"123456789:1", 0}, {"1:123456789", 0}, {"1:2 ", 3}, {"0x1:2", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t stopped_at;
    ck_assert_msg(read_all(cases[i].text, &stopped_at) == -1, "accepted \"%s\"", cases[i].text);
    ck_assert_msg(stopped_at == cases[i].stopped_at, "\"%s\": stopped at %zu", cases[i].text,
                  stopped_at);
  }
  size_t stopped_at;
  ck_assert_int_eq(read_all("", &stopped_at), 0);
  ck_assert_int_eq(read_all("ffffffff:0", &stopped_at), 0);
  ck_assert_uint_eq(stopped_at, 10);
}
END_TEST

START_TEST(malformed_cells_refused_at_the_pair) {
  static const struct {
    const char *text;
    uint64_t cell_count;
    size_t stopped_at; /* where the last good pair ends */
  } cases[] = {
      {"0:0", 16, 0},                  /* a zero value is never written */
      {"10:1", 16, 0},                 /* index 16: past the end */
      {"e:1,1:1", 16, 3},              /* index 14, then 16 */
      {"f:1,0:1", 16, 3},              /* index 15 is the last one */
      {"0:1,ffffffff:1", 1u << 20, 3}, /* a gap past the end */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *text = cases[i].text;
    hexpairs_reader reader = {text, text, 0};
    uint64_t index;
    uint32_t value;
    int status;
    while ((status = hexpairs_take_cell(&reader, cases[i].cell_count, &index, &value)) == 1)
      ;
    ck_assert_msg(status == -1, "accepted \"%s\"", text);
    ck_assert_msg((size_t)(reader.at - text) == cases[i].stopped_at, "\"%s\": stopped at %zu", text,
                  (size_t)(reader.at - text));
  }
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      pairs_written_exactly,
      widest_pairs_fit_the_bound,
      pairs_round_trip,
      cells_round_trip_as_gaps,
      malformed_pairs_refused_where_they_fail,
      malformed_cells_refused_at_the_pair,
  };
  return tp_check_main("hexpairs", tests, sizeof tests / sizeof *tests);
}
