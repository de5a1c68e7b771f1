/* core/broker/source_redis.c - the Redis Streams source: one consumer of a consumer group.
 *
 *   redis://HOST:PORT/STREAM?group=G[&consumer=C][&field=record][&count=256][&block=100]
 *                           [&idle=0][&claim=60000][&checkpoint=10000]
 *
 * group: the consumer group (created at the stream's start, with the stream, when missing).
 * consumer: this consumer's name (default: host name and process id). field: the entry field
 * holding the record (NDJSON, or a line for "lines" pipelines). count: entries per
 * XREADGROUP. block: ms one XREADGROUP waits for new entries. idle: end the run after this
 * many ms without a new entry, once no other consumer holds entries pending (0: run until
 * SIGINT/SIGTERM). claim: ms after which another consumer's pending entries are taken over
 * (XAUTOCLAIM; its process is presumed dead). checkpoint: ms between checkpoints.
 *
 * A thread runs the blocking Redis client (redis_link.h): it first reads this consumer's own
 * pending entries (XREADGROUP ... 0, a restart finishing what it had), then claims idle
 * entries of others and reads new ones (XREADGROUP ... >, bounded COUNT and BLOCK). Entries go
 * to the loop through a bounded queue and a uv_async; the thread reads no more while the
 * queue is full, so backpressure reaches Redis (entries stay in the stream, not in memory).
 *
 * Entries this consumer holds (read, not yet acknowledged) are kept fresh: every claim/4 ms the
 * thread XCLAIMs those idle for more than claim/2 ms to itself (JUSTID), so a live consumer's
 * entries never look dead to the others, however long its queue; only a consumer that stopped
 * running (killed, or paused for longer than claim) loses them.
 *
 * Acknowledgements are not sent one by one: they are kept until the stream checkpoints, and
 * then XACK and the consumer's state (HSET STREAM:textpipe:GROUP:checkpoints CONSUMER:RUN)
 * go in one MULTI/EXEC. A crash between checkpoints leaves the entries pending and the state
 * without them; whoever processes them again counts them once. A checkpoint that fails keeps
 * its acknowledgements for the next one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "record.h"
#include "redis_link.h"
#include "source.h"

/* One entry read, on its way to the loop. */
typedef struct redis_entry {
  char *data; /* the field's value (a prefix for an oversize one), or NULL */
  size_t length;
  uint64_t full_length;
  tp_position position;
} redis_entry;

/* A checkpoint for the thread: acknowledgements and the state they go with. */
typedef struct checkpoint_request {
  char (*ids)[TP_POSITION_ID_SIZE];
  size_t count;
  char *state;
  struct checkpoint_request *next;
} checkpoint_request;

typedef struct redis_source {
  tp_source base; /* first: a tp_source* is a redis_source* */
  tp_source_config config;
  tp_redis_url url;
  tp_redis_link link;
  char group[TP_REDIS_NAME_SIZE], consumer[TP_REDIS_NAME_SIZE], field[TP_REDIS_NAME_SIZE];
  char checkpoint_key[TP_REDIS_NAME_SIZE * 2 + 32], checkpoint_field[TP_REDIS_NAME_SIZE + 64];
  uint64_t count, block_ms, idle_ms, claim_ms;
  uv_async_t wake;
  uv_thread_t thread;
  int thread_started;
  uv_mutex_t lock;
  uv_cond_t changed;
  /* under lock */
  redis_entry *queue; /* a ring of queue_capacity */
  size_t queue_head, queue_count, queue_capacity;
  checkpoint_request *requests, *requests_tail;
  int reading_stopped; /* no more reads (stop, or the input ended) */
  int closing;         /* the thread ends once the requests are done */
  int ended, end_status;
  int went_idle; /* a read found nothing while entries are held: the loop checkpoints */
  int idle_told; /* went_idle was set since the last read that found entries (thread only) */
  char end_message[600];
  char (*held)[TP_POSITION_ID_SIZE]; /* entries read and not acknowledged yet, in order */
  size_t held_count, held_capacity;
  volatile int cancel; /* retries stop: set at close once the requests are done */
  uint64_t bytes;
  /* loop side */
  char (*acks)[TP_POSITION_ID_SIZE];
  size_t ack_count, ack_capacity;
  uint64_t number; /* entries handed out */
  int paused, stopped, end_reported;
} redis_source;

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

