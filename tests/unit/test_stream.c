/* tests/unit/test_stream.c - one whole run in process (tp_stream_run) over files: output in
 * input order with any worker count, the same partials for the same worker count, the
 * report's counts, dead-letter records, on_error "stop" and exit statuses; records from a live
 * pipe come out before the pipe ends. */
#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "commands.h"
#include "stream.h"
#include "test_pipeline.h"

#define RECORDS 2000

typedef struct run_files {
  char input[64], output[64], report[64], dead[64];
} run_files;

static void files_create(run_files *files) {
  const char *names[4] = {"in", "out", "report", "dead"};
  char *paths[4] = {files->input, files->output, files->report, files->dead};
  for (int i = 0; i < 4; i++) {
    snprintf(paths[i], 64, "/tmp/textpipe-stream-%s-XXXXXX", names[i]);
    int fd = mkstemp(paths[i]);
    ck_assert_int_ge(fd, 0);
    close(fd);
  }
  FILE *input = fopen(files->input, "w");
  for (int n = 1; n <= RECORDS; n++) {
    if (n % 400 == 0)
      fprintf(input, "{\"id\":%d,\"text\":\"fail %d\"}\n", n, n);
    else if (n % 9 == 0)
      fprintf(input, "{\"id\":%d,\"text\":\"drop %d\"}\n", n, n);
    else if (n % 250 == 0)
      fprintf(input, "\n");
    else
      fprintf(input, "{\"id\":%d,\"text\":\"keep %d\"}\n", n, n);
  }
  fclose(input);
}

static void files_remove(run_files *files) {
  unlink(files->input);
  unlink(files->output);
  unlink(files->report);
  unlink(files->dead);
}

static char *slurp(const char *path) {
  FILE *file = fopen(path, "rb");
  ck_assert_ptr_nonnull(file);
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  rewind(file);
  char *text = malloc((size_t)size + 1);
  ck_assert_uint_eq(fread(text, 1, (size_t)size, file), (size_t)size);
  text[size] = '\0';
  fclose(file);
  return text;
}

static int run(tp_pipeline *pipeline, run_files *files, size_t workers) {
  tp_stream_options options = {.input_path = files->input,
                               .output_path = files->output,
                               .dead_letter_path = files->dead,
                               .workers = workers,
                               .quiet = 1};
  tp_run_outputs outputs = {.report_path = files->report};
  return tp_run_pipeline(pipeline, &options, &outputs);
}

static int count_lines(const char *text) {
  int lines = 0;
  for (; *text; text++)
    lines += *text == '\n';
  return lines;
}

/* The same input with 1, 2 and 3 workers: records in input order every time; with N workers
 * the per-partial counts are those of batches k on worker k mod N, so two runs with the same
 * N are byte-identical. */
