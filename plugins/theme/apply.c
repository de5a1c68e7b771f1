/* plugins/theme/apply.c - fit once, apply everywhere (model.h): the per-record assignment of a
 * stage given `model`, its report section, and the model a discovery run writes to
 * `model_out` at the end of the stream.
 *
 * Apply mode, per record: "theme_id" is the id of the model's nearest theme (the id the fit
 * run's report gave it), or null when the record shares no term with the model or is below
 * that theme's floor (an outlier); "theme_similarity" is the cosine to the nearest theme.
 * Report: {"records", "model": {"themes", "fit_records"}, "outliers",
 *          "discovered": [{"id", "label", "size", "share", "keyphrases", "online_ids": [id]}]}
 * in the model's order; "online_ids" holds the theme's own id, which is what its records
 * carry, so consumers of discovery reports (summary) read it the same way.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "kmeans.h"
#include "labels.h"
#include "plugin.h"

int th_apply_record(const th_instance *instance, th_partial *partial, tp_record *record) {
  const th_saved_model *model = instance->saved;
  const th_scratch *scratch = &partial->scratch;
  float similarity = 0;
  int32_t theme = th_saved_model_assign(model, scratch->terms, scratch->term_count, &similarity);
  partial->applied[theme >= 0 ? (uint32_t)theme : model->vectors.themes]++;
  cJSON *id = theme >= 0 ? cJSON_CreateNumber((double)model->ids[theme]) : cJSON_CreateNull();
  if (!id || instance->host->record_set(record, TP_KEY_THEME_ID, id))
    return -1;
  cJSON *value = cJSON_CreateNumber(th_round4(similarity));
  return value ? instance->host->record_set(record, TP_KEY_THEME_SIMILARITY, value) : -1;
}

int th_apply_section(const th_instance *instance, const th_partial *partial, cJSON *section) {
  const th_saved_model *model = instance->saved;
  uint32_t themes = model->vectors.themes;
  cJSON *about = cJSON_CreateObject(), *list = cJSON_CreateArray();
  int status = th_json_add(section, "model", about) | th_json_add(section, "discovered", list);
  if (status)
    return -1;
  status |= th_json_add(about, "themes", cJSON_CreateNumber(themes));
  status |= th_json_add(about, "fit_records", cJSON_CreateNumber((double)model->records));
  status |= th_json_add(section, "outliers", cJSON_CreateNumber((double)partial->applied[themes]));
  for (uint32_t j = 0; j < themes && status == 0; j++) {
    cJSON *item = cJSON_CreateObject(), *ids = cJSON_CreateArray();
    status |= th_json_add(list, NULL, item) | th_json_add(item, "online_ids", ids);
    if (status)
      break;
    double size = (double)partial->applied[j];
    status |= th_json_add(item, "id", cJSON_CreateNumber((double)model->ids[j]));
    status |= th_json_add(item, "label", cJSON_CreateString(model->labels[j]));
    status |= th_json_add(item, "size", cJSON_CreateNumber(size));
    status |= th_json_add(
        item, "share",
        cJSON_CreateNumber(th_round4(partial->records ? size / (double)partial->records : 0)));
    status |= th_json_add(item, "keyphrases", cJSON_Duplicate(model->keyphrases[j], 1));
    status |= th_json_add(ids, NULL, cJSON_CreateNumber((double)model->ids[j]));
  }
  return status;
}

static int compare_floats(const void *left, const void *right) {
  float a = *(const float *)left, b = *(const float *)right;
  return (a > b) - (a < b);
}

/* The floor of one theme: the cosine below which TH_MODEL_FLOOR of its members fall. */
static float theme_floor(float *values, size_t count) {
  if (count == 0)
    return 0;
  qsort(values, count, sizeof(float), compare_floats);
  return values[(size_t)floor(TH_MODEL_FLOOR * (double)(count - 1))];
}

int th_save_model(const th_instance *instance, const th_partial *partial, const th_model *model,
                  th_doc *const *docs, const int32_t *labels, size_t count, const uint32_t *ranked,
                  uint32_t ranked_count, const th_keyphrase *phrases, char *err, size_t err_size) {
  uint32_t themes = model->themes, columns = model->vocabulary;
  /* each theme's centroid: the mean of its members' unit vectors, made unit length */
  th_model fitted = *model;
  fitted.centroids = th_calloc((size_t)themes * columns + 1, sizeof(float));
  float *values = th_alloc((count + 1) * sizeof(float));
  th_model_theme *entries = th_calloc(ranked_count + 1, sizeof(th_model_theme));
  char(*label_texts)[256] = th_alloc((ranked_count + 1) * sizeof(*label_texts));
  int status = -1;
  if (!fitted.centroids || !values || !entries || !label_texts) {
    snprintf(err, err_size, "out of memory while writing the model");
    goto done;
  }
  for (size_t i = 0; i < count; i++) {
    if (labels[i] < 0)
      continue;
    float *centroid = fitted.centroids + (size_t)labels[i] * columns;
    double norm = 0;
    for (uint32_t t = 0; t < docs[i]->term_count; t++) {
      int64_t column = th_model_column(model, docs[i]->terms[t].hash);
      if (column >= 0) {
        double weight = (1.0 + log((double)docs[i]->terms[t].count)) * model->idf[column];
        norm += weight * weight;
      }
    }
    for (uint32_t t = 0; t < docs[i]->term_count && norm > 0; t++) {
      int64_t column = th_model_column(model, docs[i]->terms[t].hash);
      if (column >= 0)
        centroid[column] +=
            (float)((1.0 + log((double)docs[i]->terms[t].count)) * model->idf[column] / sqrt(norm));
    }
  }
  for (uint32_t j = 0; j < themes; j++)
    th_normalize(fitted.centroids + (size_t)j * columns, columns);
  for (uint32_t rank = 0; rank < ranked_count; rank++) {
    uint32_t j = ranked[rank];
    size_t members = 0;
    for (size_t i = 0; i < count; i++)
      if (labels[i] == (int32_t)j)
        values[members++] = th_model_similarity(&fitted, docs[i]->terms, docs[i]->term_count, j);
    const th_keyphrase *mine = phrases + (size_t)j * TH_THEME_KEYPHRASES;
    th_theme_label(mine, label_texts[rank], sizeof label_texts[rank]);
    cJSON *keyphrases = cJSON_CreateArray();
    for (int p = 0; keyphrases && p < TH_THEME_KEYPHRASES && mine[p].text; p++) {
      char text[256];
      snprintf(text, sizeof text, "%.*s", (int)mine[p].length, mine[p].text);
      if (th_json_add(keyphrases, NULL, cJSON_CreateString(text))) {
        cJSON_Delete(keyphrases);
        keyphrases = NULL;
      }
    }
    if (!keyphrases) {
      snprintf(err, err_size, "out of memory while writing the model");
      goto done;
    }
    entries[rank] = (th_model_theme){rank + 1,
                                     label_texts[rank],
                                     keyphrases,
                                     (double)members,
                                     theme_floor(values, members),
                                     fitted.centroids + (size_t)j * columns};
  }
  status = th_model_save(instance->model_out, &fitted, entries, ranked_count, partial->records,
                         instance->bigrams, err, err_size);
done:
  for (uint32_t rank = 0; entries && rank < ranked_count; rank++)
    cJSON_Delete(entries[rank].keyphrases);
  th_free(fitted.centroids);
  th_free(values);
  th_free(entries);
  th_free(label_texts);
  return status;
}