/* Adds one entry ([id, [field, value, ...]]) to the queue. Called with the lock held. */
static void queue_entry(redis_source *source, const redisReply *entry, int redelivered) {
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
    slot->data = malloc(keep + 1);
    if (slot->data == NULL) {
      end_input(source, UV_ENOMEM, NULL);
      return;
    }
    memcpy(slot->data, value->str, keep);
    slot->length = keep;
    slot->full_length = value->len;
    source->bytes += value->len;
  }
  source->queue_count++;
}

/* Queues the entries of an XREADGROUP reply ([[stream, [entry...]]]) or of XAUTOCLAIM's
 * ([cursor, [entry...], ...]). Returns how many. Called with the lock held. */
static size_t queue_entries(redis_source *source, const redisReply *entries, int redelivered) {
  size_t before = source->queue_count;
  for (size_t e = 0; entries != NULL && entries->type == REDIS_REPLY_ARRAY &&
                     e < entries->elements && source->queue_count < source->queue_capacity;
       e++)
    queue_entry(source, entries->element[e], redelivered);
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

/* MULTI, XACK of the request's ids, HSET of its state, EXEC. Returns 0, or -1 (logged). */
static int run_checkpoint_once(redis_source *source, const checkpoint_request *request) {
  size_t commands = 4;
  size_t args = 1 + (3 + request->count) + 4 + 1;
  const char **argv = malloc(args * sizeof *argv);
  size_t *lengths = malloc(args * sizeof *lengths);
  int argcs[4];
  size_t firsts[4];
  redisReply *replies[4] = {0};
  int status = -1;
  if (argv == NULL || lengths == NULL)
    goto done;
  size_t at = 0;
  firsts[0] = at, argcs[0] = 1, argv[at++] = "MULTI";
  firsts[1] = at;
  argv[at++] = "XACK", argv[at++] = source->url.stream, argv[at++] = source->group;
  for (size_t i = 0; i < request->count; i++)
    argv[at++] = request->ids[i];
  argcs[1] = (int)(at - firsts[1]);
  if (request->count == 0) { /* XACK needs an id: a PING keeps the layout */
    at = firsts[1];
    argv[at++] = "PING";
    argcs[1] = 1;
  }
  firsts[2] = at, argcs[2] = 4;
  argv[at++] = "HSET", argv[at++] = source->checkpoint_key, argv[at++] = source->checkpoint_field;
  argv[at++] = request->state;
  firsts[3] = at, argcs[3] = 1, argv[at++] = "EXEC";
  for (size_t i = 0; i < at; i++)
    lengths[i] = strlen(argv[i]);
  char err[600];
  if (tp_redis_pipeline(&source->link, commands, argcs, firsts, argv, lengths, replies, 60000, err,
                        sizeof err) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "%s; the checkpoint's entries stay pending", err);
    goto done;
  }
  const redisReply *exec = replies[3];
  if (exec->type != REDIS_REPLY_ARRAY || exec->elements != 2 ||
      exec->element[0]->type == REDIS_REPLY_ERROR || exec->element[1]->type == REDIS_REPLY_ERROR) {
    tp_log(TP_LOG_ERROR, NULL, "%s: checkpoint transaction failed: %s", source->url.display,
           exec->type == REDIS_REPLY_ERROR ? exec->str : "a command of it failed");
    goto done;
  }
  status = 0;
done:
  for (size_t i = 0; i < commands; i++)
    if (replies[i] != NULL)
      freeReplyObject(replies[i]);
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

/* run_checkpoint_once, retried for up to a minute even when the run is stopping. */
static int run_checkpoint(redis_source *source, const checkpoint_request *request) {
  source->link.cancel = NULL;
  int status = run_checkpoint_once(source, request);
  source->link.cancel = &source->cancel;
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
  free(failed->ids);
  free(failed->state);
  free(failed);
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
    const redisReply *entries = read_reply_entries(reply);
    uv_mutex_lock(&source->lock);
    got = queue_entries(source, entries, 1);
    uv_mutex_unlock(&source->lock);
    if (reply != NULL && got == 0)
      *own_pending = 0;
    else if (got > 0) /* pending entries stay pending until the checkpoint: read on after */
      snprintf(own_cursor, TP_POSITION_ID_SIZE, "%s", entries->element[got - 1]->element[0]->str);
    if (reply != NULL)
      freeReplyObject(reply);
  } else if (now_ms() - *last_claim >= source->claim_ms / 4 + 1) {
    refresh_held(source);
    const char *argv[] = {"XAUTOCLAIM", source->url.stream, source->group, source->consumer,
                          claim,        claim_cursor,       "COUNT",       count};
    redisReply *reply = command(source, 8, argv);
    if (reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements >= 2) {
      uv_mutex_lock(&source->lock);
      got = queue_entries(source, reply->element[1], 1);
      uv_mutex_unlock(&source->lock);
      if (reply->element[0]->type == REDIS_REPLY_STRING)
        snprintf(claim_cursor, 48, "%s", reply->element[0]->str);
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
    got = queue_entries(source, read_reply_entries(reply), 0);
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

static void source_thread(void *argument) {
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
      if (status != 0 && !source->closing) {
        carry_over(source, request);
        uv_cond_timedwait(&source->changed, &source->lock, (uint64_t)1000 * 1000000);
      } else {
        free(request->ids);
        free(request->state);
        free(request);
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

/* ---- The loop side -------------------------------------------------------------------- */

/* Hands queued entries to the stream until it pauses; reports the end once all are out. */
static void on_wake(uv_async_t *handle) {
  redis_source *source = handle->data;
  uv_mutex_lock(&source->lock);
  int went_idle = source->went_idle && source->queue_count == 0;
  if (went_idle)
    source->went_idle = 0;
  uv_mutex_unlock(&source->lock);
  if (went_idle && source->config.idle != NULL && !source->stopped)
    source->config.idle(source->config.context);
  while (!source->paused && !source->stopped) {
    uv_mutex_lock(&source->lock);
    if (source->queue_count == 0) {
      int ended = source->ended && !source->end_reported;
      source->end_reported |= ended;
      uv_mutex_unlock(&source->lock);
      if (ended)
        source->config.end(source->config.context, source->end_status,
                           source->end_message[0] ? source->end_message : NULL);
      return;
    }
    redis_entry entry = source->queue[source->queue_head];
    source->queue_head = (source->queue_head + 1) % source->queue_capacity;
    source->queue_count--;
    uv_cond_signal(&source->changed);
    uv_mutex_unlock(&source->lock);
    entry.position.number = ++source->number;
    int result = source->config.record(source->config.context, entry.data ? entry.data : "",
                                       entry.length, &entry.position, entry.full_length);
    free(entry.data);
    if (result > 0)
      source->paused = 1;
    if (result < 0) {
      source->stopped = 1;
      source->config.end(source->config.context, UV_ENOMEM, NULL);
    }
  }
}

static void redis_start(tp_source *base) {
  redis_source *source = (redis_source *)base;
  source->paused = 0;
  uv_async_send(&source->wake);
}

static void redis_stop(tp_source *base) {
  redis_source *source = (redis_source *)base;
  source->stopped = 1;
  uv_mutex_lock(&source->lock);
  source->reading_stopped = 1;
  source->cancel = 1; /* a read retrying against a lost Redis gives up */
  uv_cond_signal(&source->changed);
  uv_mutex_unlock(&source->lock);
}

static int redis_paused(const tp_source *base) {
  const redis_source *source = (const redis_source *)base;
  return source->paused && !source->stopped;
}

static int redis_acknowledge(tp_source *base, const tp_position *positions, size_t count, char *err,
                             size_t err_size) {
  redis_source *source = (redis_source *)base;
  if (source->ack_count + count > source->ack_capacity) {
    size_t capacity = source->ack_capacity ? source->ack_capacity * 2 : 1024;
    while (capacity < source->ack_count + count)
      capacity *= 2;
    char(*grown)[TP_POSITION_ID_SIZE] = realloc(source->acks, capacity * sizeof *grown);
    if (grown == NULL) {
      snprintf(err, err_size, "out of memory keeping acknowledgements");
      return -1;
    }
    source->acks = grown;
    source->ack_capacity = capacity;
  }
  for (size_t i = 0; i < count; i++)
    memcpy(source->acks[source->ack_count++], positions[i].id, TP_POSITION_ID_SIZE);
  return 0;
}

static int redis_checkpoint(tp_source *base, char *state, char *err, size_t err_size) {
  redis_source *source = (redis_source *)base;
  checkpoint_request *request = calloc(1, sizeof *request);
  if (request == NULL) {
    snprintf(err, err_size, "out of memory");
    free(state);
    return -1;
  }
  request->ids = source->acks;
  request->count = source->ack_count;
  request->state = state;
  source->acks = NULL;
  source->ack_count = source->ack_capacity = 0;
  uv_mutex_lock(&source->lock);
  if (source->requests_tail != NULL)
    source->requests_tail->next = request;
  else
    source->requests = request;
  source->requests_tail = request;
  uv_cond_signal(&source->changed);
  uv_mutex_unlock(&source->lock);
  return 0;
}

static tp_source_counters redis_counters(const tp_source *base) {
  redis_source *source = (redis_source *)base;
  uv_mutex_lock(&source->lock);
  tp_source_counters counters = {.bytes = source->bytes};
  uv_mutex_unlock(&source->lock);
  return counters;
}

static void on_closed(uv_handle_t *handle) {
  redis_source *source = handle->data;
  uv_mutex_destroy(&source->lock);
  uv_cond_destroy(&source->changed);
  free(source);
}

static void redis_close(tp_source *base) {
  redis_source *source = (redis_source *)base;
  if (source->thread_started) {
    uv_mutex_lock(&source->lock);
    source->closing = 1;
    source->reading_stopped = 1;
    source->cancel = 1;
    uv_cond_signal(&source->changed);
    uv_mutex_unlock(&source->lock);
    uv_thread_join(&source->thread); /* after the last checkpoint ran */
  }
  tp_redis_link_close(&source->link);
  for (size_t i = 0; i < source->queue_count; i++)
    free(source->queue[(source->queue_head + i) % source->queue_capacity].data);
  while (source->requests != NULL) {
    checkpoint_request *next = source->requests->next;
    free(source->requests->ids);
    free(source->requests->state);
    free(source->requests);
    source->requests = next;
  }
  free(source->queue);
  free(source->acks);
  free(source->held);
  uv_close((uv_handle_t *)&source->wake, on_closed);
}

static const tp_source_ops redis_ops = {
    .kind = "redis",
    .start = redis_start,
    .stop = redis_stop,
    .paused = redis_paused,
    .acknowledge = redis_acknowledge,
    .checkpoint = redis_checkpoint,
    .counters = redis_counters,
    .close = redis_close,
};

/* Reads the URL's options into `source`. Returns 0, or -1 with err. */
static int read_options(redis_source *source, char *err, size_t err_size) {
  static const char *const known[] = {"group", "consumer", "field",      "count", "block",
                                      "idle",  "claim",    "checkpoint", NULL};
  const tp_redis_url *url = &source->url;
  uint64_t checkpoint_ms = 0;
  if (tp_redis_url_check_keys(url, known, err, err_size) != 0 ||
      tp_redis_url_number(url, "count", 256, 100000, &source->count, err, err_size) != 0 ||
      tp_redis_url_number(url, "block", 100, 60000, &source->block_ms, err, err_size) != 0 ||
      tp_redis_url_number(url, "idle", 0, UINT32_MAX, &source->idle_ms, err, err_size) != 0 ||
      tp_redis_url_number(url, "claim", 60000, UINT32_MAX, &source->claim_ms, err, err_size) != 0 ||
      tp_redis_url_number(url, "checkpoint", 10000, UINT32_MAX, &checkpoint_ms, err, err_size) != 0)
    return -1;
  if (!tp_redis_url_get(url, "group", source->group, sizeof source->group) ||
      source->group[0] == '\0') {
    snprintf(err, err_size, "%s: a source needs group=NAME (its consumer group)", url->display);
    return -1;
  }
  if (source->count == 0 || source->block_ms == 0 || checkpoint_ms == 0) {
    snprintf(err, err_size, "%s: count, block and checkpoint must be at least 1", url->display);
    return -1;
  }
  if (source->claim_ms < 2 * checkpoint_ms) { /* else a live consumer's entries look dead */
    snprintf(err, err_size, "%s: claim (%llu ms) must be at least twice checkpoint (%llu ms)",
             url->display, (unsigned long long)source->claim_ms, (unsigned long long)checkpoint_ms);
    return -1;
  }
  if (!tp_redis_url_get(url, "consumer", source->consumer, sizeof source->consumer) ||
      source->consumer[0] == '\0') {
    char host[128] = "host";
    gethostname(host, sizeof host);
    host[sizeof host - 1] = '\0';
    snprintf(source->consumer, sizeof source->consumer, "%s-%ld", host, (long)getpid());
  }
  if (!tp_redis_url_get(url, "field", source->field, sizeof source->field) ||
      source->field[0] == '\0')
    snprintf(source->field, sizeof source->field, "record");
  source->base.checkpoint_ms = checkpoint_ms;
  snprintf(source->checkpoint_key, sizeof source->checkpoint_key, "%s:textpipe:%s:checkpoints",
           url->stream, source->group);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  snprintf(source->checkpoint_field, sizeof source->checkpoint_field, "%s:%lld%03ld-%ld",
           source->consumer, (long long)now.tv_sec, now.tv_nsec / 1000000, (long)getpid());
  return 0;
}

tp_source *tp_source_redis_open(uv_loop_t *loop, const tp_source_config *config, char *err,
                                size_t err_size) {
  if (config->pipeline->input_format == TP_INPUT_CSV) {
    snprintf(err, err_size, "%s: a stream entry is one record: use an ndjson or lines pipeline",
             config->location);
    return NULL;
  }
  redis_source *source = calloc(1, sizeof *source);
  if (source == NULL) {
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  source->base.ops = &redis_ops;
  source->base.live = 1;
  source->config = *config;
  if (tp_redis_url_parse(config->location, &source->url, err, err_size) != 0 ||
      read_options(source, err, err_size) != 0) {
    free(source);
    return NULL;
  }
  snprintf(source->base.name, sizeof source->base.name, "%s", source->url.display);
  source->queue_capacity = (size_t)source->count * 4;
  source->queue = calloc(source->queue_capacity, sizeof *source->queue);
  if (source->queue == NULL) {
    free(source);
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  tp_redis_link_init(&source->link, &source->url, &source->cancel);
  /* Connect once now, so a wrong host or password is a usage error before the run starts. */
  if (tp_redis_link_connect(&source->link, err, err_size) != 0) {
    free(source->queue);
    free(source);
    return NULL;
  }
  uv_mutex_init(&source->lock);
  uv_cond_init(&source->changed);
  uv_async_init(loop, &source->wake, on_wake);
  source->wake.data = source;
  source->reading_stopped = 0;
  if (uv_thread_create(&source->thread, source_thread, source) != 0) {
    snprintf(err, err_size, "%s: cannot start the reading thread", source->url.display);
    redis_close(&source->base);
    return NULL;
  }
  source->thread_started = 1;
  return &source->base;
}
