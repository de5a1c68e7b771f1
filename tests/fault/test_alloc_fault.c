/* tests/fault/test_alloc_fault.c - every allocation of a small run fails once, in turn.
 *
 * The textpipe-fault binary (fail_alloc.c) fails its Nth allocation when
 * TEXTPIPE_FAIL_ALLOC_AT=N. A first run counts the allocations of a small pipeline run (the
 * echo fixture, which allocates through the host table, over records with one bad line); then
 * the sweep runs it once per N. Every run must end in one of:
 *   - exit 3 with an error message on stderr (the failure was fatal and said so),
 *   - exit 2 with an error message (the failure hit loading the pipeline),
 *   - exit 0/1 with the report present, every input record accounted for (a failure inside
 *     one record dead-letters that record);
 * and never in a crash (a signal, a sanitizer abort), a report whose counts do not add up, or
 * an output that ends in half a line. TEXTPIPE_ALLOC_STRIDE=K tests every Kth N only (for
 * slow setups such as valgrind).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "run_support.h"

static const char pipeline[] =
    "{\"name\": \"oom\", \"input\": {\"format\": \"ndjson\", \"text_field\": \"text\"},"
    " \"stages\": [{\"plugin\": \"echo\", \"config\": {\"prefix\": \"> \"}}]}";

static const char input[] = "{\"id\": 1, \"text\": \"first\"}\n"
                            "{\"id\": 2, \"text\": \"second \\u00e9\"}\n"
                            "{\"id\": 3, \"text\": \n" /* invalid JSON: dead-lettered */
                            "{\"id\": 4, \"text\": \"fourth\", \"tags\": [1, 2, {\"a\": null}]}\n"
                            "\n"
                            "{\"id\": 5, \"text\": \"fifth\"}\n";

#define INPUT_RECORDS 5

/* The sweeps: the echo fixture with one worker and with two (allocation order then varies
 * from run to run, which only widens what is covered), and the default pipeline (every
 * built-in stage it has, their allocations through the host table and cJSON) at every 4th N.
 * Every sweep also checks for leaks (LeakSanitizer in the sanitizer build, valgrind under
 * `meson test --setup valgrind`). */
static const struct {
  const char *pipeline_path; /* under the source root; NULL: the echo pipeline above */
  const char *workers;
  long stride;
  int skip_under_valgrind; /* ~500 full-pipeline runs: LeakSanitizer covers it, valgrind is too slow
                            */
} sweeps[] = {
    {NULL, "1", 1, 0},
    {NULL, "2", 1, 0},
    {"pipelines/comments.json", "1", 4, 1},
};

static run_spec sweep_spec(char *env, int sweep) {
  static char binary[4096], pipeline_path[4096];
  const char *fault_binary = getenv("TEXTPIPE_FAULT_BINARY");
  const char *source_root = getenv("TEXTPIPE_SOURCE_ROOT");
  ck_assert_msg(fault_binary != NULL && source_root != NULL,
                "TEXTPIPE_FAULT_BINARY or TEXTPIPE_SOURCE_ROOT is not set; run through meson test");
  snprintf(binary, sizeof binary, "%s", fault_binary);
  run_spec spec = {.binary = binary,
                   .pipeline = pipeline,
                   .input = input,
                   .extra_env = env,
                   .workers = sweeps[sweep].workers};
  if (sweeps[sweep].pipeline_path != NULL) {
    snprintf(pipeline_path, sizeof pipeline_path, "%s/%s", source_root,
             sweeps[sweep].pipeline_path);
    spec.pipeline = NULL;
    spec.pipeline_path = pipeline_path;
  }
  return spec;
}

/* The allocation count of an undisturbed run (which must itself succeed as expected). */
static long count_allocations(int sweep) {
  run_spec spec = sweep_spec("TEXTPIPE_ALLOC_COUNT=1", sweep);
  run_result result = support_run(&spec);
  ck_assert_msg(result.exit_status == 1, "baseline run: exit %d\n%s", result.exit_status,
                result.err);
  ck_assert_int_eq(support_check_counts(&result), INPUT_RECORDS);
  ck_assert_int_eq(support_count(&result, "dead_letter"), 1);
  const char *line = strstr(result.err, "textpipe-fault: ");
  ck_assert_msg(line != NULL, "no allocation count on stderr:\n%s", result.err);
  long count = strtol(line + strlen("textpipe-fault: "), NULL, 10);
  support_run_free(&result);
  return count;
}

