/* core/broker/source_redis_thread.c - the Redis Streams source's thread: the blocking
 * client that reads, claims, refreshes held entries and runs checkpoints (source_redis.c says
 * how it all fits). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "record.h"
#include "source_redis.h"

static uint64_t now_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

/* ---- The thread ----------------------------------------------------------------------- */

/* Ends the input with `message` (NULL: normal end). Called with the lock held. */
static void end_input(redis_source *source, int status, const char *message) {
  if (source->ended)
    return;
  source->ended = 1;
  source->end_status = status;
  if (message != NULL)
    snprintf(source->end_message, sizeof source->end_message, "%s", message);
  source->reading_stopped = 1;
  uv_async_send(&source->wake);
}

void tp__redis_entry_release(redis_entry *entry) {
  redis_reply_hold *hold = entry->hold;
  if (hold != NULL && --hold->left == 0) {
    freeReplyObject(hold->reply);
    free(hold);
  }
  entry->hold = NULL;
}

/* Adds one entry ([id, [field, value, ...]]) to the queue, its value left in the reply `hold`
 * keeps. Called with the lock held. */
static void queue_entry(redis_source *source, const redisReply *entry, int redelivered,
                        redis_reply_hold *hold) {
  if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 2 ||
      entry->element[0]->type != REDIS_REPLY_STRING)
    return;
  if (source->held_count == source->held_capacity) {
    size_t capacity = source->held_capacity ? source->held_capacity * 2 : 1024;
    char(*grown)[TP_POSITION_ID_SIZE] = realloc(source->held, capacity * sizeof *grown);
    if (grown == NULL) {
      end_input(source, UV_ENOMEM, NULL);
      return;
    }
    source->held = grown;
    source->held_capacity = capacity;
  }
  snprintf(source->held[source->held_count++], TP_POSITION_ID_SIZE, "%s", entry->element[0]->str);
  redis_entry *slot =
      &source->queue[(source->queue_head + source->queue_count) % source->queue_capacity];
  memset(slot, 0, sizeof *slot);
  snprintf(slot->position.id, sizeof slot->position.id, "%s", entry->element[0]->str);
  slot->position.redelivered = redelivered;
  const redisReply *fields = entry->element[1];
  const redisReply *value = NULL;
  for (size_t f = 0; fields->type == REDIS_REPLY_ARRAY && f + 1 < fields->elements; f += 2)
    if (fields->element[f]->type == REDIS_REPLY_STRING &&
        strcmp(fields->element[f]->str, source->field) == 0)
      value = fields->element[f + 1];
  if (fields->type != REDIS_REPLY_ARRAY) {
    slot->position.invalid = "entry deleted from the stream before it was processed";
  } else if (value == NULL || value->type != REDIS_REPLY_STRING) {
    slot->position.invalid = "entry has no record field (see field= in the source URL)";
  } else {
    size_t keep = value->len;
    if (keep > source->config.max_record_bytes && keep > TP_RECORD_INPUT_PREFIX)
      keep = TP_RECORD_INPUT_PREFIX; /* only what the dead-letter shows */
    slot->data = value->str;
    slot->length = keep;
    slot->full_length = value->len;
    source->bytes += value->len;
  }
  slot->hold = hold;
  hold->left++;
  source->queue_count++;
}

/* Queues the entries of `entries`, a part of *reply: an XREADGROUP reply ([[stream,
 * [entry...]]]) or XAUTOCLAIM's ([cursor, [entry...], ...]). When any is queued the queue
 * keeps the reply (*reply becomes NULL; the loop frees it after the last entry) and
 * `last_id` (when not NULL) receives the last one's id. Returns how many. Called with the
 * lock held. */
static size_t queue_entries(redis_source *source, redisReply **reply, const redisReply *entries,
                            int redelivered, char *last_id) {
  size_t before = source->queue_count;
  redis_reply_hold *hold = NULL;
  if (entries != NULL && entries->type == REDIS_REPLY_ARRAY && entries->elements > 0 &&
      (hold = calloc(1, sizeof *hold)) == NULL) {
    end_input(source, UV_ENOMEM, NULL);
    return 0;
  }
  for (size_t e = 0; hold != NULL && e < entries->elements &&
                     source->queue_count < source->queue_capacity && !source->ended;
       e++) {
    size_t was = source->queue_count;
    queue_entry(source, entries->element[e], redelivered, hold);
    if (last_id != NULL && source->queue_count > was)
      snprintf(last_id, TP_POSITION_ID_SIZE, "%s", entries->element[e]->element[0]->str);
  }
  if (hold != NULL && hold->left == 0) {
    free(hold);
  } else if (hold != NULL) {
    hold->reply = *reply;
    *reply = NULL;
  }
  if (source->queue_count > before)
    uv_async_send(&source->wake);
  return source->queue_count - before;
}

