/* tests/fault/test_fault.c - the textpipe binary under faults: output that cannot be written,
 * stages that fail, stall or break the host API's rules, and signals mid-stream.
 *
 * Every case checks the same invariants from the run's report: the counts add up
 * (in = out + dropped + dead_letter), the output holds only whole NDJSON lines of valid UTF-8,
 * the exit status is the documented one, and stderr says what went wrong.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "run_support.h"

#define PIPELINE(stages)                                                                           \
  "{\"name\": \"fault\", \"input\": {\"format\": \"ndjson\", \"text_field\": \"text\"},"           \
  " \"stages\": [" stages "]}"

static void assert_contains(const char *text, const char *part) {
  ck_assert_msg(text != NULL && strstr(text, part) != NULL, "expected \"%s\" in:\n%s", part,
                text != NULL ? text : "(nothing)");
}

/* Whether `text` is valid UTF-8 (a test oracle independent of the core's own check). */
static int valid_utf8(const unsigned char *text, size_t length) {
  size_t i = 0;
  while (i < length) {
    unsigned char c = text[i];
    size_t extra;
    if (c < 0x80)
      extra = 0;
    else if (c >= 0xc2 && c <= 0xdf)
      extra = 1;
    else if ((c & 0xf0) == 0xe0)
      extra = 2;
    else if (c >= 0xf0 && c <= 0xf4)
      extra = 3;
    else
      return 0;
    if (extra > length - i - 1)
      return 0;
    for (size_t k = 1; k <= extra; k++)
      if ((text[i + k] & 0xc0) != 0x80)
        return 0;
    i += extra + 1;
  }
  return 1;
}

/* ---- output faults -------------------------------------------------------------------------- */

/* Output that refuses every write: nothing is written, the run says why and exits 3. */
static const struct {
  run_output output;
  const char *message;
} dead_outputs[] = {
    {RUN_OUTPUT_DEV_FULL, "no space left on device"},
    {RUN_OUTPUT_CLOSED_PIPE, "broken pipe"},
};

START_TEST(test_output_refused) {
  char *input = support_records(300);
  run_spec spec = {.pipeline = PIPELINE(""), .input = input, .output = dead_outputs[_i].output};
  run_result result = support_run(&spec);
  ck_assert_int_eq(result.exit_status, 3);
  assert_contains(result.err, dead_outputs[_i].message);
  assert_contains(result.err, "processed but not written");
  support_check_counts(&result);
  ck_assert_int_eq(support_count(&result, "out"), 0);
  support_run_free(&result);
  free(input);
}
END_TEST

/* The disk fills in the middle of a batch (a file size limit): what is in the file must be
 * whole lines, exactly the records the report counts as out. */
START_TEST(test_disk_fills_mid_batch) {
  char *input = support_records(3000);
  run_spec spec = {.pipeline = PIPELINE(""),
                   .input = input,
                   .output = RUN_OUTPUT_FILE,
                   .file_size_limit = 50001};
  run_result result = support_run(&spec);
  ck_assert_int_eq(result.exit_status, 3);
  assert_contains(result.err, "file too large");
  support_check_counts(&result);
  long long lines = support_check_lines(result.out, result.out_length);
  ck_assert_int_eq(lines, support_count(&result, "out"));
  ck_assert_int_lt(lines, 3000);
  support_run_free(&result);
  free(input);
}
END_TEST

/* ---- stage faults --------------------------------------------------------------------------- */

START_TEST(test_every_other_record_fails) {
  char *input = support_records(200);
  run_spec spec = {.pipeline = PIPELINE("{\"plugin\": \"flaky\"}"), .input = input};
  run_result result = support_run(&spec);
  ck_assert_int_eq(result.exit_status, 1);
  ck_assert_int_eq(support_check_counts(&result), 200);
  ck_assert_int_eq(support_count(&result, "dead_letter"), 100);
  ck_assert_int_eq(support_check_lines(result.out, result.out_length), 100);
  ck_assert_ptr_nonnull(result.dead);
  ck_assert_int_eq(support_check_lines(result.dead, strlen(result.dead)), 100);
  assert_contains(result.dead, "\"stage\":\"flaky\"");
  assert_contains(result.err, "stdin:2: flaky: rejected line 2");
  support_run_free(&result);
  free(input);
}
END_TEST

