/* core/broker/source_redis_checkpoint.c - the Redis Streams source's checkpoint transaction,
 * run on its thread (source_redis_thread.c): the Lua script that checks ownership and output
 * keys, acknowledges, writes the staged output and the state in one step; what happens when
 * its reply is lost, when it is fenced off or refused, and when it fails and is carried over
 * to the next one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "source_redis.h"

void tp__redis_request_free(checkpoint_request *request) {
  free(request->ids);
  free(request->state);
  tp_redis_staged_free(request->staged);
  free(request);
}

/* What checkpoint_applied needs: whose state, and which. */
typedef struct checkpoint_check {
  redis_source *source;
  const char *state;
} checkpoint_check;

/* After a connection lost mid-checkpoint: whether the transaction ran, that is whether the
 * consumer's checkpoint field holds this very state (each state is unique: it counts time).
 * Returns 1, 0, or -1 (cannot tell: the connection failed again). */
static int checkpoint_applied(tp_redis_link *link, void *context) {
  const checkpoint_check *check = context;
  const char *argv[] = {"HGET", check->source->checkpoint_key, check->source->checkpoint_field};
  size_t lengths[] = {4, strlen(argv[1]), strlen(argv[2])};
  redisReply *reply = redisCommandArgv(link->context, 3, argv, lengths);
  if (reply == NULL) {
    tp_redis_link_drop(link);
    return -1;
  }
  int ran = reply->type == REDIS_REPLY_STRING && strcmp(reply->str, check->state) == 0 ? 1
            : reply->type == REDIS_REPLY_ERROR                                         ? -1
                                                                                       : 0;
  tp_redis_reply_free(reply);
  return ran;
}

/* The checkpoint transaction, run atomically by Redis (EVAL). It first checks that this
 * consumer still owns every entry it acknowledges (each is pending under its name): one that
 * was claimed by another consumer (this one paused for longer than claim) is being counted
 * there, so nothing is written and {0, id, owner} comes back ("fenced"). The check is one
 * XPENDING summary when the consumer knows every entry pending under its name (ARGV[6], the
 * entries it holds, is not -1): entries leave its pending list only by its own XACK or by
 * another's claim, and join it only by its own reads and claims, which it holds; so when the
 * summary counts as many as it holds, none was taken. Otherwise (a count that differs, or a
 * restarted consumer still finishing the pending entries of its earlier run, which it does
 * not hold yet: held -1, tested by itself, for `mine` starts at -1 too; its summary counts
 * those unread ones, so a claim of as many held ones would make the counts agree) each entry
 * is looked up (XPENDING of that id). Then it checks that every key
 * the staged commands (XADD) write is a stream or missing: else nothing is written and {2,
 * key, type} comes back, for Redis does not roll a script back, and an XADD failing after the
 * XACKs would leave entries acknowledged and counted nowhere. Then: XACK of the ids (in
 * chunks, within Lua's unpack limit), the staged commands (each ARGV run: its argument count,
 * then its arguments), HSET of the state; {1}.
 * KEYS: stream, checkpoint hash. ARGV: group, consumer, field, state, id count, held count or
 * -1, ids..., staged... */
static const char checkpoint_script[] =
    "local stream, group, consumer = KEYS[1], ARGV[1], ARGV[2]\n"
    "local last = 6 + tonumber(ARGV[5])\n"
    "local held, mine = tonumber(ARGV[6]), -1\n"
    "if held >= 0 then\n"
    "  local summary = redis.call('XPENDING', stream, group)\n"
    "  mine = 0\n"
    "  for _, c in ipairs(summary[4] or {}) do\n"
    "    if c[1] == consumer then mine = tonumber(c[2]) end\n"
    "  end\n"
    "end\n"
    "if held < 0 or mine ~= held then\n"
    "  for i = 7, last do\n"
    "    local p = redis.call('XPENDING', stream, group, ARGV[i], ARGV[i], 1)\n"
    "    if #p == 0 then return {0, ARGV[i], ''} end\n"
    "    if p[1][2] ~= consumer then return {0, ARGV[i], p[1][2]} end\n"
    "  end\n"
    "end\n"
    "local at = last + 1\n"
    "while at <= #ARGV do\n"
    "  local kind = redis.call('TYPE', ARGV[at + 2])['ok']\n"
    "  if kind ~= 'stream' and kind ~= 'none' then return {2, ARGV[at + 2], kind} end\n"
    "  at = at + tonumber(ARGV[at]) + 1\n"
    "end\n"
    "for i = 7, last, 1000 do\n"
    "  redis.call('XACK', stream, group, unpack(ARGV, i, math.min(i + 999, last)))\n"
    "end\n"
    "at = last + 1\n"
    "while at <= #ARGV do\n"
    "  local n = tonumber(ARGV[at])\n"
    "  redis.call(unpack(ARGV, at + 1, at + n))\n"
    "  at = at + n + 1\n"
    "end\n"
    "redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])\n"
    "return {1}\n";

