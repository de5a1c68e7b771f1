/* tests/unit/test_redis_link.c - a large command written from its arguments
 * (tp_redis_write_command, core/broker/redis_link.c) is byte for byte what hiredis would have
 * formatted: many small arguments across its 64 KB buffer, empty ones, and arguments larger
 * than the buffer sent from where they are. Read back through a socket pair. */
#include <check.h>
#include <pthread.h>
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

int main(void) {
  const TTest *const tests[] = {written_as_hiredis_formats_it, a_closed_connection_fails};
  return tp_check_main("redis_link", tests, sizeof tests / sizeof *tests);
}
