/* tests/e2e/test_redis_ownership.c - the checkpoint's ownership check while a restarted
 * consumer is still reading its own earlier pending entries (XREADGROUP with id 0), with a
 * real redis-server this test starts on a free 127.0.0.1 port (redis_fixture.h) and stops.
 *
 * Consumer r0 comes back to find every entry of the stream pending under its name, as a run
 * killed after reading them would leave them (the test reads them as r0). It drains them a few
 * at a time (count=16), checkpointing every 100 ms, so checkpoints run mid-drain. While it
 * holds entries it has read and not acknowledged, and most earlier ones are still unread, it
 * is paused (SIGSTOP) and its held entries are claimed for consumer r1 (as r1's XAUTOCLAIM
 * would once they idle past claim; the test claims only those, so that r0 is still draining
 * when it resumes). r1 drains them as its own, counts and acknowledges them, and is stopped.
 * When r0 resumes, still reading its own earlier entries, its next checkpoint must find the
 * entries it holds no longer its own and write nothing (it stops, failed); else they are
 * counted twice. r0 started again finishes the rest. Every entry id must then be in the output
 * or the dead-letters, nothing pending, and the merged report's `in` equal the entries
 * published.
 * Every wait is bounded; the server and the consumers are stopped whatever happens.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <hiredis/hiredis.h>

#include "redis_fixture.h"

/* r0's pending entries by delivery count: `unread` still at 1 (from the earlier run only),
 * `held` above 1 (read again by the restarted run, not acknowledged yet). */
static void pending_by_delivery(redisContext *context, long long *unread, long long *held) {
  redisReply *reply = redisCommand(context, "XPENDING drain g - + 100000 r0");
  ck_assert_ptr_nonnull(reply);
  ck_assert_int_eq(reply->type, REDIS_REPLY_ARRAY);
  *unread = *held = 0;
  for (size_t e = 0; e < reply->elements; e++) {
    const redisReply *entry = reply->element[e]; /* [id, consumer, idle ms, deliveries] */
    if (entry->element[3]->integer > 1)
      ++*held;
    else
      ++*unread;
  }
  freeReplyObject(reply);
}

/* Every entry of "drain" pending under r0 in group g, as an earlier run of r0 killed after
 * reading them would leave them. */
static void leave_all_pending_under_r0(redisContext *context) {
  freeReplyObject(redisCommand(context, "XGROUP CREATE drain g 0"));
  freeReplyObject(redisCommand(context, "XREADGROUP GROUP g r0 COUNT %d STREAMS drain >", RECORDS));
  ck_assert_int_eq(pending_of(context, "drain", "g", "r0"), RECORDS);
}

/* XCLAIMs r0's held entries (read again by its restarted run: delivered more than once) for
 * r1, leaving r0 its unread ones. */
static void claim_held_for_r1(redisContext *context) {
  redisReply *pending = redisCommand(context, "XPENDING drain g - + 100000 r0");
  ck_assert_int_eq(pending->type, REDIS_REPLY_ARRAY);
  const char **argv = calloc(pending->elements + 5, sizeof *argv);
  ck_assert_ptr_nonnull(argv);
  int argc = 0;
  argv[argc++] = "XCLAIM", argv[argc++] = "drain", argv[argc++] = "g", argv[argc++] = "r1";
  argv[argc++] = "0";
  for (size_t e = 0; e < pending->elements; e++)
    if (pending->element[e]->element[3]->integer > 1)
      argv[argc++] = pending->element[e]->element[0]->str;
  redisReply *claimed = redisCommandArgv(context, argc, argv, NULL);
  ck_assert_int_eq(claimed->type, REDIS_REPLY_ARRAY);
  /* fewer when a checkpoint r0 sent just before its pause acknowledged some meanwhile */
  ck_assert_uint_gt(claimed->elements, 0);
  fprintf(stderr, "claimed %zu held entries for r1\n", claimed->elements);
  freeReplyObject(claimed);
  free(argv);
  freeReplyObject(pending);
}

