/* tests/e2e/test_redis.c - textpipe on Redis Streams, with a real redis-server this test
 * starts on a free 127.0.0.1 port in a temporary folder (append-only file on) and stops.
 *
 * - A file is published into a stream by `textpipe run` with a redis sink; bad entries (no
 *   record field, invalid JSON, invalid UTF-8, one over the record limit) are added beside.
 * - Three consumer processes read the stream in one group; one is killed with SIGKILL
 *   mid-stream and redis-server is restarted mid-stream; the killed one is started again
 *   under its name. Every published entry id is then in
 *   the output or the dead-letter stream, the bad ones dead-lettered under their own id, and
 *   `textpipe merge` of the group's checkpoints counts exactly the entries published.
 * - exactly_once=1: one of two consumers killed mid-stream and restarted; every entry's output
 *   is in the output streams exactly once, and the merged checkpoints count each once.
 * - SIGTERM with redis-server stopped: the run ends within --stop-timeout, what it could not
 *   store counted unfinished and left pending.
 * - A consumer paused (SIGSTOP) past claim: the other takes its entries over; the paused
 *   one's checkpoint is fenced off and the merged report counts every entry once.
 * - A server restart longer than claim: a consumer starting right after it takes nothing over
 *   from one still away, until its own connection is 2 s + claim/2 old (the kill-and-restart
 *   case failed 1 run in 6 under load before: a live consumer back late was fenced off).
 * Every wait is bounded; the server and the consumers are stopped whatever happens.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cjson/cJSON.h>
#include <hiredis/hiredis.h>

#include "redis_fixture.h"

/* Adds the bad entries; their ids go to `ids`. */
static void add_bad_entries(redisContext *context, char ids[BAD_ENTRIES][64]) {
  static char huge[200 * 1024];
  memset(huge, 'x', sizeof huge);
  memcpy(huge, "{\"text\":\"", 9);
  memcpy(huge + sizeof huge - 2, "\"}", 2);
  const char *values[BAD_ENTRIES] = {NULL, "{\"text\": oops", "{\"text\":\"\xff\xfe\"}", huge};
  size_t lengths[BAD_ENTRIES] = {0, 13, 14, sizeof huge};
  for (int b = 0; b < BAD_ENTRIES; b++) {
    redisReply *reply = values[b] == NULL
                            ? redisCommand(context, "XADD in * other x")
                            : redisCommand(context, "XADD in * record %b", values[b], lengths[b]);
    ck_assert_ptr_nonnull(reply);
    ck_assert_int_eq(reply->type, REDIS_REPLY_STRING);
    snprintf(ids[b], 64, "%s", reply->str);
    freeReplyObject(reply);
  }
}

