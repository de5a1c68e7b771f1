/* tests/plugins/exec/test_exec.c - the exec stage through the textpipe binary (real loader,
 * host, workers) with children that misbehave on purpose (misbehave.py MODE): each failure
 * dead-letters exactly the record it hit, with a reason that says what happened, and every
 * other record comes out. Also the examples/exec Python co-process on two workers.
 *
 * The six records reach the stage as one batch: a failure blames one record and the rest
 * go to a new child. Timeouts are the test's own (timeout_ms in the pipeline), so the hanging
 * case costs 3 s; restarts use no backoff.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "check_main.h"
#include "run_support.h"

#define RECORDS 6 /* the trigger is record 3 */

static const char *source_root(void) {
  const char *root = getenv("TEXTPIPE_SOURCE_ROOT");
  return root != NULL ? root : ".";
}

/* The misbehave.py pipeline; `more_options` (",\"name\": value" or "") go into its config. */
static char *exec_pipeline_with(const char *mode, int timeout_ms, const char *more_options) {
  static char text[2048];
  snprintf(text, sizeof text,
           "{\"name\": \"exec-test\", \"stages\": [{\"plugin\": \"exec\", \"config\": "
           "{\"command\": [\"python3\"], \"script\": \"%s/tests/plugins/exec/misbehave.py\", "
           "\"args\": [\"%s\"], \"provides\": [\"seen\"], \"timeout_ms\": %d, "
           "\"restart_backoff_ms\": 0, \"stderr_lines\": 5%s}}]}",
           source_root(), mode, timeout_ms, more_options);
  return text;
}

static char *exec_pipeline(const char *mode, int timeout_ms) {
  return exec_pipeline_with(mode, timeout_ms, "");
}

static char *trigger_input(void) {
  static char text[1024];
  size_t used = 0;
  for (int line = 1; line <= RECORDS; line++)
    used += (size_t)snprintf(text + used, sizeof text - used,
                             line == 3 ? "{\"id\":%d,\"text\":\"trigger\"}\n"
                                       : "{\"id\":%d,\"text\":\"fine %d\"}\n",
                             line, line);
  return text;
}

typedef struct misbehave_case {
  const char *mode;
  int timeout_ms;
  int dead;           /* records dead-lettered */
  const char *reason; /* the first dead-letter's reason starts with this */
} misbehave_case;

/* The records are one batch (ids 0-5; the trigger, record 3, has id 2). */
static const misbehave_case misbehave_cases[] = {
    /* Three failures in a row without an answer: records 1-3 blamed one by one, 4-6 not sent. */
    {"exit_at_once", 5000, RECORDS, "misbehave.py exited with status 3 after 0 of 6 answers"},
    {"exit_mid", 5000, 1,
     "misbehave.py exited with status 4 after 2 of 6 answers; stderr: about to exit"},
    /* 3 s: the new child that takes records 4-6 must start within the timeout, even when
     * the machine is busy. */
    {"sleep", 3000, 1, "misbehave.py did not answer within 3000 ms (2 of 6 answers)"},
    {"fewer", 5000, 1,
     "misbehave.py answered id 3 where id 2 was expected (answers come in request order, one per "
     "record)"},
    {"more", 5000, 1, "misbehave.py answered id 2 twice (more lines than records)"},
    {"invalid", 5000, 1,
     "misbehave.py answered a line that is not a JSON object: \"not json at all\""},
    {"reorder", 5000, 1,
     "misbehave.py answered id 3 where id 2 was expected (answers come in request order, one per "
     "record)"},
    {"wrong_id", 5000, 1,
     "misbehave.py answered id 3 where id 2 was expected (answers come in request order, one per "
     "record)"},
    {"error", 5000, 1, "misbehave.py: cannot score this one"},
    {"foreign_key", 5000, 1, "misbehave.py set \"other\", which is not in the stage's provides"},
    {"stderr_flood", 20000, 0, NULL},
};

