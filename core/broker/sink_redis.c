/* core/broker/sink_redis.c - the Redis Streams sink: each record an entry (XADD).
 *
 *   redis://HOST:PORT/STREAM[?dead=STREAM:dead][&maxlen=0][&field=record]
 *
 * Each enriched record becomes an entry of STREAM with the record in `field` and where it came
 * from: "source_id" (the source entry's id) or "line" (a file's line number), and
 * "redelivered" "1" when the source had delivered that entry before (so it may already be in
 * the output: delivery is at-least-once). Each dead-letter becomes an entry of the dead-letter
 * stream with "letter" (the dead-letter JSON, which names the entry id or line) and the same
 * "source_id"/"line". maxlen > 0 trims both streams to about that many entries
 * (MAXLEN ~).
 *
 * A thread sends a batch's XADDs in one pipeline and answers the loop through a uv_async;
 * when Redis goes away it reconnects with backoff and sends the whole batch again (entries
 * already added are added again, marked by nothing: the at-least-once rule), so nothing is
 * lost and the stream acknowledges the source only once every XADD was answered.
 *
 * exactly_once=1 (the source must be a Redis source on the same server): no thread writes;
 * a batch's XADDs are staged (copied) and go into the source's next checkpoint, inside the
 * transaction (one EVAL) that acknowledges the batch's entries and stores the consumer's state. So
 * an entry's output is in the stream if and only if the entry is acknowledged: after a crash
 * nothing repeats and nothing is lost. The cost: outputs appear only at checkpoints (every
 * checkpoint= ms of the source, or sooner once 32 MB wait), see docs/distributed.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis_link.h"
#include "sink.h"

typedef struct redis_sink {
  tp_sink base; /* first: a tp_sink* is a redis_sink* */
  tp_redis_url url;
  tp_redis_link link;
  char dead_stream[TP_REDIS_NAME_SIZE], field[TP_REDIS_NAME_SIZE], maxlen[32];
  uv_async_t answer;
  uv_thread_t thread;
  int thread_started;
  uv_mutex_t lock;
  uv_cond_t changed;
  /* under lock */
  const tp_batch *batch; /* the batch being written, or NULL */
  int closing;
  int done; /* the batch is written: status and message are set */
  int status;
  char message[600];
  volatile int cancel;
  /* loop side */
  int exactly_once;
  tp_redis_staged *staged; /* exactly_once: the XADDs since the last take_staged, or NULL */
  tp_sink_done_fn callback;
  void *context;
  int busy;
} redis_sink;

/* The arguments of one XADD: up to 14. */
#define XADD_ARGUMENTS 14

/* Fills argv/lengths for the batch's XADDs. Returns the command count, or -1 on OOM. */
static long build_commands(redis_sink *sink, const tp_batch *batch, const char ***argv_out,
                           size_t **lengths_out, int **argcs_out, size_t **firsts_out,
                           char **numbers_out) {
  size_t items = batch->item_count;
  const char **argv = malloc((items * XADD_ARGUMENTS + 1) * sizeof *argv);
  size_t *lengths = malloc((items * XADD_ARGUMENTS + 1) * sizeof *lengths);
  int *argcs = malloc((items + 1) * sizeof *argcs);
  size_t *firsts = malloc((items + 1) * sizeof *firsts);
  char *numbers = malloc((items + 1) * 24); /* line numbers as text */
  if (argv == NULL || lengths == NULL || argcs == NULL || firsts == NULL || numbers == NULL) {
    free(argv), free(lengths), free(argcs), free(firsts), free(numbers);
    return -1;
  }
  const char *out = batch->out, *dead = batch->dead_letters;
  size_t at = 0, commands = 0;
  for (size_t i = 0; i < items; i++) {
    const tp_batch_item *item = &batch->items[i];
    const char **line = item->state == TP_ITEM_OUT    ? &out
                        : item->state == TP_ITEM_DEAD ? &dead
                                                      : NULL;
    if (line == NULL)
      continue; /* dropped by a stage: nothing to store */
    const char *end = strchr(*line, '\n');
    size_t length = (size_t)(end - *line);
    size_t first = at;
    firsts[commands] = at;
    argv[at] = "XADD", lengths[at++] = 4;
    argv[at] = item->state == TP_ITEM_OUT ? sink->url.stream : sink->dead_stream;
    lengths[at] = strlen(argv[at]), at++;
    if (sink->maxlen[0] != '\0') {
      argv[at] = "MAXLEN", lengths[at++] = 6;
      argv[at] = "~", lengths[at++] = 1;
      argv[at] = sink->maxlen, lengths[at] = strlen(sink->maxlen), at++;
    }
    argv[at] = "*", lengths[at++] = 1;
    argv[at] = item->state == TP_ITEM_OUT ? sink->field : "letter";
    lengths[at] = strlen(argv[at]), at++;
    argv[at] = *line, lengths[at++] = length;
    if (item->entry_id[0] != '\0') {
      argv[at] = "source_id", lengths[at++] = 9;
      argv[at] = item->entry_id, lengths[at] = strlen(item->entry_id), at++;
    } else {
      char *number = numbers + i * 24;
      snprintf(number, 24, "%llu", (unsigned long long)item->line);
      argv[at] = "line", lengths[at++] = 4;
      argv[at] = number, lengths[at] = strlen(number), at++;
    }
    if (item->redelivered) {
      argv[at] = "redelivered", lengths[at++] = 11;
      argv[at] = "1", lengths[at++] = 1;
    }
    argcs[commands++] = (int)(at - first);
    *line = end + 1;
  }
  *argv_out = argv, *lengths_out = lengths, *argcs_out = argcs, *firsts_out = firsts;
  *numbers_out = numbers;
  return (long)commands;
}

