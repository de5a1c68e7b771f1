/* plugins/theme/model.c - the theme model file (see model.h): writing it at the end of a
 * discovery run, reading and checking it when a stage applies it, and assigning records. */
#include "model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "model_lift.h"

/* The whole file at `path`, NUL-terminated, its length in *length; NULL with err. */
static char *read_text(const char *path, size_t *length, char *err, size_t err_size) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    snprintf(err, err_size, "%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  char *text = NULL;
  size_t used = 0, capacity = 0;
  for (;;) {
    if (th_grow((void **)&text, &capacity, used + 4097, 1)) {
      fclose(file);
      th_free(text);
      snprintf(err, err_size, "out of memory");
      return NULL;
    }
    size_t got = fread(text + used, 1, 4096, file);
    used += got;
    if (got < 4096)
      break;
  }
  fclose(file);
  text[used] = '\0';
  *length = used;
  return text;
}

/* The tree of `text`; NULL, with "<path>:line:col: invalid JSON" in err when err is not NULL. */
static cJSON *parse_text(const char *text, size_t length, const char *path, char *err,
                         size_t err_size) {
  const char *end = NULL;
  cJSON *json = cJSON_ParseWithLengthOpts(text, length, &end, 0);
  if (!json && err) {
    size_t offset = end ? (size_t)(end - text) : 0, line = 1, column = 1;
    for (size_t i = 0; i < offset && i < length; i++) {
      if (text[i] == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    snprintf(err, err_size, "%s:%zu:%zu: invalid JSON", path, line, column);
  }
  return json;
}

cJSON *th_json_load(const char *path, char *err, size_t err_size) {
  size_t length = 0;
  char *text = read_text(path, &length, err, err_size);
  if (!text)
    return NULL;
  cJSON *json = parse_text(text, length, path, err, err_size);
  th_free(text);
  return json;
}

int th_json_add(cJSON *parent, const char *key, cJSON *item) {
  if (!item)
    return -1;
  cJSON_bool added =
      key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item);
  if (!added) {
    /* No memory for the key (or no parent): the item was not taken, so it is ours to free. */
    cJSON_Delete(item);
    return -1;
  }
  return 0;
}

void th_saved_model_free(th_saved_model *model) {
  if (!model)
    return;
  for (uint32_t j = 0; j < model->vectors.themes; j++) {
    if (model->labels)
      th_free(model->labels[j]);
    if (model->keyphrases)
      cJSON_Delete(model->keyphrases[j]);
  }
  th_model_release(&model->vectors);
  th_free(model->ids);
  th_free(model->labels);
  th_free(model->keyphrases);
  th_free(model->sizes);
  th_free(model->floors);
  th_free(model);
}

/* A non-negative integer member below `limit`, or -1 with "<source>: <where>: ..." in err. */
static double integer_member(const cJSON *object, const char *key, double limit, const char *source,
                             const char *where, char *err, size_t err_size) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
  if (!cJSON_IsNumber(item) || item->valuedouble < 0 || item->valuedouble >= limit ||
      item->valuedouble != floor(item->valuedouble)) {
    snprintf(err, err_size, "%s: %s%s%s: expected an integer from 0 to below %.0f", source, where,
             *where ? "." : "", key, limit);
    return -1;
  }
  return item->valuedouble;
}

/* The elements of a JSON array as doubles: its lifted numbers (model_lift.h), else the values
 * of its elements, `numbers` of them leading (the element at `numbers`, if any, is not a
 * number). */
typedef struct number_list {
  const double *values;
  size_t count, numbers;
  double *owned;
} number_list;

