/* tests/fault/run_support.h - run the textpipe binary as a child process for fault tests.
 *
 * A fault test writes a pipeline and an input into a fresh temporary folder, runs
 * `textpipe run` with stdout sent where the fault lives (a file, /dev/full, a pipe whose reader
 * is gone, a file size limit), and then checks what every run must satisfy: the exit status,
 * a report whose counts add up (in = out + dropped + dead_letter), an output made of whole
 * NDJSON lines, and stderr messages. Header-only (static functions) so that each test
 * executable stays one source file.
 */
#ifndef TP_TESTS_RUN_SUPPORT_H
#define TP_TESTS_RUN_SUPPORT_H

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

/* Test paths are short; a cut path would fail the test that uses it anyway. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

/* Where the child's stdout goes. */
typedef enum run_output {
  RUN_OUTPUT_FILE = 0,    /* dir/out.ndjson */
  RUN_OUTPUT_DEV_FULL,    /* /dev/full: every write fails with ENOSPC */
  RUN_OUTPUT_CLOSED_PIPE, /* a pipe whose read end is closed before the run */
  RUN_OUTPUT_PIPE         /* a pipe the test reads (then saved as dir/out.ndjson) */
} run_output;

typedef struct run_spec {
  const char *binary;        /* NULL: $TEXTPIPE_BINARY */
  const char *pipeline;      /* pipeline file text, written to dir/pipeline.json; or NULL and: */
  const char *pipeline_path; /* an existing pipeline file, used as it is */
  const char *input;         /* input text, written to dir/in.ndjson and given on stdin */
  run_output output;
  long file_size_limit;  /* > 0: RLIMIT_FSIZE for the child (a disk that fills mid-run) */
  const char *extra_env; /* "NAME=VALUE" set in the child, or NULL */
  const char *workers;   /* --workers value, or NULL */
  int kill_after_lines;  /* RUN_OUTPUT_PIPE: send kill_signal once this many lines came out */
  int kill_signal;
} run_spec;

typedef struct run_result {
  char dir[256];
  int exit_status; /* exit code, or 128 + signal when killed */
  char *out;       /* stdout (RUN_OUTPUT_FILE), NUL-terminated */
  size_t out_length;
  char *err;     /* stderr, NUL-terminated */
  cJSON *report; /* the --report file parsed, or NULL if missing/invalid */
  char *dead;    /* the --dead-letter file */
} run_result;

static inline char *support_read_file(const char *path, size_t *length) {
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return NULL;
  size_t capacity = 4096, used = 0;
  char *data = malloc(capacity);
  ck_assert_ptr_nonnull(data);
  size_t got;
  while ((got = fread(data + used, 1, capacity - used - 1, file)) > 0) {
    used += got;
    if (capacity - used < 2) {
      capacity *= 2;
      data = realloc(data, capacity);
      ck_assert_ptr_nonnull(data);
    }
  }
  fclose(file);
  data[used] = '\0';
  if (length != NULL)
    *length = used;
  return data;
}

static inline void support_write_file(const char *path, const char *text) {
  FILE *file = fopen(path, "wb");
  ck_assert_msg(file != NULL, "cannot write %s", path);
  ck_assert_int_eq(fputs(text, file) >= 0, 1);
  ck_assert_int_eq(fclose(file), 0);
}

/* $TEXTPIPE_BUILD_ROOT/tests/fixtures/plugins */
static inline const char *support_fixture_plugins(void) {
  static char dir[4096];
  const char *root = getenv("TEXTPIPE_BUILD_ROOT");
  ck_assert_msg(root != NULL, "TEXTPIPE_BUILD_ROOT is not set; run through meson test");
  snprintf(dir, sizeof dir, "%s/tests/fixtures/plugins", root);
  return dir;
}

/* Copies the echo fixture plugin to `plugin` (a file path) and gives the copy `mode`. */
static inline void support_copy_echo(const char *plugin, mode_t mode) {
  char from[4096];
  snprintf(from, sizeof from, "%s/echo.so", support_fixture_plugins());
  size_t length = 0;
  char *bytes = support_read_file(from, &length);
  ck_assert_ptr_nonnull(bytes);
  FILE *file = fopen(plugin, "wb");
  ck_assert_ptr_nonnull(file);
  ck_assert_uint_eq(fwrite(bytes, 1, length, file), length);
  ck_assert_int_eq(fclose(file), 0);
  free(bytes);
  ck_assert_int_eq(chmod(plugin, mode), 0);
}