START_TEST(consumers_survive_a_kill_and_a_restart) {
  fixture *f = &setup_state;
  publish(f, "in", RECORDS);
  redisContext *context = connect_server(f);
  ck_assert_ptr_nonnull(context);
  ck_assert_int_eq(stream_length(context, "in"), RECORDS);
  char bad[BAD_ENTRIES][64];
  add_bad_entries(context, bad);
  redisFree(context);

  consumer consumers[CONSUMERS];
  char sink[128];
  snprintf(sink, sizeof sink, "redis://127.0.0.1:%d/out", f->port);
  for (int c = 0; c < CONSUMERS; c++) {
    char name[16];
    snprintf(name, sizeof name, "c%d", c);
    consumer_prepare(f, &consumers[c], "in", "g", name,
                     "idle=1500&claim=1200&checkpoint=300&count=64", sink, "100000");
    f->consumers[c] = spawn(f, consumers[c].arguments, consumers[c].log);
  }
  /* Mid-stream: once some output exists, kill consumer 0 and restart the server. */
  context = NULL;
  double deadline = now_seconds() + 30;
  long long out = 0;
  while (now_seconds() < deadline && out < RECORDS / 5) {
    pause_ms(20);
    if (context == NULL)
      context = connect_server(f);
    out = context != NULL ? stream_length(context, "out") : 0;
  }
  ck_assert_msg(out >= RECORDS / 5 && out < RECORDS, "output %lld: not mid-stream", out);
  redisReply *held = redisCommand(context, "XPENDING in g - + 100000 c0");
  size_t held_by_killed = held != NULL && held->type == REDIS_REPLY_ARRAY ? held->elements : 0;
  if (held != NULL)
    freeReplyObject(held);
  kill(f->consumers[0], SIGKILL);
  waitpid(f->consumers[0], NULL, 0);
  f->consumers[0] = 0;
  redisFree(context);
  stop_server(f);
  pause_ms(300); /* the consumers retry against no server meanwhile */
  start_server(f);
  /* Consumer 0 comes back under its name: it first finishes its own pending entries (unless
   * the others claimed them already). */
  snprintf(consumers[0].log, sizeof consumers[0].log, "%.63s/c0-again.log", f->folder);
  f->consumers[0] = spawn(f, consumers[0].arguments, consumers[0].log);

  for (int c = 0; c < CONSUMERS; c++) {
    int status = wait_exit(f->consumers[c], 60);
    if (status != 0 && status != 1) { /* show what it said */
      char command[800];
      snprintf(command, sizeof command, "cat '%s' >&2", consumers[c].log);
      if (system(command) != 0)
        fprintf(stderr, "cannot show %s\n", consumers[c].log);
    }
    ck_assert_msg(status == 0 || status == 1, "consumer %d exit status %d (log: %s)", c, status,
                  consumers[c].log);
    f->consumers[c] = 0;
  }

  context = connect_server(f);
  ck_assert_ptr_nonnull(context);
  size_t entry_count, output_count, dead_count, letter_count;
  char **entries = stream_values(context, "in", NULL, &entry_count);
  char **outputs = stream_values(context, "out", "source_id", &output_count);
  char **dead = stream_values(context, "out:dead", "source_id", &dead_count);
  char **letters = stream_values(context, "out:dead", "letter", &letter_count);
  ck_assert_uint_eq(entry_count, RECORDS + BAD_ENTRIES);
  for (size_t e = 0; e < entry_count; e++)
    ck_assert_msg(contains(outputs, output_count, entries[e]) ||
                      contains(dead, dead_count, entries[e]),
                  "entry %s is in neither the output nor the dead-letters", entries[e]);
  for (int b = 0; b < BAD_ENTRIES; b++) {
    ck_assert_msg(contains(dead, dead_count, bad[b]), "bad entry %s not dead-lettered", bad[b]);
    char needle[160];
    snprintf(needle, sizeof needle, "\"entry_id\":\"%.63s\"", bad[b]);
    int named = 0;
    for (size_t l = 0; l < letter_count; l++)
      named |= strstr(letters[l], needle) != NULL;
    ck_assert_msg(named, "no dead-letter names entry %s", bad[b]);
  }
  /* The killed consumer's unacknowledged entries were claimed and marked as redelivered. */
  size_t redelivered_count = 0;
  char **redelivered = stream_values(context, "out", "redelivered", &redelivered_count);
  fprintf(stderr,
          "entries %zu, outputs %zu (redelivered %zu), dead-letters %zu; the killed consumer "
          "held %zu\n",
          entry_count, output_count, redelivered_count, dead_count, held_by_killed);
  if (held_by_killed > 0) /* a few may have gone out just before SIGKILL: at least one not */
    ck_assert_uint_gt(redelivered_count, 0);
  free_values(redelivered, redelivered_count);
  redisReply *pending = redisCommand(context, "XPENDING in g");
  ck_assert_int_eq(pending->element[0]->integer, 0);
  freeReplyObject(pending);
  free_values(entries, entry_count);
  free_values(outputs, output_count);
  free_values(dead, dead_count);
  free_values(letters, letter_count);
  redisFree(context);

  /* The merged checkpoints count every published entry exactly once. */
  long long counts[3];
  merged_counts(f, "in", "g", counts);
  ck_assert_int_eq(counts[0], RECORDS + BAD_ENTRIES);
  ck_assert_int_eq(counts[2], BAD_ENTRIES);
  ck_assert_int_eq(counts[1], RECORDS);
}
END_TEST

/* exactly_once=1: a consumer killed with SIGKILL mid-stream and started again, beside a live
 * one: every entry's output (or dead-letter) is in the output streams exactly once. */
