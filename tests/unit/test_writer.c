/* tests/unit/test_writer.c - the writer: whole buffers to a file in order, a closed pipe
 * (EPIPE) and a full device (ENOSPC) reported to the callback, one write at a time; regular
 * files and /dev/null written before tp_writer_write returns, a file cut back to its last
 * whole buffer when a write fails part-way. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "check_main.h"
#include "writer.h"

typedef struct outcome {
  int calls;
  int status;
} outcome;

static void on_done(void *context, int status) {
  outcome *out = context;
  out->calls++;
  out->status = status;
}

/* Writes `text` through a writer opened on `path` and runs the loop; returns the outcome. */
static outcome write_once(const char *path, const char *text) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  char err[256] = "";
  tp_writer *writer = tp_writer_open(&loop, path, err, sizeof err);
  ck_assert_msg(writer != NULL, "%s", err);
  ck_assert_str_eq(tp_writer_name(writer), path);
  outcome out = {0};
  ck_assert_int_eq(tp_writer_write(writer, text, strlen(text), on_done, &out), 0);
  /* Busy until `done`, which a regular file has had already (direct_writes_done_at_once). */
  ck_assert(tp_writer_busy(writer) == (out.calls == 0));
  if (tp_writer_busy(writer))
    ck_assert_int_eq(tp_writer_write(writer, text, 1, on_done, &out), UV_EBUSY);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert(!tp_writer_busy(writer));
  tp_writer_close(writer);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(uv_loop_close(&loop), 0);
  return out;
}

/* Asserts that the file at `path` holds exactly `expected`, and removes it. */
static void assert_file_holds(const char *path, const char *expected) {
  FILE *file = fopen(path, "r");
  ck_assert_ptr_nonnull(file);
  char text[64] = "";
  size_t length = fread(text, 1, sizeof text - 1, file);
  fclose(file);
  unlink(path);
  ck_assert_uint_eq(length, strlen(expected));
  ck_assert_str_eq(text, expected);
}

START_TEST(writes_file_in_order) {
  char path[] = "/tmp/textpipe-writer-XXXXXX";
  close(mkstemp(path));
  outcome out = write_once(path, "{\"a\":1}\n{\"b\":2}\n");
  ck_assert_int_eq(out.calls, 1);
  ck_assert_int_eq(out.status, 0);
  assert_file_holds(path, "{\"a\":1}\n{\"b\":2}\n");
}
END_TEST

START_TEST(full_device_fails) {
  outcome out = write_once("/dev/full", "{}\n");
  ck_assert_int_eq(out.calls, 1);
  ck_assert_int_eq(out.status, UV_ENOSPC);
}
END_TEST

START_TEST(closed_pipe_fails_with_epipe) {
  signal(SIGPIPE, SIG_IGN);
  int fds[2];
  ck_assert_int_eq(pipe(fds), 0);
  close(fds[0]);
  char path[64];
  snprintf(path, sizeof path, "/dev/fd/%d", fds[1]);
  outcome out = write_once(path, "{}\n");
  close(fds[1]);
  ck_assert_int_eq(out.calls, 1);
  ck_assert_int_eq(out.status, UV_EPIPE);
}
END_TEST

/* A regular file (_i 0) or /dev/null (_i 1) is written on the calling thread: `done` has been
 * called when tp_writer_write returns, and the loop has nothing left to do. */
START_TEST(direct_writes_done_at_once) {
  char path[] = "/tmp/textpipe-writer-XXXXXX";
  close(mkstemp(path));
  uv_loop_t loop;
  uv_loop_init(&loop);
  char err[256] = "";
  tp_writer *writer = tp_writer_open(&loop, _i == 0 ? path : "/dev/null", err, sizeof err);
  ck_assert_msg(writer != NULL, "%s", err);
  outcome out = {0};
  for (int round = 1; round <= 2; round++) {
    ck_assert_int_eq(tp_writer_write(writer, "{}\n", 3, on_done, &out), 0);
    ck_assert_int_eq(out.calls, round);
    ck_assert_int_eq(out.status, 0);
    ck_assert(!tp_writer_busy(writer));
    ck_assert(!uv_loop_alive(&loop));
  }
  tp_writer_close(writer);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(uv_loop_close(&loop), 0);
  assert_file_holds(path, _i == 0 ? "{}\n{}\n" : "");
}
END_TEST

/* A write to a regular file that fails part-way (here the file size limit, 10 bytes) reports
 * the error, and the file is cut back to the end of the last buffer written whole. */
START_TEST(failed_write_cut_back) {
  char path[] = "/tmp/textpipe-writer-XXXXXX";
  close(mkstemp(path));
  struct rlimit saved;
  ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
  struct rlimit limit = {.rlim_cur = 10, .rlim_max = saved.rlim_max};
  signal(SIGXFSZ, SIG_IGN); /* a write past the limit fails with EFBIG instead */
  ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &limit), 0);
  uv_loop_t loop;
  uv_loop_init(&loop);
  char err[256] = "";
  tp_writer *writer = tp_writer_open(&loop, path, err, sizeof err);
  ck_assert_msg(writer != NULL, "%s", err);
  outcome out = {0};
  ck_assert_int_eq(tp_writer_write(writer, "{\"a\":1}\n", 8, on_done, &out), 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(out.status, 0);
  ck_assert_int_eq(tp_writer_write(writer, "{\"b\":22}\n", 9, on_done, &out), 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(out.calls, 2);
  ck_assert_int_eq(out.status, UV_EFBIG);
  tp_writer_close(writer);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(uv_loop_close(&loop), 0);
  ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &saved), 0);
  assert_file_holds(path, "{\"a\":1}\n");
}
END_TEST

START_TEST(unopenable_path) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  char err[256] = "";
  ck_assert_ptr_null(tp_writer_open(&loop, "/nonexistent/out.ndjson", err, sizeof err));
  ck_assert_str_eq(err, "/nonexistent/out.ndjson: cannot open for writing: no such file or "
                        "directory");
  ck_assert_int_eq(uv_loop_close(&loop), 0);
}
END_TEST

static Suite *writer_suite(void) {
  Suite *suite = suite_create("writer");
  TCase *files = tcase_create("files");
  tcase_add_test(files, writes_file_in_order);
  tcase_add_test(files, unopenable_path);
  tcase_add_loop_test(files, direct_writes_done_at_once, 0, 2);
  suite_add_tcase(suite, files);
  TCase *failures = tcase_create("failures");
  tcase_add_test(failures, full_device_fails);
  tcase_add_test(failures, closed_pipe_fails_with_epipe);
  tcase_add_test(failures, failed_write_cut_back);
  suite_add_tcase(suite, failures);
  return suite;
}

int main(void) {
  return tp_check_run(writer_suite());
}
