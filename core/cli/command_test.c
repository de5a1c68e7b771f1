/* core/cli/command_test.c - `textpipe test CASES_DIR`: golden cases for any plugin.
 *
 * Each folder of CASES_DIR (in name order) holding a pipeline.json is one case:
 *   pipeline.json         the pipeline (plugins found as by `run`: $TEXTPIPE_PLUGIN_PATH first)
 *   input.ndjson          the input records, one per line (input.txt for "lines" pipelines)
 *   expected.ndjson       the records that must come out, in order (compared as JSON values)
 *   expected-report.json  optional: a fragment of the JSON report; every member it names must
 *                         be in the report with an equal value (objects are matched member by
 *                         member, so {"sections": {"x": {"words": 5}}} checks one figure)
 * The case runs in-process through the harness (core/run/harness.h: the same loader, host,
 * stages and report as `run`, one worker). A failing case prints each difference with where
 * it is; the command ends with "N cases: P passed, F failed".
 * Exit status: 0 every case passed, 1 some failed, 2 usage error or no case found.
 */
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "harness.h"
#include "log.h"
#include "message.h"

static const char test_usage[] = "usage: textpipe test CASES_DIR";

/* At most this many differences are printed per case. */
#define MAX_DIFFERENCES 10

/* One case's run: where its files are and what went wrong so far. */
typedef struct test_case {
  char dir[PATH_MAX];
  const char *name;
  size_t differences;
} test_case;

static void difference(test_case *test, const char *fmt, ...) TP_PRINTF(2, 3);

/* Prints one difference of the failing case (the first one also prints its FAIL line). */
static void difference(test_case *test, const char *fmt, ...) {
  if (test->differences == 0)
    printf("FAIL %s\n", test->name);
  if (test->differences++ >= MAX_DIFFERENCES)
    return;
  va_list args;
  va_start(args, fmt);
  printf("  ");
  vprintf(fmt, args);
  printf("\n");
  va_end(args);
}

/* The whole file `name` of the case, NUL-terminated (free()), or NULL when absent. */
static char *read_case_file(const test_case *test, const char *name) {
  char path[PATH_MAX + 64];
  tp_format(path, sizeof path, "%s/%s", test->dir, name);
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return NULL;
  char *text = NULL;
  size_t used = 0, capacity = 0, got;
  do {
    if (used + 4096 + 1 > capacity) {
      capacity = capacity == 0 ? 8192 : capacity * 2;
      char *grown = realloc(text, capacity);
      if (grown == NULL) {
        free(text);
        fclose(file);
        return NULL;
      }
      text = grown;
    }
    got = fread(text + used, 1, 4096, file);
    used += got;
  } while (got > 0);
  fclose(file);
  if (text != NULL)
    text[used] = '\0';
  return text;
}

/* Compact JSON of `value` cut to fit `out`, for messages. */
static const char *shown(const cJSON *value, char *out, size_t size) {
  char *printed = value != NULL ? cJSON_PrintUnformatted(value) : NULL;
  tp_format(out, size, "%s", printed != NULL ? printed : "(nothing)");
  if (printed != NULL && strlen(printed) >= size && size > 4)
    memcpy(out + size - 4, "...", 4);
  cJSON_free(printed);
  return out;
}

/* Checks that `actual` holds the fragment `expected` (at JSON path `path`). */
static void match_fragment(test_case *test, const cJSON *expected, const cJSON *actual,
                           const char *path) {
  char want[160], got[160];
  if (cJSON_IsObject(expected) && cJSON_IsObject(actual)) {
    for (const cJSON *member = expected->child; member != NULL; member = member->next) {
      char inner[512];
      tp_format(inner, sizeof inner, "%s%s%s", path, path[0] != '\0' ? "." : "", member->string);
      const cJSON *found = cJSON_GetObjectItemCaseSensitive(actual, member->string);
      if (found == NULL)
        difference(test, "report: %s: missing (expected %s)", inner,
                   shown(member, want, sizeof want));
      else
        match_fragment(test, member, found, inner);
    }
    return;
  }
  if (!cJSON_Compare(expected, actual, 1))
    difference(test, "report: %s: expected %s, got %s", path[0] != '\0' ? path : "(root)",
               shown(expected, want, sizeof want), shown(actual, got, sizeof got));
}