START_TEST(exactly_once_output_survives_a_kill) {
  fixture *f = &setup_state;
  consumers_stopped_server_up(f);
  publish(f, "once", ONCE_RECORDS);
  consumer consumers[2];
  char sink[128];
  snprintf(sink, sizeof sink, "redis://127.0.0.1:%d/once-out?exactly_once=1", f->port);
  consumers_prepare(f, consumers, 2, "once", "e", "e",
                    "idle=1500&claim=1200&checkpoint=100&count=32", sink);
  for (int c = 0; c < 2; c++)
    f->consumers[c] = spawn(f, consumers[c].arguments, consumers[c].log);
  long long out = wait_for_entries(f, "once-out", 1);
  redisContext *context = connect_server(f);
  ck_assert_ptr_nonnull(context);
  redisReply *held = redisCommand(context, "XPENDING once e - + 1 e0");
  size_t held_by_killed = held != NULL && held->type == REDIS_REPLY_ARRAY ? held->elements : 0;
  if (held != NULL)
    freeReplyObject(held);
  redisFree(context);
  ck_assert_msg(out >= 1 && out < ONCE_RECORDS && held_by_killed > 0,
                "output %lld, consumer e0 holding %zu: not mid-stream", out, held_by_killed);
  kill(f->consumers[0], SIGKILL);
  waitpid(f->consumers[0], NULL, 0);
  /* What the killed one held is still its own (XPENDING's summary) when it comes back. */
  context = connect_server(f);
  ck_assert_ptr_nonnull(context);
  long long owned = pending_of(context, "once", "e", "e0");
  redisFree(context);
  ck_assert_int_gt(owned, 0);
  f->consumers[0] = spawn(f, consumers[0].arguments, consumers[0].log); /* own pending first */
  for (int c = 0; c < 2; c++) {
    int status = wait_exit(f->consumers[c], 60);
    ck_assert_msg(status == 0, "consumer %d exit status %d (log: %s)", c, status, consumers[c].log);
    f->consumers[c] = 0;
  }
  fprintf(stderr, "exactly once: killed at %lld outputs\n", out);
  /* After the kill: every output once, and the merged checkpoints count each entry once. */
  assert_once(f, "once", "e", "once-out", ONCE_RECORDS);
}
END_TEST

/* SIGTERM while Redis is down: the run ends within --stop-timeout (and a margin), the records
 * it could not store counted unfinished and their entries left pending, not acknowledged. */
