/* core/broker/source_redis_thread.c - the Redis Streams source's thread: the blocking
 * client that reads, claims and refreshes held entries, and runs the checkpoints
 * (source_redis_checkpoint.c) in between; source_redis.c says how it all fits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "record.h"
#include "source_redis.h"

/* How often a consumer that just emptied the stream looks again (read_new). */
#define TP_REDIS_POLL_MS 10

/* How late Redis may end a BLOCK that found nothing: at its next timer tick (hz 10). */
#define TP_REDIS_TICK_MS 100

/* ---- The thread ----------------------------------------------------------------------- */

void tp__redis_end_input(redis_source *source, int status, const char *message) {
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
    tp_redis_reply_free(hold->reply);
    free(hold);
  }
  entry->hold = NULL;
}

/* Copies an entry id (a string reply) into `id`, cut as snprintf would cut it (ids are far
 * shorter). A copy rather than snprintf: it runs twice for every entry read. */
static void copy_id(char id[TP_POSITION_ID_SIZE], const redisReply *reply) {
  size_t length = reply->len < TP_POSITION_ID_SIZE ? reply->len : TP_POSITION_ID_SIZE - 1;
  memcpy(id, reply->str, length);
  id[length] = '\0';
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
    tp_redis_id *grown = realloc(source->held, capacity * sizeof *grown);
    if (grown == NULL) {
      tp__redis_end_input(source, UV_ENOMEM, NULL);
      return;
    }
    source->held = grown;
    source->held_capacity = capacity;
  }
  if (tp_redis_id_parse(entry->element[0]->str, entry->element[0]->len,
                        &source->held[source->held_count]) != 0) {
    char message[200];
    snprintf(message, sizeof message, "%.120s: the server sent an entry id that is not MS-SEQ",
             source->url.display);
    tp__redis_end_input(source, UV_EPROTO, message);
    return;
  }
  source->held_count++;
  redis_entry *slot =
      &source->queue[(source->queue_head + source->queue_count) % source->queue_capacity];
  memset(slot, 0, sizeof *slot);
  copy_id(slot->position.id, entry->element[0]);
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
    tp__redis_end_input(source, UV_ENOMEM, NULL);
    return 0;
  }
  for (size_t e = 0; hold != NULL && e < entries->elements &&
                     source->queue_count < source->queue_capacity && !source->ended;
       e++) {
    size_t was = source->queue_count;
    queue_entry(source, entries->element[e], redelivered, hold);
    if (last_id != NULL && source->queue_count > was)
      copy_id(last_id, entries->element[e]->element[0]);
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
    tp_redis_reply_free(reply);
    reply = NULL;
  }
  if (reply == NULL && !source->cancel) {
    uv_mutex_lock(&source->lock);
    tp__redis_end_input(source, UV_EIO, err);
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
    tp_redis_reply_free(reply);
  if (!ok && !source->cancel) {
    uv_mutex_lock(&source->lock);
    tp__redis_end_input(source, UV_EIO, err);
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
    tp_redis_reply_free(reply);
  source->others_hold = others;
  return others;
}

/* Whether idle times can be trusted to mean a consumer is gone (claim_idle). A server that
 * was away (restarted, or still loading its data) keeps each pending entry's delivery time,
 * so when it serves again every entry looks idle for the whole outage, a live consumer's as
 * much as a dead one's; a live one reconnects within the longest backoff and then refreshes
 * what it holds within claim/4 ms. So this consumer takes nothing over until its own
 * connection, which cannot predate the server's coming back, is that old with claim/4 ms to
 * spare. (The server's uptime would not do: it counts the loading too.) */
static int connection_settled(const redis_source *source) {
  return tp_clock_ms() - source->link.connected_ms >=
         TP_REDIS_BACKOFF_MAX_MS + source->claim_ms / 2;
}

/* Keeps the held entries this consumer's: XCLAIM to itself (JUSTID) those idle for more than
 * claim/2 ms, before anyone may take them at claim ms. Called without the lock. */
static void refresh_held(redis_source *source) {
  uv_mutex_lock(&source->lock);
  size_t count = source->held_count;
  const char **argv = count > 0 ? malloc((count + 6) * sizeof *argv) : NULL;
  size_t *lengths = count > 0 ? malloc((count + 6) * sizeof *lengths) : NULL;
  char *ids = argv != NULL && lengths != NULL
                  ? tp_redis_ids_to_argv(source->held, count, argv + 5, lengths + 5)
                  : NULL;
  uv_mutex_unlock(&source->lock);
  if (ids != NULL) {
    char idle[32];
    snprintf(idle, sizeof idle, "%llu", (unsigned long long)source->claim_ms / 2);
    argv[0] = "XCLAIM", argv[1] = source->url.stream, argv[2] = source->group;
    argv[3] = source->consumer, argv[4] = idle, argv[count + 5] = "JUSTID";
    for (size_t i = 0; i < 5; i++)
      lengths[i] = strlen(argv[i]);
    lengths[count + 5] = strlen(argv[count + 5]);
    char err[600];
    redisReply *reply =
        tp_redis_command(&source->link, (int)count + 6, argv, lengths, 0, err, sizeof err);
    if (reply != NULL)
      tp_redis_reply_free(reply); /* a failure is retried at the next refresh */
  }
  free(ids);
  free(lengths);
  free(argv);
}

/* Reads new entries (XREADGROUP ... >). Redis ends a BLOCK that found nothing only at its next
 * timer tick (every 100 ms at its default hz), so a blocking read says "quiet" 100 to 200 ms
 * after `block` ms; after a read that emptied the stream (fewer entries than asked) the
 * thread therefore polls without BLOCK every TP_REDIS_POLL_MS until `block` ms pass with
 * nothing new, then reports quiet (the loop checkpoints, and flushes a partial batch) and
 * blocks again. When the run is about to end on idle (`end_near`: its idle deadline is closer
 * than a blocking read may last), it polls too, so that it ends on time rather than up to a
 * tick late. Returns the entries queued, or 0 with *quiet: 1 quiet, 0 still within the
 * window. Called without the lock. */
static size_t read_new(redis_source *source, const char *count, int end_near, int *quiet) {
  *quiet = 1;
  if (source->polling && tp_clock_ms() - source->last_entry_ms >= source->block_ms) {
    source->polling = 0; /* the window passed with nothing new */
    return 0;
  }
  int poll = source->polling || end_near;
  if (poll) {
    struct timespec pause = {0, TP_REDIS_POLL_MS * 1000000L};
    nanosleep(&pause, NULL);
  }
  char block[32];
  snprintf(block, sizeof block, "%llu", (unsigned long long)source->block_ms);
  const char *blocking[] = {
      "XREADGROUP", "GROUP", source->group, source->consumer,   "COUNT", count,
      "BLOCK",      block,   "STREAMS",     source->url.stream, ">"};
  const char *polling[] = {"XREADGROUP", "GROUP", source->group, source->consumer,
                           "COUNT",      count,   "STREAMS",     source->url.stream,
                           ">"};
  redisReply *reply = poll ? command(source, 9, polling) : command(source, 11, blocking);
  uv_mutex_lock(&source->lock);
  size_t got = queue_entries(source, &reply, read_reply_entries(reply), 0, NULL);
  uv_mutex_unlock(&source->lock);
  if (reply != NULL)
    tp_redis_reply_free(reply);
  if (got > 0) {
    source->last_entry_ms = tp_clock_ms();
    source->polling = got < strtoull(count, NULL, 10); /* the stream is empty for now */
  } else if (source->polling) {
    *quiet = 0;
  }
  return got;
}

/* Keeps the held entries fresh, then takes over others' entries idle for claim ms
 * (XAUTOCLAIM from `claim_cursor`), unless the connection is too recent for idle times to tell
 * (connection_settled). Returns the entries queued. Called without the lock. */
static size_t claim_idle(redis_source *source, const char *count, char *claim_cursor,
                         uint64_t *last_claim) {
  refresh_held(source);
  const char *ping[] = {"PING"}; /* a connection made now if the server was away */
  redisReply *pong = command(source, 1, ping);
  if (pong != NULL)
    tp_redis_reply_free(pong);
  if (pong == NULL || !connection_settled(source)) {
    *last_claim = tp_clock_ms(); /* look again in claim/4 ms */
    return 0;
  }
  char claim[32];
  snprintf(claim, sizeof claim, "%llu", (unsigned long long)source->claim_ms);
  const char *argv[] = {"XAUTOCLAIM", source->url.stream, source->group, source->consumer,
                        claim,        claim_cursor,       "COUNT",       count};
  redisReply *reply = command(source, 8, argv);
  size_t got = 0;
  if (reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements >= 2) {
    if (reply->element[0]->type == REDIS_REPLY_STRING)
      snprintf(claim_cursor, 48, "%s", reply->element[0]->str);
    uv_mutex_lock(&source->lock);
    got = queue_entries(source, &reply, reply->element[1], 1, NULL);
    uv_mutex_unlock(&source->lock);
  }
  if (got == 0 || strcmp(claim_cursor, "0-0") == 0)
    *last_claim = tp_clock_ms(); /* a full pass done: look again in claim/4 ms */
  if (reply != NULL)
    tp_redis_reply_free(reply);
  return got;
}

/* Reads what there is to read: own pending entries first, then others' idle ones, then new
 * ones. Called without the lock. */
static void read_entries(redis_source *source, int *own_pending, char *own_cursor,
                         uint64_t *last_claim, char *claim_cursor, uint64_t *idle_since) {
  char count[32];
  uv_mutex_lock(&source->lock);
  size_t room = source->queue_capacity - source->queue_count;
  uv_mutex_unlock(&source->lock);
  snprintf(count, sizeof count, "%zu", room < source->count ? room : (size_t)source->count);
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
      tp_redis_reply_free(reply);
  } else if (tp_clock_ms() - *last_claim >= source->claim_ms / 4 + 1) {
    got = claim_idle(source, count, claim_cursor, last_claim);
  }
  int quiet = 1;
  int end_near =
      source->idle_ms > 0 && !*own_pending && !source->others_hold &&
      tp_clock_ms() - *idle_since + source->block_ms + TP_REDIS_TICK_MS >= source->idle_ms;
  if (got == 0 && !*own_pending)
    got = read_new(source, count, end_near, &quiet);
  if (!quiet)
    return; /* nothing new, but within the quiet window: not quiet yet */
  if (got > 0) {
    source->idle_told = 0;
    *idle_since = tp_clock_ms();
    return;
  }
  /* Quiet. A run that ends on idle, with no other consumer holding entries, ends idle ms from
   * now with its last checkpoint unless entries come: no checkpoint now, which would export
   * every worker's partial only to be replaced (the last one is built from the merged
   * partials). Otherwise, once per quiet spell, the loop checkpoints now, so that others
   * waiting for this consumer's entries, and exactly-once outputs, need not wait. */
  int may_end = source->idle_ms > 0 && !*own_pending;
  int others = may_end ? others_pending(source) : 1;
  if (may_end && !others && tp_clock_ms() - *idle_since >= source->idle_ms) {
    uv_mutex_lock(&source->lock);
    if (source->queue_count == 0)
      tp__redis_end_input(source, 0, NULL);
    uv_mutex_unlock(&source->lock);
  } else if (!source->idle_told && others) {
    uv_mutex_lock(&source->lock);
    if (source->held_count > 0) {
      source->went_idle = 1;
      source->idle_told = 1;
      uv_async_send(&source->wake);
      /* The loop answers with a checkpoint once what it holds is stored: wait for it here (up
       * to block ms) rather than in a blocking read that Redis ends only at its next tick. */
      uint64_t until = tp_clock_ms() + source->block_ms;
      for (uint64_t now = tp_clock_ms();
           source->requests == NULL && !source->closing && now < until; now = tp_clock_ms())
        uv_cond_timedwait(&source->changed, &source->lock, (until - now) * 1000000);
    }
    uv_mutex_unlock(&source->lock);
  }
}

void tp__redis_source_thread(void *argument) {
  redis_source *source = argument;
  int own_pending = 1;
  uint64_t last_claim = 0, idle_since = tp_clock_ms(), last_refresh = tp_clock_ms();
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
      int status = tp__redis_run_checkpoint(source, request);
      uv_mutex_lock(&source->lock);
      if (status < 0 && !source->closing) {
        tp__redis_carry_over(source, request);
        uv_cond_timedwait(&source->changed, &source->lock, (uint64_t)1000 * 1000000);
      } else {
        tp__redis_request_free(request);
      }
      continue;
    }
    if (source->closing)
      break;
    if (source->reading_stopped ||
        source->queue_capacity - source->queue_count < source->count) { /* reads whole counts */
      /* waits, but wakes to keep held entries fresh while the loop works through them */
      uv_cond_timedwait(&source->changed, &source->lock, source->claim_ms / 4 * 1000000 + 1);
      if (tp_clock_ms() - last_refresh >= source->claim_ms / 4) {
        uv_mutex_unlock(&source->lock);
        refresh_held(source);
        last_refresh = tp_clock_ms();
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
