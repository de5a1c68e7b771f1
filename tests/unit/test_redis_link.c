/* tests/unit/test_redis_link.c - a large command written from its arguments
 * (tp_redis_write_command, core/broker/redis_link.c) is byte for byte what hiredis would have
 * formatted: many small arguments across its 64 KB buffer, empty ones, and arguments larger
 * than the buffer sent from where they are. Read back through a socket pair. And replies read
 * by the link's own reads (TP_REDIS_READ_BYTES at a time): one larger than a read, arriving
 * in uneven pieces, and one pipelined right behind it in the same piece. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "check_main.h"
#include "redis_link.h"

/* The reading end of the pair, drained into a growing buffer until the other end closes. */
typedef struct drain {
  int fd;
  char *bytes;
  size_t used, size;
} drain;

static void *drain_all(void *argument) {
  drain *d = argument;
  for (;;) {
    if (d->used + 65536 > d->size) {
      d->size = (d->size + 65536) * 2;
      d->bytes = realloc(d->bytes, d->size);
      ck_assert_ptr_nonnull(d->bytes);
    }
    ssize_t got = read(d->fd, d->bytes + d->used, 65536);
    if (got <= 0)
      return NULL;
    d->used += (size_t)got;
  }
}

START_TEST(written_as_hiredis_formats_it) {
  enum { ARGUMENTS = 20000 };
  const char **argv = malloc(ARGUMENTS * sizeof *argv);
  size_t *lengths = malloc(ARGUMENTS * sizeof *lengths);
  size_t big_length = 3 * 1000 * 1000 + 7;
  char *big = malloc(big_length);
  ck_assert(argv != NULL && lengths != NULL && big != NULL);
  for (size_t i = 0; i < big_length; i++)
    big[i] = (char)('a' + i % 26);
  static const char *const small[] = {"EVAL", "", "1712345678901-0", "x"};
  for (int i = 0; i < ARGUMENTS; i++) {
    argv[i] = small[i % 4];
    lengths[i] = strlen(argv[i]);
  }
  size_t large[] = {7, 10000, 10001, ARGUMENTS - 1}; /* one right after another, one last */
  for (size_t i = 0; i < sizeof large / sizeof *large; i++) {
    argv[large[i]] = big;
    lengths[large[i]] = big_length - i * 65536; /* one exactly a buffer shorter */
  }
  argv[5] = big, lengths[5] = 65536 - 2 - 8; /* one that just fits with its header */

  char *expected = NULL;
  long long expected_length = redisFormatCommandArgv(&expected, ARGUMENTS, argv, lengths);
  ck_assert_int_gt(expected_length, 0);

  int pair[2];
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  drain d = {pair[1], NULL, 0, 0};
  pthread_t reader;
  ck_assert_int_eq(pthread_create(&reader, NULL, drain_all, &d), 0);
  ck_assert_int_eq(tp_redis_write_command(pair[0], ARGUMENTS, argv, lengths), 0);
  close(pair[0]);
  pthread_join(reader, NULL);
  close(pair[1]);

  ck_assert_uint_eq(d.used, (size_t)expected_length);
  ck_assert(memcmp(d.bytes, expected, d.used) == 0);
  redisFreeCommand(expected);
  free(d.bytes);
  free(big);
  free(lengths);
  free(argv);
}
END_TEST

START_TEST(a_closed_connection_fails) {
  int pair[2];
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  close(pair[1]);
  const char *argv[] = {"PING"};
  size_t lengths[] = {4};
  ck_assert_int_eq(tp_redis_write_command(pair[0], 1, argv, lengths), -1); /* no SIGPIPE */
  close(pair[0]);
}
END_TEST

/* A server's side of a socket pair: reads the commands (until "PING\r\n", the second
 * command's end), then writes `reply` in pieces of `piece` bytes. */
typedef struct answer {
  int fd;
  const char *reply;
  size_t length, piece;
} answer;

static void *answer_all(void *argument) {
  answer *a = argument;
  char command[256];
  size_t used = 0;
  while (used < 6 || memcmp(command + used - 6, "PING\r\n", 6) != 0) {
    ssize_t got = read(a->fd, command + used, sizeof command - used);
    if (got <= 0)
      return NULL;
    used += (size_t)got;
  }
  for (size_t at = 0; at < a->length; at += a->piece) {
    size_t size = a->length - at < a->piece ? a->length - at : a->piece;
    if (write(a->fd, a->reply + at, size) != (ssize_t)size)
      return NULL;
  }
  return NULL;
}

START_TEST(replies_longer_than_a_read_come_whole) {
  size_t value_length = TP_REDIS_READ_BYTES * 2 + 13; /* three reads and more */
  char *value = malloc(value_length);
  char *reply = malloc(value_length + 128);
  ck_assert(value != NULL && reply != NULL);
  for (size_t i = 0; i < value_length; i++)
    value[i] = (char)('a' + i % 23);
  size_t length = (size_t)sprintf(reply, "*2\r\n$%zu\r\n", value_length);
  memcpy(reply + length, value, value_length);
  length += value_length;
  length += (size_t)sprintf(reply + length, "\r\n:7\r\n+PONG\r\n"); /* then PING's */

  int pair[2];
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  answer a = {pair[1], reply, length, 100003}; /* pieces that split lengths and CRLFs */
  pthread_t server;
  ck_assert_int_eq(pthread_create(&server, NULL, answer_all, &a), 0);
  tp_redis_link link;
  tp_redis_url url = {.display = "test"};
  tp_redis_link_init(&link, &url, NULL);
  link.context = redisConnectFd(pair[0]);
  ck_assert_ptr_nonnull(link.context);
  tp_redis_reply_use_arena(link.context->reader);
  const char *argv[] = {"GET", "k", "PING"};
  size_t lengths[] = {3, 1, 4}, firsts[] = {0, 2};
  int argcs[] = {2, 1};
  redisReply *replies[2] = {NULL, NULL};
  char err[256];
  ck_assert_int_eq(
      tp_redis_pipeline(&link, 2, argcs, firsts, argv, lengths, replies, 1, err, sizeof err), 0);
  pthread_join(server, NULL);
  ck_assert_int_eq(replies[0]->type, REDIS_REPLY_ARRAY);
  ck_assert_uint_eq(replies[0]->elements, 2);
  ck_assert_uint_eq(replies[0]->element[0]->len, value_length);
  ck_assert(memcmp(replies[0]->element[0]->str, value, value_length) == 0);
  ck_assert_int_eq(replies[0]->element[1]->integer, 7);
  ck_assert_int_eq(replies[1]->type, REDIS_REPLY_STATUS);
  ck_assert_str_eq(replies[1]->str, "PONG");
  tp_redis_reply_free(replies[0]);
  tp_redis_reply_free(replies[1]);
  tp_redis_link_close(&link); /* closes pair[0] */
  close(pair[1]);
  free(reply);
  free(value);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {written_as_hiredis_formats_it, a_closed_connection_fails,
                                replies_longer_than_a_read_come_whole};
  return tp_check_main("redis_link", tests, sizeof tests / sizeof *tests);
}