START_TEST(a_stop_with_redis_down_ends_in_time) {
  fixture *f = &setup_state;
  consumers_stopped_server_up(f);
  publish(f, "down", RECORDS);
  char source[256], sink[128], log[700];
  snprintf(source, sizeof source,
           "redis://127.0.0.1:%d/down?group=d&consumer=d0&claim=1200&checkpoint=300&count=16",
           f->port);
  snprintf(sink, sizeof sink, "redis://127.0.0.1:%d/down-out", f->port);
  snprintf(log, sizeof log, "%.63s/down.log", f->folder);
  const char *arguments[] = {"run", f->pipeline,      "-i", source, "-o", sink, "--workers",
                             "1",   "--stop-timeout", "1",  NULL};
  f->consumers[0] = spawn(f, arguments, log);
  long long out = wait_for_entries(f, "down-out", RECORDS / 10);
  ck_assert_msg(out >= RECORDS / 10 && out < RECORDS, "output %lld: not mid-stream", out);
  stop_server(f);
  pause_ms(200); /* the sink is retrying against no server now */
  double start = now_seconds();
  kill(f->consumers[0], SIGTERM);
  int status = wait_exit(f->consumers[0], 10);
  double took = now_seconds() - start;
  f->consumers[0] = status < 0 ? f->consumers[0] : 0;
  ck_assert_msg(status >= 0, "still running 10 s after SIGTERM with --stop-timeout 1");
  /* 1 s of stop-timeout plus the exit (ASan's leak check on a loaded 2-core machine: 1.10 s
   * in all measured, leaving 1.4 s under the old 2.5 s bound); the default stop-timeout is
   * 10 s, so 4 s still tells --stop-timeout 1 apart from it not being honoured. */
  ck_assert_msg(took < 4.0, "the stop took %.2f s with --stop-timeout 1", took);
  const char *summary = strstr(read_text(log), "summary: in ");
  ck_assert_msg(summary != NULL, "no accounting line in %s", log);
  unsigned long long in = 0, written = 0, unfinished = 0;
  ck_assert_int_eq(sscanf(summary, "summary: in %llu, out %llu", &in, &written), 2);
  const char *cut = strstr(summary, "unfinished ");
  ck_assert_msg(cut != NULL, "no unfinished count: %s", summary);
  unfinished = strtoull(cut + 11, NULL, 10);
  fprintf(stderr, "stop with redis down: %.2f s; in %llu, out %llu, unfinished %llu\n", took, in,
          written, unfinished);
  ck_assert_uint_gt(unfinished, 0);
  ck_assert_uint_eq(in, written + unfinished); /* the pipeline drops nothing of these */
  start_server(f);                             /* the append-only file brings the stream back */
  redisContext *context = connect_server(f);
  ck_assert_ptr_nonnull(context);
  size_t entry_count, output_count;
  char **entries = stream_values(context, "down", NULL, &entry_count);
  char **outputs = stream_values(context, "down-out", "source_id", &output_count);
  redisReply *pending = redisCommand(context, "XPENDING down d");
  ck_assert_int_ge(pending->element[0]->integer, (long long)unfinished);
  freeReplyObject(pending);
  /* Nothing lost: an entry without output is still pending (or was never read). */
  for (size_t e = 0; e < entry_count; e++) {
    if (contains(outputs, output_count, entries[e]))
      continue;
    redisReply *range = redisCommand(context, "XPENDING down d %s %s 1", entries[e], entries[e]);
    redisReply *read = redisCommand(context, "XINFO GROUPS down"); /* [[key, value, ...]] */
    const char *last = NULL;
    for (size_t i = 0; read->element[0]->elements > 0 && i + 1 < read->element[0]->elements; i += 2)
      if (strcmp(read->element[0]->element[i]->str, "last-delivered-id") == 0)
        last = read->element[0]->element[i + 1]->str;
    unsigned long long ms = 0, last_ms = 0, seq = 0, last_seq = 0;
    sscanf(entries[e], "%llu-%llu", &ms, &seq);
    if (last != NULL)
      sscanf(last, "%llu-%llu", &last_ms, &last_seq);
    int never_read = ms > last_ms || (ms == last_ms && seq > last_seq);
    ck_assert_msg(range->elements == 1 || never_read,
                  "entry %s has no output and is not pending: lost", entries[e]);
    freeReplyObject(range);
    freeReplyObject(read);
  }
  free_values(entries, entry_count);
  free_values(outputs, output_count);
  redisFree(context);
}
END_TEST

/* A consumer paused (SIGSTOP) for longer than claim while holding entries: the other takes
 * them over and counts them; when the paused one resumes, its checkpoint finds entries no
 * longer its own and writes nothing (it stops, failed). The merged report counts every entry
 * exactly once. */