START_TEST(test_slow_stage) {
  char *input = support_records(60);
  run_spec spec = {.pipeline = PIPELINE("{\"plugin\": \"slow\", \"config\": {\"delay_ms\": 2}}"),
                   .input = input};
  run_result result = support_run(&spec);
  ck_assert_int_eq(result.exit_status, 0);
  ck_assert_int_eq(support_check_counts(&result), 60);
  ck_assert_int_eq(support_check_lines(result.out, result.out_length), 60);
  /* Input order is kept: the stage's value is each record's line number, 1..60. */
  const char *at = result.out;
  for (int line = 1; line <= 60; line++) {
    char expected[64];
    snprintf(expected, sizeof expected, "\"slow\":%d}", line);
    at = strstr(at, expected);
    ck_assert_msg(at != NULL, "record %d missing or out of order", line);
  }
  support_run_free(&result);
  free(input);
}
END_TEST

/* One mode of the unruly fixture per row, on every other record. */
static const struct {
  const char *mode;
  int dead;                /* records dead-lettered out of 20 */
  const char *reason;      /* in the dead-letters, or NULL */
  const char *host_logged; /* the host's own complaint, logged once per run, or NULL */
} misdeeds[] = {
    {"foreign_key", 10, "the host refused key \\\"text_copy\\\"",
     "is not in the plugin's provides"},
    {"text_key", 10, "the host refused key \\\"text\\\"", NULL},
    {"null_value", 10, "the host refused a NULL value", NULL},
    {"bad_utf8", 10, "the host refused invalid UTF-8", "a string is not valid UTF-8"},
    {"not_finite", 0, NULL, NULL}, /* NaN is written as null: valid JSON */
    {"bad_result", 10, "process() returned 7, not keep/drop/error", NULL},
    {"foreign_attach", 10, "the host refused attachment \\\"tokens\\\"",
     "is not in the plugin's provides"},
};

/* How many times `part` occurs in `text`. */
static int occurrences(const char *text, const char *part) {
  int count = 0;
  for (const char *at = strstr(text, part); at != NULL; at = strstr(at + 1, part))
    count++;
  return count;
}

START_TEST(test_misbehaving_stage) {
  char pipeline[512];
  snprintf(pipeline, sizeof pipeline,
           PIPELINE("{\"plugin\": \"unruly\", \"config\": {\"mode\": \"%s\", "
                    "\"every_other\": true}}"),
           misdeeds[_i].mode);
  char *input = support_records(20);
  run_spec spec = {.pipeline = pipeline, .input = input, .workers = "2"};
  run_result result = support_run(&spec);
  ck_assert_int_eq(result.exit_status, (misdeeds[_i].dead > 0 ? 1 : 0));
  ck_assert_int_eq(support_check_counts(&result), 20);
  ck_assert_int_eq(support_count(&result, "dead_letter"), misdeeds[_i].dead);
  ck_assert_int_eq(support_check_lines(result.out, result.out_length), 20 - misdeeds[_i].dead);
  ck_assert_msg(valid_utf8((const unsigned char *)result.out, result.out_length),
                "output is not valid UTF-8");
  ck_assert_ptr_null(strstr(result.out, "text_copy"));
  ck_assert_ptr_null(strstr(result.out, "replaced"));
  if (misdeeds[_i].host_logged != NULL)
    ck_assert_int_eq(occurrences(result.err, misdeeds[_i].host_logged), 1);
  if (misdeeds[_i].reason != NULL) {
    assert_contains(result.dead, "\"stage\":\"unruly\"");
    assert_contains(result.dead, misdeeds[_i].reason);
  }
  support_run_free(&result);
  free(input);
}
END_TEST

/* ---- signals -------------------------------------------------------------------------------- */

