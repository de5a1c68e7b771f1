/* tests/e2e/test_redis_guard.c - the C side of the checkpoint's ownership guard, driven
 * directly (tp__redis_run_checkpoint on a hand-built source, no textpipe process, no thread),
 * against a real redis-server this test starts on a free 127.0.0.1 port and stops.
 *
 * The guard has two halves. The Lua half (the checkpoint script) compares this consumer's
 * pending count with the count of entries it holds, or looks each entry up. The C half
 * (source_redis_checkpoint.c) decides what the script is told and what a refusal means:
 * - it sends the held count only once the consumer has read every entry pending under its
 *   name (own_pending_read), and -1 before, which forces the per-entry lookup: a restarted
 *   consumer still draining its earlier run's entries could otherwise see the counts agree
 *   after one of its held entries was taken (tested: the counts agree here, and it is fenced);
 * - a fenced reply ({0, id, owner}) makes the source fenced: the input ends failed with a
 *   message, and every later checkpoint is refused on the C side without reaching Redis, even
 *   one the script would accept (tested by counting the server's EVAL calls);
 * - a checkpoint of entries it owns is written (state stored, entries acknowledged, and
 *   forgotten from the held list).
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>
#include <uv.h>

#include "check_main.h"
#include "redis_fixture.h"
#include "source_redis.h"

#define ENTRIES 6

static fixture server;
static uv_loop_t loop;
static char ids[ENTRIES][TP_REDIS_ID_TEXT_SIZE]; /* as the server wrote them */
static tp_redis_id numbers[ENTRIES];             /* the same, as the source keeps them */

static redisReply *must(redisContext *context, const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  redisReply *reply = redisvCommand(context, format, arguments);
  va_end(arguments);
  ck_assert_ptr_nonnull(reply);
  ck_assert_msg(reply->type != REDIS_REPLY_ERROR, "%s: %s", format, reply->str);
  return reply;
}

static void run(redisContext *context, const char *format, const char *argument) {
  freeReplyObject(must(context, format, argument));
}

/* A fresh stream "s" of ENTRIES entries and group g, every entry pending under "mine". */
static void every_entry_pending_under_mine(redisContext *context) {
  freeReplyObject(must(context, "FLUSHALL"));
  for (int e = 0; e < ENTRIES; e++) {
    redisReply *reply = must(context, "XADD s * record {}");
    snprintf(ids[e], sizeof ids[e], "%s", reply->str);
    ck_assert_int_eq(tp_redis_id_parse(reply->str, reply->len, &numbers[e]), 0);
    freeReplyObject(reply);
  }
  freeReplyObject(must(context, "XGROUP CREATE s g 0"));
  freeReplyObject(must(context, "XREADGROUP GROUP g mine COUNT %d STREAMS s >", ENTRIES));
}

/* A source as tp_source_redis_open leaves it for its thread, without the thread: consumer
 * "mine" of group g on stream s, holding entries[0..held-1]. */
static redis_source *source_holding(size_t held, int own_pending_read) {
  redis_source *source = calloc(1, sizeof *source);
  ck_assert_ptr_nonnull(source);
  char location[128], err[256];
  snprintf(location, sizeof location, "redis://127.0.0.1:%d/s?group=g", server.port);
  ck_assert_int_eq(tp_redis_url_parse(location, &source->url, err, sizeof err), 0);
  snprintf(source->group, sizeof source->group, "g");
  snprintf(source->consumer, sizeof source->consumer, "mine");
  snprintf(source->checkpoint_key, sizeof source->checkpoint_key, "s:textpipe:g:checkpoints");
  snprintf(source->checkpoint_field, sizeof source->checkpoint_field, "mine:run");
  uv_mutex_init(&source->lock);
  uv_cond_init(&source->changed);
  ck_assert_int_eq(uv_async_init(&loop, &source->wake, NULL), 0);
  tp_redis_link_init(&source->link, &source->url, &source->cancel);
  source->held = calloc(ENTRIES, sizeof *source->held);
  ck_assert_ptr_nonnull(source->held);
  source->held_capacity = ENTRIES;
  for (size_t h = 0; h < held; h++)
    source->held[source->held_count++] = numbers[h];
  source->own_pending_read = own_pending_read;
  return source;
}

