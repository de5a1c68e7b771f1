/* tests/unit/test_reader.c - line framing across read boundaries, limits, blank lines and
 * pausing; the libuv reader on a regular file and on a pipe, and a regular file read without
 * libuv's thread pool. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "reader.h"
#include "record.h"

#define MAX_LINES 64

typedef struct collected {
  char *lines[MAX_LINES];
  size_t lengths[MAX_LINES];
  uint64_t numbers[MAX_LINES];
  uint64_t full[MAX_LINES];
  size_t count;
  int pause_every; /* pause after each line when nonzero */
  int ended, end_status;
} collected;

static int collect(void *context, const char *line, size_t length, uint64_t number,
                   uint64_t full_length) {
  collected *out = context;
  ck_assert_uint_lt(out->count, MAX_LINES);
  out->lines[out->count] = strndup(line, length);
  out->lengths[out->count] = length;
  out->numbers[out->count] = number;
  out->full[out->count] = full_length;
  out->count++;
  return out->pause_every ? 1 : 0;
}

static void collected_free(collected *out) {
  for (size_t i = 0; i < out->count; i++)
    free(out->lines[i]);
  memset(out, 0, sizeof *out);
}

static const char sample[] = "{\"a\":1}\n\n{\"b\":22}\r\n  \t\n{\"c\":333}";

static void assert_sample_lines(const collected *out, const tp_framer *framer) {
  ck_assert_uint_eq(out->count, 3);
  ck_assert_str_eq(out->lines[0], "{\"a\":1}");
  ck_assert_str_eq(out->lines[1], "{\"b\":22}");
  ck_assert_str_eq(out->lines[2], "{\"c\":333}");
  ck_assert_uint_eq(out->numbers[0], 1);
  ck_assert_uint_eq(out->numbers[1], 3);
  ck_assert_uint_eq(out->numbers[2], 5);
  ck_assert_uint_eq(framer->skipped_empty, 2);
  ck_assert_uint_eq(framer->bytes, sizeof sample - 1);
}

/* Every way of cutting the input in two gives the same lines. */
START_TEST(split_at_every_byte) {
  size_t total = sizeof sample - 1;
  size_t cut = (size_t)_i;
  collected out = {0};
  tp_framer framer;
  tp_framer_init(&framer, 1000, collect, &out);
  int failed = 0;
  ck_assert_uint_eq(tp_framer_feed(&framer, sample, cut, &failed), cut);
  ck_assert_uint_eq(tp_framer_feed(&framer, sample + cut, total - cut, &failed), total - cut);
  ck_assert_int_eq(failed, 0);
  ck_assert_int_eq(tp_framer_end(&framer), 0);
  assert_sample_lines(&out, &framer);
  tp_framer_free(&framer);
  collected_free(&out);
}
END_TEST

/* Feeding in chunks of every size gives the same lines. */
START_TEST(chunks_of_every_size) {
  size_t total = sizeof sample - 1;
  size_t chunk = (size_t)_i;
  collected out = {0};
  tp_framer framer;
  tp_framer_init(&framer, 1000, collect, &out);
  int failed = 0;
  for (size_t at = 0; at < total; at += chunk) {
    size_t length = total - at < chunk ? total - at : chunk;
    ck_assert_uint_eq(tp_framer_feed(&framer, sample + at, length, &failed), length);
  }
  tp_framer_end(&framer);
  assert_sample_lines(&out, &framer);
  tp_framer_free(&framer);
  collected_free(&out);
}
END_TEST