START_TEST(a_consumer_draining_its_old_entries_is_fenced_off) {
  fixture *f = &setup_state;
  consumers_stopped_server_up(f);
  publish(f, "drain", RECORDS);
  redisContext *context = connect_server(f);
  ck_assert_ptr_nonnull(context);
  leave_all_pending_under_r0(context);

  consumer consumers[2];
  two_consumers_first_started(f, consumers, "drain", "g", "r",
                              "idle=1500&claim=60000&checkpoint=100&count=16");
  /* Pause r0 once a checkpoint acknowledged some of its old entries (mid-drain) while it
   * holds read ones and older ones are still unread. An acknowledgement in flight lands
   * before the counts are taken again (the pause); else it resumes and tries again. */
  long long unread = 0, held = 0;
  int paused = 0;
  for (double deadline = now_seconds() + 60; now_seconds() < deadline && !paused;) {
    pending_by_delivery(context, &unread, &held);
    if (held == 0 || unread == 0 || unread + held > RECORDS - 32) {
      pause_ms(20);
      continue;
    }
    kill(f->consumers[0], SIGSTOP);
    pause_ms(500); /* generous: Redis may be slow to run it on a loaded machine */
    pending_by_delivery(context, &unread, &held);
    paused = held > 0 && unread > 0;
    if (!paused)
      kill(f->consumers[0], SIGCONT);
  }
  ck_assert_msg(paused, "r0 not caught mid-drain: %lld unread, %lld held", unread, held);
  fprintf(stderr, "r0 paused mid-drain: %lld acknowledged, %lld held, %lld unread\n",
          RECORDS - unread - held, held, unread);
  claim_held_for_r1(context);
  f->consumers[1] = spawn(f, consumers[1].arguments, consumers[1].log);
  for (double deadline = now_seconds() + 60;
       now_seconds() < deadline && pending_of(context, "drain", "g", "r1") > 0;)
    pause_ms(20);
  ck_assert_int_le(pending_of(context, "drain", "g", "r1"), 0); /* counted, acknowledged */
  kill(f->consumers[1], SIGTERM);                               /* it would wait for r0's entries */
  int status = wait_exit(f->consumers[1], 60);
  ck_assert_msg(status == 143, "consumer r1 exit status %d, not 143 (stopped by SIGTERM; log: %s)",
                status, consumers[1].log);
  f->consumers[1] = 0;
  kill(f->consumers[0], SIGCONT);
  status = wait_exit(f->consumers[0], 60);
  f->consumers[0] = status < 0 ? f->consumers[0] : 0;
  int resumed_status = status; /* checked last, after the counts */
  int fenced = strstr(read_text(consumers[0].log), "is no longer this consumer's") != NULL;
  char resumed_log[700];
  snprintf(resumed_log, sizeof resumed_log, "%s", consumers[0].log);
  snprintf(consumers[0].log, sizeof consumers[0].log, "%.63s/r0-again.log", f->folder);
  f->consumers[0] = spawn(f, consumers[0].arguments, consumers[0].log); /* finishes the rest */
  status = wait_exit(f->consumers[0], 90);
  f->consumers[0] = status < 0 ? f->consumers[0] : 0;
  ck_assert_msg(status == 0, "r0 again: exit status %d (log: %s)", status, consumers[0].log);
  redisFree(context);

  /* Nothing lost (every entry out or dead-lettered, nothing pending), nothing counted twice. */
  size_t stored[2];
  assert_none_lost(f, "drain", "g", "drain-out", RECORDS, stored);
  long long counts[3];
  merged_counts(f, "drain", "g", counts);
  fprintf(stderr,
          "draining consumer: merged in %lld (published %d), %zu outputs; resumed r0 exit status "
          "%d, %sfenced\n",
          counts[0], RECORDS, stored[0], resumed_status, fenced ? "" : "not ");
  ck_assert_int_eq(counts[0], RECORDS);
  ck_assert_msg(resumed_status > 0 && resumed_status < 128 && fenced,
                "resumed r0: exit status %d, %sfenced (log: %s)", resumed_status,
                fenced ? "" : "not ", resumed_log);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {a_consumer_draining_its_old_entries_is_fenced_off};
  return run_suite("redis-ownership", tests, sizeof tests / sizeof *tests);
}