START_TEST(order_and_determinism) {
  size_t workers = (size_t)_i;
  const tp_plugin *plugins[] = {&test_plugin_filter, &test_plugin_count};
  tp_pipeline *pipeline = test_pipeline_new(plugins, 2, TP_INPUT_NDJSON, NULL);
  run_files files;
  files_create(&files);
  ck_assert_int_eq(run(pipeline, &files, workers), TP_EXIT_DEAD_LETTERS);
  char *first = slurp(files.output);
  ck_assert_int_eq(run(pipeline, &files, workers), TP_EXIT_DEAD_LETTERS);
  char *second = slurp(files.output);
  ck_assert_str_eq(first, second);

  int last_id = 0, kept = 0;
  for (const char *line = first; *line; line = strchr(line, '\n') + 1) {
    int id = atoi(line + 6);
    ck_assert_int_gt(id, last_id);
    last_id = id;
    kept++;
  }
  /* What each line should have become, in the order files_create decides it. */
  int expect_kept = 0, expect_dropped = 0, expect_dead = 0, expect_skipped = 0;
  for (int n = 1; n <= RECORDS; n++) {
    if (n % 400 == 0)
      expect_dead++;
    else if (n % 9 == 0)
      expect_dropped++;
    else if (n % 250 == 0)
      expect_skipped++;
    else
      expect_kept++;
  }
  ck_assert_int_eq(kept, expect_kept);

  char *report_text = slurp(files.report);
  cJSON *report = cJSON_Parse(report_text);
  const cJSON *counts = cJSON_GetObjectItem(report, "counts");
  ck_assert_int_eq(cJSON_GetObjectItem(counts, "in")->valueint,
                   expect_kept + expect_dropped + expect_dead);
  ck_assert_int_eq(cJSON_GetObjectItem(counts, "out")->valueint, expect_kept);
  ck_assert_int_eq(cJSON_GetObjectItem(counts, "dropped")->valueint, expect_dropped);
  ck_assert_int_eq(cJSON_GetObjectItem(counts, "dead_letter")->valueint, expect_dead);
  ck_assert_int_eq(cJSON_GetObjectItem(counts, "skipped_empty")->valueint, expect_skipped);
  ck_assert_int_eq(cJSON_GetObjectItem(report, "workers")->valueint, (int)workers);
  const cJSON *section = cJSON_GetObjectItem(cJSON_GetObjectItem(report, "sections"), "count1");
  ck_assert_int_eq(cJSON_GetObjectItem(section, "records")->valueint, expect_kept);
  ck_assert_int_eq(cJSON_GetObjectItem(section, "workers_merged")->valueint, (int)workers - 1);

  char *dead = slurp(files.dead);
  ck_assert_int_eq(count_lines(dead), expect_dead);
  ck_assert_ptr_nonnull(strstr(dead, "{\"line\":400,\"stage\":\"filter0\",\"reason\":\"asked to "
                                     "fail\",\"input\":\"{\\\"id\\\":400,\\\"text\\\":\\\"fail "
                                     "400\\\"}\"}\n"));
  free(dead);
  cJSON_Delete(report);
  free(report_text);
  free(first);
  free(second);
  files_remove(&files);
  test_pipeline_free(pipeline);
}
END_TEST

/* on_error "stop": everything before the first failing record (line 400), nothing after, with
 * any worker count. */
START_TEST(stop_at_first_error) {
  const tp_plugin *plugins[] = {&test_plugin_filter};
  tp_pipeline *pipeline = test_pipeline_new(plugins, 1, TP_INPUT_NDJSON, NULL);
  pipeline->on_error = TP_ON_ERROR_STOP;
  run_files files;
  files_create(&files);
  ck_assert_int_eq(run(pipeline, &files, (size_t)_i), TP_EXIT_DEAD_LETTERS);
  char *output = slurp(files.output);
  int lines = count_lines(output);
  /* Lines 1..399: 44 dropped (multiples of 9), 1 blank (250). */
  ck_assert_int_eq(lines, 399 - 44 - 1);
  ck_assert_ptr_nonnull(strstr(output, "{\"id\":399,"));
  char *report_text = slurp(files.report);
  cJSON *report = cJSON_Parse(report_text);
  const cJSON *counts = cJSON_GetObjectItem(report, "counts");
  /* 399 records (400 lines, one blank): 354 out + 44 dropped + 1 dead. */
  ck_assert_int_eq(cJSON_GetObjectItem(counts, "in")->valueint, 399);
  ck_assert_int_eq(cJSON_GetObjectItem(counts, "dead_letter")->valueint, 1);
  cJSON_Delete(report);
  free(report_text);
  free(output);
  files_remove(&files);
  test_pipeline_free(pipeline);
}
END_TEST

START_TEST(missing_input_is_a_usage_error) {
  tp_pipeline *pipeline = test_pipeline_new(NULL, 0, TP_INPUT_NDJSON, NULL);
  tp_stream_options options = {.input_path = "/nonexistent/in.ndjson", .quiet = 1};
  tp_run_outputs outputs = {0};
  ck_assert_int_eq(tp_run_pipeline(pipeline, &options, &outputs), TP_EXIT_USAGE);
  test_pipeline_free(pipeline);
}
END_TEST

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Reads `fd` into `text` (NUL-terminated) until it holds `lines` newlines, the writer closes,
 * or `seconds` pass, waiting in poll() only. Returns the newlines read. */