/* A line over the limit keeps only a prefix and its real length, in place or carried. */
START_TEST(oversize_line_keeps_prefix) {
  size_t chunk = _i == 0 ? 5000 : 7; /* one read, or many small ones */
  size_t long_length = 3000;
  char *input = malloc(long_length + 32);
  memset(input, 'x', long_length);
  size_t total = long_length;
  total += (size_t)sprintf(input + total, "\n{\"ok\":1}\n");
  collected out = {0};
  tp_framer framer;
  tp_framer_init(&framer, 100, collect, &out);
  int failed = 0;
  for (size_t at = 0; at < total; at += chunk)
    tp_framer_feed(&framer, input + at, total - at < chunk ? total - at : chunk, &failed);
  tp_framer_end(&framer);
  ck_assert_uint_eq(out.count, 2);
  ck_assert_uint_eq(out.lengths[0], TP_RECORD_INPUT_PREFIX);
  ck_assert_uint_eq(out.full[0], long_length);
  ck_assert_str_eq(out.lines[1], "{\"ok\":1}");
  ck_assert_uint_eq(out.full[1], 8);
  ck_assert_uint_eq(out.numbers[1], 2);
  tp_framer_free(&framer);
  collected_free(&out);
  free(input);
}
END_TEST

/* The prefix of an oversize line never ends in half a character: a line of 3-byte characters,
 * whose 1024-byte prefix would cut the 342nd in two, keeps 341 whole ones. */
START_TEST(oversize_prefix_whole_characters) {
  size_t chunk = _i == 0 ? 5000 : 7;
  size_t characters = 1000;
  char *input = malloc(characters * 3 + 2);
  for (size_t i = 0; i < characters; i++)
    memcpy(input + 3 * i, "\xE2\x82\xAC", 3); /* the euro sign */
  input[characters * 3] = '\n';
  size_t total = characters * 3 + 1;
  collected out = {0};
  tp_framer framer;
  tp_framer_init(&framer, 100, collect, &out);
  int failed = 0;
  for (size_t at = 0; at < total; at += chunk)
    tp_framer_feed(&framer, input + at, total - at < chunk ? total - at : chunk, &failed);
  tp_framer_end(&framer);
  ck_assert_uint_eq(out.count, 1);
  ck_assert_uint_eq(out.lengths[0], 341 * 3);
  ck_assert_uint_eq(out.full[0], characters * 3);
  ck_assert_uint_eq(tp_utf8_valid_prefix(out.lines[0], out.lengths[0]), out.lengths[0]);
  tp_framer_free(&framer);
  collected_free(&out);
  free(input);
}
END_TEST

START_TEST(limit_is_inclusive) {
  collected out = {0};
  tp_framer framer;
  tp_framer_init(&framer, 4, collect, &out);
  int failed = 0;
  tp_framer_feed(&framer, "abcd\nabcde\n", 11, &failed);
  ck_assert_uint_eq(out.count, 2);
  ck_assert_uint_eq(out.full[0], 4);
  ck_assert_uint_eq(out.full[1], 5);
  tp_framer_free(&framer);
  collected_free(&out);
}
END_TEST

START_TEST(pause_returns_unconsumed_rest) {
  collected out = {.pause_every = 1};
  tp_framer framer;
  tp_framer_init(&framer, 1000, collect, &out);
  int failed = 0;
  const char *input = "one\ntwo\nthree\n";
  size_t used = tp_framer_feed(&framer, input, 14, &failed);
  ck_assert_uint_eq(used, 4);
  used += tp_framer_feed(&framer, input + used, 14 - used, &failed);
  ck_assert_uint_eq(used, 8);
  used += tp_framer_feed(&framer, input + used, 14 - used, &failed);
  ck_assert_uint_eq(used, 14);
  ck_assert_uint_eq(out.count, 3);
  ck_assert_str_eq(out.lines[2], "three");
  ck_assert_uint_eq(out.numbers[2], 3);
  tp_framer_free(&framer);
  collected_free(&out);
}
END_TEST

static void on_end(void *context, int status) {
  collected *out = context;
  out->ended = 1;
  out->end_status = status;
}

/* Reads `content` through the libuv reader from a regular file (_i == 0) or a pipe, pausing
 * after every line, and resuming whenever the loop runs out of work. */
