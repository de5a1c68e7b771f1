/* tests/unit/test_runner.c - the stage runner on real worker threads: output order equals
 * input order, batch k runs on worker k mod N (visible in per-partial counts), drops and
 * errors are accounted for, partials merge in worker order, stats add up; the end in one call
 * or in two (merge, then finish). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "runner.h"
#include "test_pipeline.h"

#define LINES 1000

typedef struct delivery {
  tp_runner *runner;
  uint64_t next_sequence;
  size_t batches_expected, batches_seen;
  char *output;
  size_t output_length;
  uint64_t out, dropped, dead;
  long dead_stage_sum;
} delivery;

static void on_ready(void *context, tp_batch *batch) {
  delivery *d = context;
  ck_assert_uint_eq(batch->sequence, d->next_sequence);
  d->next_sequence++;
  d->output = realloc(d->output, d->output_length + batch->out_used + 1);
  memcpy(d->output + d->output_length, batch->out, batch->out_used);
  d->output_length += batch->out_used;
  d->output[d->output_length] = '\0';
  d->out += batch->out_count;
  d->dropped += batch->dropped_count;
  d->dead += batch->dead_count;
  for (size_t i = 0; i < batch->item_count; i++)
    if (batch->items[i].state == TP_ITEM_DEAD)
      d->dead_stage_sum += batch->items[i].dead_stage;
  tp_runner_batch_release(d->runner, batch);
  d->batches_seen++;
}

static uv_loop_t *test_loop;

static void on_ready_and_stop(void *context, tp_batch *batch) {
  delivery *d = context;
  on_ready(context, batch);
  if (d->batches_seen == d->batches_expected)
    uv_stop(test_loop);
}

/* The text of input line `n` (1-based): some drop, some fail, some are not JSON. */
static void make_line(int n, char *line, size_t size) {
  if (n % 37 == 0)
    snprintf(line, size, "{not json %d", n);
  else if (n % 11 == 0)
    snprintf(line, size, "{\"id\":%d,\"text\":\"fail %d\"}", n, n);
  else if (n % 7 == 0)
    snprintf(line, size, "{\"id\":%d,\"text\":\"drop %d\"}", n, n);
  else
    snprintf(line, size, "{\"id\":%d,\"text\":\"keep %d\"}", n, n);
}

/* What a finish gate saw: the stages it was called for, and whether the stage's section was
 * already there (it must not be: the gate comes before finish()). */
typedef struct gate_calls {
  cJSON *sections;
  size_t count;
  size_t stages[4];
  int section_there[4];
} gate_calls;

static void record_gate_call(void *context, size_t stage) {
  gate_calls *calls = context;
  ck_assert_uint_lt(calls->count, 4);
  calls->section_there[calls->count] = cJSON_GetObjectItem(calls->sections, "count1") != NULL;
  calls->stages[calls->count++] = stage;
}

/* Loop index 1-4: that many workers, batches of 10 records (less than a slice); 5-8: 1-4
 * workers, batches of 100 (several TP_BATCH_SLICE slices a batch, records dropped and
 * dead-lettered inside them, every stage still seeing its worker's records in order). */