START_TEST(test_misbehaving_child) {
  const misbehave_case *test = &misbehave_cases[_i];
  run_spec spec = {.pipeline = exec_pipeline(test->mode, test->timeout_ms),
                   .input = trigger_input()};
  run_result result = support_run(&spec);
  ck_assert_msg(result.exit_status == (test->dead > 0 ? 1 : 0), "%s: exit %d, stderr:\n%.2000s",
                test->mode, result.exit_status, result.err);
  ck_assert_int_eq(support_check_counts(&result), RECORDS);
  ck_assert_int_eq(support_count(&result, "dead_letter"), test->dead);
  ck_assert_int_eq(support_check_lines(result.out, result.out_length), RECORDS - test->dead);
  if (test->dead == 1) {
    /* Exactly the trigger record, and every other one came out answered. */
    ck_assert_ptr_null(strstr(result.out, "trigger"));
    for (int line = 1; line <= RECORDS; line++) {
      char expected[80];
      snprintf(expected, sizeof expected, "{\"id\":%d,\"text\":\"fine %d\",\"seen\":true}\n", line,
               line);
      ck_assert_msg(line == 3 || strstr(result.out, expected) != NULL, "%s: no %s in:\n%s",
                    test->mode, expected, result.out);
    }
  }
  if (test->reason != NULL) {
    cJSON *letter = cJSON_Parse(result.dead);
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(letter, "reason");
    ck_assert_msg(cJSON_IsString(reason) &&
                      strncmp(reason->valuestring, test->reason, strlen(test->reason)) == 0,
                  "%s: dead letter %s", test->mode, result.dead);
    cJSON_Delete(letter);
  }
  if (strcmp(test->mode, "stderr_flood") == 0) {
    /* 100 MB of stderr: 5 lines shown, one notice, the rest counted; the log stays small. */
    ck_assert_uint_lt(strlen(result.err), 4096);
    ck_assert_msg(strstr(result.err, "misbehave.py: 999995 more stderr lines were not shown") !=
                      NULL,
                  "stderr:\n%s", result.err);
  }
  support_run_free(&result);
}
END_TEST

/* The child sees each record as written in the input: 64-bit ids (which a double would round:
 * 1460323737035677698 is not a double), escapes, UTF-8, nested values. Python prints each
 * record back compactly; these lines are written the way it prints them. */
START_TEST(test_child_sees_records_exactly) {
  static const char *const lines[] = {
      "{\"id\":1460323737035677698,\"text\":\"a 64-bit id\"}",
      "{\"id\":-9223372036854775808,\"text\":\"tab\\t quote \\\" backslash \\\\ "
      "control \\u0001 \xc3\xa9\"}",
      "{\"id\":18446744073709551615,\"text\":\"u64\",\"meta\":{\"n\":[1,2.5,-3,0.1,1e+300,"
      "123456789012345,1000000000000001],\"t\":true,\"f\":false,\"z\":null}}",
  };
  size_t count = sizeof lines / sizeof lines[0];
  char input[1024] = "";
  for (size_t i = 0; i < count; i++) {
    strcat(input, lines[i]);
    strcat(input, "\n");
  }
  run_spec spec = {.pipeline = exec_pipeline("echo", 5000), .input = input};
  run_result result = support_run(&spec);
  ck_assert_msg(result.exit_status == 0, "exit %d:\n%s", result.exit_status, result.err);
  ck_assert_int_eq(support_check_lines(result.out, result.out_length), (long long)count);
  const char *line = result.out;
  for (size_t i = 0; i < count; i++) {
    const char *end = strchr(line, '\n');
    cJSON *record = cJSON_ParseWithLength(line, (size_t)(end - line));
    const cJSON *seen = cJSON_GetObjectItemCaseSensitive(record, "seen");
    ck_assert_msg(cJSON_IsString(seen), "no \"seen\" in %.*s", (int)(end - line), line);
    ck_assert_str_eq(seen->valuestring, lines[i]);
    cJSON_Delete(record);
    line = end + 1;
  }
  support_run_free(&result);
}
END_TEST

/* A batch of 128 records of ~1 KB, with 1 KB in flight at most: the requests go out in
 * chunks, one at a time, while the answers come back; every record comes back, in order. */
START_TEST(test_in_flight_bound) {
  enum { LINES = 300 };
  size_t capacity = LINES * 1100;
  char *input = malloc(capacity);
  size_t used = 0;
  char filler[1001];
  memset(filler, 'x', 1000);
  filler[1000] = '\0';
  for (int line = 1; line <= LINES; line++)
    used += (size_t)snprintf(input + used, capacity - used, "{\"id\":%d,\"text\":\"%s\"}\n", line,
                             filler + line % 7);
  run_spec spec = {.pipeline = exec_pipeline_with("echo", 20000, ", \"max_in_flight_kb\": 1"),
                   .input = input};
  run_result result = support_run(&spec);
  ck_assert_msg(result.exit_status == 0, "exit %d:\n%s", result.exit_status, result.err);
  ck_assert_int_eq(support_check_lines(result.out, result.out_length), LINES);
  const char *in = input, *out = result.out;
  for (int line = 1; line <= LINES; line++) {
    const char *in_end = strchr(in, '\n'), *out_end = strchr(out, '\n');
    cJSON *record = cJSON_ParseWithLength(out, (size_t)(out_end - out));
    const cJSON *seen = cJSON_GetObjectItemCaseSensitive(record, "seen");
    ck_assert_msg(cJSON_IsString(seen) && strlen(seen->valuestring) == (size_t)(in_end - in) &&
                      memcmp(seen->valuestring, in, (size_t)(in_end - in)) == 0,
                  "line %d: %.80s", line, out);
    cJSON_Delete(record);
    in = in_end + 1;
    out = out_end + 1;
  }
  support_run_free(&result);
  free(input);
}
END_TEST

