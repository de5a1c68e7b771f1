/* tests/unit/test_progress.c - the progress line's text (the live drawing is checked by hand
 * in a terminal; see docs/input-formats.md). */
#include <check.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "check_main.h"
#include "log.h"
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

/* ---- on a real terminal (a pseudo-terminal) ---------------------------------------------- */

typedef struct drawing {
  int samples;
  uv_timer_t guard; /* keeps the loop alive (the progress timer does not) and bounds the test */
  bool timed_out;
} drawing;

static void sample_five(void *context, tp_progress_sample *sample) {
  drawing *state = context;
  state->samples++;
  sample->records = 5;
  sample->bytes = 500;
  sample->dead_letters = 1;
}

static void on_guard(uv_timer_t *timer) {
  ((drawing *)timer->data)->timed_out = true;
}

/* Reads what the terminal received so far. */
static size_t read_terminal(int master, char *text, size_t size) {
  size_t used = 0;
  ssize_t got;
  while (used + 1 < size && (got = read(master, text + used, size - 1 - used)) > 0)
    used += (size_t)got;
  text[used] = '\0';
  return used;
}

/* The line is drawn in place ("\r", text, erase to the end), fits the terminal's width, and is
 * erased when the progress stops. Driven by the loop's own timers: about 0.2 s. */
START_TEST(test_draws_and_erases_on_a_terminal) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  ck_assert_int_ge(master, 0);
  ck_assert_int_eq(grantpt(master), 0);
  ck_assert_int_eq(unlockpt(master), 0);
  int terminal = open(ptsname(master), O_RDWR | O_NOCTTY);
  ck_assert_int_ge(terminal, 0);
  struct winsize size = {.ws_row = 24, .ws_col = 60};
  ck_assert_int_eq(ioctl(terminal, TIOCSWINSZ, &size), 0);
  ck_assert_int_eq(fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK), 0);

  uv_loop_t loop;
  ck_assert_int_eq(uv_loop_init(&loop), 0);
  drawing state = {0};
  ck_assert_ptr_null(tp_progress_start(&loop, terminal, 1, 1000, sample_five, &state)); /* quiet */
  tp_progress *progress = tp_progress_start(&loop, terminal, 0, 1000, sample_five, &state);
  ck_assert_ptr_nonnull(progress);
  uv_timer_init(&loop, &state.guard);
  state.guard.data = &state;
  uv_timer_start(&state.guard, on_guard, 5000, 0);
  while (state.samples < 2 && !state.timed_out)
    uv_run(&loop, UV_RUN_ONCE);
  ck_assert(!state.timed_out);
  tp_progress_stop(progress);
  uv_close((uv_handle_t *)&state.guard, NULL);
  ck_assert_int_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ck_assert_int_eq(uv_loop_close(&loop), 0);

  char text[2048];
  read_terminal(master, text, sizeof text);
  const char *first = strstr(text, "\rtextpipe: 5 records | 0.0 MB | 50% | ETA ");
  ck_assert_msg(first != NULL, "terminal got: %s", text);
  const char *erase = strstr(first, "\033[K");
  ck_assert_ptr_nonnull(erase);
  ck_assert_int_lt((int)(erase - first - 1), 60);                    /* within the 60 columns */
  ck_assert_ptr_nonnull(strstr(erase + 3, "\rtextpipe: 5 records")); /* redrawn in place */
  size_t length = strlen(text);
  ck_assert_uint_ge(length, 4);
  ck_assert_str_eq(text + length - 4, "\r\033[K"); /* erased at the end */
  ck_assert_ptr_null(strchr(text, '\n'));
  close(terminal);
  close(master);
}
END_TEST

/* A message written while the progress line shows erases it first with the raw "\r\033[K" (not
 * escaped into the log as "\\r\\u001b[K"); control characters in the message itself are still
 * escaped. */
START_TEST(test_log_erases_the_line_unescaped) {
  int pipe_fds[2];
  ck_assert_int_eq(pipe(pipe_fds), 0);
  int saved = dup(STDERR_FILENO);
  ck_assert_int_ge(dup2(pipe_fds[1], STDERR_FILENO), 0);
  tp_log_progress_line(1);
  tp_log(TP_LOG_ERROR, NULL, "stdin:%d: bad\rvalue", 7);
  tp_log_progress_line(0);
  tp_log(TP_LOG_ERROR, NULL, "plain");
  ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
  close(saved);
  close(pipe_fds[1]);
  char text[512];
  ssize_t got = read(pipe_fds[0], text, sizeof text - 1);
  close(pipe_fds[0]);
  ck_assert_int_gt(got, 0);
  text[got] = '\0';
  ck_assert_str_eq(text, "\r\033[Ktextpipe: error: stdin:7: bad\\rvalue\ntextpipe: error: plain\n");
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
  tcase_add_test(terminal, test_draws_and_erases_on_a_terminal);
  tcase_add_test(terminal, test_log_erases_the_line_unescaped);
  suite_add_tcase(suite, terminal);
  return suite;
}

int main(void) {
  return tp_check_run(progress_suite());
}