START_TEST(order_and_assignment) {
  size_t workers = (size_t)(_i <= 4 ? _i : _i - 4);
  const int per_batch = _i <= 4 ? 10 : 100;
  const tp_plugin *plugins[] = {&test_plugin_filter, &test_plugin_count};
  tp_pipeline *pipeline = test_pipeline_new(plugins, 2, TP_INPUT_NDJSON, NULL);
  uv_loop_t loop;
  uv_loop_init(&loop);
  test_loop = &loop;
  delivery d = {.batches_expected = (size_t)(LINES / per_batch)};
  tp_error err = {{0}};
  tp_runner *runner = tp_runner_create(&loop, pipeline, workers, on_ready_and_stop, &d, &err);
  ck_assert_msg(runner != NULL, "%s", err.message);
  d.runner = runner;
  ck_assert_uint_eq(tp_runner_workers(runner), workers);
  char line[128];
  for (int batch_index = 0; batch_index < LINES / per_batch; batch_index++) {
    tp_batch *batch = tp_runner_batch_acquire(runner);
    for (int k = 0; k < per_batch; k++) {
      int n = batch_index * per_batch + k + 1;
      make_line(n, line, sizeof line);
      ck_assert_int_eq(
          tp_batch_add_line(batch, line, strlen(line), (uint64_t)n, strlen(line), 1000), 0);
    }
    tp_runner_submit(runner, batch);
  }
  ck_assert_uint_eq(tp_runner_in_flight(runner), LINES / per_batch);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_uint_eq(d.batches_seen, LINES / per_batch);
  ck_assert_uint_eq(tp_runner_in_flight(runner), 0);

  /* Expected: walk the input, simulating batch k on worker k mod N. */
  long long seen_by_worker[8] = {0};
  long long kept = 0, dropped = 0, dead = 0, counted_lines = 0, dead_stage_sum = 0;
  char *cursor = d.output;
  for (int n = 1; n <= LINES; n++) {
    size_t worker = (size_t)((n - 1) / per_batch) % workers;
    if (n % 37 == 0) {
      dead++;
      dead_stage_sum += -1;
      continue;
    }
    if (n % 11 == 0) {
      dead++;
      dead_stage_sum += 0;
      continue;
    }
    if (n % 7 == 0) {
      dropped++;
      continue;
    }
    kept++;
    counted_lines += n;
    seen_by_worker[worker]++;
    char expected[160];
    snprintf(expected, sizeof expected,
             "{\"id\":%d,\"text\":\"keep %d\",\"filter\":true,\"count\":%lld}\n", n, n,
             seen_by_worker[worker]);
    ck_assert_msg(strncmp(cursor, expected, strlen(expected)) == 0, "line %d: %.80s", n, cursor);
    cursor += strlen(expected);
  }
  ck_assert_str_eq(cursor, "");
  ck_assert_uint_eq(d.out, (uint64_t)kept);
  ck_assert_uint_eq(d.dropped, (uint64_t)dropped);
  ck_assert_uint_eq(d.dead, (uint64_t)dead);
  ck_assert_int_eq(d.dead_stage_sum, dead_stage_sum);

  cJSON *sections = cJSON_CreateObject();
  tp_stage_stats stats[2];
  if (_i <= 4) {
    ck_assert_int_eq(tp_runner_finish(runner, sections, NULL, stats, &err), 0);
  } else { /* in two steps, as a run's end with its last checkpoint: the same report */
    ck_assert_int_eq(tp_runner_merge(runner, NULL, stats, &err), 0);
    ck_assert_uint_eq(stats[1].records, (uint64_t)kept); /* summed by the merge */
    gate_calls calls = {sections, 0, {0}, {0}};
    tp_finish_gate gate = {record_gate_call, &calls};
    ck_assert_int_eq(tp_runner_finish_merged(runner, sections, &gate, &err), 0);
    /* the gate held the one stage with a finish() ("count1", stage 1) before it ran */
    ck_assert_uint_eq(calls.count, 1);
    ck_assert_uint_eq(calls.stages[0], 1);
    ck_assert(!calls.section_there[0]);
  }
  uv_run(&loop, UV_RUN_DEFAULT); /* closes the async handle */
  const cJSON *count = cJSON_GetObjectItem(sections, "count1");
  ck_assert_int_eq(cJSON_GetObjectItem(count, "records")->valueint, kept);
  ck_assert_double_eq(cJSON_GetObjectItem(count, "line_sum")->valuedouble, (double)counted_lines);
  ck_assert_int_eq(cJSON_GetObjectItem(count, "workers_merged")->valueint, (int)workers - 1);
  ck_assert_uint_eq(stats[0].records, (uint64_t)(LINES - LINES / 37));
  ck_assert_uint_eq(stats[0].dropped, (uint64_t)dropped);
  ck_assert_uint_eq(stats[0].errors, (uint64_t)(dead - LINES / 37));
  ck_assert_uint_eq(stats[1].records, (uint64_t)kept);
  cJSON_Delete(sections);
  tp_runner_free(runner);
  ck_assert_int_eq(uv_loop_close(&loop), 0);
  free(d.output);
  test_pipeline_free(pipeline);
}
END_TEST

START_TEST(oversize_items_arrive_dead) {
  tp_pipeline *pipeline = test_pipeline_new(NULL, 0, TP_INPUT_NDJSON, NULL);
  uv_loop_t loop;
  uv_loop_init(&loop);
  test_loop = &loop;
  delivery d = {.batches_expected = 1};
  tp_error err = {{0}};
  tp_runner *runner = tp_runner_create(&loop, pipeline, 2, on_ready_and_stop, &d, &err);
  d.runner = runner;
  tp_batch *batch = tp_runner_batch_acquire(runner);
  tp_batch_add_line(batch, "{\"text\":\"x\"}", 12, 1, 12, 100);
  tp_batch_add_line(batch, "{\"text\":\"yy", 11, 2, 5000, 100);
  ck_assert_str_eq(batch->items[1].reason, "record of 5000 bytes is over the limit of 100 bytes");
  tp_runner_submit(runner, batch);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_str_eq(d.output, "{\"text\":\"x\"}\n");
  ck_assert_uint_eq(d.dead, 1);
  cJSON *sections = cJSON_CreateObject();
  ck_assert_int_eq(tp_runner_finish(runner, sections, NULL, NULL, &err), 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_ptr_null(sections->child);
  cJSON_Delete(sections);
  tp_runner_free(runner);
  ck_assert_int_eq(uv_loop_close(&loop), 0);
  free(d.output);
  test_pipeline_free(pipeline);
}
END_TEST

START_TEST(batches_fill_by_count_and_bytes) {
  tp_batch batch = {0};
  char line[64] = "{}";
  int n = 0;
  while (!tp_batch_full(&batch))
    tp_batch_add_line(&batch, line, 2, (uint64_t)++n, 2, 100);
  ck_assert_int_eq(n, TP_BATCH_RECORDS);
  free(batch.lines);
  free(batch.items);
  tp_batch big = {0};
  char *huge = calloc(1, TP_BATCH_BYTES);
  tp_batch_add_line(&big, huge, TP_BATCH_BYTES - 1, 1, TP_BATCH_BYTES - 1, TP_BATCH_BYTES);
  ck_assert(tp_batch_full(&big));
  free(huge);
  free(big.lines);
  free(big.items);
}
END_TEST

static Suite *runner_suite(void) {
  Suite *suite = suite_create("runner");
  TCase *order = tcase_create("order");
  tcase_add_loop_test(order, order_and_assignment, 1, 9);
  tcase_add_test(order, oversize_items_arrive_dead);
  tcase_set_timeout(order, 30);
  suite_add_tcase(suite, order);
  TCase *batches = tcase_create("batches");
  tcase_add_test(batches, batches_fill_by_count_and_bytes);
  suite_add_tcase(suite, batches);
  return suite;
}

int main(void) {
  return tp_check_run(runner_suite());
}
