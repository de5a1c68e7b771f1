/* plugins/theme/taxonomy.c - loading a theme file and matching it against tokenized records
 * (see taxonomy.h). Normalization (utf8proc) and stemming (libstemmer) happen once, at load. */
#include "taxonomy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <libstemmer.h>
#include <utf8proc.h>

#include "common.h"
#include "model.h"
#include "taxonomy_index.h"

static uint32_t string_hash(const char *text, size_t length) {
  return th_hash_mix(th_hash_bytes(TH_HASH_START, text, length));
}

static void free_term(tax_term *term) {
  for (uint32_t w = 0; w < term->word_count; w++) {
    th_free(term->words[w].norm);
    th_free(term->words[w].stem);
  }
  th_free(term->text);
  memset(term, 0, sizeof(*term));
}

/* Nonzero when two terms of the same theme and kind have the same stems. */
static int same_stems(const tax_term *a, const tax_term *b) {
  if (a->theme != b->theme || a->exclude != b->exclude || a->word_count != b->word_count)
    return 0;
  for (uint32_t w = 0; w < a->word_count; w++)
    if (a->words[w].stem_length != b->words[w].stem_length ||
        memcmp(a->words[w].stem, b->words[w].stem, a->words[w].stem_length) != 0)
      return 0;
  return 1;
}

void th_taxonomy_free(th_taxonomy *taxonomy) {
  if (!taxonomy)
    return;
  for (size_t i = 0; i < taxonomy->theme_count; i++)
    th_free(taxonomy->names[i]);
  th_free(taxonomy->names);
  th_free(taxonomy->theme_weights);
  for (size_t i = 0; i < taxonomy->term_count; i++)
    free_term(&taxonomy->terms[i]);
  th_free(taxonomy->terms);
  th_free(taxonomy->entries);
  th_free(taxonomy->slots);
  th_free(taxonomy);
}

size_t th_taxonomy_theme_count(const th_taxonomy *taxonomy) {
  return taxonomy->theme_count;
}

const char *th_taxonomy_theme_name(const th_taxonomy *taxonomy, size_t theme) {
  return taxonomy->names[theme];
}