/* Runs the request's checkpoint (checkpoint_script). Returns 0, 1 when fenced (logged: this
 * consumer lost an entry to another), 2 when it cannot be written (logged: an output key is
 * not a stream, or a script with outputs failed midway), or -1 (logged; the request may be
 * sent again). */
static int run_checkpoint_once(redis_source *source, const checkpoint_request *request) {
  const tp_redis_staged *staged = request->staged;
  size_t staged_commands = staged != NULL ? staged->command_count : 0;
  size_t staged_arguments = staged != NULL ? staged->argument_count : 0;
  size_t args = 11 + request->count + staged_commands + staged_arguments;
  const char **argv = malloc(args * sizeof *argv);
  size_t *lengths = malloc(args * sizeof *lengths);
  char *numbers = malloc((staged_commands + 1) * 16); /* argument counts as text */
  int *argcs = malloc((staged_commands + 1) * sizeof *argcs);
  size_t *firsts = malloc((staged_commands + 1) * sizeof *firsts);
  char *ids = NULL; /* the ids' texts */
  redisReply *reply = NULL;
  int status = -1;
  if (argv == NULL || lengths == NULL || numbers == NULL || argcs == NULL || firsts == NULL) {
    tp_log(TP_LOG_ERROR, NULL, "%s: out of memory; the checkpoint's entries stay pending",
           source->url.display);
    goto done;
  }
  char id_count[24], held_count[24] = "-1";
  snprintf(id_count, sizeof id_count, "%zu", request->count);
  if (source->own_pending_read) { /* else its earlier run's entries may be pending unread */
    uv_mutex_lock(&source->lock);
    snprintf(held_count, sizeof held_count, "%zu", source->held_count);
    uv_mutex_unlock(&source->lock);
  }
  size_t at = 0;
  argv[at++] = "EVAL", argv[at++] = checkpoint_script, argv[at++] = "2";
  argv[at++] = source->url.stream, argv[at++] = source->checkpoint_key;
  argv[at++] = source->group, argv[at++] = source->consumer;
  argv[at++] = source->checkpoint_field, argv[at++] = request->state, argv[at++] = id_count;
  argv[at++] = held_count;
  for (size_t i = 0; i < at; i++)
    lengths[i] = strlen(argv[i]);
  if (request->count > 0 &&
      (ids = tp_redis_ids_to_argv(request->ids, request->count, argv + at, lengths + at)) == NULL) {
    tp_log(TP_LOG_ERROR, NULL, "%s: out of memory; the checkpoint's entries stay pending",
           source->url.display);
    goto done;
  }
  at += request->count;
  if (staged != NULL) { /* laid out after the ids, then each run gets its count in front */
    tp_redis_staged_layout(staged, argv, lengths, at + staged_commands, argcs, firsts, 0);
    size_t from = at + staged_commands; /* shift each command down, leaving room for counts */
    for (size_t c = 0; c < staged_commands; c++) {
      char *number = numbers + c * 16;
      snprintf(number, 16, "%d", argcs[c]);
      argv[at] = number, lengths[at] = strlen(number), at++;
      for (int i = 0; i < argcs[c]; i++, at++, from++)
        argv[at] = argv[from], lengths[at] = lengths[from];
    }
  }
  char err[600];
  checkpoint_check check = {source, request->state};
  int argc = (int)at;
  size_t first = 0;
  if (tp_redis_pipeline_once(&source->link, 1, &argc, &first, argv, lengths, &reply,
                             checkpoint_applied, &check, 60000, err, sizeof err) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "%s; the checkpoint's entries stay pending", err);
    goto done;
  }
  if (reply == NULL) { /* the transaction ran; its reply was lost with the connection */
    status = 0;
    goto done;
  }
  if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 1 &&
      reply->element[0]->type == REDIS_REPLY_INTEGER && reply->element[0]->integer == 1) {
    status = 0;
  } else if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
             reply->element[0]->type == REDIS_REPLY_INTEGER && reply->element[0]->integer == 2 &&
             reply->element[1]->type == REDIS_REPLY_STRING &&
             reply->element[2]->type == REDIS_REPLY_STRING) {
    tp_log(TP_LOG_ERROR, NULL,
           "%s: the checkpoint's output key %s holds a %s, not a stream: nothing was written, "
           "its entries stay pending; this consumer stops without checkpointing again",
           source->url.display, reply->element[1]->str, reply->element[2]->str);
    status = 2;
  } else if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
             reply->element[1]->type == REDIS_REPLY_STRING &&
             reply->element[2]->type == REDIS_REPLY_STRING) {
    tp_log(TP_LOG_ERROR, NULL,
           "%s: entry %s is no longer this consumer's (%s%s): it was claimed while this one "
           "was paused for longer than claim, and is counted there; this consumer stops "
           "without checkpointing again (its other entries stay pending)",
           source->url.display, reply->element[1]->str,
           reply->element[2]->str[0] ? "now held by " : "already acknowledged",
           reply->element[2]->str);
    status = 1;
  } else {
    tp_log(TP_LOG_ERROR, NULL, "%s: checkpoint transaction failed: %s%s", source->url.display,
           reply->type == REDIS_REPLY_ERROR ? reply->str : "unexpected reply",
           staged != NULL ? "; outputs may be partly written (a script is not rolled back): "
                            "stopping without checkpointing again"
                          : "");
    status = staged != NULL ? 2 : -1; /* sent again, outputs could repeat */
  }