/* `array`'s number_list; 0, or -1 on OOM. */
static int number_list_of(const cJSON *array, const th_lifted *lifted, number_list *list) {
  const th_lifted_array *numbers = th_lifted_find(lifted, array);
  if (numbers) {
    *list = (number_list){numbers->values, numbers->count, numbers->count, NULL};
    return 0;
  }
  size_t count = (size_t)cJSON_GetArraySize(array), at = 0;
  *list = (number_list){NULL, count, count, th_alloc((count + 1) * sizeof(double))};
  if (!list->owned)
    return -1;
  for (const cJSON *item = array->child; item; item = item->next, at++) {
    if (!cJSON_IsNumber(item) && list->numbers == count)
      list->numbers = at;
    list->owned[at] = cJSON_IsNumber(item) ? item->valuedouble : 0;
  }
  list->values = list->owned;
  return 0;
}

/* The vocabulary pairs into vectors (table and weights). 0, or -1 with err. */
static int load_vocabulary(th_saved_model *model, const cJSON *json, const th_lifted *lifted,
                           const char *source, char *err, size_t err_size) {
  const cJSON *vocabulary = cJSON_GetObjectItemCaseSensitive(json, "vocabulary");
  number_list list = {0};
  if (cJSON_IsArray(vocabulary) && number_list_of(vocabulary, lifted, &list)) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  if (!cJSON_IsArray(vocabulary) || list.count % 2) {
    snprintf(err, err_size, "%s: vocabulary: expected an array of [hash, weight] number pairs",
             source);
    goto fail;
  }
  uint32_t count = (uint32_t)(list.count / 2);
  uint32_t *hashes = th_alloc((count + 1) * sizeof(uint32_t));
  model->vectors.idf = th_alloc((count + 1) * sizeof(float));
  if (!hashes || !model->vectors.idf) {
    th_free(hashes);
    snprintf(err, err_size, "out of memory");
    goto fail;
  }
  for (uint32_t c = 0; c < count; c++) {
    double hash = list.values[2 * (size_t)c], weight = list.values[2 * (size_t)c + 1];
    if (2 * (size_t)c + 1 >= list.numbers || hash < 0 || hash > 4294967295.0 ||
        hash != floor(hash) || !isfinite(weight) || weight <= 0) {
      snprintf(err, err_size,
               "%s: vocabulary[%u]: expected a 32-bit hash and a positive weight after it", source,
               2 * c);
      th_free(hashes);
      goto fail;
    }
    hashes[c] = (uint32_t)hash;
    model->vectors.idf[c] = (float)weight;
  }
  th_free(list.owned);
  int64_t duplicate = th_model_index(&model->vectors, hashes, count);
  th_free(hashes);
  if (duplicate == -2) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  if (duplicate >= 0) {
    snprintf(err, err_size, "%s: vocabulary[%lld]: a hash listed twice", source,
             (long long)duplicate * 2);
    return -1;
  }
  return 0;
fail:
  th_free(list.owned);
  return -1;
}

