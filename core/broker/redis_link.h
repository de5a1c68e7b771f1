/* core/broker/redis_link.h - one Redis connection for a source, a sink or a merge: the URL,
 * the password, and commands that survive Redis going away.
 *
 * A location reads redis://HOST:PORT/STREAM?key=value&...; the keys each user understands are
 * listed with it (source_redis.c, sink_redis.c). The password is never part of the URL: it
 * comes from the environment variable TEXTPIPE_REDIS_PASSWORD or from the file named by
 * TEXTPIPE_REDIS_PASSWORD_FILE (first line), and is never printed.
 *
 * The link is blocking (hiredis' synchronous API) and used by one thread at a time: sources
 * and sinks run it on their own thread and hand results to the libuv loop (see
 * docs/distributed.md, "Why a thread"). tp_redis_command retries a command whose connection
 * failed, reconnecting with exponential backoff (50 ms doubling to 2 s) until it succeeds or
 * `give_up_ms` pass; Redis error replies are returned, not retried.
 */
#ifndef TP_CORE_REDIS_LINK_H
#define TP_CORE_REDIS_LINK_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "redis_reply.h"

#define TP_REDIS_NAME_SIZE 256

/* The longest wait between two attempts of a command whose connection failed. */
#define TP_REDIS_BACKOFF_MAX_MS 2000

typedef struct tp_redis_url {
  char host[TP_REDIS_NAME_SIZE];
  int port;
  char stream[TP_REDIS_NAME_SIZE];
  char query[1024];  /* what follows '?', "" when none */
  char display[480]; /* "redis://HOST:PORT/STREAM" for messages (cut when very long) */
} tp_redis_url;

/* Parses `location` ("redis://HOST[:PORT]/STREAM[?QUERY]"; the port defaults to 6379).
 * Returns 0, or -1 with a message in err. */
int tp_redis_url_parse(const char *location, tp_redis_url *url, char *err, size_t err_size);

/* The value of `key` in the URL's query into `value` ("" when the key is given empty). Returns
 * 1 when present, 0 when absent. */
int tp_redis_url_get(const tp_redis_url *url, const char *key, char *value, size_t size);

/* An unsigned number from the query, `fallback` when absent. Returns 0, or -1 with err naming
 * the key when it is not a whole number up to `max`. */
int tp_redis_url_number(const tp_redis_url *url, const char *key, uint64_t fallback, uint64_t max,
                        uint64_t *out, char *err, size_t err_size);

/* Checks that every key of the URL's query is one of `known` (NULL-terminated). Returns 0, or
 * -1 with err naming the first unknown key and the known ones. */
int tp_redis_url_check_keys(const tp_redis_url *url, const char *const *known, char *err,
                            size_t err_size);

typedef struct tp_redis_link {
  tp_redis_url url;
  redisContext *context; /* NULL while disconnected */
  volatile int *cancel;  /* when set and nonzero, retries stop (the run is stopping) */
  uint64_t reconnects;   /* connections made after the first */
  uint64_t connected_ms; /* when the current connection was made (tp_clock_ms) */
  char *read_buffer;     /* TP_REDIS_READ_BYTES for replies (made on first use, freed at
                          * close) */
} tp_redis_link;

/* Sets up `link` for `url` (not connected yet). `cancel` may be NULL. */
void tp_redis_link_init(tp_redis_link *link, const tp_redis_url *url, volatile int *cancel);

/* Connects (and authenticates) unless connected. Returns 0, or -1 with err. */
int tp_redis_link_connect(tp_redis_link *link, char *err, size_t err_size);

/* Sends `argc` arguments and returns the reply (the caller frees it with tp_redis_reply_free:
 * a link's replies are built in arenas, redis_reply.h),
 * reconnecting and resending with backoff while the connection fails, for at most
 * `give_up_ms` (0: until cancelled). Returns NULL with err when it gave up. */
redisReply *tp_redis_command(tp_redis_link *link, int argc, const char **argv,
                             const size_t *lengths, uint64_t give_up_ms, char *err,
                             size_t err_size);

