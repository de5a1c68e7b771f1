/* core/input/source.h - where records come from: one interface, files and brokers behind it.
 *
 * A source hands the stream one record at a time (its bytes and its position) and says when it
 * ends. The stream pauses it by returning 1 from the record callback (backpressure) and starts
 * it again when records in flight drain. Once a record's output or dead-letter is stored by
 * the sink, the stream acknowledges its position: a file ignores that, a broker (Redis
 * Streams today) forgets the entry only then, so a consumer that dies loses nothing.
 *
 * Adding a source (Kafka, NATS JetStream) is one more file: an open function filling a
 * tp_source with its tp_source_ops, plus a line in tp_source_open (source.c) for its URL
 * scheme. The input formats (NDJSON, lines, CSV) are framed by the file source and decoded by
 * the runner (record.c, csv.c); a broker entry is one record in NDJSON or lines format.
 */
#ifndef TP_CORE_SOURCE_H
#define TP_CORE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "csv.h"
#include "pipeline.h"
#include "position.h"

/* Receives one record: `length` bytes (not NUL-terminated; for an oversize record only its
 * first bytes), its position and its real length. Returns 0 to go on, 1 to pause after this
 * record, -1 to stop on a fatal error (OOM). */
typedef int (*tp_source_record_fn)(void *context, const char *bytes, size_t length,
                                   const tp_position *position, uint64_t full_length);

/* Called once: the input ended (status 0) or failed (status < 0, a libuv error code, with a
 * message already logged or in `message`, which may be NULL). */
typedef void (*tp_source_end_fn)(void *context, int status, const char *message);

typedef struct tp_source tp_source;

/* Counters every source keeps, for the progress line and the report. */
typedef struct tp_source_counters {
  uint64_t bytes;         /* input bytes consumed */
  uint64_t skipped_empty; /* blank lines skipped (files) */
} tp_source_counters;

typedef struct tp_source_ops {
  const char *kind; /* "file", "redis" */
  /* Starts or resumes delivering records. */
  void (*start)(tp_source *source);
  /* Stops for good (signal, failed output): no more records, no end callback. */
  void (*stop)(tp_source *source);
  /* Whether the source is paused by the stream and waiting for start. */
  int (*paused)(const tp_source *source);
  /* The records at `positions` are stored (output or dead-letter). Returns 0, or -1 with a
   * message in err. NULL: nothing to acknowledge (files). */
  int (*acknowledge)(tp_source *source, const tp_position *positions, size_t count, char *err,
                     size_t err_size);
  /* Broker sources: stores `state` (the consumer's partial state document, JSON text, covering
   * exactly the records acknowledged so far) and makes every acknowledgement given since the
   * last checkpoint, in one transaction, so a crash loses neither nor counts twice. Runs in
   * order after earlier calls; may return before it is done. Returns 0, or -1 with err. NULL:
   * no checkpoints (files). */
  int (*checkpoint)(tp_source *source, char *state, char *err, size_t err_size);
  /* The counters so far. */
  struct tp_source_counters (*counters)(const tp_source *source);
  /* Releases everything (the loop must run once more to close handles). */
  void (*close)(tp_source *source);
} tp_source_ops;

struct tp_source {
  const tp_source_ops *ops;
  char name[512];               /* for messages: the path, "stdin", "redis://host:port/stream" */
  int interactive;              /* a terminal: the stream sends records one by one */
  int live;                     /* input may go idle mid-stream (pipe, broker) */
  const tp_csv_row *csv_header; /* CSV: the columns once read (records before it: none) */
  uint64_t checkpoint_ms;       /* with ops->checkpoint: how often the stream checkpoints */
};

/* What a source needs to open. */
typedef struct tp_source_config {
  const char *location; /* a path, NULL for stdin, or a URL ("redis://...") */
  const tp_pipeline *pipeline;
  uint64_t max_record_bytes; /* the record limit */
  uint64_t line_offset;      /* files: number lines from line_offset + 1 (a shard of a whole) */
  tp_source_record_fn record;
  tp_source_end_fn end;
  /* Broker sources: nothing new came in for a while, a good moment for a checkpoint (so other
   * consumers waiting for this one's acknowledgements need not wait for the timer). May be
   * NULL. */
  void (*idle)(void *context);
  void *context;
} tp_source_config;

/* Opens the source named by config->location on `loop`. Returns it, or NULL with a message in
 * err. Close with tp_source_close. */
tp_source *tp_source_open(uv_loop_t *loop, const tp_source_config *config, char *err,
                          size_t err_size);

/* The file source (source_file.c): stdin or a file, framed by lines or CSV records. */
tp_source *tp_source_file_open(uv_loop_t *loop, const tp_source_config *config, char *err,
                               size_t err_size);

static inline void tp_source_start(tp_source *source) {
  source->ops->start(source);
}
static inline void tp_source_stop(tp_source *source) {
  source->ops->stop(source);
}
static inline int tp_source_paused(const tp_source *source) {
  return source->ops->paused(source);
}
static inline tp_source_counters tp_source_counters_get(const tp_source *source) {
  return source->ops->counters(source);
}

/* The Redis Streams source (core/broker/source_redis.c): a consumer in a consumer group. */
tp_source *tp_source_redis_open(uv_loop_t *loop, const tp_source_config *config, char *err,
                                size_t err_size);

/* Acknowledges stored records (see tp_source_ops). Returns 0, or -1 with err. */
int tp_source_acknowledge(tp_source *source, const tp_position *positions, size_t count, char *err,
                          size_t err_size);

/* Closes `source`; NULL is a no-op. */
void tp_source_close(tp_source *source);

#endif /* TP_CORE_SOURCE_H */