/* Why the run with the Nth allocation failing is not acceptable, or NULL if it is. */
static const char *judge(const run_result *result) {
  static char why[256];
  int status = result->exit_status;
  if (status >= 128)
    return snprintf(why, sizeof why, "killed by signal %d", status - 128), why;
  if (result->out_length > 0 && result->out[result->out_length - 1] != '\n')
    return "output ends in half a line";
  if (status == 2 || status == 3)
    return strstr(result->err, "textpipe: error: ") != NULL ? NULL : "exit 2/3 without a message";
  if (status != 0 && status != 1)
    return snprintf(why, sizeof why, "exit status %d", status), why;
  if (result->report == NULL)
    return "exit 0/1 without a report";
  return NULL;
}

START_TEST(test_every_allocation_fails_once) {
  if (sweeps[_i].skip_under_valgrind && getenv("TEXTPIPE_VALGRIND") != NULL) {
    fprintf(stderr, "alloc sweep %s: skipped under valgrind (too slow; LeakSanitizer covers it)\n",
            sweeps[_i].pipeline_path);
    return;
  }
  long total = count_allocations(_i);
  ck_assert_int_gt(total, 50);
  const char *stride_text = getenv("TEXTPIPE_ALLOC_STRIDE");
  long stride = sweeps[_i].stride;
  if (stride_text != NULL && atol(stride_text) > 0)
    stride *= atol(stride_text);
  /* A little past the count: the run may allocate differently once something failed. */
  long failures = 0, exits[4] = {0};
  char first[1024] = "";
  for (long n = 1; n <= total + 10; n += stride) {
    char env[64];
    snprintf(env, sizeof env, "TEXTPIPE_FAIL_ALLOC_AT=%ld", n);
    run_spec spec = sweep_spec(env, _i);
    run_result result = support_run(&spec);
    const char *why = judge(&result);
    if (why == NULL && result.report != NULL) {
      support_check_counts(&result);
      ck_assert_int_eq(support_check_lines(result.out, result.out_length),
                       support_count(&result, "out"));
      if (result.exit_status <= 1)
        ck_assert_msg(support_count(&result, "in") == INPUT_RECORDS,
                      "N=%ld: exit %d but only %lld of %d records in", n, result.exit_status,
                      support_count(&result, "in"), INPUT_RECORDS);
    }
    if (why != NULL) {
      if (failures == 0) /* the whole story of the first bad run, for the log */
        fprintf(stderr, "N=%ld: %s; stderr:\n%s\n", n, why, result.err);
      failures++;
      size_t used = strlen(first);
      if (used < sizeof first - 200)
        snprintf(first + used, sizeof first - used, "N=%ld: %s; ", n, why);
    } else {
      exits[result.exit_status]++;
    }
    support_run_free(&result);
  }
  fprintf(stderr,
          "alloc sweep %s, %s worker(s): %ld allocations, exits: 0 x%ld, 1 x%ld, 2 x%ld, 3 x%ld, "
          "bad x%ld\n",
          sweeps[_i].pipeline_path != NULL ? sweeps[_i].pipeline_path : "echo", sweeps[_i].workers,
          total, exits[0], exits[1], exits[2], exits[3], failures);
  ck_assert_msg(failures == 0, "%ld runs ended badly: %s", failures, first);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("alloc_fault");
  TCase *sweep = tcase_create("sweep");
  tcase_set_timeout(sweep, 600);
  tcase_add_loop_test(sweep, test_every_allocation_fails_once, 0,
                      (int)(sizeof sweeps / sizeof sweeps[0]));
  suite_add_tcase(suite, sweep);
  return tp_check_run(suite);
}
