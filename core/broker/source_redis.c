/* core/broker/source_redis.c - the Redis Streams source: one consumer of a consumer group.
 *
 *   redis://HOST:PORT/STREAM?group=G[&consumer=C][&field=record][&count=256][&block=100]
 *                           [&idle=0][&claim=60000][&checkpoint=10000]
 *
 * group: the consumer group (created at the stream's start, with the stream, when missing).
 * consumer: this consumer's name (default: host name and process id). field: the entry field
 * holding the record (NDJSON, or a line for "lines" pipelines). count: entries per
 * XREADGROUP. block: ms one XREADGROUP waits for new entries, and how long the stream must
 * stay empty to count as quiet (docs/distributed.md, "Quiet"). idle: end the run after this
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
 * go in one transaction (a Lua script, EVAL), which first checks that every entry is still
 * pending under this consumer's name: one claimed by another while this consumer was paused
 * is counted there, so the checkpoint writes nothing and the consumer stops ("fenced"). A
 * crash between checkpoints leaves the entries pending and the state without them; whoever
 * processes them again counts them once. A checkpoint that fails keeps its acknowledgements
 * for the next one. With an exactly-once sink the checkpoint also carries the sink's XADDs for
 * those entries (sink_redis.c), between the XACK and the HSET.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "source_redis.h"

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
    if (source->queue_capacity - source->queue_count == source->count)
      uv_cond_signal(&source->changed); /* room for a whole read: the thread reads on */
    uv_mutex_unlock(&source->lock);
    entry.position.number = ++source->number;
    int result = source->config.record(source->config.context, entry.data ? entry.data : "",
                                       entry.length, &entry.position, entry.full_length);
    tp__redis_entry_release(&entry);
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
    tp_redis_id *grown = realloc(source->acks, capacity * sizeof *grown);
    if (grown == NULL) {
      snprintf(err, err_size, "out of memory keeping acknowledgements");
      return -1;
    }
    source->acks = grown;
    source->ack_capacity = capacity;
  }
  for (size_t i = 0; i < count; i++) {
    if (tp_redis_id_parse(positions[i].id, strlen(positions[i].id),
                          &source->acks[source->ack_count]) != 0) {
      snprintf(err, err_size, "%s: cannot acknowledge \"%s\": not a stream entry id",
               source->url.display, positions[i].id);
      return -1;
    }
    source->ack_count++;
  }
  return 0;
}

static int redis_checkpoint(tp_source *base, char *state, void *staged, char *err,
                            size_t err_size) {
  redis_source *source = (redis_source *)base;
  checkpoint_request *request = calloc(1, sizeof *request);
  if (request == NULL) {
    snprintf(err, err_size, "out of memory");
    free(state);
    tp_redis_staged_free(staged);
    return -1;
  }
  request->staged = staged;
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

static int redis_close(tp_source *base) {
  redis_source *source = (redis_source *)base;
  int fenced = 0;
  if (source->thread_started) {
    uv_mutex_lock(&source->lock);
    source->closing = 1;
    source->reading_stopped = 1;
    source->cancel = 1;
    uv_cond_signal(&source->changed);
    uv_mutex_unlock(&source->lock);
    uv_thread_join(&source->thread); /* after the last checkpoint ran */
    fenced = source->fenced;
  }
  tp_redis_link_close(&source->link);
  for (size_t i = 0; i < source->queue_count; i++)
    tp__redis_entry_release(&source->queue[(source->queue_head + i) % source->queue_capacity]);
  while (source->requests != NULL) {
    checkpoint_request *next = source->requests->next;
    tp__redis_request_free(source->requests);
    source->requests = next;
  }
  free(source->queue);
  free(source->acks);
  free(source->held);
  uv_close((uv_handle_t *)&source->wake, on_closed);
  return fenced ? -1 : 0;
}

static void redis_abandon(tp_source *base) {
  redis_source *source = (redis_source *)base;
  source->abandoned = 1;
  source->cancel = 1;
}

static const tp_source_ops redis_ops = {
    .kind = "redis",
    .start = redis_start,
    .stop = redis_stop,
    .paused = redis_paused,
    .acknowledge = redis_acknowledge,
    .checkpoint = redis_checkpoint,
    .abandon = redis_abandon,
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
  snprintf(source->base.home, sizeof source->base.home, "redis://%s:%d", source->url.host,
           source->url.port);
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
  source->others_hold = 1;
  if (uv_thread_create(&source->thread, tp__redis_source_thread, source) != 0) {
    snprintf(err, err_size, "%s: cannot start the reading thread", source->url.display);
    (void)redis_close(&source->base);
    return NULL;
  }
  source->thread_started = 1;
  return &source->base;
}