static void read_through_reader(const char *content, int use_pipe, collected *out) {
  char path[64];
  int pipe_fds[2] = {-1, -1};
  if (use_pipe) {
    ck_assert_int_eq(pipe(pipe_fds), 0);
    ck_assert_int_eq(write(pipe_fds[1], content, strlen(content)), (ssize_t)strlen(content));
    close(pipe_fds[1]);
    snprintf(path, sizeof path, "/dev/fd/%d", pipe_fds[0]);
  } else {
    snprintf(path, sizeof path, "/tmp/textpipe-reader-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
  }
  uv_loop_t loop;
  uv_loop_init(&loop);
  char err[256] = "";
  tp_reader *reader = tp_reader_open(&loop, path, 1000, collect, on_end, out, err, sizeof err);
  ck_assert_msg(reader != NULL, "%s", err);
  int rounds = 0;
  while (!out->ended) {
    tp_reader_start(reader);
    uv_run(&loop, UV_RUN_DEFAULT);
    ck_assert_int_lt(++rounds, 100);
  }
  tp_reader_close(reader);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(uv_loop_close(&loop), 0);
  if (use_pipe)
    close(pipe_fds[0]);
  else
    unlink(path);
}

START_TEST(reader_reads_file_and_pipe) {
  collected out = {.pause_every = 1};
  read_through_reader("first\n\nsecond\nthird", _i, &out);
  ck_assert_int_eq(out.end_status, 0);
  ck_assert_uint_eq(out.count, 3);
  ck_assert_str_eq(out.lines[0], "first");
  ck_assert_str_eq(out.lines[1], "second");
  ck_assert_str_eq(out.lines[2], "third");
  ck_assert_uint_eq(out.numbers[2], 4);
  collected_free(&out);
}
END_TEST

/* The threads of this process (the entries of /proc/self/task). */
static size_t thread_count(void) {
  DIR *tasks = opendir("/proc/self/task");
  ck_assert_ptr_nonnull(tasks);
  size_t count = 0;
  for (struct dirent *entry; (entry = readdir(tasks)) != NULL;)
    count += entry->d_name[0] != '.';
  closedir(tasks);
  return count;
}

/* A regular file is read on the loop thread (reader.c): reading one, paused and resumed at
 * every line, starts no thread (libuv starts its thread pool at the first request for it). */
START_TEST(regular_file_read_on_loop_thread) {
  size_t threads = thread_count();
  collected out = {.pause_every = 1};
  read_through_reader("first\nsecond\n", 0, &out);
  ck_assert_int_eq(out.end_status, 0);
  ck_assert_uint_eq(out.count, 2);
  ck_assert_str_eq(out.lines[1], "second");
  ck_assert_uint_eq(thread_count(), threads);
  collected_free(&out);
}
END_TEST

START_TEST(reader_reports_missing_file) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  collected out = {0};
  char err[256] = "";
  tp_reader *reader = tp_reader_open(&loop, "/nonexistent/input.ndjson", 1000, collect, on_end,
                                     &out, err, sizeof err);
  ck_assert_ptr_null(reader);
  ck_assert_str_eq(err, "/nonexistent/input.ndjson: cannot open: no such file or directory");
  ck_assert_int_eq(uv_loop_close(&loop), 0);
}
END_TEST

static Suite *reader_suite(void) {
  Suite *suite = suite_create("reader");
  TCase *framing = tcase_create("framing");
  tcase_add_loop_test(framing, split_at_every_byte, 0, (int)sizeof sample);
  tcase_add_loop_test(framing, chunks_of_every_size, 1, (int)sizeof sample);
  suite_add_tcase(suite, framing);
  TCase *limits = tcase_create("limits");
  tcase_add_loop_test(limits, oversize_line_keeps_prefix, 0, 2);
  tcase_add_loop_test(limits, oversize_prefix_whole_characters, 0, 2);
  tcase_add_test(limits, limit_is_inclusive);
  suite_add_tcase(suite, limits);
  TCase *pausing = tcase_create("pausing");
  tcase_add_test(pausing, pause_returns_unconsumed_rest);
  suite_add_tcase(suite, pausing);
  TCase *input = tcase_create("libuv_input");
  tcase_add_loop_test(input, reader_reads_file_and_pipe, 0, 2);
  tcase_add_test(input, reader_reports_missing_file);
  tcase_add_test(input, regular_file_read_on_loop_thread);
  suite_add_tcase(suite, input);
  return suite;
}

int main(void) {
  return tp_check_run(reader_suite());
}