/* Writes one batch. Returns 0, or a libuv error code with sink->message set. */
static int write_batch(redis_sink *sink, const tp_batch *batch) {
  const char **argv = NULL;
  size_t *lengths = NULL, *firsts = NULL;
  int *argcs = NULL;
  char *numbers = NULL;
  long commands = build_commands(sink, batch, &argv, &lengths, &argcs, &firsts, &numbers);
  if (commands < 0) {
    snprintf(sink->message, sizeof sink->message, "%s: out of memory", sink->url.display);
    return UV_ENOMEM;
  }
  int status = 0;
  redisReply **replies = calloc((size_t)commands + 1, sizeof *replies);
  if (replies == NULL) {
    snprintf(sink->message, sizeof sink->message, "%s: out of memory", sink->url.display);
    status = UV_ENOMEM;
  } else if (commands > 0 &&
             tp_redis_pipeline(&sink->link, (size_t)commands, argcs, firsts, argv, lengths, replies,
                               0, sink->message, sizeof sink->message) != 0) {
    status = UV_ECANCELED; /* the run is stopping and Redis is still away */
    commands = 0;
  }
  for (long i = 0; i < commands; i++) {
    if (status == 0 && replies[i]->type == REDIS_REPLY_ERROR) {
      snprintf(sink->message, sizeof sink->message, "%s: XADD: %s", sink->url.display,
               replies[i]->str);
      status = UV_EIO;
    }
    tp_redis_reply_free(replies[i]);
  }
  free(replies), free(argv), free(lengths), free(argcs), free(firsts), free(numbers);
  return status;
}

static void sink_thread(void *argument) {
  redis_sink *sink = argument;
  uv_mutex_lock(&sink->lock);
  for (;;) {
    if (sink->batch != NULL && !sink->done) {
      const tp_batch *batch = sink->batch;
      uv_mutex_unlock(&sink->lock);
      sink->message[0] = '\0';
      int status = write_batch(sink, batch);
      uv_mutex_lock(&sink->lock);
      sink->status = status;
      sink->done = 1;
      uv_async_send(&sink->answer);
      continue;
    }
    if (sink->closing)
      break;
    uv_cond_wait(&sink->changed, &sink->lock);
  }
  uv_mutex_unlock(&sink->lock);
}

static void on_answer(uv_async_t *handle) {
  redis_sink *sink = handle->data;
  uv_mutex_lock(&sink->lock);
  int done = sink->done, status = sink->status;
  if (done) {
    sink->done = 0;
    sink->batch = NULL;
  }
  uv_mutex_unlock(&sink->lock);
  if (!done || !sink->busy)
    return;
  sink->busy = 0;
  sink->callback(sink->context, status, status != 0 && sink->message[0] ? sink->message : NULL);
}

/* exactly_once: copies the batch's XADDs into sink->staged. Returns 0, or UV_ENOMEM. */
static int stage_batch(redis_sink *sink, const tp_batch *batch) {
  const char **argv = NULL;
  size_t *lengths = NULL, *firsts = NULL;
  int *argcs = NULL;
  char *numbers = NULL;
  long commands = build_commands(sink, batch, &argv, &lengths, &argcs, &firsts, &numbers);
  if (commands < 0)
    return UV_ENOMEM;
  int status = 0;
  if (sink->staged == NULL && (sink->staged = calloc(1, sizeof *sink->staged)) == NULL)
    status = UV_ENOMEM;
  for (long i = 0; i < commands && status == 0; i++)
    if (tp_redis_staged_add(sink->staged, argcs[i], argv + firsts[i], lengths + firsts[i]) != 0)
      status = UV_ENOMEM; /* the batch half staged: the run stops, never checkpointing it */
  free(argv), free(lengths), free(argcs), free(firsts), free(numbers);
  return status;
}

static void *redis_take_staged(tp_sink *base) {
  redis_sink *sink = (redis_sink *)base;
  tp_redis_staged *staged = sink->staged;
  sink->staged = NULL;
  return staged;
}

static size_t redis_staged_bytes(const tp_sink *base) {
  const redis_sink *sink = (const redis_sink *)base;
  return sink->staged != NULL ? sink->staged->bytes_used : 0;
}

static void redis_abandon(tp_sink *base) {
  redis_sink *sink = (redis_sink *)base;
  sink->cancel = 1; /* the thread's retries give up: the batch comes back not stored */
}

