/* tests/unit/test_redis_id.c - entry ids between text and numbers (core/broker/redis_id.c):
 * every id Redis can write reads back to the same text, and text that is not an id is refused
 * (the source then stops rather than acknowledge the wrong entry). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "redis_id.h"

static void round_trip(const char *text, uint64_t ms, uint64_t seq) {
  tp_redis_id id = {0, 0};
  ck_assert_int_eq(tp_redis_id_parse(text, strlen(text), &id), 0);
  ck_assert_uint_eq(id.ms, ms);
  ck_assert_uint_eq(id.seq, seq);
  char again[TP_REDIS_ID_TEXT_SIZE];
  ck_assert_uint_eq(tp_redis_id_format(id, again), strlen(text));
  ck_assert_str_eq(again, text);
}

START_TEST(ids_read_back_to_their_text) {
  round_trip("0-0", 0, 0);
  round_trip("0-1", 0, 1);
  round_trip("1712345678901-0", 1712345678901u, 0);
  round_trip("1712345678901-42", 1712345678901u, 42);
  round_trip("10-9", 10, 9);
  round_trip("18446744073709551615-18446744073709551615", UINT64_MAX, UINT64_MAX);
}
END_TEST

START_TEST(other_text_is_refused) {
  static const char *const refused[] = {
      "",
      "-",
      "5",
      "5-",
      "-5",
      "1-2-3",
      "a-1",
      "1-a",
      "1 -2",
      "1-2 ",
      "+1-2",
      "1-+2",
      "1.5-2",
      "18446744073709551616-0",  /* one over 64 bits */
      "0-99999999999999999999",  /* 20 digits, over 64 bits */
      "0-000000000000000000001", /* 21 digits */
  };
  for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
    tp_redis_id id = {7, 7};
    ck_assert_msg(tp_redis_id_parse(refused[i], strlen(refused[i]), &id) == -1, "%s read",
                  refused[i]);
    ck_assert_uint_eq(id.ms, 7); /* unchanged */
    ck_assert_uint_eq(id.seq, 7);
  }
  tp_redis_id id;
  ck_assert_int_eq(tp_redis_id_parse("12-3xyz", 4, &id), 0); /* only `length` bytes read */
  ck_assert_uint_eq(id.ms, 12);
  ck_assert_uint_eq(id.seq, 3);
}
END_TEST

START_TEST(argv_points_at_each_text) {
  tp_redis_id ids[] = {{1, 2}, {UINT64_MAX, 0}, {0, 0}, {1712345678901u, 7}};
  const char *argv[4];
  size_t lengths[4];
  char *text = tp_redis_ids_to_argv(ids, 4, argv, lengths);
  ck_assert_ptr_nonnull(text);
  static const char *const expected[] = {"1-2", "18446744073709551615-0", "0-0", "1712345678901-7"};
  for (size_t i = 0; i < 4; i++) {
    ck_assert_uint_eq(lengths[i], strlen(expected[i]));
    ck_assert_str_eq(argv[i], expected[i]);
  }
  free(text);
  ck_assert_ptr_null(tp_redis_ids_to_argv(ids, 0, argv, lengths));
}
END_TEST

int main(void) {
  const TTest *const tests[] = {ids_read_back_to_their_text, other_text_is_refused,
                                argv_points_at_each_text};
  return tp_check_main("redis_id", tests, sizeof tests / sizeof *tests);
}