done:
  if (reply != NULL)
    tp_redis_reply_free(reply);
  free(ids);
  free(argcs);
  free(firsts);
  free(numbers);
  free(argv);
  free(lengths);
  return status;
}

/* Forgets the held entries a checkpoint acknowledged (in the order they were read, so mostly
 * a prefix). Called with the lock held. */
static void release_held(redis_source *source, const checkpoint_request *request) {
  size_t kept = 0, next = 0;
  for (size_t h = 0; h < source->held_count; h++) {
    int acknowledged = 0;
    if (next < request->count && tp_redis_id_equal(source->held[h], request->ids[next])) {
      acknowledged = 1;
      next++;
    } else {
      for (size_t a = next; a < request->count && !acknowledged; a++)
        acknowledged = tp_redis_id_equal(source->held[h], request->ids[a]);
    }
    if (!acknowledged)
      source->held[kept++] = source->held[h];
  }
  source->held_count = kept;
}

/* (source_redis.h) run_checkpoint_once, retried for up to a minute even when the run is stopping.
 * Returns 0, -1 (failed: carried over to the next), or 1 or 2 (fenced, or cannot be written:
 * dropped, as every later one). */
int tp__redis_run_checkpoint(redis_source *source, const checkpoint_request *request) {
  if (source->fenced)
    return 1; /* a later state counts what was fenced off: never written */
  source->link.cancel = &source->abandoned;
  int status = run_checkpoint_once(source, request);
  source->link.cancel = &source->cancel;
  if (status > 0) {
    source->fenced = 1;
    uv_mutex_lock(&source->lock);
    char message[600];
    snprintf(message, sizeof message, "%.480s: stopping: %s", source->url.display,
             status == 1 ? "this consumer's entries were taken over"
                         : "its checkpoint cannot be written");
    tp__redis_end_input(source, UV_EIO, message); /* the run ends, failed */
    uv_mutex_unlock(&source->lock);
  }
  if (status == 0) {
    uv_mutex_lock(&source->lock);
    release_held(source, request);
    uv_mutex_unlock(&source->lock);
  }
  return status;
}

/* Joins a failed request's acknowledgements to the next one (or keeps it for the next). */
void tp__redis_carry_over(redis_source *source, checkpoint_request *failed) {
  checkpoint_request *next = source->requests;
  if (next != NULL && failed->staged != NULL) { /* its outputs: retried first, as they are */
    failed->next = next;
    source->requests = failed;
    return;
  }
  if (next == NULL) {
    failed->next = NULL;
    source->requests = source->requests_tail = failed;
    return; /* retried as it is */
  }
  tp_redis_id *ids = realloc(next->ids, (next->count + failed->count) * sizeof *ids);
  if (ids != NULL) {
    memcpy(ids + next->count, failed->ids, failed->count * sizeof *ids);
    next->ids = ids;
    next->count += failed->count;
  }
  tp__redis_request_free(failed);
}
