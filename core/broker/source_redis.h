/* core/broker/source_redis.h - the Redis Streams source's state, shared by its loop side
 * (source_redis.c: the tp_source) and its thread (source_redis_thread.c: the Redis client).
 * Internal to the source; everything under `lock` is shared, the rest belongs to one side. */
#ifndef TP_CORE_SOURCE_REDIS_H
#define TP_CORE_SOURCE_REDIS_H

#include <stdint.h>

#include <uv.h>

#include "redis_id.h"
#include "redis_link.h"
#include "source.h"

/* A reply whose entries wait in the queue: their bytes are handed to the loop where hiredis
 * put them (no copy), and the reply is freed once the loop has taken the last (`left` is the
 * loop's to count down once queued). */
typedef struct redis_reply_hold {
  redisReply *reply;
  size_t left;
} redis_reply_hold;

/* One entry read, on its way to the loop. */
typedef struct redis_entry {
  const char *data; /* the field's value inside hold's reply (an oversize one: its prefix), or
                     * NULL */
  size_t length;
  redis_reply_hold *hold; /* the reply holding data, or NULL */
  uint64_t full_length;
  tp_position position;
} redis_entry;

/* A checkpoint for the thread: acknowledgements and the state they go with. */
typedef struct checkpoint_request {
  tp_redis_id *ids; /* the entries acknowledged, `count` of them */
  size_t count;
  char *state;
  tp_redis_staged *staged; /* an exactly-once sink's XADDs for these entries, or NULL */
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
  tp_redis_id *held; /* entries read and not acknowledged yet, in order */
  size_t held_count, held_capacity;
  volatile int cancel;    /* retries stop: set at close once the requests are done */
  volatile int abandoned; /* even the checkpoints' retries stop (a stop that cannot wait) */
  int fenced; /* an entry was lost to another consumer: no checkpoint is written any more */
  int own_pending_read;   /* every entry pending under this name is held (thread only) */
  int polling;            /* the last read emptied the stream: look again without BLOCK until
                           * block ms pass (thread only) */
  uint64_t last_entry_ms; /* when the last new entries came (thread only) */
  int others_hold;        /* the last look found another consumer holding entries (thread
                           * only; 1 until looked) */
  uint64_t bytes;
  /* loop side */
  tp_redis_id *acks; /* entries acknowledged since the last checkpoint */
  size_t ack_count, ack_capacity;
  uint64_t number; /* entries handed out */
  int paused, stopped, end_reported;
} redis_source;

/* The thread's body: reads, claims, refreshes and checkpoints until closing
 * (source_redis_thread.c). */
void tp__redis_source_thread(void *argument);

/* Ends the input with `message` (NULL: normal end) and wakes the loop. Called with the lock
 * held (source_redis_thread.c). */
void tp__redis_end_input(redis_source *source, int status, const char *message);

/* Runs a checkpoint request (source_redis_checkpoint.c), retried for up to a minute even when
 * the run is stopping. Returns 0, -1 (failed: to be carried over to the next), or 1 or 2
 * (fenced off, or cannot be written: dropped, as every later one; the input ends failed). */
int tp__redis_run_checkpoint(redis_source *source, const checkpoint_request *request);

/* Joins a failed request's acknowledgements to the next one (or keeps it for the next).
 * Called with the lock held. */
void tp__redis_carry_over(redis_source *source, checkpoint_request *failed);

/* The loop is done with `entry`: its reply goes once no queued entry points into it. */
void tp__redis_entry_release(redis_entry *entry);

/* Frees a checkpoint request and what it owns. */
void tp__redis_request_free(checkpoint_request *request);

#endif /* TP_CORE_SOURCE_REDIS_H */
