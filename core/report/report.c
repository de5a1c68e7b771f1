/* core/report/report.c - the report object, its file and the summary line (report.h). */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "json_print.h"
#include "tp_config.h"

/* Seconds rounded to milliseconds, so the report does not carry timer noise digits. */
static double rounded(double seconds) {
  return round(seconds * 1000.0) / 1000.0;
}

static cJSON *stage_entry(const tp_stage *stage, const tp_stage_stats *stats) {
  cJSON *entry = cJSON_CreateObject();
  const tp_plugin *plugin = stage->handle->plugin;
  if (entry == NULL || cJSON_AddStringToObject(entry, "id", stage->id) == NULL ||
      cJSON_AddStringToObject(entry, "plugin", plugin->name) == NULL ||
      cJSON_AddStringToObject(entry, "version", plugin->version) == NULL ||
      cJSON_AddNumberToObject(entry, "seconds", rounded(stats->seconds)) == NULL ||
      cJSON_AddNumberToObject(entry, "records", (double)stats->records) == NULL ||
      cJSON_AddNumberToObject(entry, "dropped", (double)stats->dropped) == NULL ||
      cJSON_AddNumberToObject(entry, "errors", (double)stats->errors) == NULL) {
    cJSON_Delete(entry);
    return NULL;
  }
  return entry;
}

cJSON *tp_report_build(const tp_pipeline *pipeline, const char *source, const tp_run_counts *counts,
                       size_t workers, double seconds, const tp_stage_stats *stats,
                       cJSON *sections) {
  cJSON *report = cJSON_CreateObject();
  if (sections == NULL)
    sections = cJSON_CreateObject();
  if (report == NULL || sections == NULL)
    goto fail;
  cJSON *input = cJSON_CreateObject();
  cJSON *count_object = cJSON_CreateObject();
  cJSON *stages = cJSON_CreateArray();
  int ok = input != NULL && count_object != NULL && stages != NULL;
  ok = ok && cJSON_AddStringToObject(report, "textpipe", TP_VERSION) != NULL;
  ok = ok &&
       cJSON_AddStringToObject(report, "pipeline", pipeline->name ? pipeline->name : "") != NULL;
  if (!ok || !cJSON_AddItemToObject(report, "input", input)) {
    cJSON_Delete(input);
    cJSON_Delete(count_object);
    cJSON_Delete(stages);
    goto fail;
  }
  const char *format = pipeline->input_format == TP_INPUT_LINES ? "lines"
                       : pipeline->input_format == TP_INPUT_CSV ? "csv"
                                                                : "ndjson";
  ok = cJSON_AddStringToObject(input, "format", format) != NULL &&
       cJSON_AddNumberToObject(input, "bytes", (double)counts->bytes) != NULL &&
       cJSON_AddStringToObject(input, "source", source) != NULL;
  if (!ok || !cJSON_AddItemToObject(report, "counts", count_object)) {
    cJSON_Delete(count_object);
    cJSON_Delete(stages);
    goto fail;
  }
  ok = cJSON_AddNumberToObject(count_object, "in", (double)counts->in) != NULL &&
       cJSON_AddNumberToObject(count_object, "out", (double)counts->out) != NULL &&
       cJSON_AddNumberToObject(count_object, "dropped", (double)counts->dropped) != NULL &&
       cJSON_AddNumberToObject(count_object, "dead_letter", (double)counts->dead_letter) != NULL &&
       cJSON_AddNumberToObject(count_object, "not_written", (double)counts->not_written) != NULL &&
       cJSON_AddNumberToObject(count_object, "skipped_empty", (double)counts->skipped_empty) !=
           NULL &&
       (counts->dead_letter_not_written == 0 ||
        cJSON_AddNumberToObject(count_object, "dead_letter_not_written",
                                (double)counts->dead_letter_not_written) != NULL) &&
       (counts->unfinished == 0 ||
        cJSON_AddNumberToObject(count_object, "unfinished", (double)counts->unfinished) != NULL) &&
       cJSON_AddNumberToObject(report, "workers", (double)workers) != NULL &&
       cJSON_AddNumberToObject(report, "seconds", rounded(seconds)) != NULL;
  if (!ok || !cJSON_AddItemToObject(report, "stages", stages)) {
    cJSON_Delete(stages);
    goto fail;
  }
  for (size_t s = 0; s < pipeline->stage_count; s++) {
    cJSON *entry = stage_entry(&pipeline->stages[s], &stats[s]);
    if (entry == NULL || !cJSON_AddItemToArray(stages, entry)) {
      cJSON_Delete(entry);
      goto fail;
    }
  }
  if (!cJSON_AddItemToObject(report, "sections", sections))
    goto fail; /* not added: still ours to delete */
  return report;
fail:
  cJSON_Delete(sections);
  cJSON_Delete(report);
  return NULL;
}

