/* tests/e2e/redis_fixture.c - what the Redis e2e tests share (redis_fixture.h): the
 * redis-server each test binary starts, consumer processes, and reading streams back. */
#include "redis_fixture.h"

#include <arpa/inet.h>
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

#include "check_main.h"

fixture setup_state;

double now_seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

void pause_ms(int ms) {
  struct timespec wait = {ms / 1000, (long)(ms % 1000) * 1000000};
  nanosleep(&wait, NULL);
}

/* A port nothing listens on now (the kernel's pick for an ephemeral bind). */
int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&address, sizeof address), 0);
  socklen_t length = sizeof address;
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&address, &length), 0);
  close(fd);
  return ntohs(address.sin_port);
}

redisContext *connect_server(const fixture *f) {
  struct timeval timeout = {2, 0};
  redisContext *context = redisConnectWithTimeout("127.0.0.1", f->port, timeout);
  if (context != NULL && context->err != 0) {
    redisFree(context);
    return NULL;
  }
  return context;
}

/* Starts redis-server (append-only file on) and waits, up to 10 s, until it answers. */
void start_server(fixture *f) {
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
void stop_server(fixture *f) {
  if (f->server <= 0)
    return;
  kill(f->server, SIGTERM);
  waitpid(f->server, NULL, 0);
  f->server = 0;
}

/* Kills the consumers still running (a test that failed midway leaves them; the next test
 * reuses the slots). */
void stop_consumers(fixture *f) {
  for (int c = 0; c < CONSUMERS; c++)
    if (f->consumers[c] > 0) {
      kill(f->consumers[c], SIGKILL);
      waitpid(f->consumers[c], NULL, 0);
      f->consumers[c] = 0;
    }
}

/* No consumer left by an earlier test, and the server up (a test that failed midway may have
 * stopped it). */
void consumers_stopped_server_up(fixture *f) {
  stop_consumers(f);
  if (f->server <= 0)
    start_server(f);
}

void redis_teardown(void) {
  fixture *f = &setup_state;
  consumers_stopped_server_up(f);
  stop_server(f);
  char command[128];
  snprintf(command, sizeof command, "rm -rf '%.63s'", f->folder);
  if (f->folder[0] != '\0' && system(command) != 0)
    fprintf(stderr, "cannot remove %s\n", f->folder);
}

void redis_setup(void) {
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

pid_t spawn(const fixture *f, const char *const *arguments, const char *log) {
  return e2e_spawn(f->binary, arguments, log);
}

/* Fills `c`: `textpipe run` of the fixture's pipeline, one worker, quiet, reading `stream` of
 * the fixture's server as consumer `name` of `group` (further URL parameters in `parameters`),
 * writing to `sink`, its stderr going to FOLDER/NAME.log; `max_record_bytes` is passed as
 * --max-record-bytes unless NULL. */
void consumer_prepare(const fixture *f, consumer *c, const char *stream, const char *group,
                      const char *name, const char *parameters, const char *sink,
                      const char *max_record_bytes) {
  snprintf(c->source, sizeof c->source, "redis://127.0.0.1:%d/%s?group=%s&consumer=%s&%s", f->port,
           stream, group, name, parameters);
  snprintf(c->sink, sizeof c->sink, "%s", sink);
  snprintf(c->log, sizeof c->log, "%.63s/%s.log", f->folder, name);
  const char *arguments[] = {"run",       f->pipeline, "-i", c->source, "-o", c->sink,
                             "--workers", "1",         "-q", NULL,      NULL, NULL};
  if (max_record_bytes != NULL) {
    arguments[9] = "--max-record-bytes";
    arguments[10] = max_record_bytes;
  }
  memcpy(c->arguments, arguments, sizeof arguments);
}

void consumers_prepare(const fixture *f, consumer *consumers, int n, const char *stream,
                       const char *group, const char *prefix, const char *parameters,
                       const char *sink) {
  for (int c = 0; c < n; c++) {
    char name[32];
    snprintf(name, sizeof name, "%.8s%d", prefix, c);
    consumer_prepare(f, &consumers[c], stream, group, name, parameters, sink, NULL);
  }
}

void two_consumers_first_started(fixture *f, consumer consumers[2], const char *stream,
                                 const char *group, const char *prefix, const char *parameters) {
  char sink[160];
  snprintf(sink, sizeof sink, "redis://127.0.0.1:%d/%.64s-out", f->port, stream);
  consumers_prepare(f, consumers, 2, stream, group, prefix, parameters, sink);
  f->consumers[0] = spawn(f, consumers[0].arguments, consumers[0].log);
}

int wait_exit(pid_t child, double seconds) {
  return e2e_wait(child, seconds);
}

long long stream_length(redisContext *context, const char *stream) {
  redisReply *reply = redisCommand(context, "XLEN %s", stream);
  long long length = reply != NULL && reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
  if (reply != NULL)
    freeReplyObject(reply);
  return length;
}

/* Writes `records` records to a file and publishes it into `stream` with textpipe. */
void publish(fixture *f, const char *stream, int records) {
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

/* The ids of all entries of `stream`, or the values of `field` in them. */
char **stream_values(redisContext *context, const char *stream, const char *field, size_t *count) {
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

int contains(char **values, size_t count, const char *wanted) {
  for (size_t i = 0; i < count; i++)
    if (strcmp(values[i], wanted) == 0)
      return 1;
  return 0;
}

void free_values(char **values, size_t count) {
  for (size_t i = 0; i < count; i++)
    free(values[i]);
  free(values);
}

/* Waits up to 30 s until `stream` holds at least `wanted` entries; returns how many. */
long long wait_for_entries(fixture *f, const char *stream, long long wanted) {
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

const char *read_text(const char *path) {
  static char text[1 << 20];
  FILE *file = fopen(path, "r");
  ck_assert_msg(file != NULL, "cannot read %s", path);
  text[fread(text, 1, sizeof text - 1, file)] = '\0';
  fclose(file);
  return text;
}

int run_suite(const char *name, const TTest *const *tests, size_t count) {
  Suite *suite = suite_create(name);
  TCase *group = tcase_create("group");
  tcase_add_unchecked_fixture(group, redis_setup, redis_teardown);
  tcase_set_timeout(group, 180);
  for (size_t t = 0; t < count; t++)
    tcase_add_test(group, tests[t]);
  suite_add_tcase(suite, group);
  /* In this process: the fixture's processes are ours to stop. */
  return tp_check_run_fork_status(suite, CK_NOFORK);
}

/* Merges the checkpoints of `group` on `stream` into a report and reads its counts "in",
 * "out" and "dead_letter" into counts[0..2]. */
void merged_counts(fixture *f, const char *stream, const char *group, long long counts[3]) {
  char location[160], report[700];
  snprintf(location, sizeof location, "redis://127.0.0.1:%d/%s?group=%s", f->port, stream, group);
  snprintf(report, sizeof report, "%.63s/merged-%s.json", f->folder, group);
  const char *merge[] = {"merge", location, "--report", report, "-q", NULL};
  ck_assert_int_eq(wait_exit(spawn(f, merge, NULL), 60), 0);
  cJSON *json = cJSON_Parse(read_text(report));
  const cJSON *found = cJSON_GetObjectItem(json, "counts");
  ck_assert_ptr_nonnull(found);
  const char *names[3] = {"in", "out", "dead_letter"};
  for (int i = 0; i < 3; i++)
    counts[i] = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(found, names[i]));
  cJSON_Delete(json);
}

/* The number of entries pending under `consumer` in `group` of `stream` (XPENDING's summary
 * form), or -1 when the command fails. */
long long pending_of(redisContext *context, const char *stream, const char *group,
                     const char *consumer) {
  redisReply *reply = redisCommand(context, "XPENDING %s %s", stream, group);
  long long count = reply != NULL && reply->type == REDIS_REPLY_ARRAY ? 0 : -1;
  if (count == 0 && reply->elements >= 4 && reply->element[3]->type == REDIS_REPLY_ARRAY)
    for (size_t c = 0; c < reply->element[3]->elements; c++) {
      const redisReply *pair = reply->element[3]->element[c];
      if (strcmp(pair->element[0]->str, consumer) == 0)
        count = strtoll(pair->element[1]->str, NULL, 10);
    }
  if (reply != NULL)
    freeReplyObject(reply);
  return count;
}

/* Checks that every entry of `stream` has an output in `out` or `out`:dead and that nothing is
 * pending in `group`; returns how many outputs and dead-letters there are (counts[0..1]). */
void assert_none_lost(fixture *f, const char *stream, const char *group, const char *out,
                      int records, size_t counts[2]) {
  redisContext *context = connect_server(f);
  ck_assert_ptr_nonnull(context);
  char dead_stream[128];
  snprintf(dead_stream, sizeof dead_stream, "%s:dead", out);
  size_t entry_count, output_count, dead_count;
  char **entries = stream_values(context, stream, NULL, &entry_count);
  char **outputs = stream_values(context, out, "source_id", &output_count);
  char **dead = stream_values(context, dead_stream, "source_id", &dead_count);
  fprintf(stderr, "%s: %zu entries, %zu outputs, %zu dead-letters\n", stream, entry_count,
          output_count, dead_count);
  ck_assert_uint_eq(entry_count, (size_t)records);
  for (size_t e = 0; e < entry_count; e++)
    ck_assert_msg(contains(outputs, output_count, entries[e]) ||
                      contains(dead, dead_count, entries[e]),
                  "entry %s is in neither the output nor the dead-letters", entries[e]);
  redisReply *pending = redisCommand(context, "XPENDING %s %s", stream, group);
  ck_assert_int_eq(pending->element[0]->integer, 0);
  freeReplyObject(pending);
  free_values(entries, entry_count);
  free_values(outputs, output_count);
  free_values(dead, dead_count);
  redisFree(context);
  counts[0] = output_count, counts[1] = dead_count;
}

/* Checks that every entry of `stream` has exactly one output in `out` (or `out`:dead), that
 * nothing is pending in `group` and that the group's merged checkpoints count every entry
 * once, as many out and dead-lettered as the streams hold. */
void assert_once(fixture *f, const char *stream, const char *group, const char *out, int records) {
  size_t stored[2];
  assert_none_lost(f, stream, group, out, records, stored);
  ck_assert_uint_eq(stored[0] + stored[1], (size_t)records); /* none twice */
  long long counts[3];
  merged_counts(f, stream, group, counts);
  fprintf(stderr, "%s: merged in %lld, out %lld\n", stream, counts[0], counts[1]);
  ck_assert_int_eq(counts[0], records);
  ck_assert_int_eq(counts[1], (long long)stored[0]);
  ck_assert_int_eq(counts[2], (long long)stored[1]);
}
