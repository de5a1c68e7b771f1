/* core/output/sink.h - where records go: one interface, files and brokers behind it.
 *
 * The stream hands the sink each processed batch in input order, one at a time: the enriched
 * records (batch->out, one NDJSON line per item in state TP_ITEM_OUT, in item order) and the
 * dead-letters (batch->dead_letters, one NDJSON line per TP_ITEM_DEAD item, in item order).
 * `done` comes once both are stored, and only then does the stream acknowledge the batch's
 * positions to the source: with a broker on both sides, an entry is forgotten only once what
 * it became is in the broker.
 *
 * Adding a sink (Kafka, NATS) is one more file with an open function filling tp_sink_ops, plus
 * a line in tp_sink_open (sink.c) for its URL scheme.
 */
#ifndef TP_CORE_SINK_H
#define TP_CORE_SINK_H

#include <stddef.h>

#include <uv.h>

#include "runner.h"

/* The batch is stored (status 0) or storing it failed (a libuv error code; `message`, which
 * may be NULL, says more). */
typedef void (*tp_sink_done_fn)(void *context, int status, const char *message);

typedef struct tp_sink tp_sink;

typedef struct tp_sink_ops {
  const char *kind; /* "file", "redis" */
  /* Stores `batch` (valid until `done`). One write in flight at a time. Returns 0, or a libuv
   * error code when it could not start (then `done` is not called). */
  int (*write)(tp_sink *sink, const tp_batch *batch, tp_sink_done_fn done, void *context);
  /* Whether a write is in flight. */
  int (*busy)(const tp_sink *sink);
  /* Flushes and releases everything (the loop must run once more to close handles). Returns
   * 0, or -1 with a message in err when something written could not be kept (close of the
   * dead-letter file). */
  int (*close)(tp_sink *sink, char *err, size_t err_size);
} tp_sink_ops;

struct tp_sink {
  const tp_sink_ops *ops;
  char name[512]; /* for messages: "stdout", the path, "redis://host:port/stream" */
  uint64_t dead_letters_not_written; /* dead-letters a batch had that could not be stored */
};

/* What a sink needs to open. */
typedef struct tp_sink_config {
  const char *location;         /* a path, NULL for stdout, or a URL ("redis://...") */
  const char *dead_letter_path; /* files: the dead-letter file, NULL: none (only logged) */
} tp_sink_config;

/* Opens the sink for config->location. Returns it, or NULL with a message in err. */
tp_sink *tp_sink_open(uv_loop_t *loop, const tp_sink_config *config, char *err, size_t err_size);

/* The file sink (sink_file.c): records to stdout or a file, dead-letters to a file. */
tp_sink *tp_sink_file_open(uv_loop_t *loop, const tp_sink_config *config, char *err,
                           size_t err_size);

static inline int tp_sink_write(tp_sink *sink, const tp_batch *batch, tp_sink_done_fn done,
                                void *context) {
  return sink->ops->write(sink, batch, done, context);
}
static inline int tp_sink_busy(const tp_sink *sink) {
  return sink->ops->busy(sink);
}

/* The Redis Streams sink (core/broker/sink_redis.c): XADD to a stream. */
tp_sink *tp_sink_redis_open(uv_loop_t *loop, const tp_sink_config *config, char *err,
                            size_t err_size);

/* Closes `sink` (NULL: no-op). Returns 0, or -1 with err (see tp_sink_ops.close). */
int tp_sink_close(tp_sink *sink, char *err, size_t err_size);

#endif /* TP_CORE_SINK_H */