int tp_report_check_writable(const char *path, tp_error *err) {
  FILE *file = fopen(path, "a");
  if (file == NULL) {
    snprintf(err->message, sizeof err->message, "%s: cannot open for writing: %s", path,
             uv_strerror(uv_translate_sys_error(errno)));
    return -1;
  }
  fclose(file);
  return 0;
}

/* NUL-terminates a printed buffer of `used` bytes. Returns 0, or -1 on OOM (*text kept). */
static int reserve_end(char **text, size_t used) {
  char *ended = realloc(*text, used + 1);
  if (ended == NULL)
    return -1;
  ended[used] = '\0';
  *text = ended;
  return 0;
}

int tp_json_write_file(const cJSON *json, int pretty, const char *path, const char *what,
                       tp_error *err) {
  char *text = NULL;
  size_t used = 0, capacity = 0;
  if (pretty) {
    text = cJSON_Print(json);
  } else if (tp_json_print_append(json, &text, &used, &capacity) != 0 ||
             reserve_end(&text, used) != 0) { /* the core's printer: much faster than cJSON's */
    free(text);
    text = NULL;
  }
  if (text == NULL) {
    snprintf(err->message, sizeof err->message, "%s: out of memory printing the %s", path, what);
    return -1;
  }
  FILE *file = fopen(path, "w");
  int ok = file != NULL && fputs(text, file) >= 0 && fputc('\n', file) != EOF;
  int saved = errno;
  if (file != NULL && fclose(file) != 0 && ok) {
    ok = 0;
    saved = errno;
  }
  free(text);
  if (!ok) {
    snprintf(err->message, sizeof err->message, "%s: cannot write the %s: %s", path, what,
             uv_strerror(uv_translate_sys_error(saved)));
    return -1;
  }
  return 0;
}

int tp_report_write(const cJSON *report, const char *path, tp_error *err) {
  return tp_json_write_file(report, 1, path, "report", err);
}

void tp_report_summary(const tp_run_counts *counts, double seconds, char *line, size_t size) {
  double rate = seconds > 0 ? (double)counts->bytes / 1e6 / seconds : 0.0;
  char not_written[160] = "";
  int used = 0;
  if (counts->dead_letter_not_written > 0) /* of the dead-letters just counted */
    used = snprintf(not_written, sizeof not_written, " (not written %llu)",
                    (unsigned long long)counts->dead_letter_not_written);
  if (counts->not_written > 0)
    used += snprintf(not_written + used, sizeof not_written - (size_t)used, ", not written %llu",
                     (unsigned long long)counts->not_written);
  if (counts->unfinished > 0) /* a run stopped at once (stop.h) */
    snprintf(not_written + used, sizeof not_written - (size_t)used, ", unfinished %llu",
             (unsigned long long)counts->unfinished);
  snprintf(line, size,
           "summary: in %llu, out %llu, dropped %llu, dead-letter %llu%s, skipped %llu; %.3f s, "
           "%.1f MB/s",
           (unsigned long long)counts->in, (unsigned long long)counts->out,
           (unsigned long long)counts->dropped, (unsigned long long)counts->dead_letter,
           not_written, (unsigned long long)counts->skipped_empty, seconds, rate);
}