static const redisReply *read_reply_entries(const redisReply *reply) {
  if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements == 0)
    return NULL;
  const redisReply *stream = reply->element[0];
  if (stream->type != REDIS_REPLY_ARRAY || stream->elements < 2)
    return NULL;
  return stream->element[1];
}

/* Runs one command on the thread's link; a Redis error ends the input. Returns the reply or
 * NULL (input ended, or cancelled). */
static redisReply *command(redis_source *source, int argc, const char **argv) {
  size_t lengths[16];
  for (int i = 0; i < argc; i++)
    lengths[i] = strlen(argv[i]);
  char err[600];
  redisReply *reply = tp_redis_command(&source->link, argc, argv, lengths, 0, err, sizeof err);
  if (reply != NULL && reply->type == REDIS_REPLY_ERROR) {
    snprintf(err, sizeof err, "%s: %s: %s", source->url.display, argv[0], reply->str);
    freeReplyObject(reply);
    reply = NULL;
  }
  if (reply == NULL && !source->cancel) {
    uv_mutex_lock(&source->lock);
    end_input(source, UV_EIO, err);
    uv_mutex_unlock(&source->lock);
  }
  return reply;
}

/* Creates the group (at the stream's start, with the stream) unless it exists. */
static int create_group(redis_source *source) {
  const char *argv[] = {"XGROUP", "CREATE", source->url.stream, source->group, "0", "MKSTREAM"};
  size_t lengths[6];
  for (int i = 0; i < 6; i++)
    lengths[i] = strlen(argv[i]);
  char err[600];
  redisReply *reply = tp_redis_command(&source->link, 6, argv, lengths, 0, err, sizeof err);
  int ok = reply != NULL &&
           (reply->type != REDIS_REPLY_ERROR || strncmp(reply->str, "BUSYGROUP", 9) == 0);
  if (reply != NULL && !ok)
    snprintf(err, sizeof err, "%s: XGROUP CREATE: %s", source->url.display, reply->str);
  if (reply != NULL)
    freeReplyObject(reply);
  if (!ok && !source->cancel) {
    uv_mutex_lock(&source->lock);
    end_input(source, UV_EIO, err);
    uv_mutex_unlock(&source->lock);
  }
  return ok ? 0 : -1;
}

/* Whether consumers other than this one hold pending entries (XPENDING summary). */
static int others_pending(redis_source *source) {
  const char *argv[] = {"XPENDING", source->url.stream, source->group};
  redisReply *reply = command(source, 3, argv);
  int others = 0;
  if (reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements >= 4 &&
      reply->element[3]->type == REDIS_REPLY_ARRAY) {
    const redisReply *consumers = reply->element[3];
    for (size_t c = 0; c < consumers->elements; c++) {
      const redisReply *pair = consumers->element[c];
      if (pair->type == REDIS_REPLY_ARRAY && pair->elements == 2 &&
          strcmp(pair->element[0]->str, source->consumer) != 0)
        others = 1;
    }
  }
  if (reply != NULL)
    freeReplyObject(reply);
  return others;
}

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
  freeReplyObject(reply);
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
 * not hold yet) each entry is looked up (XPENDING of that id). Then it checks that every key
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
    "if mine ~= held then\n"
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
  for (size_t i = 0; i < request->count; i++)
    argv[at++] = request->ids[i];
  for (size_t i = 0; i < at; i++)
    lengths[i] = strlen(argv[i]);
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
    freeReplyObject(reply);
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
    if (next < request->count && strcmp(source->held[h], request->ids[next]) == 0) {
      acknowledged = 1;
      next++;
    } else {
      for (size_t a = next; a < request->count && !acknowledged; a++)
        acknowledged = strcmp(source->held[h], request->ids[a]) == 0;
    }
    if (!acknowledged)
      memmove(source->held[kept++], source->held[h], TP_POSITION_ID_SIZE);
  }
  source->held_count = kept;
}