/* Normalizes and stems one word into *word. 0, or -1 on OOM. */
static int make_word(struct sb_stemmer *stemmer, const char *text, size_t length, tax_word *word) {
  utf8proc_uint8_t *mapped = NULL;
  utf8proc_ssize_t mapped_length =
      utf8proc_map((const utf8proc_uint8_t *)text, (utf8proc_ssize_t)length, &mapped,
                   UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
  if (mapped_length < 0)
    return -1;
  word->norm = th_strndup((const char *)mapped, (size_t)mapped_length);
  word->norm_length = (uint32_t)mapped_length;
  const sb_symbol *stem = sb_stemmer_stem(stemmer, mapped, (int)mapped_length);
  if (stem) {
    word->stem_length = (uint32_t)sb_stemmer_length(stemmer);
    word->stem = th_strndup((const char *)stem, word->stem_length);
  }
  free(mapped);
  return word->norm && word->stem ? 0 : -1;
}

/* Adds one keyword / phrase / exclusion from `item` (a string or {"term", "weight"}). */
static int add_term(th_taxonomy *taxonomy, struct sb_stemmer *stemmer, const cJSON *item,
                    uint32_t theme, int exclude, const char *where, char *err, size_t err_size) {
  const cJSON *text = item;
  double weight = exclude ? 0 : 1;
  if (cJSON_IsObject(item)) {
    text = cJSON_GetObjectItemCaseSensitive(item, "term");
    const cJSON *weight_item = cJSON_GetObjectItemCaseSensitive(item, "weight");
    if (weight_item) {
      if (!cJSON_IsNumber(weight_item) || weight_item->valuedouble <= 0 ||
          weight_item->valuedouble > 100) {
        snprintf(err, err_size, "%s.weight: expected a number above 0, at most 100", where);
        return -1;
      }
      weight = weight_item->valuedouble;
    }
  }
  if (!cJSON_IsString(text) || !text->valuestring[0]) {
    snprintf(err, err_size,
             "%s: expected a non-empty string or {\"term\": string, \"weight\": "
             "number}",
             where);
    return -1;
  }
  if (th_grow((void **)&taxonomy->terms, &taxonomy->term_capacity, taxonomy->term_count + 1,
              sizeof(tax_term)))
    goto oom;
  tax_term *term = &taxonomy->terms[taxonomy->term_count];
  memset(term, 0, sizeof(*term));
  term->theme = theme;
  term->exclude = exclude;
  term->text = th_strndup(text->valuestring, strlen(text->valuestring));
  if (!term->text)
    goto oom;
  taxonomy->term_count++; /* from here on the term is freed with the taxonomy */
  const char *at = text->valuestring;
  while (*at) {
    while (*at == ' ' || *at == '\t' || *at == '\n')
      at++;
    size_t length = strcspn(at, " \t\n");
    if (!length)
      break;
    if (term->word_count == TH_TERM_WORDS) {
      snprintf(err, err_size, "%s: more than %d words", where, TH_TERM_WORDS);
      return -1;
    }
    if (make_word(stemmer, at, length, &term->words[term->word_count++]))
      goto oom;
    at += length;
  }
  if (term->word_count == 0) {
    snprintf(err, err_size, "%s: expected at least one word", where);
    return -1;
  }
  if (!exclude && term->word_count > 1 && !cJSON_IsObject(item))
    weight = 2; /* a phrase says more than one of its words */
  term->weight = (float)weight;
  /* the same stems in the same theme ("mission" and "missions") are one term */
  for (size_t other = 0; other + 1 < taxonomy->term_count; other++) {
    tax_term *earlier = &taxonomy->terms[other];
    if (!same_stems(earlier, term))
      continue;
    if (term->weight > earlier->weight)
      earlier->weight = term->weight;
    free_term(term);
    taxonomy->term_count--;
    break;
  }
  return 0;
oom:
  snprintf(err, err_size, "out of memory");
  return -1;
}

static int add_list(th_taxonomy *taxonomy, struct sb_stemmer *stemmer, const cJSON *theme,
                    const char *key, uint32_t index, int exclude, const char *source, char *err,
                    size_t err_size) {
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(theme, key);
  if (!list)
    return 0;
  char where[256];
  if (!cJSON_IsArray(list)) {
    snprintf(err, err_size, "%s: themes[%u].%s: expected an array", source, index, key);
    return -1;
  }
  int position = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, list) {
    snprintf(where, sizeof(where), "%s: themes[%u].%s[%d]", source, index, key, position++);
    if (add_term(taxonomy, stemmer, item, index, exclude, where, err, err_size))
      return -1;
  }
  return 0;
}

static int compare_entries(const void *left, const void *right) {
  const tax_entry *a = left, *b = right;
  if (a->hash != b->hash)
    return (a->hash > b->hash) - (a->hash < b->hash);
  return (a->term > b->term) - (a->term < b->term);
}

