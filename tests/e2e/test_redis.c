/* tests/e2e/test_redis.c - textpipe on Redis Streams, with a real redis-server this test
 * starts on a free 127.0.0.1 port in a temporary folder (append-only file on) and stops.
 *
 * - A file is published into a stream by `textpipe run` with a redis sink; bad entries (no
 *   record field, invalid JSON, invalid UTF-8, one over the record limit) are added beside.
 * - Three consumer processes read the stream in one group; one is killed with SIGKILL
 *   mid-stream and redis-server is restarted mid-stream; the killed one is started again
 *   under its name. Every published entry id is then in
 *   the output or the dead-letter stream, the bad ones dead-lettered under their own id, and
 *   `textpipe merge` of the group's checkpoints counts exactly the entries published.
 * - exactly_once=1: one of two consumers killed mid-stream and restarted; every entry's output
 *   is in the output streams exactly once.
 * - SIGTERM with redis-server stopped: the run ends within --stop-timeout, what it could not
 *   store counted unfinished and left pending.
 * - A consumer paused (SIGSTOP) past claim: the other takes its entries over; the paused
 *   one's checkpoint is fenced off and the merged report counts every entry once.
 * Every wait is bounded; the server and the consumers are stopped whatever happens.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
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

static fixture setup_state;

static double now_seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static void pause_ms(int ms) {
  struct timespec wait = {ms / 1000, (long)(ms % 1000) * 1000000};
  nanosleep(&wait, NULL);
}

/* A port nothing listens on now (the kernel's pick for an ephemeral bind). */
static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&address, sizeof address), 0);
  socklen_t length = sizeof address;
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&address, &length), 0);
  close(fd);
  return ntohs(address.sin_port);
}

static redisContext *connect_server(const fixture *f) {
  struct timeval timeout = {2, 0};
  redisContext *context = redisConnectWithTimeout("127.0.0.1", f->port, timeout);
  if (context != NULL && context->err != 0) {
    redisFree(context);
    return NULL;
  }
  return context;
}

/* Starts redis-server (append-only file on) and waits, up to 10 s, until it answers. */
static void start_server(fixture *f) {
  char port[16], log[700];
  snprintf(port, sizeof port, "%d", f->port);
  snprintf(log, sizeof log, "%s/redis.log", f->folder);
  f->server = fork();
  ck_assert_int_ge(f->server, 0);
  if (f->server == 0) {
    execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1", "--dir",
           f->folder, "--appendonly", "yes", "--save", "", "--logfile", log, (char *)NULL);
    _exit(127);
  }
  for (double deadline = now_seconds() + 10; now_seconds() < deadline; pause_ms(50)) {
    redisContext *context = connect_server(f);
    redisReply *reply = context != NULL ? redisCommand(context, "PING") : NULL;
    int ready = reply != NULL && reply->type == REDIS_REPLY_STATUS;
    if (reply != NULL)
      freeReplyObject(reply);
    if (context != NULL)
      redisFree(context);
    if (ready)
      return;
  }
  ck_abort_msg("redis-server did not answer on port %d within 10 s (installed?)", f->port);
}

/* Stops redis-server with SIGTERM (it writes its append-only file) and waits for it. */
static void stop_server(fixture *f) {
  if (f->server <= 0)
    return;
  kill(f->server, SIGTERM);
  waitpid(f->server, NULL, 0);
  f->server = 0;
}

/* Kills the consumers still running (a test that failed midway leaves them; the next test
 * reuses the slots). */
static void stop_consumers(fixture *f) {
  for (int c = 0; c < CONSUMERS; c++)
    if (f->consumers[c] > 0) {
      kill(f->consumers[c], SIGKILL);
      waitpid(f->consumers[c], NULL, 0);
      f->consumers[c] = 0;
    }
}

/* No consumer left by an earlier test, and the server up (a test that failed midway may have
 * stopped it). */