/* Theme `j` of the file into the model. 0, or -1 with err. */
static int load_theme(th_saved_model *model, uint32_t j, const cJSON *theme,
                      const th_lifted *lifted, const char *source, char *err, size_t err_size) {
  char where[32];
  snprintf(where, sizeof where, "themes[%u]", j);
  double id = integer_member(theme, "id", 1e15, source, where, err, err_size);
  if (id < 0)
    return -1;
  for (uint32_t other = 0; other < j; other++)
    if (model->ids[other] == (uint64_t)id) {
      snprintf(err, err_size, "%s: %s.id: %.0f is also the id of themes[%u]", source, where, id,
               other);
      return -1;
    }
  model->ids[j] = (uint64_t)id;
  const cJSON *label = cJSON_GetObjectItemCaseSensitive(theme, "label");
  const cJSON *keyphrases = cJSON_GetObjectItemCaseSensitive(theme, "keyphrases");
  const cJSON *size = cJSON_GetObjectItemCaseSensitive(theme, "size");
  const cJSON *floor_item = cJSON_GetObjectItemCaseSensitive(theme, "floor");
  const cJSON *terms = cJSON_GetObjectItemCaseSensitive(theme, "terms");
  number_list list = {0};
  if (cJSON_IsArray(terms) && number_list_of(terms, lifted, &list)) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  const char *problem = !cJSON_IsString(label)       ? "label: expected a string"
                        : !cJSON_IsArray(keyphrases) ? "keyphrases: expected an array"
                        : !cJSON_IsNumber(size) || size->valuedouble < 0 ? "size: expected a count"
                        : !cJSON_IsNumber(floor_item) || fabs(floor_item->valuedouble) > 1
                            ? "floor: expected a cosine from -1 to 1"
                        : !cJSON_IsArray(terms) || list.count % 2
                            ? "terms: expected an array of [index, weight] number pairs"
                            : NULL;
  if (problem) {
    snprintf(err, err_size, "%s: %s.%s", source, where, problem);
    goto fail;
  }
  const cJSON *phrase;
  cJSON_ArrayForEach(phrase, keyphrases) if (!cJSON_IsString(phrase)) {
    snprintf(err, err_size, "%s: %s.keyphrases: expected strings", source, where);
    goto fail;
  }
  model->labels[j] = th_strndup(label->valuestring, strlen(label->valuestring));
  model->keyphrases[j] = cJSON_Duplicate(keyphrases, 1);
  if (!model->labels[j] || !model->keyphrases[j]) {
    snprintf(err, err_size, "out of memory");
    goto fail;
  }
  model->sizes[j] = size->valuedouble;
  model->floors[j] = (float)floor_item->valuedouble;
  uint32_t columns = model->vectors.vocabulary;
  float *centroid = model->vectors.centroids + (size_t)j * columns;
  for (size_t index = 0; index < list.count; index += 2) {
    double column = list.values[index], weight = list.values[index + 1];
    if (index + 1 >= list.numbers || column < 0 || column >= columns || column != floor(column) ||
        !isfinite(weight)) {
      snprintf(err, err_size,
               "%s: %s.terms[%zu]: expected a vocabulary index below %u and a weight after it",
               source, where, index, columns);
      goto fail;
    }
    centroid[(size_t)column] = (float)weight;
  }
  th_free(list.owned);
  return 0;
fail:
  th_free(list.owned);
  return -1;
}

