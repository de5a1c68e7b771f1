/* tests/e2e/test_redis_failures.c - failure modes of the Redis checkpoint transaction, with a
 * real redis-server this test starts on a free 127.0.0.1 port (redis_fixture.h) and stops:
 *
 * - The reply of the checkpoint transaction is lost: the connection drops after the script
 *   was sent and ran (a relay throws its answer away, redis_proxy.h). The consumer must find
 *   out on reconnecting that it ran, and not send it again: with exactly_once=1 every entry's
 *   output is in the output stream once, and the merged checkpoints count every entry once.
 * - A checkpoint that cannot be written whole (its exactly-once output key holds a string):
 *   nothing of it is written (no XACK, no output, no state), the consumer stops failed, its
 *   entries stay pending under its name (XPENDING's summary), and the same consumer started
 *   again once the key is fixed finishes its own pending entries: every entry output once,
 *   counted once.
 * Every wait is bounded; the server and the consumers are stopped whatever happens.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "redis_fixture.h"
#include "redis_proxy.h"

#define LOST_RECORDS  600
#define TYPED_RECORDS 300

/* The connection drops after the checkpoint script was sent and ran, its reply lost. */
START_TEST(a_lost_checkpoint_reply_is_not_sent_again) {
  fixture *f = &setup_state;
  consumers_stopped_server_up(f);
  publish(f, "lost", LOST_RECORDS);
  redis_proxy *proxy = redis_proxy_start(f->port, "XPENDING"); /* the checkpoint script */
  ck_assert_ptr_nonnull(proxy);
  fixture via = *f; /* the consumer talks to the relay */
  via.port = redis_proxy_port(proxy);
  char sink[128];
  snprintf(sink, sizeof sink, "redis://127.0.0.1:%d/lost-out?exactly_once=1", via.port);
  consumer c;
  consumer_prepare(&via, &c, "lost", "l", "l0", "idle=1000&claim=1200&checkpoint=200&count=64",
                   sink, NULL);
  f->consumers[0] = spawn(f, c.arguments, c.log);
  int status = wait_exit(f->consumers[0], 60);
  f->consumers[0] = status < 0 ? f->consumers[0] : 0;
  int drops = redis_proxy_drops(proxy);
  redis_proxy_stop(proxy);
  ck_assert_msg(status == 0, "consumer exit status %d (log: %s)", status, c.log);
  ck_assert_msg(drops == 1, "the relay lost %d checkpoint replies, not 1", drops);
  assert_once(f, "lost", "l", "lost-out", LOST_RECORDS);
}
END_TEST

/* The exactly-once output key is not a stream: the checkpoint writes nothing at all. */
START_TEST(a_checkpoint_that_cannot_be_written_writes_nothing) {
  fixture *f = &setup_state;
  consumers_stopped_server_up(f);
  publish(f, "typed", TYPED_RECORDS);
  redisContext *context = connect_server(f);
  ck_assert_ptr_nonnull(context);
  freeReplyObject(redisCommand(context, "SET typed-out not-a-stream"));
  char sink[128];
  snprintf(sink, sizeof sink, "redis://127.0.0.1:%d/typed-out?exactly_once=1", f->port);
  consumer c;
  consumer_prepare(f, &c, "typed", "t", "t0", "idle=1000&claim=1200&checkpoint=200&count=64", sink,
                   NULL);
  f->consumers[0] = spawn(f, c.arguments, c.log);
  int status = wait_exit(f->consumers[0], 60);
  f->consumers[0] = status < 0 ? f->consumers[0] : 0;
  ck_assert_msg(status > 0 && status < 128, "exit status %d (log: %s)", status, c.log);
  const char *said = read_text(c.log);
  ck_assert_msg(strstr(said, "holds a string, not a stream: nothing was written") != NULL,
                "not refused: %s", said);
  redisReply *kind = redisCommand(context, "TYPE typed-out");
  ck_assert_str_eq(kind->str, "string");
  freeReplyObject(kind);
  redisReply *states = redisCommand(context, "HLEN typed:textpipe:t:checkpoints");
  ck_assert_int_eq(states->integer, 0); /* no state */
  freeReplyObject(states);
  /* Nothing acknowledged: every entry read is still pending, under this consumer's name. */
  long long held = pending_of(context, "typed", "t", "t0");
  redisReply *pending = redisCommand(context, "XPENDING typed t");
  fprintf(stderr, "refused checkpoint: %lld entries pending under t0\n", held);
  ck_assert_int_gt(held, 0);
  ck_assert_int_eq(pending->element[0]->integer, held);
  freeReplyObject(pending);
  /* The key fixed, t0 again: it finishes its own pending entries first, then the rest. */
  freeReplyObject(redisCommand(context, "DEL typed-out"));
  redisFree(context);
  snprintf(c.log, sizeof c.log, "%.63s/t0-again.log", f->folder);
  f->consumers[0] = spawn(f, c.arguments, c.log);
  status = wait_exit(f->consumers[0], 60);
  f->consumers[0] = status < 0 ? f->consumers[0] : 0;
  ck_assert_msg(status == 0, "restarted consumer exit status %d (log: %s)", status, c.log);
  assert_once(f, "typed", "t", "typed-out", TYPED_RECORDS);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {a_lost_checkpoint_reply_is_not_sent_again,
                                a_checkpoint_that_cannot_be_written_writes_nothing};
  return run_suite("redis-failures", tests, sizeof tests / sizeof *tests);
}
