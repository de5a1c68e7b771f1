/* core/run/harness.c - a pipeline run synchronously, one line at a time (harness.h).
 *
 * The same record preparation (record.c), stage calls (stages.c), host table (host.c) and
 * report (report.c) as `textpipe run`, on one worker and without libuv. An input line is
 * NUL-terminated here; a trailing newline is tolerated. A blank line counts as skipped and
 * comes back as TP_HARNESS_DROPPED with err saying so, as the stream would skip it.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "host.h"
#include "record.h"
#include "report.h"
#include "stages.h"

struct tp_harness {
  const tp_pipeline *pipeline;
  tp_pipeline *owned; /* loaded by tp_harness_open; NULL when borrowed */
  void **partials;
  tp_stage_stats *stats;
  atomic_int *key_warned;
  tp_record record;
  tp_run_counts counts;
  double seconds;
  int finished;
};

int tp_harness_open_pipeline(const tp_pipeline *pipeline, tp_harness **out, tp_error *err) {
  tp_harness *harness = calloc(1, sizeof *harness);
  if (harness == NULL)
    goto oom;
  harness->pipeline = pipeline;
  harness->stats = calloc(pipeline->stage_count + 1, sizeof *harness->stats);
  harness->key_warned = calloc(pipeline->stage_count + 1, sizeof *harness->key_warned);
  if (harness->stats == NULL || harness->key_warned == NULL)
    goto oom;
  harness->partials = tp_partials_create(pipeline, err);
  if (harness->partials == NULL) {
    tp_harness_close(harness);
    return -1;
  }
  harness->record.key_warned = harness->key_warned;
  *out = harness;
  return 0;
oom:
  snprintf(err->message, sizeof err->message, "out of memory");
  tp_harness_close(harness);
  return -1;
}

int tp_harness_open(const char *pipeline_path, tp_harness **out, tp_error *err) {
  tp_loader_options loader = {getenv("TEXTPIPE_PLUGIN_PATH"), tp_host_api()};
  tp_pipeline *pipeline = NULL;
  if (tp_pipeline_load(pipeline_path, &loader, &pipeline, err) != 0)
    return -1;
  if (tp_harness_open_pipeline(pipeline, out, err) != 0) {
    tp_pipeline_free(pipeline);
    return -1;
  }
  (*out)->owned = pipeline;
  return 0;
}

static int dead(tp_harness *harness, uint64_t line, const char *stage_id, const char *reason,
                tp_error *err) {
  harness->counts.in++;
  harness->counts.dead_letter++;
  if (stage_id != NULL)
    snprintf(err->message, sizeof err->message, "line %llu: %s: %s", (unsigned long long)line,
             stage_id, reason);
  else
    snprintf(err->message, sizeof err->message, "line %llu: %s", (unsigned long long)line, reason);
  return TP_HARNESS_DEAD;
}

int tp_harness_process_line(tp_harness *harness, const char *line, char **output, tp_error *err) {
  const tp_pipeline *pipeline = harness->pipeline;
  double start = tp_clock_seconds();
  uint64_t number = harness->counts.in + harness->counts.skipped_empty + 1;
  size_t length = strlen(line);
  harness->counts.bytes += length;
  *output = NULL;
  if (length > 0 && line[length - 1] == '\n')
    length--;
  if (length > 0 && line[length - 1] == '\r')
    length--;
  if (strspn(line, " \t\r\n") >= length) {
    harness->counts.skipped_empty++;
    snprintf(err->message, sizeof err->message, "line %llu: empty line skipped",
             (unsigned long long)number);
    return TP_HARNESS_DROPPED;
  }
  uint64_t limit = pipeline->max_record_bytes ? pipeline->max_record_bytes : 16u * 1024 * 1024;
  char reason[TP_REASON_SIZE];
  if (length > limit) {
    snprintf(reason, sizeof reason, "record of %zu bytes is over the limit of %llu bytes", length,
             (unsigned long long)limit);
    return dead(harness, number, NULL, reason, err);
  }
  /* The record needs the line NUL-terminated right after `length` bytes. */
  char *copy = malloc(length + 1);
  if (copy == NULL)
    return -1;
  memcpy(copy, line, length);
  copy[length] = '\0';
  tp_record *record = &harness->record;
  int outcome = TP_HARNESS_OUT;
  if (tp_record_prepare(record, pipeline, copy, length, number, reason, sizeof reason) != 0) {
    outcome = dead(harness, number, NULL, reason, err);
    goto done;
  }
  for (size_t s = 0; s < pipeline->stage_count; s++) {
    const tp_stage *stage = &pipeline->stages[s];
    double stage_start = tp_clock_seconds();
    tp_result result = tp_stage_process(stage, harness->partials[s], record, &harness->stats[s],
                                        reason, sizeof reason);
    harness->stats[s].seconds += tp_clock_seconds() - stage_start;
    if (result == TP_DROP) {
      harness->counts.in++;
      harness->counts.dropped++;
      snprintf(err->message, sizeof err->message, "line %llu: dropped by %s",
               (unsigned long long)number, stage->id);
      outcome = TP_HARNESS_DROPPED;
      goto done;
    }
    if (result == TP_ERROR) {
      outcome = dead(harness, number, stage->id, reason, err);
      goto done;
    }
  }
  *output = cJSON_PrintUnformatted(record->json);
  if (*output == NULL) {
    outcome = -1;
    goto done;
  }
  harness->counts.in++;
  harness->counts.out++;
done:
  tp_record_reset(record);
  free(copy);
  harness->seconds += tp_clock_seconds() - start;
  return outcome;
}

cJSON *tp_harness_finish(tp_harness *harness, tp_error *err) {
  if (harness->finished) {
    snprintf(err->message, sizeof err->message, "the harness was already finished");
    return NULL;
  }
  harness->finished = 1;
  cJSON *sections = cJSON_CreateObject();
  if (sections == NULL) {
    snprintf(err->message, sizeof err->message, "out of memory");
    return NULL;
  }
  void **partials[1] = {harness->partials};
  if (tp_stages_finish(harness->pipeline, partials, 1, sections, err) != 0) {
    cJSON_Delete(sections);
    return NULL;
  }
  cJSON *report = tp_report_build(harness->pipeline, "harness", &harness->counts, 1,
                                  harness->seconds, harness->stats, sections);
  if (report == NULL)
    snprintf(err->message, sizeof err->message, "out of memory building the report");
  return report;
}

void tp_harness_close(tp_harness *harness) {
  if (harness == NULL)
    return;
  tp_record_release(&harness->record);
  if (harness->partials != NULL)
    tp_partials_destroy(harness->pipeline, harness->partials);
  free(harness->stats);
  free(harness->key_warned);
  tp_pipeline_free(harness->owned);
  free(harness);
}
