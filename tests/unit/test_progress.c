/* tests/unit/test_progress.c - the progress line's text (the live drawing is checked by hand
 * in a terminal; see docs/input-formats.md). */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"

static const struct {
  tp_progress_sample sample;
  int columns;
  const char *expected;
} format_cases[] = {
    {{1234567, 48200000, 3, 0, 1.53},
     0,
     "textpipe: 1,234,567 records | 48.2 MB | 31.5 MB/s | 3 dead-letters | 0:01.5"},
    {{1234567, 48200000, 3, 114761905, 1.53},
     0,
     "textpipe: 1,234,567 records | 48.2 MB | 42% | ETA 0:02 | 31.5 MB/s | 3 dead-letters | "
     "0:01.5"},
    {{0, 0, 0, 5000, 0}, 0, "textpipe: 0 records | 0.0 MB | 0% | 0 dead-letters | 0:00.0"},
    {{1, 10, 1, 0, 65.2}, 0, "textpipe: 1 records | 0.0 MB | 0.0 MB/s | 1 dead-letter | 1:05"},
    {{999, 2000000, 0, 1000000, 3725},
     0,
     "textpipe: 999 records | 2.0 MB | 100% | ETA 0:00 | 0.0 MB/s | 0 dead-letters | 1:02:05"},
    {{1000, 500000000, 0, 1000000000, 100},
     0,
     "textpipe: 1,000 records | 500.0 MB | 50% | ETA 1:40 | 5.0 MB/s | 0 dead-letters | 1:40"},
    /* Narrow terminals keep the first parts that fit in columns - 1. */
    {{1234567, 48200000, 3, 114761905, 1.53}, 50, "textpipe: 1,234,567 records | 48.2 MB | 42%"},
    {{1234567, 48200000, 3, 114761905, 1.53}, 30, "textpipe: 1,234,567 records"},
    {{1234567, 48200000, 3, 114761905, 1.53}, 12, "textpipe: "},
    {{1234567, 48200000, 3, 114761905, 1.53}, 5, ""},
};

START_TEST(test_format_table) {
  char line[256];
  size_t length =
      tp_progress_format(&format_cases[_i].sample, line, sizeof line, format_cases[_i].columns);
  ck_assert_str_eq(line, format_cases[_i].expected);
  ck_assert_uint_eq(length, strlen(format_cases[_i].expected));
  if (format_cases[_i].columns > 0)
    ck_assert_uint_lt(length, (size_t)format_cases[_i].columns);
}
END_TEST

START_TEST(test_format_small_buffer) {
  tp_progress_sample sample = {1234567, 48200000, 3, 0, 1.53};
  char line[20];
  size_t length = tp_progress_format(&sample, line, sizeof line, 0);
  ck_assert_uint_lt(length, sizeof line);
  ck_assert_str_eq(line, "textpipe: ");
  ck_assert_uint_eq(tp_progress_format(&sample, line, 0, 0), 0);
}
END_TEST

START_TEST(test_input_size) {
  char path[] = "/tmp/textpipe-progress-XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  ck_assert_uint_eq(tp_progress_input_size(path), 0); /* empty: unknown */
  ck_assert_int_eq(write(fd, "hello\n", 6), 6);
  ck_assert_uint_eq(tp_progress_input_size(path), 6);
  /* stdin redirected from the file: known too. */
  int saved = dup(STDIN_FILENO);
  ck_assert_int_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
  ck_assert_uint_eq(tp_progress_input_size(NULL), 6);
  int pipe_fds[2];
  ck_assert_int_eq(pipe(pipe_fds), 0);
  ck_assert_int_eq(dup2(pipe_fds[0], STDIN_FILENO), STDIN_FILENO);
  ck_assert_uint_eq(tp_progress_input_size(NULL), 0); /* a pipe: unknown */
  dup2(saved, STDIN_FILENO);
  close(saved);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  close(fd);
  unlink(path);
  ck_assert_uint_eq(tp_progress_input_size("/nonexistent/file"), 0);
  ck_assert_uint_eq(tp_progress_input_size("/tmp"), 0);
}
END_TEST

static void never_called(void *context, tp_progress_sample *sample) {
  (void)context;
  (void)sample;
  ck_abort_msg("sampled without a terminal");
}

START_TEST(test_no_line_without_terminal) {
  uv_loop_t loop;
  ck_assert_int_eq(uv_loop_init(&loop), 0);
  int pipe_fds[2];
  ck_assert_int_eq(pipe(pipe_fds), 0);
  ck_assert_ptr_null(tp_progress_start(&loop, pipe_fds[1], 0, 0, never_called, NULL));
  int null_fd = open("/dev/null", O_WRONLY);
  ck_assert_ptr_null(tp_progress_start(&loop, null_fd, 0, 0, never_called, NULL));
  tp_progress_stop(NULL);
  ck_assert_int_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ck_assert_int_eq(uv_loop_close(&loop), 0);
  close(null_fd);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}
END_TEST

static Suite *progress_suite(void) {
  Suite *suite = suite_create("progress");
  TCase *format = tcase_create("format");
  tcase_add_loop_test(format, test_format_table, 0, sizeof format_cases / sizeof format_cases[0]);
  tcase_add_test(format, test_format_small_buffer);
  suite_add_tcase(suite, format);
  TCase *terminal = tcase_create("terminal");
  tcase_add_test(terminal, test_input_size);
  tcase_add_test(terminal, test_no_line_without_terminal);
  suite_add_tcase(suite, terminal);
  return suite;
}

int main(void) {
  SRunner *runner = srunner_create(progress_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