static int redis_write(tp_sink *base, const tp_batch *batch, tp_sink_done_fn done, void *context) {
  redis_sink *sink = (redis_sink *)base;
  if (sink->exactly_once) {
    int status = stage_batch(sink, batch);
    if (status == 0)
      done(context, 0, NULL);
    return status;
  }
  sink->callback = done;
  sink->context = context;
  sink->busy = 1;
  uv_mutex_lock(&sink->lock);
  sink->batch = batch;
  sink->done = 0;
  uv_cond_signal(&sink->changed);
  uv_mutex_unlock(&sink->lock);
  return 0;
}

static int redis_busy(const tp_sink *base) {
  return ((const redis_sink *)base)->busy;
}

static void on_closed(uv_handle_t *handle) {
  redis_sink *sink = handle->data;
  uv_mutex_destroy(&sink->lock);
  uv_cond_destroy(&sink->changed);
  free(sink);
}

static int redis_close(tp_sink *base, char *err, size_t err_size) {
  (void)err, (void)err_size;
  redis_sink *sink = (redis_sink *)base;
  if (sink->thread_started) {
    uv_mutex_lock(&sink->lock);
    sink->closing = 1;
    sink->cancel = 1;
    uv_cond_signal(&sink->changed);
    uv_mutex_unlock(&sink->lock);
    uv_thread_join(&sink->thread);
  }
  tp_redis_link_close(&sink->link);
  tp_redis_staged_free(sink->staged); /* never checkpointed: its entries stay pending */
  if (!sink->exactly_once)
    uv_close((uv_handle_t *)&sink->answer, on_closed);
  else
    on_closed((uv_handle_t *)&sink->answer);
  return 0;
}

static const tp_sink_ops redis_ops = {
    .kind = "redis",
    .write = redis_write,
    .busy = redis_busy,
    .abandon = redis_abandon,
    .close = redis_close,
};

static const tp_sink_ops exactly_once_ops = {
    .kind = "redis",
    .write = redis_write,
    .busy = redis_busy,
    .take_staged = redis_take_staged,
    .staged_bytes = redis_staged_bytes,
    .close = redis_close,
};

tp_sink *tp_sink_redis_open(uv_loop_t *loop, const tp_sink_config *config, char *err,
                            size_t err_size) {
  static const char *const known[] = {"dead", "maxlen", "field", "exactly_once", NULL};
  redis_sink *sink = calloc(1, sizeof *sink);
  if (sink == NULL) {
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  sink->base.ops = &redis_ops;
  uint64_t maxlen = 0, exactly_once = 0;
  if (tp_redis_url_parse(config->location, &sink->url, err, err_size) != 0 ||
      tp_redis_url_check_keys(&sink->url, known, err, err_size) != 0 ||
      tp_redis_url_number(&sink->url, "maxlen", 0, UINT64_C(1) << 40, &maxlen, err, err_size) !=
          0 ||
      tp_redis_url_number(&sink->url, "exactly_once", 0, 1, &exactly_once, err, err_size) != 0) {
    free(sink);
    return NULL;
  }
  if (config->dead_letter_path != NULL) {
    snprintf(err, err_size,
             "%s: dead-letters go to the dead= stream of a redis sink, not to "
             "--dead-letter",
             sink->url.display);
    free(sink);
    return NULL;
  }
  if (maxlen > 0)
    snprintf(sink->maxlen, sizeof sink->maxlen, "%llu", (unsigned long long)maxlen);
  if (!tp_redis_url_get(&sink->url, "dead", sink->dead_stream, sizeof sink->dead_stream) ||
      sink->dead_stream[0] == '\0')
    snprintf(sink->dead_stream, sizeof sink->dead_stream, "%.*s:dead",
             (int)sizeof sink->dead_stream - 8, sink->url.stream);
  if (!tp_redis_url_get(&sink->url, "field", sink->field, sizeof sink->field) ||
      sink->field[0] == '\0')
    snprintf(sink->field, sizeof sink->field, "record");
  snprintf(sink->base.name, sizeof sink->base.name, "%s", sink->url.display);
  tp_redis_link_init(&sink->link, &sink->url, &sink->cancel);
  if (tp_redis_link_connect(&sink->link, err, err_size) != 0) {
    free(sink);
    return NULL;
  }
  uv_mutex_init(&sink->lock);
  uv_cond_init(&sink->changed);
  sink->answer.data = sink; /* on_closed's way back, also without the handle */
  if (exactly_once) {       /* the source's thread writes, in its checkpoints */
    sink->exactly_once = 1;
    sink->base.ops = &exactly_once_ops;
    snprintf(sink->base.home, sizeof sink->base.home, "redis://%s:%d", sink->url.host,
             sink->url.port);
    return &sink->base;
  }
  uv_async_init(loop, &sink->answer, on_answer);
  sink->answer.data = sink;
  if (uv_thread_create(&sink->thread, sink_thread, sink) != 0) {
    snprintf(err, err_size, "%s: cannot start the writing thread", sink->url.display);
    redis_close(&sink->base, err, err_size);
    return NULL;
  }
  sink->thread_started = 1;
  return &sink->base;
}
