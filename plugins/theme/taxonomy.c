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

#define TH_TERM_WORDS 8

typedef struct tax_word {
  char *norm;
  char *stem;
  uint32_t norm_length, stem_length;
} tax_word;

typedef struct tax_term {
  uint32_t theme;
  float weight;
  int exclude;
  uint32_t word_count;
  tax_word words[TH_TERM_WORDS];
  char *text; /* as written */
} tax_term;

typedef struct tax_entry {
  uint32_t hash;
  uint32_t term;
} tax_entry;

/* Bits of the entry filter (a power of two, 8 KiB): most tokens name no term, and one bit
 * test settles them without the binary search through `entries` (a cache miss per probe). */
#define TAX_FILTER_BITS 65536

struct th_taxonomy {
  char **names;
  float *theme_weights;
  size_t theme_count;
  tax_term *terms;
  size_t term_count, term_capacity;
  tax_entry *entries; /* sorted by hash */
  size_t entry_count;
  uint64_t filter[TAX_FILTER_BITS / 64]; /* bit (hash % TAX_FILTER_BITS) set for each entry */
};

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
  for (size_t e = 0; e < taxonomy->entry_count; e++) {
    uint32_t bit = taxonomy->entries[e].hash % TAX_FILTER_BITS;
    taxonomy->filter[bit / 64] |= 1ull << (bit % 64);
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

static int word_matches(const tp_token *token, const tax_word *word) {
  if (token->norm_length == word->norm_length &&
      memcmp(token->norm, word->norm, word->norm_length) == 0)
    return 1;
  return token->stem_length == word->stem_length &&
         memcmp(token->stem, word->stem, word->stem_length) == 0;
}

static int term_matches_at(const tax_term *term, const tp_text *text, size_t at) {
  if (at + term->word_count > text->token_count)
    return 0;
  for (uint32_t w = 0; w < term->word_count; w++) {
    const tp_token *token = TP_TEXT_TOKEN(text, at + w);
    if (token->type != TP_TOKEN_WORD && token->type != TP_TOKEN_NUMBER)
      return 0;
    if (!word_matches(token, &term->words[w]))
      return 0;
  }
  return 1;
}

/* Counts matches of the terms indexed under `hash` starting at token `at` (a term indexed
 * under both its norm and its stem counts once per position). */
static void match_hash(const th_taxonomy *taxonomy, const tp_text *text, size_t at, uint32_t hash,
                       th_tax_scratch *scratch) {
  uint32_t bit = hash % TAX_FILTER_BITS;
  if (!(taxonomy->filter[bit / 64] >> (bit % 64) & 1))
    return; /* no entry has this hash */
  size_t low = 0, high = taxonomy->entry_count;
  while (low < high) {
    size_t middle = (low + high) / 2;
    if (taxonomy->entries[middle].hash < hash)
      low = middle + 1;
    else
      high = middle;
  }
  for (size_t e = low; e < taxonomy->entry_count && taxonomy->entries[e].hash == hash; e++) {
    uint32_t t = taxonomy->entries[e].term;
    if (scratch->term_last[t] == at + 1 || !term_matches_at(&taxonomy->terms[t], text, at))
      continue;
    scratch->term_last[t] = at + 1;
    if (scratch->term_counts[t] == 0)
      scratch->term_order[scratch->order_count++] = t;
    scratch->term_counts[t]++;
  }
}

static int compare_hits(const void *left, const void *right) {
  const th_tax_hit *a = left, *b = right;
  if (a->score != b->score)
    return a->score < b->score ? 1 : -1;
  return (a->theme > b->theme) - (a->theme < b->theme);
}

static int ensure_scratch(const th_taxonomy *taxonomy, th_tax_scratch *scratch) {
  if (scratch->term_capacity < taxonomy->term_count) {
    th_free(scratch->term_counts);
    th_free(scratch->term_order);
    th_free(scratch->term_last);
    scratch->term_counts = th_calloc(taxonomy->term_count, sizeof(uint32_t));
    scratch->term_order = th_calloc(taxonomy->term_count, sizeof(uint32_t));
    scratch->term_last = th_calloc(taxonomy->term_count, sizeof(size_t));
    if (!scratch->term_counts || !scratch->term_order || !scratch->term_last) {
      scratch->term_capacity = 0;
      return -1;
    }
    scratch->term_capacity = taxonomy->term_count;
  }
  if (scratch->theme_capacity < taxonomy->theme_count) {
    th_free(scratch->hits);
    th_free(scratch->excluded);
    scratch->hits = th_calloc(taxonomy->theme_count, sizeof(th_tax_hit));
    scratch->excluded = th_calloc(taxonomy->theme_count, 1);
    if (!scratch->hits || !scratch->excluded) {
      scratch->theme_capacity = 0;
      return -1;
    }
    scratch->theme_capacity = taxonomy->theme_count;
  }
  return 0;
}

int th_taxonomy_match(const th_taxonomy *taxonomy, const tp_text *text, double threshold,
                      th_tax_scratch *scratch) {
  if (ensure_scratch(taxonomy, scratch))
    return -1;
  scratch->order_count = 0;
  for (size_t i = 0; i < text->token_count; i++) {
    const tp_token *token = TP_TEXT_TOKEN(text, i);
    if (token->type != TP_TOKEN_WORD && token->type != TP_TOKEN_NUMBER)
      continue;
    uint32_t norm = string_hash(token->norm, token->norm_length);
    uint32_t stem = string_hash(token->stem, token->stem_length);
    match_hash(taxonomy, text, i, norm, scratch);
    if (stem != norm)
      match_hash(taxonomy, text, i, stem, scratch);
  }
  size_t themes = taxonomy->theme_count;
  for (size_t t = 0; t < themes; t++) {
    scratch->hits[t] = (th_tax_hit){.theme = (uint32_t)t};
    scratch->excluded[t] = 0;
  }
  for (uint32_t o = 0; o < scratch->order_count; o++) {
    uint32_t t = scratch->term_order[o];
    const tax_term *term = &taxonomy->terms[t];
    th_tax_hit *hit = &scratch->hits[term->theme];
    if (term->exclude) {
      scratch->excluded[term->theme] = 1;
    } else {
      hit->score += term->weight * (1.0 + log((double)scratch->term_counts[t]));
      if (hit->matched_count < TH_TAX_MATCHED)
        hit->matched[hit->matched_count++] = term->text;
    }
    scratch->term_counts[t] = 0;
    scratch->term_last[t] = 0;
  }
  size_t kept = 0;
  for (size_t t = 0; t < themes; t++) {
    th_tax_hit hit = scratch->hits[t];
    if (scratch->excluded[t] || hit.score <= 0)
      continue;
    double raw = hit.score * taxonomy->theme_weights[t];
    hit.score = raw / (raw + 1.0);
    if (hit.score >= threshold)
      scratch->hits[kept++] = hit;
  }
  qsort(scratch->hits, kept, sizeof(th_tax_hit), compare_hits);
  return (int)kept;
}

void th_tax_scratch_release(th_tax_scratch *scratch) {
  th_free(scratch->term_counts);
  th_free(scratch->term_order);
  th_free(scratch->term_last);
  th_free(scratch->hits);
  th_free(scratch->excluded);
  memset(scratch, 0, sizeof(*scratch));
}