static void source_free(redis_source *source) {
  tp_redis_link_close(&source->link);
  uv_close((uv_handle_t *)&source->wake, NULL);
  uv_run(&loop, UV_RUN_NOWAIT);
  uv_mutex_destroy(&source->lock);
  uv_cond_destroy(&source->changed);
  free(source->held);
  free(source);
}

/* A checkpoint request acknowledging entries[from..to-1] with `state`. */
static checkpoint_request *request_for(size_t from, size_t to, const char *state) {
  checkpoint_request *request = calloc(1, sizeof *request);
  ck_assert_ptr_nonnull(request);
  request->ids = calloc(to - from, sizeof *request->ids);
  ck_assert_ptr_nonnull(request->ids);
  for (size_t i = from; i < to; i++)
    request->ids[request->count++] = numbers[i];
  request->state = strdup(state);
  return request;
}

/* How many EVALs the server ran (INFO commandstats). */
static long long eval_calls(redisContext *context) {
  redisReply *reply = must(context, "INFO commandstats");
  const char *line = strstr(reply->str, "cmdstat_eval:calls=");
  long long calls = line != NULL ? strtoll(line + strlen("cmdstat_eval:calls="), NULL, 10) : 0;
  freeReplyObject(reply);
  return calls;
}

/* The stored state of "mine:run", or "" when there is none. */
static const char *stored_state(redisContext *context) {
  static char state[256];
  redisReply *reply = must(context, "HGET s:textpipe:g:checkpoints mine:run");
  snprintf(state, sizeof state, "%s", reply->type == REDIS_REPLY_STRING ? reply->str : "");
  freeReplyObject(reply);
  return state;
}