/* run_checkpoint_once, retried for up to a minute even when the run is stopping. Returns 0,
 * -1 (failed: carried over to the next), or 1 or 2 (fenced, or cannot be written: dropped, as
 * every later one). */
static int run_checkpoint(redis_source *source, const checkpoint_request *request) {
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
    end_input(source, UV_EIO, message); /* the run ends, failed */
    uv_mutex_unlock(&source->lock);
  }
  if (status == 0) {
    uv_mutex_lock(&source->lock);
    release_held(source, request);
    uv_mutex_unlock(&source->lock);
  }
  return status;
}

/* Keeps the held entries this consumer's: XCLAIM to itself (JUSTID) those idle for more than
 * claim/2 ms, before anyone may take them at claim ms. Called without the lock. */
static void refresh_held(redis_source *source) {
  uv_mutex_lock(&source->lock);
  size_t count = source->held_count;
  const char **argv = count > 0 ? malloc((count + 6) * sizeof *argv) : NULL;
  char(*ids)[TP_POSITION_ID_SIZE] = count > 0 ? malloc(count * sizeof *ids) : NULL;
  if (argv == NULL || ids == NULL) {
    uv_mutex_unlock(&source->lock);
    free(argv);
    free(ids);
    return;
  }
  memcpy(ids, source->held, count * sizeof *ids);
  uv_mutex_unlock(&source->lock);
  char idle[32];
  snprintf(idle, sizeof idle, "%llu", (unsigned long long)source->claim_ms / 2);
  size_t at = 0;
  argv[at++] = "XCLAIM", argv[at++] = source->url.stream, argv[at++] = source->group;
  argv[at++] = source->consumer, argv[at++] = idle;
  for (size_t i = 0; i < count; i++)
    argv[at++] = ids[i];
  argv[at++] = "JUSTID";
  size_t *lengths = malloc(at * sizeof *lengths);
  if (lengths != NULL) {
    for (size_t i = 0; i < at; i++)
      lengths[i] = strlen(argv[i]);
    char err[600];
    redisReply *reply = tp_redis_command(&source->link, (int)at, argv, lengths, 0, err, sizeof err);
    if (reply != NULL)
      freeReplyObject(reply); /* a failure is retried at the next refresh */
  }
  free(lengths);
  free(argv);
  free(ids);
}

/* Joins a failed request's acknowledgements to the next one (or keeps it for the next). */
static void carry_over(redis_source *source, checkpoint_request *failed) {
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
  char(*ids)[TP_POSITION_ID_SIZE] = realloc(next->ids, (next->count + failed->count) * sizeof *ids);
  if (ids != NULL) {
    memcpy(ids + next->count, failed->ids, failed->count * sizeof *ids);
    next->ids = ids;
    next->count += failed->count;
  }
  tp__redis_request_free(failed);
}

/* Reads what there is to read: own pending entries first, then others' idle ones, then new
 * ones. Called without the lock. */
