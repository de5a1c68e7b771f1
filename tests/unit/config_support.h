/* tests/unit/config_support.h - helpers shared by the configuration-side unit tests.
 *
 * A minimal host table (enough for create() and logging; the real one is core/run/host.c), the
 * fixture plugin folder, and temporary folders with files written from strings.
 * Header-only (static functions) so each test executable stays one source file.
 */
#ifndef TP_TESTS_CONFIG_SUPPORT_H
#define TP_TESTS_CONFIG_SUPPORT_H

#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline.h"

/* Test paths are short; a cut path would fail the test that uses it anyway. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

static inline void support_log(const tp_stage *stage, tp_log_level level, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  fprintf(stderr, "test host: %d: %s: ", (int)level, stage != NULL ? stage->id : "-");
  vfprintf(stderr, fmt, args);
  fputc('\n', stderr);
  va_end(args);
}

static inline const char *support_stage_id(const tp_stage *stage) {
  return stage->id;
}

/* Only what loading a pipeline needs: create() may allocate, log and ask for its stage id. */
static const tp_host support_host = {
    .abi_major = TP_ABI_MAJOR,
    .abi_minor = TP_ABI_MINOR,
    .struct_size = sizeof(tp_host),
    .log = support_log,
    .alloc = malloc,
    .realloc = realloc,
    .free = free,
    .stage_id = support_stage_id,
};

/* build/tests/fixtures/plugins, from TEXTPIPE_BUILD_ROOT (set by tests/meson.build). */
static inline const char *support_fixture_dir(void) {
  static char dir[4096];
  const char *root = getenv("TEXTPIPE_BUILD_ROOT");
  ck_assert_msg(root != NULL, "TEXTPIPE_BUILD_ROOT is not set; run through meson test");
  snprintf(dir, sizeof dir, "%s/tests/fixtures/plugins", root);
  return dir;
}

/* Loader options searching only the fixture folder first. */
static inline tp_loader_options support_options(void) {
  tp_loader_options options = {support_fixture_dir(), &support_host};
  return options;
}

/* A new private temporary folder; the caller removes it with support_remove_tree. */
static inline void support_temp_dir(char *dir, size_t size) {
  const char *base = getenv("TMPDIR");
  snprintf(dir, size, "%s/textpipe-test-XXXXXX", base != NULL ? base : "/tmp");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Writes `text` to <dir>/<name> and returns the full path in `path`. */
static inline void support_write(const char *dir, const char *name, const char *text, char *path,
                                 size_t size) {
  snprintf(path, size, "%s/%s", dir, name);
  FILE *file = fopen(path, "wb");
  ck_assert_ptr_nonnull(file);
  ck_assert_uint_eq(fwrite(text, 1, strlen(text), file), strlen(text));
  ck_assert_int_eq(fclose(file), 0);
}

/* Copies the file at `from` to `to`. */
static inline void support_copy(const char *from, const char *to) {
  FILE *in = fopen(from, "rb");
  FILE *out = fopen(to, "wb");
  char buffer[65536];
  size_t got;
  ck_assert_ptr_nonnull(in);
  ck_assert_ptr_nonnull(out);
  while ((got = fread(buffer, 1, sizeof buffer, in)) > 0)
    ck_assert_uint_eq(fwrite(buffer, 1, got, out), got);
  fclose(in);
  ck_assert_int_eq(fclose(out), 0);
}

/* Removes a folder made by support_temp_dir and the plain files in it (no subfolders). */
static inline void support_remove_tree(const char *dir) {
  char path[4200];
  chmod(dir, 0700);
  DIR *stream = opendir(dir);
  ck_assert_ptr_nonnull(stream);
  for (struct dirent *entry = readdir(stream); entry != NULL; entry = readdir(stream)) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
    ck_assert_int_eq(unlink(path), 0);
  }
  closedir(stream);
  ck_assert_int_eq(rmdir(dir), 0);
}

/* Copies `text` into `out`, replacing every `word` with `with` (e.g. a temporary folder). */
static inline void support_replace(const char *text, const char *word, const char *with, char *out,
                                   size_t size) {
  size_t used = 0;
  size_t word_length = strlen(word);
  while (*text != '\0' && used + 1 < size) {
    if (strncmp(text, word, word_length) == 0) {
      int written = snprintf(out + used, size - used, "%s", with);
      used += written > 0 ? (size_t)written : 0;
      text += word_length;
    } else {
      out[used++] = *text++;
    }
  }
  out[used < size ? used : size - 1] = '\0';
}

/* The part of `message` after "<prefix>: " or "<prefix>:<line>:<col>: " (positions have tests
 * of their own), or the whole message when it does not start so. */
static inline const char *support_after_prefix(const char *message, const char *prefix) {
  size_t length = strlen(prefix);
  if (strncmp(message, prefix, length) != 0)
    return message;
  const char *at = message + length;
  for (int number = 0; number < 2 && at[0] == ':' && at[1] >= '0' && at[1] <= '9'; number++) {
    at++;
    while (*at >= '0' && *at <= '9')
      at++;
  }
  return strncmp(at, ": ", 2) == 0 ? at + 2 : message;
}

#endif /* TP_TESTS_CONFIG_SUPPORT_H */