static int build_index(th_taxonomy *taxonomy) {
  taxonomy->entries = th_alloc((2 * taxonomy->term_count + 1) * sizeof(tax_entry));
  if (!taxonomy->entries)
    return -1;
  for (size_t i = 0; i < taxonomy->term_count; i++) {
    const tax_word *first = &taxonomy->terms[i].words[0];
    uint32_t norm = string_hash(first->norm, first->norm_length);
    uint32_t stem = string_hash(first->stem, first->stem_length);
    taxonomy->entries[taxonomy->entry_count++] = (tax_entry){norm, (uint32_t)i};
    if (stem != norm)
      taxonomy->entries[taxonomy->entry_count++] = (tax_entry){stem, (uint32_t)i};
  }
  qsort(taxonomy->entries, taxonomy->entry_count, sizeof(tax_entry), compare_entries);
  size_t slots = 64;
  while (slots < 4 * taxonomy->entry_count)
    slots <<= 1;
  taxonomy->slots = th_alloc(slots * sizeof(tax_slot));
  if (!taxonomy->slots)
    return -1;
  taxonomy->slot_mask = (uint32_t)(slots - 1);
  for (size_t s = 0; s < slots; s++)
    taxonomy->slots[s] = (tax_slot){0, TAX_SLOT_EMPTY};
  for (size_t e = 0; e < taxonomy->entry_count; e++) {
    uint32_t hash = taxonomy->entries[e].hash;
    if (e > 0 && taxonomy->entries[e - 1].hash == hash)
      continue; /* the run's first entry has its slot */
    size_t s = hash & taxonomy->slot_mask;
    while (taxonomy->slots[s].first != TAX_SLOT_EMPTY)
      s = (s + 1) & taxonomy->slot_mask;
    taxonomy->slots[s] = (tax_slot){hash, (uint32_t)e};
  }
  for (size_t i = 0; i < taxonomy->term_count; i++) {
    const tax_word *first = &taxonomy->terms[i].words[0];
    tax_shape_set(taxonomy, first->norm, first->norm_length);
    tax_shape_set(taxonomy, first->stem, first->stem_length);
    uint32_t norm = th_word_packed(first->norm, first->norm_length),
             stem = th_word_packed(first->stem, first->stem_length);
    if (taxonomy->terms[i].word_count == 1) {
      tax_bit_set(taxonomy->lone_shapes, tax_lone_bit(norm));
      tax_bit_set(taxonomy->lone_shapes, tax_lone_bit(stem));
      continue;
    }
    const tax_word *second = &taxonomy->terms[i].words[1];
    uint32_t next_norm = th_word_packed(second->norm, second->norm_length),
             next_stem = th_word_packed(second->stem, second->stem_length);
    tax_bit_set(taxonomy->pair_shapes, tax_pair_bit(norm, next_norm));
    tax_bit_set(taxonomy->pair_shapes, tax_pair_bit(norm, next_stem));
    tax_bit_set(taxonomy->pair_shapes, tax_pair_bit(stem, next_norm));
    tax_bit_set(taxonomy->pair_shapes, tax_pair_bit(stem, next_stem));
  }
  return 0;
}

/* -1 with err when `object` has a key not in `allowed` (NULL-terminated). */
static int check_keys(const cJSON *object, const char *const *allowed, const char *source,
                      const char *where, char *err, size_t err_size) {
  const cJSON *item;
  cJSON_ArrayForEach(item, object) {
    int known = 0;
    for (size_t i = 0; allowed[i] && !known; i++)
      known = strcmp(item->string, allowed[i]) == 0;
    if (known)
      continue;
    char list[256] = "";
    for (size_t i = 0; allowed[i]; i++) {
      size_t used = strlen(list);
      snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", allowed[i]);
    }
    snprintf(err, err_size, "%s: %s%s: unknown key; allowed keys: %s", source, where, item->string,
             list);
    return -1;
  }
  return 0;
}

static const char *const file_keys[] = {"name", "description", "language", "themes", NULL};
static const char *const theme_keys[] = {"name",    "description", "weight", "keywords",
                                         "phrases", "exclude",     NULL};

