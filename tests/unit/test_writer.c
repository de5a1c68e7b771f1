/* tests/unit/test_writer.c - the writer: whole buffers to a file in order, a closed pipe
 * (EPIPE) and a full device (ENOSPC) reported to the callback, one write at a time. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
  ck_assert(tp_writer_busy(writer));
  ck_assert_int_eq(tp_writer_write(writer, text, 1, on_done, &out), UV_EBUSY);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert(!tp_writer_busy(writer));
  tp_writer_close(writer);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(uv_loop_close(&loop), 0);
  return out;
}

START_TEST(writes_file_in_order) {
  char path[] = "/tmp/textpipe-writer-XXXXXX";
  close(mkstemp(path));
  outcome out = write_once(path, "{\"a\":1}\n{\"b\":2}\n");
  ck_assert_int_eq(out.calls, 1);
  ck_assert_int_eq(out.status, 0);
  FILE *file = fopen(path, "r");
  char text[64] = "";
  ck_assert_uint_eq(fread(text, 1, sizeof text - 1, file), 16);
  fclose(file);
  unlink(path);
  ck_assert_str_eq(text, "{\"a\":1}\n{\"b\":2}\n");
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
  suite_add_tcase(suite, files);
  TCase *failures = tcase_create("failures");
  tcase_add_test(failures, full_device_fails);
  tcase_add_test(failures, closed_pipe_fails_with_epipe);
  suite_add_tcase(suite, failures);
  return suite;
}

int main(void) {
  return tp_check_run(writer_suite());
}
