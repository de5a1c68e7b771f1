/* tests/unit/test_redis_reply.c - replies built in arenas (core/broker/redis_reply.c) against
 * hiredis' own reader: the same bytes give the same tree, whole or fed a byte at a time, and a
 * reply broken mid-way is freed by the reader without a leak (under the sanitizers). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "check_main.h"
#include "redis_reply.h"

/* Appends to the growing buffer *text. */
static void append(char **text, size_t *used, const char *bytes, size_t length) {
  *text = realloc(*text, *used + length + 1);
  ck_assert_ptr_nonnull(*text);
  memcpy(*text + *used, bytes, length);
  *used += length;
}

static void append_bulk(char **text, size_t *used, const char *bytes, size_t length) {
  char header[32];
  int written = snprintf(header, sizeof header, "$%zu\r\n", length);
  append(text, used, header, (size_t)written);
  append(text, used, bytes, length);
  append(text, used, "\r\n", 2);
}

/* An XREADGROUP-shaped reply of `entries` entries (every 100th value 40 kB, more than half
 * the largest block: a block of its own; every 7th entry deleted: a nil field list), then the other
 * reply kinds: a status, an error, an integer, a nil, an empty array and a nil array. */
static char *sample_replies(size_t entries, size_t *length) {
  char *text = NULL, line[64];
  size_t used = 0;
  size_t big_length = 40 * 1000;
  char *big = malloc(big_length);
  ck_assert_ptr_nonnull(big);
  for (size_t i = 0; i < big_length; i++)
    big[i] = (char)('a' + i % 26);
  int written = snprintf(line, sizeof line, "*1\r\n*2\r\n$2\r\nin\r\n*%zu\r\n", entries);
  append(&text, &used, line, (size_t)written);
  for (size_t e = 0; e < entries; e++) {
    char id[32], value[64];
    int id_length = snprintf(id, sizeof id, "1712345678901-%zu", e);
    append(&text, &used, "*2\r\n", 4);
    append_bulk(&text, &used, id, (size_t)id_length);
    if (e % 7 == 3) {
      append(&text, &used, "*-1\r\n", 5);
      continue;
    }
    append(&text, &used, "*4\r\n", 4);
    append_bulk(&text, &used, "record", 6);
    if (e % 100 == 10) {
      append_bulk(&text, &used, big, big_length);
    } else {
      int value_length = snprintf(value, sizeof value, "{\"id\": %zu, \"text\": \"x\"}", e);
      append_bulk(&text, &used, value, (size_t)value_length);
    }
    append_bulk(&text, &used, "line", 4);
    append_bulk(&text, &used, "", 0);
  }
  static const char others[] = "+OK\r\n-ERR wrong\r\n:-42\r\n$-1\r\n*0\r\n*-1\r\n";
  append(&text, &used, others, sizeof others - 1);
  free(big);
  *length = used;
  return text;
}

static void assert_same_tree(const redisReply *expected, const redisReply *actual) {
  ck_assert_ptr_nonnull(actual);
  ck_assert_int_eq(actual->type, expected->type);
  ck_assert_int_eq(actual->integer, expected->integer);
  ck_assert_uint_eq(actual->len, expected->len);
  if (expected->str != NULL) {
    ck_assert_ptr_nonnull(actual->str);
    ck_assert_mem_eq(actual->str, expected->str, expected->len + 1); /* NUL-terminated too */
  }
  ck_assert_uint_eq(actual->elements, expected->elements);
  for (size_t i = 0; i < expected->elements; i++)
    assert_same_tree(expected->element[i], actual->element[i]);
}

/* Reads every reply of `text` (fed `step` bytes at a time) into replies[]; returns how many. */
static size_t read_all(redisReader *reader, const char *text, size_t length, size_t step,
                       void **replies, size_t capacity) {
  size_t count = 0;
  for (size_t at = 0; at < length; at += step) {
    ck_assert_int_eq(redisReaderFeed(reader, text + at, at + step < length ? step : length - at),
                     REDIS_OK);
    void *reply = NULL;
    while (redisReaderGetReply(reader, &reply) == REDIS_OK && reply != NULL) {
      ck_assert_uint_lt(count, capacity);
      replies[count++] = reply;
      reply = NULL;
    }
    ck_assert_int_eq(reader->err, 0);
  }
  return count;
}

static const size_t steps[] = {1 << 20, 1, 4093};

START_TEST(same_tree_as_hiredis) {
  size_t length = 0;
  char *text = sample_replies(150, &length);
  redisReader *plain = redisReaderCreate();
  redisReader *arena = redisReaderCreate();
  tp_redis_reply_use_arena(arena);
  void *expected[8], *actual[8];
  size_t count = read_all(plain, text, length, 1 << 20, expected, 8);
  ck_assert_uint_eq(count, 7);
  ck_assert_uint_eq(read_all(arena, text, length, steps[_i], actual, 8), count);
  for (size_t r = 0; r < count; r++) {
    assert_same_tree(expected[r], actual[r]);
    freeReplyObject(expected[r]);
    tp_redis_reply_free(actual[r]);
  }
  tp_redis_reply_free(NULL); /* nothing */
  redisReaderFree(plain);
  redisReaderFree(arena);
  free(text);
}
END_TEST

/* A reply cut short, then broken: the reader frees what it built (through the arena's free),
 * and a reader freed holding half a reply does the same. */
START_TEST(broken_reply_is_freed) {
  static const char broken[] = "*3\r\n$3\r\nabc\r\n*2\r\n:1\r\n?bad\r\n";
  redisReader *reader = redisReaderCreate();
  tp_redis_reply_use_arena(reader);
  ck_assert_int_eq(redisReaderFeed(reader, broken, sizeof broken - 1), REDIS_OK);
  void *reply = NULL;
  ck_assert_int_eq(redisReaderGetReply(reader, &reply), REDIS_ERR);
  ck_assert_ptr_null(reply);
  redisReaderFree(reader);
  static const char half[] = "*2\r\n$5\r\nhello\r\n";
  reader = redisReaderCreate();
  tp_redis_reply_use_arena(reader);
  ck_assert_int_eq(redisReaderFeed(reader, half, sizeof half - 1), REDIS_OK);
  ck_assert_int_eq(redisReaderGetReply(reader, &reply), REDIS_OK);
  ck_assert_ptr_null(reply);
  redisReaderFree(reader);
}
END_TEST

static Suite *redis_reply_suite(void) {
  Suite *suite = suite_create("redis_reply");
  TCase *trees = tcase_create("trees");
  tcase_add_loop_test(trees, same_tree_as_hiredis, 0, sizeof steps / sizeof *steps);
  tcase_add_test(trees, broken_reply_is_freed);
  suite_add_tcase(suite, trees);
  return suite;
}

int main(void) {
  return tp_check_run(redis_reply_suite());
}