th_taxonomy *th_taxonomy_from_json(const void *json_value, const char *source, char *err,
                                   size_t err_size) {
  const cJSON *json = json_value;
  const cJSON *themes = cJSON_GetObjectItemCaseSensitive(json, "themes");
  if (!cJSON_IsObject(json) || !cJSON_IsArray(themes) || cJSON_GetArraySize(themes) == 0) {
    snprintf(err, err_size, "%s: themes: expected a non-empty array of theme objects", source);
    return NULL;
  }
  if (check_keys(json, file_keys, source, "", err, err_size))
    return NULL;
  const cJSON *language = cJSON_GetObjectItemCaseSensitive(json, "language");
  if (language && !cJSON_IsString(language)) {
    snprintf(err, err_size, "%s: language: expected a string", source);
    return NULL;
  }
  const char *language_name = language ? language->valuestring : "english";
  struct sb_stemmer *stemmer = sb_stemmer_new(language_name, "UTF_8");
  if (!stemmer) {
    snprintf(err, err_size, "%s: language: \"%s\" is not a Snowball language", source,
             language_name);
    return NULL;
  }
  th_taxonomy *taxonomy = th_calloc(1, sizeof(th_taxonomy));
  size_t count = (size_t)cJSON_GetArraySize(themes);
  if (!taxonomy || !(taxonomy->names = th_calloc(count, sizeof(char *))) ||
      !(taxonomy->theme_weights = th_calloc(count, sizeof(float)))) {
    snprintf(err, err_size, "out of memory");
    goto fail;
  }
  uint32_t index = 0;
  const cJSON *theme;
  cJSON_ArrayForEach(theme, themes) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(theme, "name");
    if (!cJSON_IsObject(theme) || !cJSON_IsString(name) || !name->valuestring[0]) {
      snprintf(err, err_size, "%s: themes[%u].name: expected a non-empty string", source, index);
      goto fail;
    }
    for (uint32_t other = 0; other < index; other++)
      if (strcmp(taxonomy->names[other], name->valuestring) == 0) {
        snprintf(err, err_size, "%s: themes[%u].name: \"%s\" is already themes[%u]", source, index,
                 name->valuestring, other);
        goto fail;
      }
    char where[64];
    snprintf(where, sizeof where, "themes[%u].", index);
    if (check_keys(theme, theme_keys, source, where, err, err_size))
      goto fail;
    const cJSON *weight = cJSON_GetObjectItemCaseSensitive(theme, "weight");
    if (weight && (!cJSON_IsNumber(weight) || weight->valuedouble <= 0)) {
      snprintf(err, err_size, "%s: themes[%u].weight: expected a number above 0", source, index);
      goto fail;
    }
    taxonomy->theme_weights[index] = weight ? (float)weight->valuedouble : 1.0f;
    taxonomy->names[index] = th_strndup(name->valuestring, strlen(name->valuestring));
    taxonomy->theme_count = index + 1;
    if (!taxonomy->names[index]) {
      snprintf(err, err_size, "out of memory");
      goto fail;
    }
    size_t before = taxonomy->term_count;
    if (add_list(taxonomy, stemmer, theme, "keywords", index, 0, source, err, err_size) ||
        add_list(taxonomy, stemmer, theme, "phrases", index, 0, source, err, err_size) ||
        add_list(taxonomy, stemmer, theme, "exclude", index, 1, source, err, err_size))
      goto fail;
    int positive = 0;
    for (size_t i = before; i < taxonomy->term_count; i++)
      positive |= !taxonomy->terms[i].exclude;
    if (!positive) {
      snprintf(err, err_size, "%s: themes[%u]: needs at least one keyword or phrase", source,
               index);
      goto fail;
    }
    index++;
  }
  if (build_index(taxonomy)) {
    snprintf(err, err_size, "out of memory");
    goto fail;
  }
  sb_stemmer_delete(stemmer);
  return taxonomy;
fail:
  sb_stemmer_delete(stemmer);
  th_taxonomy_free(taxonomy);
  return NULL;
}

th_taxonomy *th_taxonomy_load(const char *path, char *err, size_t err_size) {
  cJSON *json = th_json_load(path, err, err_size);
  if (!json)
    return NULL;
  th_taxonomy *taxonomy = th_taxonomy_from_json(json, path, err, err_size);
  cJSON_Delete(json);
  return taxonomy;
}
