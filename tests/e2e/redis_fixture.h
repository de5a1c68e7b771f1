/* tests/e2e/redis_fixture.h - what the Redis e2e tests share (test_redis.c,
 * test_redis_failures.c): a redis-server on a free 127.0.0.1 port in a temporary folder
 * (append-only file on), started by redis_setup() and stopped by redis_teardown(), consumer
 * processes running a slowed copy of the default pipeline (1 ms a record, so that "mid-stream"
 * lasts on any machine), and reading streams, pending entries and merged checkpoints back.
 * Every wait is bounded. */
#ifndef TP_TESTS_E2E_REDIS_FIXTURE_H
#define TP_TESTS_E2E_REDIS_FIXTURE_H

#include <check.h>
#include <sys/types.h>

#include <hiredis/hiredis.h>

#include "e2e_process.h"

#define RECORDS      3000
#define CONSUMERS    3
#define BAD_ENTRIES  4
#define ONCE_RECORDS 3000 /* 1 ms a record (slow.so): mid-stream for a while */

typedef struct fixture {
  char folder[64];
  char binary[512], pipeline[512], passthrough[512];
  int port;
  pid_t server;
  pid_t consumers[CONSUMERS];
} fixture;

/* The one fixture of a test binary (filled by redis_setup). */
extern fixture setup_state;

/* One consumer's command line, kept so that a test can start it again under its name. */
typedef struct consumer {
  char source[256], sink[192], log[700];
  const char *arguments[12];
} consumer;

double now_seconds(void);
void pause_ms(int ms);
/* A port nothing listens on now (the kernel's pick for an ephemeral bind). */
int free_port(void);
/* A connection to the fixture's server (2 s timeout), or NULL. */
redisContext *connect_server(const fixture *f);
/* Starts redis-server and waits, up to 10 s, until it answers. */
void start_server(fixture *f);
/* Stops redis-server with SIGTERM (it writes its append-only file) and waits for it. */
void stop_server(fixture *f);
/* Kills the consumers still running (a test that failed midway leaves them). */
void stop_consumers(fixture *f);
/* No consumer left by an earlier test, and the server up. */
void consumers_stopped_server_up(fixture *f);
/* Check's unchecked fixture: the folder, the slowed pipeline, the server. */
void redis_setup(void);
void redis_teardown(void);
pid_t spawn(const fixture *f, const char *const *arguments, const char *log);
/* Fills `c`: `textpipe run` of the fixture's pipeline, one worker, quiet, reading `stream` of
 * the fixture's server as consumer `name` of `group` (further URL parameters in `parameters`),
 * writing to `sink`, its stderr going to FOLDER/NAME.log; `max_record_bytes` is passed as
 * --max-record-bytes unless NULL. */
void consumer_prepare(const fixture *f, consumer *c, const char *stream, const char *group,
                      const char *name, const char *parameters, const char *sink,
                      const char *max_record_bytes);
/* Fills consumers[0..n-1] with consumer_prepare: consumers PREFIX0, PREFIX1... of `group`. */
void consumers_prepare(const fixture *f, consumer *consumers, int n, const char *stream,
                       const char *group, const char *prefix, const char *parameters,
                       const char *sink);
/* Prepares two consumers PREFIX0 and PREFIX1 of `group` on `stream` (consumers_prepare),
 * writing to the stream STREAM-out, and starts the first. */
void two_consumers_first_started(fixture *f, consumer consumers[2], const char *stream,
                                 const char *group, const char *prefix, const char *parameters);
int wait_exit(pid_t child, double seconds);
long long stream_length(redisContext *context, const char *stream);
/* Writes `records` records to a file and publishes it into `stream` with textpipe. */
void publish(fixture *f, const char *stream, int records);
/* The ids of all entries of `stream`, or the values of `field` in them. */
char **stream_values(redisContext *context, const char *stream, const char *field, size_t *count);
int contains(char **values, size_t count, const char *wanted);
void free_values(char **values, size_t count);
/* Waits up to 30 s until `stream` holds at least `wanted` entries; returns how many. */
long long wait_for_entries(fixture *f, const char *stream, long long wanted);
/* Merges the checkpoints of `group` on `stream` into a report and reads its counts "in",
 * "out" and "dead_letter" into counts[0..2]. */
void merged_counts(fixture *f, const char *stream, const char *group, long long counts[3]);
/* The number of entries pending under `consumer` (XPENDING's summary form), or -1. */
long long pending_of(redisContext *context, const char *stream, const char *group,
                     const char *consumer);

/* Checks that every entry of `stream` has an output in `out` or `out`:dead and that nothing is
 * pending in `group`; returns how many outputs and dead-letters there are (counts[0..1]). */
void assert_none_lost(fixture *f, const char *stream, const char *group, const char *out,
                      int records, size_t counts[2]);
/* Checks that every entry of `stream` has exactly one output in `out` (or `out`:dead), that
 * nothing is pending in `group` and that the group's merged checkpoints count every entry
 * once, as many out and dead-lettered as the streams hold. */
void assert_once(fixture *f, const char *stream, const char *group, const char *out, int records);
/* The text of the file at `path` (up to 1 MiB, in a static buffer the next call reuses). */
const char *read_text(const char *path);
/* Runs `tests` as one suite named `name`, in this process (its processes are the fixture's
 * to stop), each test bounded to 180 s, the fixture set up once. Returns the exit status. */
int run_suite(const char *name, const TTest *const *tests, size_t count);

#endif /* TP_TESTS_E2E_REDIS_FIXTURE_H */