START_TEST(test_example_on_two_workers) {
  char pipeline[1024];
  snprintf(pipeline, sizeof pipeline, "%s/examples/exec/pipeline.json", source_root());
  size_t capacity = 300 * 80;
  char *input = malloc(capacity);
  size_t used = 0;
  for (int line = 1; line <= 300; line++)
    used += (size_t)snprintf(input + used, capacity - used,
                             line % 2 ? "{\"id\":%d,\"text\":\"Does it float?\"}\n"
                                      : "{\"id\":%d,\"text\":\"It floats.\"}\n",
                             line);
  run_spec spec = {.pipeline_path = pipeline, .input = input, .workers = "2"};
  run_result result = support_run(&spec);
  ck_assert_msg(result.exit_status == 0, "exit %d:\n%s", result.exit_status, result.err);
  ck_assert_int_eq(support_check_counts(&result), 300);
  ck_assert_int_eq(support_check_lines(result.out, result.out_length), 300);
  ck_assert_ptr_nonnull(
      strstr(result.out, "{\"id\":299,\"text\":\"Does it float?\",\"question\":true}\n"));
  ck_assert_ptr_nonnull(
      strstr(result.out, "{\"id\":300,\"text\":\"It floats.\",\"question\":false}\n"));
  support_run_free(&result);
  free(input);
}
END_TEST

START_TEST(test_missing_program) {
  run_spec spec = {.pipeline =
                       "{\"name\": \"exec-test\", \"stages\": [{\"plugin\": \"exec\", \"config\": "
                       "{\"command\": [\"textpipe-no-such-program\"], \"provides\": [\"seen\"], "
                       "\"restart_backoff_ms\": 0}}]}",
                   .input = "{\"text\":\"a\"}\n{\"text\":\"b\"}\n"};
  run_result result = support_run(&spec);
  ck_assert_int_eq(result.exit_status, 1);
  ck_assert_int_eq(support_count(&result, "dead_letter"), 2);
  ck_assert_msg(strstr(result.dead, "\"reason\":\"cannot start textpipe-no-such-program: No such "
                                    "file or directory\"") != NULL,
                "%s", result.dead);
  support_run_free(&result);
}
END_TEST

/* ---- many batches: the overlapped path (ABI 2.2 batch_submit / batch_collect) ----------------
 * With more than one batch per worker, the worker submits batch N+1 to the child while it
 * finishes batch N. 600 records (five batches) between two stages of the process-batch
 * fixture ("before" fails the records whose text is "fail" and drops "drop"; "after" runs
 * once the exec stage is collected): the triggers sit mid-batch, first in a batch and right
 * after it, and next to last in the input. Exactly they are dead-lettered by exec, each with its
 * reason, "fail" by "before"; every other record comes out answered, through both other
 * stages, in input order, on one worker and on two. */
#define OVERLAP_RECORDS 600

static int overlap_trigger(int line) {
  return line == 3 || line == 129 || line == 130 || line == 385 || line == OVERLAP_RECORDS - 1;
}

static const char *overlap_text(int line, char *buffer, size_t size) {
  if (overlap_trigger(line))
    return "trigger";
  if (line == 200 || line == 451)
    return "fail";
  if (line == 250)
    return "drop";
  snprintf(buffer, size, "fine %d", line);
  return buffer;
}

typedef struct overlap_case {
  const char *mode;
  const char *workers;
  const char *reason; /* every exec dead-letter's reason starts with this */
} overlap_case;

static const overlap_case overlap_cases[] = {
    {"exit_mid", "1", "misbehave.py exited with status 4 after "},
    {"exit_mid", "2", "misbehave.py exited with status 4 after "},
    {"error", "1", "misbehave.py: cannot score this one"},
    {"invalid", "2", "misbehave.py answered a line that is not a JSON object"},
    {"reorder", "1", "misbehave.py answered id "},
};