static int read_lines(int fd, char *text, size_t size, int lines, double seconds) {
  size_t used = strlen(text);
  double deadline = now_seconds() + seconds;
  while (count_lines(text) < lines && used + 1 < size) {
    int left_ms = (int)((deadline - now_seconds()) * 1000);
    struct pollfd waiting = {.fd = fd, .events = POLLIN};
    if (left_ms <= 0 || poll(&waiting, 1, left_ms) <= 0)
      break;
    ssize_t got = read(fd, text + used, size - used - 1);
    if (got <= 0)
      break;
    used += (size_t)got;
    text[used] = '\0';
  }
  return count_lines(text);
}

/* A live stream on two workers: three lines written into a FIFO whose write end stays open
 * come out (through an output FIFO) long before a 128-record batch could fill or the input
 * end; then the rest, in order, once the input ends. */
START_TEST(live_pipe_flushes_partial_batch) {
  char input[] = "/tmp/textpipe-stream-live-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(input));
  char in_path[64], out_path[64];
  snprintf(in_path, sizeof in_path, "%s/in", input);
  snprintf(out_path, sizeof out_path, "%s/out", input);
  ck_assert_int_eq(mkfifo(in_path, 0600), 0);
  ck_assert_int_eq(mkfifo(out_path, 0600), 0);
  int out_fd = open(out_path, O_RDONLY | O_NONBLOCK); /* so the run's open does not block */
  ck_assert_int_ge(out_fd, 0);

  const tp_plugin *plugins[] = {&test_plugin_count};
  tp_pipeline *pipeline = test_pipeline_new(plugins, 1, TP_INPUT_NDJSON, NULL);
  pid_t child = fork();
  ck_assert_int_ge(child, 0);
  if (child == 0) {
    tp_stream_options options = {
        .input_path = in_path, .output_path = out_path, .workers = 2, .quiet = 1};
    tp_run_outputs outputs = {0};
    _exit(tp_run_pipeline(pipeline, &options, &outputs));
  }
  int in_fd = open(in_path, O_WRONLY); /* waits for the run to open its end */
  ck_assert_int_ge(in_fd, 0);
  const char *early = "{\"id\":1,\"text\":\"a\"}\n{\"id\":2,\"text\":\"b\"}\n"
                      "{\"id\":3,\"text\":\"c\"}\n";
  ck_assert_int_eq(write(in_fd, early, strlen(early)), (ssize_t)strlen(early));
  char output[4096] = "";
  /* The write end is still open: only the idle flush can bring these out. */
  ck_assert_int_eq(read_lines(out_fd, output, sizeof output, 3, 30.0), 3);
  ck_assert_ptr_nonnull(strstr(output, "{\"id\":1,\"text\":\"a\",\"count\":1}\n"));
  ck_assert_ptr_nonnull(strstr(output, "{\"id\":3,"));

  const char *late = "{\"id\":4,\"text\":\"d\"}\n";
  ck_assert_int_eq(write(in_fd, late, strlen(late)), (ssize_t)strlen(late));
  close(in_fd);
  ck_assert_int_eq(read_lines(out_fd, output, sizeof output, 5, 30.0), 4);
  const char *third = strstr(output, "\"id\":3,"), *fourth = strstr(output, "\"id\":4,");
  ck_assert_ptr_nonnull(fourth);
  ck_assert_int_lt(third - output, fourth - output);
  int status = 0;
  ck_assert_int_eq(waitpid(child, &status, 0), child);
  ck_assert(WIFEXITED(status));
  ck_assert_int_eq(WEXITSTATUS(status), TP_EXIT_OK);
  close(out_fd);
  unlink(in_path);
  unlink(out_path);
  rmdir(input);
  test_pipeline_free(pipeline);
}
END_TEST

static Suite *stream_suite(void) {
  Suite *suite = suite_create("stream");
  TCase *order = tcase_create("order");
  tcase_set_timeout(order, 60);
  tcase_add_loop_test(order, order_and_determinism, 1, 4);
  tcase_add_loop_test(order, stop_at_first_error, 1, 4);
  suite_add_tcase(suite, order);
  TCase *live = tcase_create("live");
  tcase_set_timeout(live, 90);
  tcase_add_test(live, live_pipe_flushes_partial_batch);
  suite_add_tcase(suite, live);
  TCase *errors = tcase_create("errors");
  tcase_add_test(errors, missing_input_is_a_usage_error);
  suite_add_tcase(suite, errors);
  return suite;
}

int main(void) {
  return tp_check_run(stream_suite());
}