/* Bytes a link reads from its socket at once for replies: hiredis' own reads take 16 KB, so
 * an XREADGROUP reply of 256 entries (about 100 KB) took seven reads. */
#define TP_REDIS_READ_BYTES (256 * 1024)

/* Commands larger than this are written by tp_redis_write_command (tp_redis_pipeline_once). */
#define TP_REDIS_DIRECT_BYTES (1024 * 1024)

/* Writes one command (RESP: an array of bulk strings) to the blocking socket `fd` in pieces of
 * at most 64 KB, large arguments straight from where they are: never the whole command in
 * one buffer. Returns 0, or -1 with errno (the connection is then unusable). */
int tp_redis_write_command(int fd, int argc, const char **argv, const size_t *lengths);

/* Sends `count` commands at once (pipelined; command i has argcs[i] arguments starting at
 * argv[firsts[i]]) and stores the replies in replies[0..count-1] (freed by the caller with
 * tp_redis_reply_free). On a
 * connection failure everything is resent after reconnecting, as tp_redis_command does.
 * Returns 0, or -1 with err (no replies kept). */
int tp_redis_pipeline(tp_redis_link *link, size_t count, const int *argcs, const size_t *firsts,
                      const char **argv, const size_t *lengths, redisReply **replies,
                      uint64_t give_up_ms, char *err, size_t err_size);

/* Like tp_redis_pipeline, for commands that must not run twice (a transaction adding
 * entries): when the connection fails after the commands were sent, their fate is unknown, so
 * before sending again it reconnects and asks `applied` (on the new connection) whether they
 * ran: 1 yes (returns 0 with replies[] all NULL), 0 no (sends again), -1 cannot tell yet
 * (retries). */
int tp_redis_pipeline_once(tp_redis_link *link, size_t count, const int *argcs,
                           const size_t *firsts, const char **argv, const size_t *lengths,
                           redisReply **replies, int (*applied)(tp_redis_link *link, void *context),
                           void *context, uint64_t give_up_ms, char *err, size_t err_size);

/* Commands kept for later (redis_staged.c): an exactly-once sink's XADDs, waiting to go into
 * the source's checkpoint transaction. Owns copies of every argument. */
typedef struct tp_redis_staged {
  char *bytes; /* every argument, one after the other */
  size_t bytes_used, bytes_capacity;
  size_t *lengths; /* per argument */
  size_t argument_count, argument_capacity;
  int *argcs; /* per command */
  size_t command_count, command_capacity;
} tp_redis_staged;

/* Appends one command of `argc` arguments. Returns 0, or -1 on OOM (nothing appended). */
int tp_redis_staged_add(tp_redis_staged *staged, int argc, const char **argv,
                        const size_t *lengths);
/* Fills argv/lengths (argument_count entries each) and argcs/firsts (command_count each)
 * pointing into `staged`, starting at argument `at` and command `command`, as
 * tp_redis_pipeline takes them. */
void tp_redis_staged_layout(const tp_redis_staged *staged, const char **argv, size_t *lengths,
                            size_t at, int *argcs, size_t *firsts, size_t command);
/* Frees `staged` (NULL: no-op) and everything in it. */
void tp_redis_staged_free(tp_redis_staged *staged);

/* Drops the connection (the next command reconnects). */
void tp_redis_link_drop(tp_redis_link *link);

/* Closes the link. */
void tp_redis_link_close(tp_redis_link *link);

/* Reads every checkpoint of the consumer group named by `location`
 * ("redis://HOST:PORT/STREAM?group=G") as partial documents (checkpoints_redis.c), appended to
 * the arrays *documents and *names (grown with realloc; the caller frees each entry and the
 * arrays), counting them in *count. Returns 0, or -1 with err. */
#include <cjson/cJSON.h>
int tp_redis_checkpoints_read(const char *location, cJSON ***documents, char ***names,
                              size_t *count, char *err, size_t err_size);

#endif /* TP_CORE_REDIS_LINK_H */