/* Compares the records that came out with expected.ndjson, line by line as JSON values. */
static void match_records(test_case *test, char **outputs, const size_t *lines, size_t count,
                          char *expected_text) {
  size_t index = 0;
  char want[160], got[160];
  char *save = NULL;
  for (char *line = strtok_r(expected_text, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    if (strspn(line, " \t\r") == strlen(line))
      continue;
    cJSON *expected = cJSON_Parse(line);
    if (expected == NULL) {
      difference(test, "expected.ndjson: record %zu is not valid JSON", index + 1);
    } else if (index >= count) {
      difference(test, "record %zu: expected %s, but only %zu records came out", index + 1,
                 shown(expected, want, sizeof want), count);
    } else {
      cJSON *actual = cJSON_Parse(outputs[index]);
      if (!cJSON_Compare(expected, actual, 1))
        difference(test, "record %zu (input line %zu): expected %s, got %s", index + 1,
                   lines[index], shown(expected, want, sizeof want),
                   shown(actual, got, sizeof got));
      cJSON_Delete(actual);
    }
    cJSON_Delete(expected);
    index++;
  }
  for (; index < count; index++) {
    cJSON *actual = cJSON_Parse(outputs[index]);
    difference(test, "record %zu (input line %zu): not expected, got %s", index + 1, lines[index],
               shown(actual, got, sizeof got));
    cJSON_Delete(actual);
  }
}

/* Runs one case. Returns 1 when it passed, 0 when it failed (differences printed). */
static int run_case(test_case *test) {
  char pipeline[PATH_MAX + 64];
  tp_error err = {""};
  tp_harness *harness = NULL;
  char *input = read_case_file(test, "input.ndjson");
  if (input == NULL)
    input = read_case_file(test, "input.txt");
  char *expected = read_case_file(test, "expected.ndjson");
  char *fragment_text = read_case_file(test, "expected-report.json");
  char **outputs = NULL;
  size_t *lines = NULL;
  size_t count = 0;
  cJSON *report = NULL;
  tp_format(pipeline, sizeof pipeline, "%s/pipeline.json", test->dir);
  if (input == NULL || expected == NULL) {
    difference(test, "needs input.ndjson (or input.txt) and expected.ndjson");
    goto done;
  }
  if (tp_harness_open(pipeline, &harness, &err) != 0) {
    difference(test, "%s", err.message);
    goto done;
  }
  size_t line_number = 0;
  char *save = NULL;
  for (char *line = strtok_r(input, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    line_number++;
    char *output = NULL;
    int outcome = tp_harness_process_line(harness, line, &output, &err);
    if (outcome == TP_HARNESS_DEAD) {
      difference(test, "input line %zu was dead-lettered: %s", line_number, err.message);
    } else if (outcome == TP_HARNESS_OUT) {
      char **grown_outputs = realloc(outputs, (count + 1) * sizeof *outputs);
      size_t *grown_lines = realloc(lines, (count + 1) * sizeof *lines);
      if (grown_outputs != NULL)
        outputs = grown_outputs;
      if (grown_lines != NULL)
        lines = grown_lines;
      if (grown_outputs == NULL || grown_lines == NULL) {
        free(output);
        difference(test, "out of memory");
        goto done;
      }
      outputs[count] = output;
      lines[count++] = line_number;
    } else if (outcome < 0) {
      difference(test, "input line %zu: %s", line_number, err.message);
      goto done;
    }
  }
  match_records(test, outputs, lines, count, expected);
  report = tp_harness_finish(harness, &err);
  if (report == NULL) {
    difference(test, "end of stream failed: %s", err.message);
  } else if (fragment_text != NULL) {
    cJSON *fragment = cJSON_Parse(fragment_text);
    /* As the report file reads: raw numbers (64-bit ids) become plain JSON values. */
    char *printed = cJSON_PrintUnformatted(report);
    cJSON *actual = printed != NULL ? cJSON_Parse(printed) : NULL;
    if (fragment == NULL)
      difference(test, "expected-report.json is not valid JSON");
    else
      match_fragment(test, fragment, actual, "");
    cJSON_free(printed);
    cJSON_Delete(actual);
    cJSON_Delete(fragment);
  }
done:
  if (test->differences > MAX_DIFFERENCES)
    printf("  ... and %zu more differences\n", test->differences - MAX_DIFFERENCES);
  if (test->differences == 0)
    printf("ok   %s (%zu record%s)\n", test->name, count, count == 1 ? "" : "s");
  cJSON_Delete(report);
  tp_harness_close(harness);
  for (size_t i = 0; i < count; i++)
    free(outputs[i]);
  free(outputs);
  free(lines);
  free(input);
  free(expected);
  free(fragment_text);
  return test->differences == 0;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The case folders of `dir` (those holding a pipeline.json), sorted; *count set. NULL with
 * *count 0 when there is none or the folder cannot be read. Free each name and the array. */
static char **case_names(const char *dir, size_t *count) {
  DIR *stream = opendir(dir);
  char **names = NULL;
  *count = 0;
  if (stream == NULL)
    return NULL;
  for (struct dirent *entry = readdir(stream); entry != NULL; entry = readdir(stream)) {
    char path[PATH_MAX + 300];
    struct stat info;
    if (entry->d_name[0] == '.')
      continue;
    tp_format(path, sizeof path, "%s/%s/pipeline.json", dir, entry->d_name);
    if (stat(path, &info) != 0 || !S_ISREG(info.st_mode))
      continue;
    char **grown = realloc(names, (*count + 1) * sizeof *names);
    if (grown == NULL || (grown[*count] = strdup(entry->d_name)) == NULL) {
      names = grown != NULL ? grown : names;
      break;
    }
    names = grown;
    (*count)++;
  }
  closedir(stream);
  if (names != NULL)
    qsort(names, *count, sizeof *names, compare_names);
  return names;
}

int tp_command_test(int argc, char **argv) {
  const char *dir = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      printf("%s\nRuns every case folder of CASES_DIR (pipeline.json, input.ndjson or input.txt,\n"
             "expected.ndjson, optional expected-report.json) and prints the differences.\n"
             "Exit status: 0 all passed, 1 some failed, 2 usage error or no case found.\n",
             test_usage);
      return TP_EXIT_OK;
    }
    if ((argv[i][0] == '-' && argv[i][1] != '\0') || dir != NULL) {
      tp_log(TP_LOG_ERROR, NULL, "test: unexpected argument \"%s\"\n%s", argv[i], test_usage);
      return TP_EXIT_USAGE;
    }
    dir = argv[i];
  }
  if (dir == NULL) {
    tp_log(TP_LOG_ERROR, NULL, "test: missing the cases folder\n%s", test_usage);
    return TP_EXIT_USAGE;
  }
  size_t count = 0;
  char **names = case_names(dir, &count);
  if (count == 0) {
    tp_log(TP_LOG_ERROR, NULL, "test: %s: no case folders (each holds a pipeline.json)", dir);
    free(names);
    return TP_EXIT_USAGE;
  }
  size_t passed = 0;
  for (size_t i = 0; i < count; i++) {
    test_case test = {.name = names[i]};
    tp_format(test.dir, sizeof test.dir, "%s/%s", dir, names[i]);
    passed += (size_t)run_case(&test);
    free(names[i]);
  }
  free(names);
  printf("%zu case%s: %zu passed, %zu failed\n", count, count == 1 ? "" : "s", passed,
         count - passed);
  fflush(stdout);
  return passed == count ? TP_EXIT_OK : TP_EXIT_DEAD_LETTERS;
}