START_TEST(test_overlap_keeps_order) {
  const overlap_case *test = &overlap_cases[_i];
  char pipeline[4096], word[32];
  snprintf(pipeline, sizeof pipeline,
           "{\"name\": \"exec-overlap\", \"stages\": ["
           "{\"path\": \"%s/process-batch.so\", \"id\": \"before\", \"config\": {\"key\": "
           "\"before\"}}, "
           "{\"plugin\": \"exec\", \"config\": {\"command\": [\"python3\"], \"script\": "
           "\"%s/tests/plugins/exec/misbehave.py\", \"args\": [\"%s\"], \"provides\": "
           "[\"seen\"], \"timeout_ms\": 10000, \"restart_backoff_ms\": 0, \"stderr_lines\": 5}}, "
           "{\"path\": \"%s/process-batch.so\", \"id\": \"after\", \"config\": {\"key\": "
           "\"after\"}}]}",
           support_fixture_plugins(), source_root(), test->mode, support_fixture_plugins());
  char *input = malloc(OVERLAP_RECORDS * 40);
  size_t used = 0;
  for (int line = 1; line <= OVERLAP_RECORDS; line++)
    used += (size_t)sprintf(input + used, "{\"id\":%d,\"text\":\"%s\"}\n", line,
                            overlap_text(line, word, sizeof word));
  run_spec spec = {.pipeline = pipeline, .input = input, .workers = test->workers};
  run_result result = support_run(&spec);
  ck_assert_msg(result.exit_status == 1, "%s: exit %d, stderr:\n%.2000s", test->mode,
                result.exit_status, result.err);
  ck_assert_int_eq(support_check_counts(&result), OVERLAP_RECORDS);
  ck_assert_int_eq(support_count(&result, "dropped"), 1);
  ck_assert_int_eq(support_count(&result, "dead_letter"), 7);

  /* The output: every other record, in input order, with all three stages' keys. */
  const char *at = result.out;
  for (int line = 1; line <= OVERLAP_RECORDS; line++) {
    const char *text = overlap_text(line, word, sizeof word);
    if (strncmp(text, "fine", 4) != 0)
      continue;
    const char *end = strchr(at, '\n');
    ck_assert_msg(end != NULL, "%s: output ends before record %d", test->mode, line);
    cJSON *record = cJSON_ParseWithLength(at, (size_t)(end - at));
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(record, "id");
    ck_assert_msg(cJSON_IsNumber(id) && id->valueint == line, "%s: expected record %d, got %.*s",
                  test->mode, line, (int)(end - at), at);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(record, "seen")));
    ck_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(record, "before")));
    ck_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(record, "after")));
    cJSON_Delete(record);
    at = end + 1;
  }
  ck_assert_msg(*at == '\0', "%s: more output than expected: %.200s", test->mode, at);

  /* The dead letters: exactly the triggers (exec, with the mode's reason) and "fail"s. */
  int dead_seen = 0;
  for (const char *line = result.dead; *line != '\0'; dead_seen++) {
    const char *end = strchr(line, '\n');
    cJSON *letter = cJSON_ParseWithLength(line, (size_t)(end - line));
    int number = cJSON_GetObjectItemCaseSensitive(letter, "line")->valueint;
    const char *stage = cJSON_GetObjectItemCaseSensitive(letter, "stage")->valuestring;
    const char *reason = cJSON_GetObjectItemCaseSensitive(letter, "reason")->valuestring;
    if (overlap_trigger(number)) {
      ck_assert_str_eq(stage, "exec");
      ck_assert_msg(strncmp(reason, test->reason, strlen(test->reason)) == 0, "%s: line %d: %s",
                    test->mode, number, reason);
      if (strcmp(test->mode, "exit_mid") == 0) /* the stderr tail is in the reason */
        ck_assert_ptr_nonnull(strstr(reason, "; stderr: about to exit"));
    } else {
      ck_assert_msg(number == 200 || number == 451, "%s: line %d dead-lettered: %s", test->mode,
                    number, reason);
      ck_assert_str_eq(stage, "before");
    }
    cJSON_Delete(letter);
    line = end + 1;
  }
  ck_assert_int_eq(dead_seen, 7);
  support_run_free(&result);
  free(input);
}
END_TEST

static Suite *exec_suite(void) {
  Suite *suite = suite_create("exec");
  TCase *children = tcase_create("misbehaving children");
  tcase_set_timeout(children, 120);
  tcase_add_loop_test(children, test_misbehaving_child, 0,
                      (int)(sizeof misbehave_cases / sizeof misbehave_cases[0]));
  tcase_add_test(children, test_missing_program);
  tcase_add_test(children, test_child_sees_records_exactly);
  tcase_add_test(children, test_in_flight_bound);
  tcase_add_loop_test(children, test_overlap_keeps_order, 0,
                      (int)(sizeof overlap_cases / sizeof overlap_cases[0]));
  suite_add_tcase(suite, children);
  TCase *example = tcase_create("example");
  tcase_set_timeout(example, 60);
  tcase_add_test(example, test_example_on_two_workers);
  suite_add_tcase(suite, example);
  return suite;
}

int main(void) {
  return tp_check_run(exec_suite());
}