static void consumers_stopped_server_up(fixture *f) {
  stop_consumers(f);
  if (f->server <= 0)
    start_server(f);
}

static void teardown(void) {
  fixture *f = &setup_state;
  consumers_stopped_server_up(f);
  stop_server(f);
  char command[128];
  snprintf(command, sizeof command, "rm -rf '%.63s'", f->folder);
  if (f->folder[0] != '\0' && system(command) != 0)
    fprintf(stderr, "cannot remove %s\n", f->folder);
}

static void setup(void) {
  fixture *f = &setup_state;
  memset(f, 0, sizeof *f);
  snprintf(f->folder, sizeof f->folder, "/tmp/textpipe-redis-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(f->folder));
  const char *source = getenv("TEXTPIPE_SOURCE_ROOT");
  const char *binary = getenv("TEXTPIPE_BINARY");
  ck_assert_msg(source != NULL && binary != NULL, "TEXTPIPE_SOURCE_ROOT/BINARY not set");
  snprintf(f->binary, sizeof f->binary, "%s", binary);
  /* The consumers run the default pipeline's stages behind the `slow` fixture (1 ms a record),
   * so that on any machine, however fast, the stream is still going when the test kills one
   * consumer and restarts the server "mid-stream". */
  const char *build = getenv("TEXTPIPE_BUILD_ROOT");
  ck_assert_msg(build != NULL, "TEXTPIPE_BUILD_ROOT not set");
  snprintf(f->pipeline, sizeof f->pipeline, "%.400s/pipeline.json", f->folder);
  FILE *pipeline = fopen(f->pipeline, "w");
  ck_assert_ptr_nonnull(pipeline);
  fprintf(
      pipeline,
      "{\"name\": \"comments-slowed\", \"input\": {\"format\": \"ndjson\", \"text_field\": "
      "\"text\"},\n \"stages\": [\n"
      "  {\"path\": \"%s/tests/fixtures/plugins/slow.so\", \"config\": {\"delay_ms\": 1}},\n"
      "  {\"plugin\": \"tokenize\", \"config\": {\"language\": \"english\", \"emit\": \"none\"}},\n"
      "  {\"plugin\": \"sentiment\", \"config\": {\"sentences\": true}},\n"
      "  {\"plugin\": \"theme\", \"config\": {\"taxonomy\": "
      "\"%s/plugins/theme/themes/public-policy.json\"}},\n"
      "  {\"plugin\": \"summary\"}],\n \"on_error\": \"dead_letter\"}\n",
      build, source);
  ck_assert_int_eq(fclose(pipeline), 0);
  snprintf(f->passthrough, sizeof f->passthrough, "%s/bench/passthrough.json", source);
  f->port = free_port();
  start_server(f);
}

static pid_t spawn(const fixture *f, const char *const *arguments, const char *log) {
  return e2e_spawn(f->binary, arguments, log);
}

/* One consumer's command line, kept so that a test can start it again under its name. */
typedef struct consumer {
  char source[256], log[700];
  const char *arguments[12];
} consumer;

/* Fills `c`: `textpipe run` of the fixture's pipeline, one worker, quiet, reading `stream` of
 * the fixture's server as consumer `name` of `group` (further URL parameters in `parameters`),
 * writing to `sink`, its stderr going to FOLDER/NAME.log; `max_record_bytes` is passed as
 * --max-record-bytes unless NULL. */
static void consumer_prepare(const fixture *f, consumer *c, const char *stream, const char *group,
                             const char *name, const char *parameters, const char *sink,
                             const char *max_record_bytes) {
  snprintf(c->source, sizeof c->source, "redis://127.0.0.1:%d/%s?group=%s&consumer=%s&%s", f->port,
           stream, group, name, parameters);
  snprintf(c->log, sizeof c->log, "%.63s/%s.log", f->folder, name);
  const char *arguments[] = {"run",       f->pipeline, "-i", c->source, "-o", sink,
                             "--workers", "1",         "-q", NULL,      NULL, NULL};
  if (max_record_bytes != NULL) {
    arguments[9] = "--max-record-bytes";
    arguments[10] = max_record_bytes;
  }
  memcpy(c->arguments, arguments, sizeof arguments);
}

static int wait_exit(pid_t child, double seconds) {
  return e2e_wait(child, seconds);
}

static long long stream_length(redisContext *context, const char *stream) {
  redisReply *reply = redisCommand(context, "XLEN %s", stream);
  long long length = reply != NULL && reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
  if (reply != NULL)
    freeReplyObject(reply);
  return length;
}

/* Writes `records` records to a file and publishes it into `stream` with textpipe. */
static void publish(fixture *f, const char *stream, int records) {
  char input[700], sink[128];
  snprintf(input, sizeof input, "%s/input.ndjson", f->folder);
  FILE *file = fopen(input, "w");
  ck_assert_ptr_nonnull(file);
  static const char *const words[] = {"good",   "awful",   "film", "tax",   "battery",
                                      "lovely", "delayed", "soup", "price", "camera"};
  for (int n = 1; n <= records; n++)
    fprintf(file, "{\"id\":%d,\"text\":\"The %s %s was %s today.\"}\n", n, words[n % 10],
            words[(n / 10) % 10], words[(n / 100) % 10]);
  fclose(file);
  snprintf(sink, sizeof sink, "redis://127.0.0.1:%d/%s", f->port, stream);
  const char *arguments[] = {"run", f->passthrough, "-i", input, "-o", sink, "-q", NULL};
  ck_assert_int_eq(wait_exit(spawn(f, arguments, NULL), 60), 0);
}

/* Adds the bad entries; their ids go to `ids`. */
static void add_bad_entries(redisContext *context, char ids[BAD_ENTRIES][64]) {
  static char huge[200 * 1024];
  memset(huge, 'x', sizeof huge);
  memcpy(huge, "{\"text\":\"", 9);
  memcpy(huge + sizeof huge - 2, "\"}", 2);
  const char *values[BAD_ENTRIES] = {NULL, "{\"text\": oops", "{\"text\":\"\xff\xfe\"}", huge};
  size_t lengths[BAD_ENTRIES] = {0, 13, 14, sizeof huge};
  for (int b = 0; b < BAD_ENTRIES; b++) {
    redisReply *reply = values[b] == NULL
                            ? redisCommand(context, "XADD in * other x")
                            : redisCommand(context, "XADD in * record %b", values[b], lengths[b]);
    ck_assert_ptr_nonnull(reply);
    ck_assert_int_eq(reply->type, REDIS_REPLY_STRING);
    snprintf(ids[b], 64, "%s", reply->str);
    freeReplyObject(reply);
  }
}

/* The ids of all entries of `stream`, or the values of `field` in them. */
static char **stream_values(redisContext *context, const char *stream, const char *field,
                            size_t *count) {
  redisReply *reply = redisCommand(context, "XRANGE %s - +", stream);
  ck_assert_ptr_nonnull(reply);
  ck_assert_int_eq(reply->type, REDIS_REPLY_ARRAY);
  char **values = calloc(reply->elements + 1, sizeof *values);
  *count = 0;
  for (size_t e = 0; e < reply->elements; e++) {
    const redisReply *entry = reply->element[e];
    if (field == NULL) {
      values[(*count)++] = strdup(entry->element[0]->str);
      continue;
    }
    const redisReply *fields = entry->element[1];
    for (size_t i = 0; i + 1 < fields->elements; i += 2)
      if (strcmp(fields->element[i]->str, field) == 0)
        values[(*count)++] = strdup(fields->element[i + 1]->str);
  }
  freeReplyObject(reply);
  return values;
}

static int contains(char **values, size_t count, const char *wanted) {
  for (size_t i = 0; i < count; i++)
    if (strcmp(values[i], wanted) == 0)
      return 1;
  return 0;
}

static void free_values(char **values, size_t count) {
  for (size_t i = 0; i < count; i++)
    free(values[i]);
  free(values);
}

START_TEST(consumers_survive_a_kill_and_a_restart) {
  fixture *f = &setup_state;
  publish(f, "in", RECORDS);
  redisContext *context = connect_server(f);
  ck_assert_ptr_nonnull(context);
  ck_assert_int_eq(stream_length(context, "in"), RECORDS);
  char bad[BAD_ENTRIES][64];
  add_bad_entries(context, bad);
  redisFree(context);

  consumer consumers[CONSUMERS];
  char sink[128];
  snprintf(sink, sizeof sink, "redis://127.0.0.1:%d/out", f->port);
  for (int c = 0; c < CONSUMERS; c++) {
    char name[16];
    snprintf(name, sizeof name, "c%d", c);
    consumer_prepare(f, &consumers[c], "in", "g", name,
                     "idle=1500&claim=1200&checkpoint=300&count=64", sink, "100000");
    f->consumers[c] = spawn(f, consumers[c].arguments, consumers[c].log);
  }
  /* Mid-stream: once some output exists, kill consumer 0 and restart the server. */
  context = NULL;
  double deadline = now_seconds() + 30;
  long long out = 0;
  while (now_seconds() < deadline && out < RECORDS / 5) {
    pause_ms(20);
    if (context == NULL)
      context = connect_server(f);
    out = context != NULL ? stream_length(context, "out") : 0;
  }
  ck_assert_msg(out >= RECORDS / 5 && out < RECORDS, "output %lld: not mid-stream", out);
  redisReply *held = redisCommand(context, "XPENDING in g - + 100000 c0");
  size_t held_by_killed = held != NULL && held->type == REDIS_REPLY_ARRAY ? held->elements : 0;
  if (held != NULL)
    freeReplyObject(held);
  kill(f->consumers[0], SIGKILL);
  waitpid(f->consumers[0], NULL, 0);
  f->consumers[0] = 0;
  redisFree(context);
  stop_server(f);
  pause_ms(300); /* the consumers retry against no server meanwhile */
  start_server(f);
  /* Consumer 0 comes back under its name: it first finishes its own pending entries (unless
   * the others claimed them already). */
  snprintf(consumers[0].log, sizeof consumers[0].log, "%.63s/c0-again.log", f->folder);
  f->consumers[0] = spawn(f, consumers[0].arguments, consumers[0].log);

  for (int c = 0; c < CONSUMERS; c++) {
    int status = wait_exit(f->consumers[c], 60);
    if (status != 0 && status != 1) { /* show what it said */
      char command[800];
      snprintf(command, sizeof command, "cat '%s' >&2", consumers[c].log);
      if (system(command) != 0)
        fprintf(stderr, "cannot show %s\n", consumers[c].log);
    }
    ck_assert_msg(status == 0 || status == 1, "consumer %d exit status %d (log: %s)", c, status,
                  consumers[c].log);
    f->consumers[c] = 0;
  }

  context = connect_server(f);
  ck_assert_ptr_nonnull(context);
  size_t entry_count, output_count, dead_count, letter_count;
  char **entries = stream_values(context, "in", NULL, &entry_count);
  char **outputs = stream_values(context, "out", "source_id", &output_count);
  char **dead = stream_values(context, "out:dead", "source_id", &dead_count);
  char **letters = stream_values(context, "out:dead", "letter", &letter_count);
  ck_assert_uint_eq(entry_count, RECORDS + BAD_ENTRIES);
  for (size_t e = 0; e < entry_count; e++)
    ck_assert_msg(contains(outputs, output_count, entries[e]) ||
                      contains(dead, dead_count, entries[e]),
                  "entry %s is in neither the output nor the dead-letters", entries[e]);
  for (int b = 0; b < BAD_ENTRIES; b++) {
    ck_assert_msg(contains(dead, dead_count, bad[b]), "bad entry %s not dead-lettered", bad[b]);
    char needle[160];
    snprintf(needle, sizeof needle, "\"entry_id\":\"%.63s\"", bad[b]);
    int named = 0;
    for (size_t l = 0; l < letter_count; l++)
      named |= strstr(letters[l], needle) != NULL;
    ck_assert_msg(named, "no dead-letter names entry %s", bad[b]);
  }
  /* The killed consumer's unacknowledged entries were claimed and marked as redelivered. */
  size_t redelivered_count = 0;
  char **redelivered = stream_values(context, "out", "redelivered", &redelivered_count);
  fprintf(stderr,
          "entries %zu, outputs %zu (redelivered %zu), dead-letters %zu; the killed consumer "
          "held %zu\n",
          entry_count, output_count, redelivered_count, dead_count, held_by_killed);
  if (held_by_killed > 0) /* a few may have gone out just before SIGKILL: at least one not */
    ck_assert_uint_gt(redelivered_count, 0);
  free_values(redelivered, redelivered_count);
  redisReply *pending = redisCommand(context, "XPENDING in g");
  ck_assert_int_eq(pending->element[0]->integer, 0);
  freeReplyObject(pending);
  free_values(entries, entry_count);
  free_values(outputs, output_count);
  free_values(dead, dead_count);
  free_values(letters, letter_count);
  redisFree(context);

  /* The merged checkpoints count every published entry exactly once. */
  char group[128], report[700];
  snprintf(group, sizeof group, "redis://127.0.0.1:%d/in?group=g", f->port);
  snprintf(report, sizeof report, "%.63s/merged.json", f->folder);
  const char *merge[] = {"merge", group, "--report", report, "-q", NULL};
  ck_assert_int_eq(wait_exit(spawn(f, merge, NULL), 60), 0);
  FILE *file = fopen(report, "r");
  ck_assert_ptr_nonnull(file);
  static char text[1 << 20];
  size_t length = fread(text, 1, sizeof text - 1, file);
  text[length] = '\0';
  fclose(file);
  cJSON *json = cJSON_Parse(text);
  const cJSON *counts = cJSON_GetObjectItem(json, "counts");
  ck_assert_int_eq(cJSON_GetObjectItem(counts, "in")->valueint, RECORDS + BAD_ENTRIES);
  ck_assert_int_eq(cJSON_GetObjectItem(counts, "dead_letter")->valueint, BAD_ENTRIES);
  ck_assert_int_eq(cJSON_GetObjectItem(counts, "out")->valueint, RECORDS);
  cJSON_Delete(json);
}
END_TEST

/* Waits up to 30 s until `stream` holds at least `wanted` entries; returns how many. */
static long long wait_for_entries(fixture *f, const char *stream, long long wanted) {
  redisContext *context = NULL;
  long long length = 0;
  for (double deadline = now_seconds() + 30; now_seconds() < deadline && length < wanted;) {
    pause_ms(20);
    if (context == NULL)
      context = connect_server(f);
    length = context != NULL ? stream_length(context, stream) : 0;
  }
  if (context != NULL)
    redisFree(context);
  return length;
}

/* exactly_once=1: a consumer killed with SIGKILL mid-stream and started again, beside a live
 * one: every entry's output (or dead-letter) is in the output streams exactly once. */
START_TEST(exactly_once_output_survives_a_kill) {
  fixture *f = &setup_state;
  consumers_stopped_server_up(f);
  publish(f, "once", ONCE_RECORDS);
  consumer consumers[2];
  char sink[128];
  snprintf(sink, sizeof sink, "redis://127.0.0.1:%d/once-out?exactly_once=1", f->port);
  for (int c = 0; c < 2; c++) {
    char name[16];
    snprintf(name, sizeof name, "e%d", c);
    consumer_prepare(f, &consumers[c], "once", "e", name,
                     "idle=1500&claim=1200&checkpoint=100&count=32", sink, NULL);
    f->consumers[c] = spawn(f, consumers[c].arguments, consumers[c].log);
  }
  long long out = wait_for_entries(f, "once-out", 1);
  redisContext *context = connect_server(f);
  ck_assert_ptr_nonnull(context);
  redisReply *held = redisCommand(context, "XPENDING once e - + 1 e0");
  size_t held_by_killed = held != NULL && held->type == REDIS_REPLY_ARRAY ? held->elements : 0;
  if (held != NULL)
    freeReplyObject(held);
  redisFree(context);
  ck_assert_msg(out >= 1 && out < ONCE_RECORDS && held_by_killed > 0,
                "output %lld, consumer e0 holding %zu: not mid-stream", out, held_by_killed);
  kill(f->consumers[0], SIGKILL);
  waitpid(f->consumers[0], NULL, 0);
  f->consumers[0] = spawn(f, consumers[0].arguments, consumers[0].log); /* own pending first */
  for (int c = 0; c < 2; c++) {
    int status = wait_exit(f->consumers[c], 60);
    ck_assert_msg(status == 0, "consumer %d exit status %d (log: %s)", c, status, consumers[c].log);
    f->consumers[c] = 0;
  }
  context = connect_server(f);
  ck_assert_ptr_nonnull(context);
  size_t entry_count, output_count, dead_count;
  char **entries = stream_values(context, "once", NULL, &entry_count);
  char **outputs = stream_values(context, "once-out", "source_id", &output_count);
  char **dead = stream_values(context, "once-out:dead", "source_id", &dead_count);
  fprintf(stderr, "exactly once: %zu entries, %zu outputs, %zu dead-letters; killed at %lld\n",
          entry_count, output_count, dead_count, out);
  ck_assert_uint_eq(entry_count, ONCE_RECORDS);
  ck_assert_uint_eq(output_count + dead_count, ONCE_RECORDS); /* none repeated, none lost */
  for (size_t e = 0; e < entry_count; e++)
    ck_assert_msg(contains(outputs, output_count, entries[e]) ||
                      contains(dead, dead_count, entries[e]),
                  "entry %s is in neither the output nor the dead-letters", entries[e]);
  redisReply *pending = redisCommand(context, "XPENDING once e");
  ck_assert_int_eq(pending->element[0]->integer, 0);
  freeReplyObject(pending);
  free_values(entries, entry_count);
  free_values(outputs, output_count);
  free_values(dead, dead_count);
  redisFree(context);
}
END_TEST

/* SIGTERM while Redis is down: the run ends within --stop-timeout (and a margin), the records
 * it could not store counted unfinished and their entries left pending, not acknowledged. */
START_TEST(a_stop_with_redis_down_ends_in_time) {
  fixture *f = &setup_state;
  consumers_stopped_server_up(f);
  publish(f, "down", RECORDS);
  char source[256], sink[128], log[700];
  snprintf(source, sizeof source,
           "redis://127.0.0.1:%d/down?group=d&consumer=d0&claim=1200&checkpoint=300&count=16",
           f->port);
  snprintf(sink, sizeof sink, "redis://127.0.0.1:%d/down-out", f->port);
  snprintf(log, sizeof log, "%.63s/down.log", f->folder);
  const char *arguments[] = {"run", f->pipeline,      "-i", source, "-o", sink, "--workers",
                             "1",   "--stop-timeout", "1",  NULL};
  f->consumers[0] = spawn(f, arguments, log);
  long long out = wait_for_entries(f, "down-out", RECORDS / 10);
  ck_assert_msg(out >= RECORDS / 10 && out < RECORDS, "output %lld: not mid-stream", out);
  stop_server(f);
  pause_ms(200); /* the sink is retrying against no server now */
  double start = now_seconds();
  kill(f->consumers[0], SIGTERM);
  int status = wait_exit(f->consumers[0], 10);
  double took = now_seconds() - start;
  f->consumers[0] = status < 0 ? f->consumers[0] : 0;
  ck_assert_msg(status >= 0, "still running 10 s after SIGTERM with --stop-timeout 1");
  ck_assert_msg(took < 2.5, "the stop took %.2f s with --stop-timeout 1", took);
  FILE *file = fopen(log, "r");
  ck_assert_ptr_nonnull(file);
  static char text[1 << 16];
  size_t length = fread(text, 1, sizeof text - 1, file);
  text[length] = '\0';
  fclose(file);
  const char *summary = strstr(text, "summary: in ");
  ck_assert_msg(summary != NULL, "no accounting line in %s", log);
  unsigned long long in = 0, written = 0, unfinished = 0;
  ck_assert_int_eq(sscanf(summary, "summary: in %llu, out %llu", &in, &written), 2);
  const char *cut = strstr(summary, "unfinished ");
  ck_assert_msg(cut != NULL, "no unfinished count: %s", summary);
  unfinished = strtoull(cut + 11, NULL, 10);
  fprintf(stderr, "stop with redis down: %.2f s; in %llu, out %llu, unfinished %llu\n", took, in,
          written, unfinished);
  ck_assert_uint_gt(unfinished, 0);
  ck_assert_uint_eq(in, written + unfinished); /* the pipeline drops nothing of these */
  start_server(f);                             /* the append-only file brings the stream back */
  redisContext *context = connect_server(f);
  ck_assert_ptr_nonnull(context);
  size_t entry_count, output_count;
  char **entries = stream_values(context, "down", NULL, &entry_count);
  char **outputs = stream_values(context, "down-out", "source_id", &output_count);
  redisReply *pending = redisCommand(context, "XPENDING down d");
  ck_assert_int_ge(pending->element[0]->integer, (long long)unfinished);
  freeReplyObject(pending);
  /* Nothing lost: an entry without output is still pending (or was never read). */
  for (size_t e = 0; e < entry_count; e++) {
    if (contains(outputs, output_count, entries[e]))
      continue;
    redisReply *range = redisCommand(context, "XPENDING down d %s %s 1", entries[e], entries[e]);
    redisReply *read = redisCommand(context, "XINFO GROUPS down"); /* [[key, value, ...]] */
    const char *last = NULL;
    for (size_t i = 0; read->element[0]->elements > 0 && i + 1 < read->element[0]->elements; i += 2)
      if (strcmp(read->element[0]->element[i]->str, "last-delivered-id") == 0)
        last = read->element[0]->element[i + 1]->str;
    unsigned long long ms = 0, last_ms = 0, seq = 0, last_seq = 0;
    sscanf(entries[e], "%llu-%llu", &ms, &seq);
    if (last != NULL)
      sscanf(last, "%llu-%llu", &last_ms, &last_seq);
    int never_read = ms > last_ms || (ms == last_ms && seq > last_seq);
    ck_assert_msg(range->elements == 1 || never_read,
                  "entry %s has no output and is not pending: lost", entries[e]);
    freeReplyObject(range);
    freeReplyObject(read);
  }
  free_values(entries, entry_count);
  free_values(outputs, output_count);
  redisFree(context);
}
END_TEST

/* A consumer paused (SIGSTOP) for longer than claim while holding entries: the other takes
 * them over and counts them; when the paused one resumes, its checkpoint finds entries no
 * longer its own and writes nothing (it stops, failed). The merged report counts every entry
 * exactly once. */
START_TEST(a_paused_consumer_is_fenced_off) {
  fixture *f = &setup_state;
  consumers_stopped_server_up(f);
  publish(f, "pause", RECORDS);
  consumer consumers[2];
  char sink[128];
  snprintf(sink, sizeof sink, "redis://127.0.0.1:%d/pause-out", f->port);
  for (int c = 0; c < 2; c++) {
    char name[16];
    snprintf(name, sizeof name, "p%d", c);
    consumer_prepare(f, &consumers[c], "pause", "p", name,
                     "idle=1500&claim=600&checkpoint=300&count=64", sink, NULL);
  }
  f->consumers[0] = spawn(f, consumers[0].arguments, consumers[0].log);
  /* Pause p0 once it holds entries (read, not checkpointed), then start p1. */
  redisContext *context = connect_server(f);
  ck_assert_ptr_nonnull(context);
  size_t held = 0;
  for (double deadline = now_seconds() + 30; now_seconds() < deadline && held == 0;) {
    redisReply *reply = redisCommand(context, "XPENDING pause p - + 1 p0");
    held = reply != NULL && reply->type == REDIS_REPLY_ARRAY ? reply->elements : 0;
    if (reply != NULL)
      freeReplyObject(reply);
    if (held == 0)
      pause_ms(5);
  }
  kill(f->consumers[0], SIGSTOP);
  ck_assert_uint_gt(held, 0);
  f->consumers[1] = spawn(f, consumers[1].arguments, consumers[1].log);
  int status = wait_exit(f->consumers[1], 60); /* takes p0's entries over after claim ms */
  ck_assert_msg(status == 0, "consumer p1 exit status %d (log: %s)", status, consumers[1].log);
  f->consumers[1] = 0;
  kill(f->consumers[0], SIGCONT);
  status = wait_exit(f->consumers[0], 60);
  f->consumers[0] = status < 0 ? f->consumers[0] : 0;
  ck_assert_msg(status > 0 && status < 128, "the paused consumer's exit status %d (log: %s)",
                status, consumers[0].log);
  FILE *log = fopen(consumers[0].log, "r");
  ck_assert_ptr_nonnull(log);
  static char said[1 << 16];
  said[fread(said, 1, sizeof said - 1, log)] = '\0';
  fclose(log);
  ck_assert_msg(strstr(said, "is no longer this consumer's") != NULL, "not fenced: %s", said);
  redisReply *pending = redisCommand(context, "XPENDING pause p");
  ck_assert_int_eq(pending->element[0]->integer, 0);
  freeReplyObject(pending);
  redisFree(context);
  char group[128], report[700];
  snprintf(group, sizeof group, "redis://127.0.0.1:%d/pause?group=p", f->port);
  snprintf(report, sizeof report, "%.63s/paused.json", f->folder);
  const char *merge[] = {"merge", group, "--report", report, "-q", NULL};
  ck_assert_int_eq(wait_exit(spawn(f, merge, NULL), 60), 0);
  FILE *file = fopen(report, "r");
  ck_assert_ptr_nonnull(file);
  static char text[1 << 20];
  size_t length = fread(text, 1, sizeof text - 1, file);
  text[length] = '\0';
  fclose(file);
  cJSON *json = cJSON_Parse(text);
  const cJSON *counts = cJSON_GetObjectItem(json, "counts");
  fprintf(stderr, "paused consumer: merged in %d (published %d)\n",
          cJSON_GetObjectItem(counts, "in")->valueint, RECORDS);
  ck_assert_int_eq(cJSON_GetObjectItem(counts, "in")->valueint, RECORDS);
  cJSON_Delete(json);
}
END_TEST

static Suite *redis_suite(void) {
  Suite *suite = suite_create("redis");
  TCase *group = tcase_create("group");
  tcase_add_unchecked_fixture(group, setup, teardown);
  tcase_set_timeout(group, 180);
  tcase_add_test(group, consumers_survive_a_kill_and_a_restart);
  tcase_add_test(group, exactly_once_output_survives_a_kill);
  tcase_add_test(group, a_stop_with_redis_down_ends_in_time);
  tcase_add_test(group, a_paused_consumer_is_fenced_off);
  suite_add_tcase(suite, group);
  return suite;
}

int main(void) {
  SRunner *runner = srunner_create(redis_suite());
  srunner_set_fork_status(runner, CK_NOFORK); /* the fixture's processes are ours to stop */
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