/* Child side: stdin, stdout, stderr, limits, then exec. Never returns. */
static inline void support_exec_child(const run_spec *spec, const run_result *result, int stdout_fd,
                                      const char *binary) {
  char path[512];
  snprintf(path, sizeof path, "%s/in.ndjson", result->dir);
  int in = open(path, O_RDONLY);
  snprintf(path, sizeof path, "%s/err.txt", result->dir);
  int err = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || err < 0 || dup2(in, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(err, 2) < 0)
    _exit(126);
  alarm(60); /* a hung run dies of SIGALRM and fails the test instead of stalling it */
  if (spec->file_size_limit > 0) {
    struct rlimit limit = {(rlim_t)spec->file_size_limit, (rlim_t)spec->file_size_limit};
    signal(SIGXFSZ, SIG_IGN); /* writes past the limit fail with EFBIG instead */
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0)
      _exit(126);
  }
  setenv("TEXTPIPE_PLUGIN_PATH", support_fixture_plugins(), 1);
  if (spec->extra_env != NULL)
    putenv((char *)spec->extra_env);
  char pipeline[512], report[512], dead[512];
  if (spec->pipeline_path != NULL)
    snprintf(pipeline, sizeof pipeline, "%s", spec->pipeline_path);
  else
    snprintf(pipeline, sizeof pipeline, "%s/pipeline.json", result->dir);
  snprintf(report, sizeof report, "%s/report.json", result->dir);
  snprintf(dead, sizeof dead, "%s/dead.ndjson", result->dir);
  char *argv[12] = {(char *)binary, "run", pipeline, "--report", report, "--dead-letter", dead};
  int argc = 7;
  if (spec->workers != NULL) {
    argv[argc++] = "--workers";
    argv[argc++] = (char *)spec->workers;
  }
  argv[argc] = NULL;
  execv(binary, argv);
  _exit(127);
}

/* Parent side of RUN_OUTPUT_PIPE: reads the child's stdout to EOF into dir/out.ndjson and
 * sends spec->kill_signal once spec->kill_after_lines whole lines have come out. */
static inline void support_read_output(const run_spec *spec, const run_result *result, int fd,
                                       pid_t child) {
  char path[512];
  snprintf(path, sizeof path, "%s/out.ndjson", result->dir);
  FILE *out = fopen(path, "wb");
  ck_assert_ptr_nonnull(out);
  char buffer[65536];
  ssize_t got;
  int lines = 0, signalled = 0;
  while ((got = read(fd, buffer, sizeof buffer)) > 0) {
    ck_assert_uint_eq(fwrite(buffer, 1, (size_t)got, out), (size_t)got);
    for (ssize_t i = 0; i < got; i++)
      lines += buffer[i] == '\n';
    if (!signalled && spec->kill_after_lines > 0 && lines >= spec->kill_after_lines) {
      ck_assert_int_eq(kill(child, spec->kill_signal), 0);
      signalled = 1;
    }
  }
  close(fd);
  ck_assert_int_eq(fclose(out), 0);
}