static const struct {
  const char *name;
  int exit_status;
  const char *message;
} signals[] = {{"INT", 130, "interrupted"}, {"TERM", 143, "terminated"}};

/* The slow stage sends the signal itself at line 150, so the run is interrupted at a known
 * point without racing a timer; the stream finishes what it has in flight and stops. */
START_TEST(test_signal_mid_stream) {
  char pipeline[512];
  snprintf(pipeline, sizeof pipeline,
           PIPELINE("{\"plugin\": \"slow\", \"config\": {\"delay_ms\": 1, \"signal_line\": 150, "
                    "\"signal\": \"%s\"}}"),
           signals[_i].name);
  char *input = support_records(20000);
  run_spec spec = {.pipeline = pipeline, .input = input};
  run_result result = support_run(&spec);
  ck_assert_int_eq(result.exit_status, signals[_i].exit_status);
  assert_contains(result.err, signals[_i].message);
  long long in = support_check_counts(&result);
  ck_assert_int_ge(in, 150);
  ck_assert_int_lt(in, 20000);
  ck_assert_int_eq(support_check_lines(result.out, result.out_length),
                   support_count(&result, "out"));
  assert_contains(result.err, "textpipe: summary: in ");
  support_run_free(&result);
  free(input);
}
END_TEST

/* ---- security ------------------------------------------------------------------------------- */