START_TEST(a_paused_consumer_is_fenced_off) {
  fixture *f = &setup_state;
  consumers_stopped_server_up(f);
  publish(f, "pause", RECORDS);
  consumer consumers[2];
  two_consumers_first_started(f, consumers, "pause", "p", "p",
                              "idle=1500&claim=600&checkpoint=300&count=64");
  /* Pause p0 once it holds entries (read, not checkpointed), then start p1. */
  redisContext *context = connect_server(f);
  ck_assert_ptr_nonnull(context);
  size_t held = 0;
  for (double deadline = now_seconds() + 30; now_seconds() < deadline && held == 0;) {
    redisReply *reply = redisCommand(context, "XPENDING pause p - + 1 p0");
    held = reply != NULL && reply->type == REDIS_REPLY_ARRAY ? reply->elements : 0;
    if (reply != NULL)
      freeReplyObject(reply);
    if (held == 0)
      pause_ms(5);
  }
  kill(f->consumers[0], SIGSTOP);
  ck_assert_uint_gt(held, 0);
  f->consumers[1] = spawn(f, consumers[1].arguments, consumers[1].log);
  int status = wait_exit(f->consumers[1], 60); /* takes p0's entries over after claim ms */
  ck_assert_msg(status == 0, "consumer p1 exit status %d (log: %s)", status, consumers[1].log);
  f->consumers[1] = 0;
  kill(f->consumers[0], SIGCONT);
  status = wait_exit(f->consumers[0], 60);
  f->consumers[0] = status < 0 ? f->consumers[0] : 0;
  ck_assert_msg(status > 0 && status < 128, "the paused consumer's exit status %d (log: %s)",
                status, consumers[0].log);
  const char *said = read_text(consumers[0].log);
  ck_assert_msg(strstr(said, "is no longer this consumer's") != NULL, "not fenced: %s", said);
  redisReply *pending = redisCommand(context, "XPENDING pause p");
  ck_assert_int_eq(pending->element[0]->integer, 0);
  freeReplyObject(pending);
  redisFree(context);
  long long counts[3];
  merged_counts(f, "pause", "p", counts);
  fprintf(stderr, "paused consumer: merged in %lld (published %d)\n", counts[0], RECORDS);
  ck_assert_int_eq(counts[0], RECORDS);
}
END_TEST

/* A restart of redis-server longer than claim while a consumer is in its reconnect backoff
 * (here: stopped with SIGSTOP, so it cannot reconnect yet): a consumer starting right after the
 * restart must not take the other's entries over, although each has been idle for longer than
 * claim by then (the server keeps delivery times), until its connection is 2 s + claim/2 old;
 * resumed within that time, the first consumer keeps its entries, is not fenced off, and every
 * entry is counted once. */
START_TEST(no_entry_is_taken_over_right_after_a_restart) {
  fixture *f = &setup_state;
  consumers_stopped_server_up(f);
  publish(f, "back", RECORDS);
  consumer consumers[2];
  two_consumers_first_started(f, consumers, "back", "b", "b",
                              "idle=1500&claim=3000&checkpoint=300&count=16");
  long long out = wait_for_entries(f, "back-out", 1);
  ck_assert_msg(out >= 1 && out < RECORDS, "output %lld: not mid-stream", out);
  kill(f->consumers[0], SIGSTOP);
  stop_server(f);
  pause_ms(3500); /* longer than claim: every pending entry now looks idle past it */
  start_server(f);
  double restarted = now_seconds();
  /* Counted now: a checkpoint b0 sent just before it stopped has landed or is lost. */
  redisContext *context = connect_server(f);
  ck_assert_ptr_nonnull(context);
  long long held = pending_of(context, "back", "b", "b0");
  ck_assert_int_gt(held, 0);
  f->consumers[1] = spawn(f, consumers[1].arguments, consumers[1].log);
  /* 2 s + claim/2 = 3.5 s after b1 connects at the earliest: watch the first 1.5 s, then b0
   * has 2 s to reconnect and refresh what it holds */
  while (now_seconds() - restarted < 1.5) {
    long long now_held = pending_of(context, "back", "b", "b0");
    ck_assert_msg(now_held == held,
                  "b0's entries taken over %.2f s after the restart (%lld of %lld left)",
                  now_seconds() - restarted, now_held, held);
    pause_ms(50);
  }
  redisFree(context);
  kill(f->consumers[0], SIGCONT);
  for (int c = 0; c < 2; c++) {
    int status = wait_exit(f->consumers[c], 60);
    ck_assert_msg(status == 0, "consumer b%d exit status %d (log: %s)", c, status,
                  consumers[c].log);
    f->consumers[c] = 0;
  }
  size_t stored[2];
  assert_none_lost(f, "back", "b", "back-out", RECORDS, stored);
  long long counts[3];
  merged_counts(f, "back", "b", counts);
  ck_assert_int_eq(counts[0], RECORDS);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      consumers_survive_a_kill_and_a_restart, exactly_once_output_survives_a_kill,
      a_stop_with_redis_down_ends_in_time, a_paused_consumer_is_fenced_off,
      no_entry_is_taken_over_right_after_a_restart};
  return run_suite("redis", tests, sizeof tests / sizeof *tests);
}