static void server_up(void) {
  memset(&server, 0, sizeof server);
  snprintf(server.folder, sizeof server.folder, "/tmp/textpipe-guard-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(server.folder));
  server.port = free_port();
  start_server(&server);
  ck_assert_int_eq(uv_loop_init(&loop), 0);
}

static void server_down(void) {
  stop_server(&server);
  uv_loop_close(&loop);
  char command[128];
  snprintf(command, sizeof command, "rm -rf '%.63s'", server.folder);
  if (system(command) != 0)
    fprintf(stderr, "cannot remove %s\n", server.folder);
}

/* The control: entries it owns are acknowledged with the state, and no longer held. */
START_TEST(a_checkpoint_of_owned_entries_is_written) {
  redisContext *context = connect_server(&server);
  ck_assert_ptr_nonnull(context);
  every_entry_pending_under_mine(context);
  redis_source *source = source_holding(ENTRIES, 1);
  checkpoint_request *request = request_for(0, 2, "{\"state\":1}");
  ck_assert_int_eq(tp__redis_run_checkpoint(source, request), 0);
  ck_assert(!source->fenced && !source->ended);
  ck_assert_str_eq(stored_state(context), "{\"state\":1}");
  ck_assert_int_eq(pending_of(context, "s", "g", "mine"), ENTRIES - 2);
  ck_assert_uint_eq(source->held_count, ENTRIES - 2);
  ck_assert(tp_redis_id_equal(source->held[0], numbers[2]));
  tp__redis_request_free(request);
  source_free(source);
  redisFree(context);
}
END_TEST

/* An entry it holds was claimed by another consumer: nothing is written, the source is fenced
 * and its input ends failed; a later checkpoint, of entries it does own, is refused by the C
 * side without an EVAL reaching the server. */
START_TEST(a_fenced_source_writes_no_later_checkpoint) {
  redisContext *context = connect_server(&server);
  ck_assert_ptr_nonnull(context);
  every_entry_pending_under_mine(context);
  run(context, "XCLAIM s g other 0 %s JUSTID", ids[1]);
  redis_source *source = source_holding(ENTRIES, 1);
  checkpoint_request *taken = request_for(0, 2, "{\"state\":1}");
  long long before = eval_calls(context);
  ck_assert_int_eq(tp__redis_run_checkpoint(source, taken), 1);
  ck_assert_int_eq(eval_calls(context), before + 1);
  ck_assert(source->fenced);
  ck_assert(source->ended && source->reading_stopped);
  ck_assert_int_eq(source->end_status, UV_EIO);
  ck_assert_ptr_nonnull(strstr(source->end_message, "entries were taken over"));
  ck_assert_str_eq(stored_state(context), "");
  ck_assert_int_eq(pending_of(context, "s", "g", "mine"), ENTRIES - 1); /* nothing acknowledged */
  ck_assert_uint_eq(source->held_count, ENTRIES); /* still held: never acknowledged */

  checkpoint_request *owned = request_for(2, 4, "{\"state\":2}"); /* the script would pass it */
  ck_assert_int_eq(tp__redis_run_checkpoint(source, owned), 1);
  ck_assert_int_eq(eval_calls(context), before + 1); /* refused before reaching Redis */
  ck_assert_str_eq(stored_state(context), "");
  ck_assert_int_eq(pending_of(context, "s", "g", "mine"), ENTRIES - 1);
  tp__redis_request_free(taken);
  tp__redis_request_free(owned);
  source_free(source);
  redisFree(context);
}
END_TEST

/* A restarted consumer still reading its earlier run's pending entries (own_pending_read 0)
 * holds two of them, one of which another consumer took; the counts then agree (two pending
 * under its name: the held one left and an unread one), so only the C side's -1, which makes
 * the script look every entry up, catches it. */
START_TEST(a_draining_source_is_checked_entry_by_entry) {
  redisContext *context = connect_server(&server);
  ck_assert_ptr_nonnull(context);
  every_entry_pending_under_mine(context);
  for (int e = 3; e < ENTRIES; e++)
    run(context, "XACK s g %s", ids[e]); /* the earlier run left three: 0, 1 and 2 */
  run(context, "XCLAIM s g other 0 %s JUSTID", ids[1]);
  ck_assert_int_eq(pending_of(context, "s", "g", "mine"), 2); /* as many as it holds */
  redis_source *source = source_holding(2, 0);
  checkpoint_request *request = request_for(0, 2, "{\"state\":3}");
  ck_assert_int_eq(tp__redis_run_checkpoint(source, request), 1);
  ck_assert(source->fenced);
  ck_assert_str_eq(stored_state(context), "");
  ck_assert_int_eq(pending_of(context, "s", "g", "mine"), 2); /* nothing acknowledged */
  tp__redis_request_free(request);
  source_free(source);

  /* The same hold once every own pending entry is read (held count sent): the script's
   * summary finds 2 pending against 2 held and, by design, trusts it; the per-entry check
   * above is what the C side's -1 buys while draining. */
  source = source_holding(2, 1);
  request = request_for(0, 1, "{\"state\":4}");
  ck_assert_int_eq(tp__redis_run_checkpoint(source, request), 0);
  ck_assert_str_eq(stored_state(context), "{\"state\":4}");
  tp__redis_request_free(request);
  source_free(source);
  redisFree(context);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("redis-guard");
  TCase *group = tcase_create("guard");
  tcase_add_unchecked_fixture(group, server_up, server_down);
  tcase_set_timeout(group, 60);
  tcase_add_test(group, a_checkpoint_of_owned_entries_is_written);
  tcase_add_test(group, a_fenced_source_writes_no_later_checkpoint);
  tcase_add_test(group, a_draining_source_is_checked_entry_by_entry);
  suite_add_tcase(suite, group);
  /* In this process: the server is ours to stop. */
  return tp_check_run_fork_status(suite, CK_NOFORK);
}