static void read_entries(redis_source *source, int *own_pending, char *own_cursor,
                         uint64_t *last_claim, char *claim_cursor, uint64_t *idle_since) {
  char count[32], block[32], claim[32];
  uv_mutex_lock(&source->lock);
  size_t room = source->queue_capacity - source->queue_count;
  uv_mutex_unlock(&source->lock);
  snprintf(count, sizeof count, "%zu", room < source->count ? room : (size_t)source->count);
  snprintf(block, sizeof block, "%llu", (unsigned long long)source->block_ms);
  snprintf(claim, sizeof claim, "%llu", (unsigned long long)source->claim_ms);
  size_t got = 0;
  if (*own_pending) {
    const char *argv[] = {"XREADGROUP", "GROUP",   source->group,      source->consumer, "COUNT",
                          count,        "STREAMS", source->url.stream, own_cursor};
    redisReply *reply = command(source, 9, argv);
    int answered = reply != NULL;
    uv_mutex_lock(&source->lock); /* pending entries stay pending until the checkpoint: the
                                   * cursor moves past those read */
    got = queue_entries(source, &reply, read_reply_entries(reply), 1, own_cursor);
    uv_mutex_unlock(&source->lock);
    if (answered && got == 0)
      *own_pending = 0, source->own_pending_read = 1;
    if (reply != NULL)
      freeReplyObject(reply);
  } else if (now_ms() - *last_claim >= source->claim_ms / 4 + 1) {
    refresh_held(source);
    const char *argv[] = {"XAUTOCLAIM", source->url.stream, source->group, source->consumer,
                          claim,        claim_cursor,       "COUNT",       count};
    redisReply *reply = command(source, 8, argv);
    if (reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements >= 2) {
      if (reply->element[0]->type == REDIS_REPLY_STRING)
        snprintf(claim_cursor, 48, "%s", reply->element[0]->str);
      uv_mutex_lock(&source->lock);
      got = queue_entries(source, &reply, reply->element[1], 1, NULL);
      uv_mutex_unlock(&source->lock);
    }
    if (got == 0 || strcmp(claim_cursor, "0-0") == 0)
      *last_claim = now_ms(); /* a full pass done: look again in claim/4 ms */
    if (reply != NULL)
      freeReplyObject(reply);
  }
  if (got == 0 && !*own_pending) {
    const char *argv[] = {"XREADGROUP", "GROUP", source->group, source->consumer,   "COUNT", count,
                          "BLOCK",      block,   "STREAMS",     source->url.stream, ">"};
    redisReply *reply = command(source, 11, argv);
    uv_mutex_lock(&source->lock);
    got = queue_entries(source, &reply, read_reply_entries(reply), 0, NULL);
    uv_mutex_unlock(&source->lock);
    if (reply != NULL)
      freeReplyObject(reply);
  }
  if (got == 0 && !source->idle_told) { /* once per quiet spell */
    uv_mutex_lock(&source->lock);
    if (source->held_count > 0) {
      source->went_idle = 1;
      source->idle_told = 1;
      uv_async_send(&source->wake);
    }
    uv_mutex_unlock(&source->lock);
  }
  if (got > 0)
    source->idle_told = 0;
  if (got > 0) {
    *idle_since = now_ms();
  } else if (source->idle_ms > 0 && now_ms() - *idle_since >= source->idle_ms && !*own_pending &&
             !others_pending(source)) {
    uv_mutex_lock(&source->lock);
    if (source->queue_count == 0)
      end_input(source, 0, NULL);
    uv_mutex_unlock(&source->lock);
  }
}

void tp__redis_source_thread(void *argument) {
  redis_source *source = argument;
  int own_pending = 1;
  uint64_t last_claim = 0, idle_since = now_ms(), last_refresh = now_ms();
  char claim_cursor[48] = "0-0", own_cursor[TP_POSITION_ID_SIZE] = "0";
  int group_ready = 0;
  uv_mutex_lock(&source->lock);
  for (;;) {
    if (source->requests != NULL) {
      checkpoint_request *request = source->requests;
      source->requests = request->next;
      if (source->requests == NULL)
        source->requests_tail = NULL;
      uv_mutex_unlock(&source->lock);
      int status = run_checkpoint(source, request);
      uv_mutex_lock(&source->lock);
      if (status < 0 && !source->closing) {
        carry_over(source, request);
        uv_cond_timedwait(&source->changed, &source->lock, (uint64_t)1000 * 1000000);
      } else {
        tp__redis_request_free(request);
      }
      continue;
    }
    if (source->closing)
      break;
    if (source->reading_stopped || source->queue_count >= source->queue_capacity) {
      /* waits, but wakes to keep held entries fresh while the loop works through them */
      uv_cond_timedwait(&source->changed, &source->lock, source->claim_ms / 4 * 1000000 + 1);
      if (now_ms() - last_refresh >= source->claim_ms / 4) {
        uv_mutex_unlock(&source->lock);
        refresh_held(source);
        last_refresh = now_ms();
        uv_mutex_lock(&source->lock);
      }
      continue;
    }
    uv_mutex_unlock(&source->lock);
    if (!group_ready)
      group_ready = create_group(source) == 0;
    if (group_ready)
      read_entries(source, &own_pending, own_cursor, &last_claim, claim_cursor, &idle_since);
    uv_mutex_lock(&source->lock);
  }
  uv_mutex_unlock(&source->lock);
}