/* A copy of the echo fixture in a new folder: the folder's mode and the file's mode given. */
static void copy_echo(char *dir, size_t dir_size, char *plugin, size_t plugin_size, mode_t dir_mode,
                      mode_t file_mode) {
  snprintf(dir, dir_size, "/tmp/textpipe-plugins-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(plugin, plugin_size, "%s/echo.so", dir);
  support_copy_echo(plugin, file_mode);
  ck_assert_int_eq(chmod(dir, dir_mode), 0);
}

/* A pipeline naming a plugin by "path" that others could have replaced is refused before
 * anything runs (exit 2), the way ssh refuses a key file others can write. */
static const struct {
  mode_t dir_mode, file_mode;
  const char *message; /* NULL: loads */
} plugin_modes[] = {
    {0755, 0664, "refusing to load a plugin that group or others can write"},
    {0755, 0646, "refusing to load a plugin that group or others can write"},
    {0777, 0644, "refusing to load a plugin from folder"},
    {0755, 0644, NULL},
};

START_TEST(test_writable_plugin_refused) {
  char dir[256], plugin[512], pipeline[1024];
  copy_echo(dir, sizeof dir, plugin, sizeof plugin, plugin_modes[_i].dir_mode,
            plugin_modes[_i].file_mode);
  snprintf(pipeline, sizeof pipeline, PIPELINE("{\"path\": \"%s\"}"), plugin);
  run_spec spec = {.pipeline = pipeline, .input = "{\"text\": \"hello\"}\n"};
  run_result result = support_run(&spec);
  if (plugin_modes[_i].message != NULL) {
    ck_assert_int_eq(result.exit_status, 2);
    assert_contains(result.err, plugin_modes[_i].message);
    assert_contains(result.err, "stages[0].path");
    ck_assert_int_eq(result.out_length, 0);
  } else {
    ck_assert_msg(result.exit_status == 0, "exit %d: %s", result.exit_status, result.err);
    assert_contains(result.out, "\"echo\":\"hello\"");
  }
  support_run_free(&result);
  unlink(plugin);
  rmdir(dir);
}
END_TEST

/* What a pipeline file can make textpipe open: a plugin only by a plain name on the search
 * path or an explicit "path"; a file only through an option the plugin declares as a path,
 * which must exist and be readable. */
static const struct {
  const char *stages;
  const char *message;
} reach_cases[] = {
    {"{\"plugin\": \"../fixtures/plugins/echo\"}", "invalid plugin name"},
    {"{\"plugin\": \"/etc/passwd\"}", "invalid plugin name"},
    {"{\"plugin\": \"echo\", \"config\": {\"file\": \"/nonexistent/lexicon.txt\"}}",
     "stages[0].config.file"},
    {"{\"plugin\": \"echo\", \"config\": {\"file\": \"/root/.ssh/id_rsa\", \"tags\": 3}}",
     "stages[0].config"},
    {"{\"path\": \"/etc/passwd\"}", "stages[0].path"},
};

START_TEST(test_pipeline_reach) {
  char pipeline[1024];
  snprintf(pipeline, sizeof pipeline, PIPELINE("%s"), reach_cases[_i].stages);
  run_spec spec = {.pipeline = pipeline, .input = "{\"text\": \"hello\"}\n"};
  run_result result = support_run(&spec);
  ck_assert_int_eq(result.exit_status, 2);
  assert_contains(result.err, reach_cases[_i].message);
  ck_assert_int_eq(result.out_length, 0);
  support_run_free(&result);
}
END_TEST

/* The same from outside: the test reads the output and sends the signal once 100 records
 * came out of a slow stage (so at least 100 records are in, and far from all of them). */
START_TEST(test_signal_from_outside) {
  char *input = support_records(20000);
  run_spec spec = {.pipeline = PIPELINE("{\"plugin\": \"slow\", \"config\": {\"delay_ms\": 1}}"),
                   .input = input,
                   .output = RUN_OUTPUT_PIPE,
                   .kill_after_lines = 100,
                   .kill_signal = _i == 0 ? SIGINT : SIGTERM};
  run_result result = support_run(&spec);
  ck_assert_int_eq(result.exit_status, signals[_i].exit_status);
  assert_contains(result.err, signals[_i].message);
  long long in = support_check_counts(&result);
  ck_assert_int_ge(in, 100);
  ck_assert_int_lt(in, 20000);
  ck_assert_int_eq(support_check_lines(result.out, result.out_length),
                   support_count(&result, "out"));
  support_run_free(&result);
  free(input);
}
END_TEST

/* Keys and values from the file are quoted in messages: control characters in them come out
 * escaped, so a message is one line and cannot send escape sequences to the terminal (found
 * by fuzz/fuzz_pipeline.c). */
START_TEST(test_messages_escape_control_characters) {
  run_spec spec = {.pipeline = "{\"stages\": [], \"na\\nme\\u001b[31m\": 1}", .input = ""};
  run_result result = support_run(&spec);
  ck_assert_int_eq(result.exit_status, 2);
  assert_contains(result.err, "[\"na\\nme\\u001b[31m\"]: unknown key");
  ck_assert_ptr_null(strchr(result.err, '\x1b'));
  ck_assert_int_eq(occurrences(result.err, "\n"), 1);
  support_run_free(&result);
}
END_TEST

static Suite *fault_suite(void) {
  Suite *suite = suite_create("fault");
  TCase *output = tcase_create("output");
  tcase_add_loop_test(output, test_output_refused, 0, 2);
  tcase_add_test(output, test_disk_fills_mid_batch);
  suite_add_tcase(suite, output);
  TCase *stages = tcase_create("stages");
  tcase_add_test(stages, test_every_other_record_fails);
  tcase_add_test(stages, test_slow_stage);
  tcase_add_loop_test(stages, test_misbehaving_stage, 0,
                      (int)(sizeof misdeeds / sizeof misdeeds[0]));
  suite_add_tcase(suite, stages);
  TCase *interrupts = tcase_create("signals");
  tcase_set_timeout(interrupts, 60);
  tcase_add_loop_test(interrupts, test_signal_mid_stream, 0, 2);
  tcase_add_loop_test(interrupts, test_signal_from_outside, 0, 2);
  suite_add_tcase(suite, interrupts);
  TCase *security = tcase_create("security");
  tcase_add_loop_test(security, test_writable_plugin_refused, 0,
                      (int)(sizeof plugin_modes / sizeof plugin_modes[0]));
  tcase_add_test(security, test_messages_escape_control_characters);
  tcase_add_loop_test(security, test_pipeline_reach, 0,
                      (int)(sizeof reach_cases / sizeof reach_cases[0]));
  suite_add_tcase(suite, security);
  return suite;
}

int main(void) {
  return tp_check_run(fault_suite());
}
