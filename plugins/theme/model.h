/* plugins/theme/model.h - a theme model file: discovered themes fitted once, applied anywhere.
 *
 * A discovery run given `model_out` writes, at the end of the stream, a JSON file:
 *   {"format": "textpipe-theme-model", "version": 1, "records": N, "bigrams": true,
 *    "vocabulary": [hash, weight, ...],
 *    "themes": [{"id", "label", "keyphrases": [...], "size", "floor",
 *                "terms": [column, weight, ...]}]}
 * vocabulary: the 32-bit hashes of the stems and stem bigrams the themes are made of (the
 * tokenize stage's stems: apply with the same tokenize language) with their weight (the idf
 * of the fit, bigram weight folded in); a record's vector is (1 + ln count) x weight over the
 * terms it shares with the vocabulary, unit length. themes: the discovered themes with their
 * report id and label; terms: the theme's unit centroid (the mean of its members' vectors) as
 * (vocabulary index, weight) pairs, at most TH_MODEL_TERMS, the heaviest; floor: the cosine
 * below which a record is too far from the theme to be one of it (the lowest 2% of the fit's
 * members are below it).
 * A theme stage given `model` loads it at start (every member checked; errors name the file
 * and the JSON path, or file:line:col for JSON syntax) and assigns each record to the nearest
 * theme from the first record on (th_model_assign), or to none when it is below that theme's
 * floor.
 */
#ifndef THEME_MODEL_H
#define THEME_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "refine.h"

#define TH_MODEL_FORMAT  "textpipe-theme-model"
#define TH_MODEL_VERSION 1
#define TH_MODEL_TERMS   4096 /* most terms kept per theme centroid */
#define TH_MODEL_FLOOR   0.02 /* share of a theme's fit members below its floor */

/* A loaded model: the vectors (refine.h's th_model: vocabulary table, weights, row-major unit
 * centroids) and, per theme, its id, label, keyphrases, fit size and floor. */
typedef struct th_saved_model {
  th_model vectors;
  uint64_t *ids;
  char **labels;
  cJSON **keyphrases; /* per theme: a JSON array of strings */
  double *sizes;
  float *floors;
  uint64_t records;
  int bigrams;
} th_saved_model;

/* Reads the model file at `path`. NULL with a message in err (file:line:col for JSON syntax,
 * else "<path>: <JSON path>: ..."; a version other than TH_MODEL_VERSION is named). */
th_saved_model *th_model_load(const char *path, char *err, size_t err_size);

/* As th_model_load, from parsed JSON; `source` names it in messages. */
th_saved_model *th_model_from_json(const cJSON *json, const char *source, char *err,
                                   size_t err_size);

/* Frees a loaded model (NULL is a no-op). */
void th_saved_model_free(th_saved_model *model);

/* The theme index of a record with these raw term counts, or -1 when it shares no term with
 * the vocabulary or is below the nearest theme's floor; *similarity is the cosine to the
 * nearest theme (0 without a shared term). */
int32_t th_saved_model_assign(const th_saved_model *model, const th_term *terms, size_t count,
                              float *similarity);

/* One theme to save: the centroid is dense over `vectors`' vocabulary (unit length). */
typedef struct th_model_theme {
  uint64_t id;
  const char *label;
  cJSON *keyphrases; /* borrowed: copied into the file */
  double size;
  float floor;
  const float *centroid;
} th_model_theme;

/* Writes the model file at `path` (replacing it). 0, or -1 with err. */
int th_model_save(const char *path, const th_model *vectors, const th_model_theme *themes,
                  uint32_t theme_count, uint64_t records, int bigrams, char *err, size_t err_size);

/* Reads a whole file and parses it as JSON; NULL with "<path>: cannot open: ..." or
 * "<path>:line:col: invalid JSON" in err. The caller cJSON_Deletes the result. */
cJSON *th_json_load(const char *path, char *err, size_t err_size);

/* Adds `item` to `parent` under `key` (appends to an array when key is NULL) and takes
 * ownership of it. Returns 0, or -1 when item is NULL (a failed cJSON_Create*) or could not be
 * added (it is then deleted), so calls can be chained with |. */
int th_json_add(cJSON *parent, const char *key, cJSON *item);

#endif /* THEME_MODEL_H */