/* Runs the spec; the caller frees the result with support_run_free. */
static inline run_result support_run(const run_spec *spec) {
  run_result result;
  memset(&result, 0, sizeof result);
  snprintf(result.dir, sizeof result.dir, "/tmp/textpipe-fault-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(result.dir));
  char path[512];
  if (spec->pipeline != NULL) {
    snprintf(path, sizeof path, "%s/pipeline.json", result.dir);
    support_write_file(path, spec->pipeline);
  }
  snprintf(path, sizeof path, "%s/in.ndjson", result.dir);
  support_write_file(path, spec->input);
  const char *binary = spec->binary != NULL ? spec->binary : getenv("TEXTPIPE_BINARY");
  ck_assert_msg(binary != NULL, "TEXTPIPE_BINARY is not set; run through meson test");

  int stdout_fd = -1, read_fd = -1;
  if (spec->output == RUN_OUTPUT_FILE) {
    snprintf(path, sizeof path, "%s/out.ndjson", result.dir);
    stdout_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  } else if (spec->output == RUN_OUTPUT_DEV_FULL) {
    stdout_fd = open("/dev/full", O_WRONLY);
  } else {
    int ends[2];
    ck_assert_int_eq(pipe(ends), 0);
    if (spec->output == RUN_OUTPUT_CLOSED_PIPE)
      close(ends[0]); /* the reader is gone before the first write */
    else
      read_fd = ends[0];
    stdout_fd = ends[1];
  }
  ck_assert_int_ge(stdout_fd, 0);
  pid_t child = fork();
  ck_assert_int_ge(child, 0);
  if (child == 0) {
    if (read_fd >= 0)
      close(read_fd);
    support_exec_child(spec, &result, stdout_fd, binary);
  }
  close(stdout_fd);
  if (read_fd >= 0)
    support_read_output(spec, &result, read_fd, child);
  int status = 0;
  ck_assert_int_eq(waitpid(child, &status, 0), child);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

  snprintf(path, sizeof path, "%s/out.ndjson", result.dir);
  result.out = support_read_file(path, &result.out_length);
  if (result.out == NULL)
    result.out = strdup("");
  snprintf(path, sizeof path, "%s/err.txt", result.dir);
  result.err = support_read_file(path, NULL);
  snprintf(path, sizeof path, "%s/dead.ndjson", result.dir);
  result.dead = support_read_file(path, NULL);
  snprintf(path, sizeof path, "%s/report.json", result.dir);
  char *report = support_read_file(path, NULL);
  if (report != NULL)
    result.report = cJSON_Parse(report);
  free(report);
  return result;
}

static inline void support_run_free(run_result *result) {
  const char *names[] = {"pipeline.json", "in.ndjson",   "out.ndjson", "err.txt",
                         "dead.ndjson",   "report.json", NULL};
  char path[512];
  for (size_t i = 0; names[i] != NULL; i++) {
    snprintf(path, sizeof path, "%s/%s", result->dir, names[i]);
    unlink(path);
  }
  rmdir(result->dir);
  free(result->out);
  free(result->err);
  free(result->dead);
  cJSON_Delete(result->report);
}

/* A count from the report's "counts" object (fails the test when missing). */
static inline long long support_count(const run_result *result, const char *name) {
  ck_assert_msg(result->report != NULL, "no valid report; stderr:\n%s", result->err);
  const cJSON *counts = cJSON_GetObjectItemCaseSensitive(result->report, "counts");
  const cJSON *value = cJSON_GetObjectItemCaseSensitive(counts, name);
  ck_assert_msg(cJSON_IsNumber(value), "report has no counts.%s", name);
  return (long long)value->valuedouble;
}

/* Checks in = out + dropped + dead_letter + not_written in the report and returns `in`. */
static inline long long support_check_counts(const run_result *result) {
  long long in = support_count(result, "in");
  long long out = support_count(result, "out");
  long long dropped = support_count(result, "dropped");
  long long dead = support_count(result, "dead_letter");
  long long not_written = support_count(result, "not_written");
  ck_assert_msg(in == out + dropped + dead + not_written,
                "in %lld != out %lld + dropped %lld + dead %lld + not written %lld", in, out,
                dropped, dead, not_written);
  return in;
}

/* Checks `text` is whole NDJSON lines (each a JSON object, the last ending in "\n") and
 * returns how many. */
static inline long long support_check_lines(const char *text, size_t length) {
  long long lines = 0;
  size_t at = 0;
  while (at < length) {
    const char *newline = memchr(text + at, '\n', length - at);
    ck_assert_msg(newline != NULL, "output ends in a partial line: \"%.80s\"", text + at);
    size_t line_length = (size_t)(newline - (text + at));
    cJSON *object = cJSON_ParseWithLength(text + at, line_length);
    ck_assert_msg(cJSON_IsObject(object), "output line %lld is not a JSON object: %.*s", lines + 1,
                  (int)(line_length > 200 ? 200 : line_length), text + at);
    cJSON_Delete(object);
    lines++;
    at += line_length + 1;
  }
  return lines;
}

/* `count` NDJSON records {"id": i, "text": "record number i ..."}; caller frees. */
static inline char *support_records(int count) {
  size_t capacity = (size_t)count * 80 + 1;
  char *text = malloc(capacity);
  ck_assert_ptr_nonnull(text);
  size_t used = 0;
  for (int i = 1; i <= count; i++)
    used += (size_t)snprintf(text + used, capacity - used,
                             "{\"id\":%d,\"text\":\"record number %d is fine\"}\n", i, i);
  return text;
}

#endif /* TP_TESTS_RUN_SUPPORT_H */