/* th_model_from_json, with the number arrays `lifted` out of the tree (or NULL). */
static th_saved_model *model_from_json(const cJSON *json, const th_lifted *lifted,
                                       const char *source, char *err, size_t err_size) {
  const cJSON *format = cJSON_GetObjectItemCaseSensitive(json, "format");
  if (!cJSON_IsString(format) || strcmp(format->valuestring, TH_MODEL_FORMAT) != 0) {
    snprintf(err, err_size, "%s: format: expected \"%s\" (not a theme model file)", source,
             TH_MODEL_FORMAT);
    return NULL;
  }
  const cJSON *version = cJSON_GetObjectItemCaseSensitive(json, "version");
  if (!cJSON_IsNumber(version) || version->valuedouble != TH_MODEL_VERSION) {
    char found[32] = "none";
    if (cJSON_IsNumber(version))
      snprintf(found, sizeof found, "%g", version->valuedouble);
    snprintf(err, err_size,
             "%s: version: the file is version %s, this theme stage reads version %d", source,
             found, TH_MODEL_VERSION);
    return NULL;
  }
  const cJSON *bigrams = cJSON_GetObjectItemCaseSensitive(json, "bigrams");
  const cJSON *themes = cJSON_GetObjectItemCaseSensitive(json, "themes");
  if (!cJSON_IsBool(bigrams)) {
    snprintf(err, err_size, "%s: bigrams: expected true or false", source);
    return NULL;
  }
  if (!cJSON_IsArray(themes) || cJSON_GetArraySize(themes) == 0) {
    snprintf(err, err_size, "%s: themes: expected a non-empty array", source);
    return NULL;
  }
  double records = integer_member(json, "records", 1e18, source, "", err, err_size);
  if (records < 0)
    return NULL;
  th_saved_model *model = th_calloc(1, sizeof(th_saved_model));
  if (!model) {
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  model->records = (uint64_t)records;
  model->bigrams = cJSON_IsTrue(bigrams);
  if (load_vocabulary(model, json, lifted, source, err, err_size))
    goto fail;
  uint32_t count = (uint32_t)cJSON_GetArraySize(themes);
  model->ids = th_calloc(count, sizeof(uint64_t));
  model->labels = th_calloc(count, sizeof(char *));
  model->keyphrases = th_calloc(count, sizeof(cJSON *));
  model->sizes = th_calloc(count, sizeof(double));
  model->floors = th_calloc(count, sizeof(float));
  model->vectors.centroids =
      th_calloc((size_t)count * model->vectors.vocabulary + 1, sizeof(float));
  if (!model->ids || !model->labels || !model->keyphrases || !model->sizes || !model->floors ||
      !model->vectors.centroids) {
    snprintf(err, err_size, "out of memory");
    goto fail;
  }
  model->vectors.themes = count;
  uint32_t j = 0;
  const cJSON *theme;
  cJSON_ArrayForEach(theme, themes) {
    if (load_theme(model, j++, theme, lifted, source, err, err_size))
      goto fail;
  }
  if (th_model_by_column(&model->vectors)) {
    snprintf(err, err_size, "out of memory");
    goto fail;
  }
  return model;
fail:
  th_saved_model_free(model);
  return NULL;
}

th_saved_model *th_model_from_json(const cJSON *json, const char *source, char *err,
                                   size_t err_size) {
  return model_from_json(json, NULL, source, err, err_size);
}

th_saved_model *th_model_load(const char *path, char *err, size_t err_size) {
  size_t length = 0;
  char *text = read_text(path, &length, err, err_size);
  if (!text)
    return NULL;
  /* the number arrays read from the text, which is parsed without their contents; when that
   * tree does not hold the arrays the text showed, or memory runs short, the text as it was is
   * parsed instead (and its errors are the ones reported) */
  th_lifted lifted = {0};
  cJSON *json = NULL;
  char *rest = th_alloc(length + 1);
  size_t rest_length = 0;
  if (rest && th_lift_number_arrays(text, length, rest, &rest_length, &lifted) == 0 &&
      (json = parse_text(rest, rest_length, path, NULL, 0)) != NULL &&
      th_lifted_bind(&lifted, json) != 0) {
    cJSON_Delete(json);
    json = NULL;
  }
  th_free(rest);
  if (!json) {
    th_lifted_release(&lifted);
    json = parse_text(text, length, path, err, err_size);
  }
  th_free(text);
  th_saved_model *model = json ? model_from_json(json, &lifted, path, err, err_size) : NULL;
  cJSON_Delete(json);
  th_lifted_release(&lifted);
  return model;
}

int32_t th_saved_model_assign(const th_saved_model *model, const th_term *terms, size_t count,
                              float *similarity) {
  int32_t theme = th_model_assign(&model->vectors, terms, count, similarity);
  if (theme < 0 || *similarity < model->floors[theme])
    return -1;
  return theme;
}

/* A weight as written: 6 significant digits are plenty for a cosine. */
static double rounded(double value) {
  if (value == 0)
    return 0;
  double scale = pow(10.0, 5 - (int)floor(log10(fabs(value))));
  return round(value * scale) / scale;
}

static int compare_ranked_index(const void *left, const void *right) {
  const th_ranked *a = left, *b = right;
  return (a->index > b->index) - (a->index < b->index);
}

/* The theme's entry: id, label, keyphrases, size, floor and its heaviest terms. */
static cJSON *theme_json(const th_model_theme *theme, uint32_t columns, th_ranked *order) {
  cJSON *item = cJSON_CreateObject(), *terms = cJSON_CreateArray();
  int status = item && terms ? 0 : -1;
  if (status) {
    cJSON_Delete(item);
    cJSON_Delete(terms);
    return NULL;
  }
  status |= th_json_add(item, "id", cJSON_CreateNumber((double)theme->id));
  status |= th_json_add(item, "label", cJSON_CreateString(theme->label));
  status |= th_json_add(item, "keyphrases", cJSON_Duplicate(theme->keyphrases, 1));
  status |= th_json_add(item, "size", cJSON_CreateNumber(theme->size));
  /* rounded down, and a little lower for the rounding of the weights written */
  status |=
      th_json_add(item, "floor", cJSON_CreateNumber(floor(theme->floor * 1000) / 1000 - 0.001));
  status |= th_json_add(item, "terms", terms);
  size_t found = 0;
  for (uint32_t c = 0; c < columns; c++)
    if (theme->centroid[c] != 0)
      order[found++] = (th_ranked){c, theme->centroid[c]};
  th_select_top(order, found, TH_MODEL_TERMS);
  if (found > TH_MODEL_TERMS)
    found = TH_MODEL_TERMS;
  qsort(order, found, sizeof(th_ranked), compare_ranked_index);
  for (size_t t = 0; t < found && status == 0; t++)
    status |= th_json_add(terms, NULL, cJSON_CreateNumber(order[t].index)) |
              th_json_add(terms, NULL, cJSON_CreateNumber(rounded(order[t].weight)));
  if (status) {
    cJSON_Delete(item);
    return NULL;
  }
  return item;
}

int th_model_save(const char *path, const th_model *vectors, const th_model_theme *themes,
                  uint32_t theme_count, uint64_t records, int bigrams, char *err, size_t err_size) {
  uint32_t columns = vectors->vocabulary;
  cJSON *root = cJSON_CreateObject(), *vocabulary = cJSON_CreateArray(),
        *list = cJSON_CreateArray();
  uint32_t *hashes = th_alloc((columns + 1) * sizeof(uint32_t));
  th_ranked *order = th_alloc((columns + 1) * sizeof(th_ranked));
  char *text = NULL;
  int status = root && vocabulary && list && hashes && order ? 0 : -1;
  if (status) {
    cJSON_Delete(vocabulary);
    cJSON_Delete(list);
    goto done;
  }
  status |= th_json_add(root, "format", cJSON_CreateString(TH_MODEL_FORMAT));
  status |= th_json_add(root, "version", cJSON_CreateNumber(TH_MODEL_VERSION));
  status |= th_json_add(root, "records", cJSON_CreateNumber((double)records));
  status |= th_json_add(root, "bigrams", cJSON_CreateBool(bigrams));
  status |= th_json_add(root, "vocabulary", vocabulary) | th_json_add(root, "themes", list);
  for (uint32_t slot = 0; slot < vectors->table_size; slot++)
    if (vectors->table_keys[slot])
      hashes[vectors->table_index[slot]] = vectors->table_keys[slot] - 1u;
  for (uint32_t c = 0; c < columns && status == 0; c++)
    status |= th_json_add(vocabulary, NULL, cJSON_CreateNumber(hashes[c])) |
              th_json_add(vocabulary, NULL, cJSON_CreateNumber(rounded(vectors->idf[c])));
  for (uint32_t j = 0; j < theme_count && status == 0; j++)
    status |= th_json_add(list, NULL, theme_json(&themes[j], columns, order));
  text = status ? NULL : cJSON_PrintUnformatted(root);
  if (!text)
    status = -1;
done:
  if (status) {
    snprintf(err, err_size, "out of memory while writing the model");
  } else {
    FILE *file = fopen(path, "wb");
    size_t length = strlen(text);
    if (!file || fwrite(text, 1, length, file) != length || fputc('\n', file) == EOF) {
      snprintf(err, err_size, "model_out: %s: cannot write: %s", path, strerror(errno));
      status = -1;
    }
    if (file && fclose(file) != 0 && status == 0) {
      snprintf(err, err_size, "model_out: %s: cannot write: %s", path, strerror(errno));
      status = -1;
    }
  }
  cJSON_free(text);
  cJSON_Delete(root);
  th_free(hashes);
  th_free(order);
  return status;
}
