/* core/cli/command_report.c - `textpipe report REPORT.json [-o FILE.html]`.
 *
 * Renders a saved JSON report (written by `textpipe run --report FILE`) as the self-contained
 * HTML page of report_html.c, on stdout or into a file. A report that is not JSON is refused
 * with its file:line:col; nothing is written then.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "file_guard.h"
#include "json_literals.h"
#include "log.h"
#include "report.h"
#include "report_html.h"

static const char usage[] =
    "usage: textpipe report REPORT.json [-o FILE.html]\n"
    "\n"
    "Renders a JSON report (from `textpipe run --report FILE`) as one self-contained HTML page:\n"
    "inline CSS and SVG, no script, nothing loaded from the network.\n"
    "\n"
    "  REPORT.json          the report to render (- reads stdin)\n"
    "  -o, --output FILE    write the page to FILE instead of stdout\n"
    "  -h, --help           show this help\n";

/* The largest report `textpipe report` reads (a report of a long stream is a few MiB; a million
 * timeline points ~10 MiB): a bigger input is the wrong file, refused before it fills memory. */
#define REPORT_MAX_BYTES (256u * 1024 * 1024)

/* Reads all of `stream` into a NUL-terminated buffer the caller frees; NULL on error, with
 * errno EFBIG past REPORT_MAX_BYTES. */
static char *read_all(FILE *stream, size_t *length) {
  size_t capacity = 1 << 16, used = 0;
  char *data = malloc(capacity);
  while (data != NULL) {
    used += fread(data + used, 1, capacity - used - 1, stream);
    if (used > REPORT_MAX_BYTES) {
      free(data);
      errno = EFBIG;
      return NULL;
    }
    if (ferror(stream)) {
      free(data);
      return NULL;
    }
    if (feof(stream)) {
      data[used] = '\0';
      *length = used;
      return data;
    }
    if (capacity - used - 1 == 0) { /* grows to one byte past the cap at most */
      size_t bigger = capacity * 2 < REPORT_MAX_BYTES + 2 ? capacity * 2 : REPORT_MAX_BYTES + 2;
      char *grown = realloc(data, bigger);
      if (grown == NULL)
        free(data);
      data = grown;
      capacity = bigger;
    }
  }
  return NULL;
}

/* 1-based line and column of byte `offset` in `text`. */
static void position_of(const char *text, size_t offset, size_t *line, size_t *column) {
  *line = 1;
  *column = 1;
  for (size_t index = 0; index < offset; index++) {
    if (text[index] == '\n')
      (*line)++, *column = 1;
    else
      (*column)++;
  }
}

/* Parses the report in `path` ("-": stdin). NULL after logging what is wrong and where. */
static cJSON *load_report(const char *path) {
  bool from_stdin = strcmp(path, "-") == 0;
  const char *name = from_stdin ? "stdin" : path;
  FILE *stream = from_stdin ? stdin : fopen(path, "rb");
  if (stream == NULL) {
    tp_log(TP_LOG_ERROR, NULL, "%s: cannot open: %s", name, strerror(errno));
    return NULL;
  }
  size_t length = 0;
  char *text = read_all(stream, &length);
  int read_errno = errno;
  if (!from_stdin)
    fclose(stream);
  if (text == NULL && read_errno == EFBIG) {
    tp_log(TP_LOG_ERROR, NULL, "%s: too large for a report (more than %u MiB)", name,
           REPORT_MAX_BYTES >> 20);
    return NULL;
  }
  if (text == NULL) {
    tp_log(TP_LOG_ERROR, NULL, "%s: cannot read: %s", name, strerror(read_errno));
    return NULL;
  }
  const char *end = NULL;
  cJSON *report = cJSON_ParseWithLengthOpts(text, length, &end, false);
  if (report == NULL) {
    size_t offset = end != NULL && end >= text ? (size_t)(end - text) : 0;
    const char *error_at = cJSON_GetErrorPtr();
    if (error_at != NULL && error_at >= text && error_at <= text + length)
      offset = (size_t)(error_at - text);
    size_t line, column;
    position_of(text, offset, &line, &column);
    tp_log(TP_LOG_ERROR, NULL, "%s:%zu:%zu: invalid JSON in report", name, line, column);
  } else if (!cJSON_IsObject(report)) {
    tp_log(TP_LOG_ERROR, NULL, "%s:1:1: a report is a JSON object", name);
    cJSON_Delete(report);
    report = NULL;
  } else if (tp_json_keep_number_literals(report, text, length) != 0) { /* 64-bit ids */
    tp_log(TP_LOG_ERROR, NULL, "%s: out of memory", name);
    cJSON_Delete(report);
    report = NULL;
  }
  free(text);
  return report;
}

int tp_command_report(int argc, char **argv) {
  const char *input = NULL, *output = NULL;
  for (int index = 1; index < argc; index++) {
    const char *argument = argv[index];
    if (strcmp(argument, "-h") == 0 || strcmp(argument, "--help") == 0) {
      fputs(usage, stdout);
      return TP_EXIT_OK;
    } else if (strcmp(argument, "-o") == 0 || strcmp(argument, "--output") == 0) {
      if (index + 1 >= argc) {
        tp_log(TP_LOG_ERROR, NULL, "report: %s needs a file name", argument);
        return TP_EXIT_USAGE;
      }
      output = argv[++index];
    } else if (strncmp(argument, "--output=", 9) == 0) {
      output = argument + 9;
    } else if (argument[0] == '-' && argument[1] != '\0') {
      tp_log(TP_LOG_ERROR, NULL, "report: unknown option %s (see textpipe report --help)",
             argument);
      return TP_EXIT_USAGE;
    } else if (input == NULL) {
      input = argument;
    } else {
      tp_log(TP_LOG_ERROR, NULL, "report: one report at a time (got %s and %s)", input, argument);
      return TP_EXIT_USAGE;
    }
  }
  if (input == NULL) {
    fputs(usage, stderr);
    return TP_EXIT_USAGE;
  }
  tp_file_guard guard = {.count = 0};
  tp_file_guard_add(&guard, "REPORT.json", strcmp(input, "-") == 0 ? NULL : input, STDIN_FILENO,
                    false);
  tp_file_guard_add(&guard, "--output", output == NULL || strcmp(output, "-") == 0 ? NULL : output,
                    STDOUT_FILENO, true);
  if (tp_file_guard_check(&guard, "report") != 0)
    return TP_EXIT_USAGE;
  tp_error err_open = {{0}};
  if (output != NULL && strcmp(output, "-") != 0 &&
      tp_report_check_writable(output, &err_open) != 0) { /* like run: a usage error */
    tp_log(TP_LOG_ERROR, NULL, "%s", err_open.message);
    return TP_EXIT_USAGE;
  }
  cJSON *report = load_report(input);
  if (report == NULL)
    return TP_EXIT_USAGE;
  char err[512];
  int status = tp_report_html_write(report, output != NULL ? output : "-", err, sizeof err);
  cJSON_Delete(report);
  if (status != 0) {
    tp_log(TP_LOG_ERROR, NULL, "%s", err);
    return TP_EXIT_RUNTIME;
  }
  return TP_EXIT_OK;
}
