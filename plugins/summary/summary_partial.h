/* plugins/summary/summary_partial.h - the summary plugin's instance (read-only after create)
 * and its per-worker partial: the stream digest, one digest per theme and per polarity, and
 * the worker's scratch buffers for ranking one record. Merge, report, export and import.
 */
#ifndef TEXTPIPE_SUMMARY_PARTIAL_H
#define TEXTPIPE_SUMMARY_PARTIAL_H

#include <textpipe/keys.h>
#include <textpipe/plugin.h>

#include "summary_digest.h"
#include "summary_rank.h"

/* Theme ids (the theme stage's online themes) followed at most per partial; records of later
 * ones only count in the stream digest. Each costs 16 KiB of sketch and a 16-sentence pool. */
#define SUMMARY_MAX_THEMES 256

typedef struct summary_instance {
  const tp_host *host;
  const tp_stage *stage;
  summary_allocator memory;
  size_t min_sentences, max_sentences, max_words;
  size_t digest_size, pool_size, theme_sentences, sentiment_points;
  uint32_t sketch_bits;
  double redundancy;
  summary_scoring scoring;
  char theme_stage[128];
} summary_instance;

typedef struct summary_theme {
  char *key;         /* the theme id as JSON text */
  uint32_t key_hash; /* summary_key_hash(key): compared before the key itself */
  summary_digest digest;
} summary_theme;

/* Slots of the theme key -> theme table (a power of two, twice SUMMARY_MAX_THEMES). */
#define SUMMARY_THEME_SLOTS (2 * SUMMARY_MAX_THEMES)

/* Slots of the route cache (a power of two, at most 1024: route_slot() takes 10 bits). */
#define SUMMARY_ROUTE_SLOTS 1024
/* A route cache entry for a theme id that has no theme (the table was full). */
#define SUMMARY_ROUTE_NONE 0xFFFF

typedef struct summary_partial {
  summary_digest stream;
  summary_theme themes[SUMMARY_MAX_THEMES];
  size_t theme_count;
  /* Open addressing by key_hash: theme index + 1, 0 when free (a record's theme is found in a
   * probe or two, not by looking through every theme). */
  uint16_t theme_slots[SUMMARY_THEME_SLOTS];
  /* Route cache: theme ids that are line numbers (as records carry them), by the bits of their
   * double (0: a free slot; no line number has those bits), and each one's theme index + 1 or
   * SUMMARY_ROUTE_NONE. A record's theme is then found in one probe instead of printing its id,
   * hashing the digits and looking them up. Direct-mapped: an id replaces the one in its slot. */
  uint64_t route_ids[SUMMARY_ROUTE_SLOTS];
  uint16_t route_themes[SUMMARY_ROUTE_SLOTS];
  summary_digest polarity[2]; /* [0] positive, [1] negative; used when has_polarity */
  int has_polarity;
  /* Scratch for one record (this worker only). */
  summary_seen seen;   /* terms of the sentence being built */
  char *sentence_text; /* one sentence's text, white space normalized */
  size_t sentence_capacity;
  summary_features features[SUMMARY_RECORD_SENTENCES + 1];
  summary_ranker ranker;
} summary_partial;

/* cJSON_IsNumber(item), inline: the library's is a call through the PLT, made for every
 * sentence. */
static inline int summary_json_is_number(const cJSON *item) {
  return item != NULL && (item->type & 0xFF) == cJSON_Number;
}

/* The hash of a theme key that summary_theme.key_hash holds. */
uint32_t summary_key_hash(const char *key);

/* A new empty partial, or NULL when out of memory. Freed with summary_partial_destroy(). */
summary_partial *summary_partial_create(summary_instance *instance);
void summary_partial_destroy(summary_instance *instance, summary_partial *partial);

/* Makes room for `bytes` bytes in partial->sentence_text. 0, or -1 when out of memory. */
int summary_partial_reserve_text(summary_instance *instance, summary_partial *partial,
                                 size_t bytes);

/* Finds (creating it if needed) the theme digest for a record's "theme_id" member `theme_id`
 * (NULL when the record has none); *theme is NULL when there is no usable id or the theme
 * limit is reached. Returns 0, or -1 when out of memory. */
int summary_partial_route(summary_instance *instance, summary_partial *partial,
                          const cJSON *theme_id, summary_digest **theme);

/* The positive or negative digest for a sentiment "compound" value (NULL when it is not a
 * number or is neutral). Returns 0, or -1 when out of memory. */
int summary_partial_polarity(summary_instance *instance, summary_partial *partial,
                             const cJSON *compound, summary_digest **polarity);

/* Folds `from` into `into`. Returns 0, or -1 (out of memory, mismatched sizes). */
int summary_partial_merge(summary_instance *instance, summary_partial *into, summary_partial *from);

/* Writes "digest" and, when seen, "themes", "positive" and "negative" into `section`.
 * Returns 0, or -1 when out of memory. */
int summary_partial_report(summary_instance *instance, summary_partial *partial, cJSON *section);

/* Adds the section's "blocks" (summary_blocks.c), read from the members
 * summary_partial_report() wrote. 0, or -1 on OOM. */
int summary_report_blocks(cJSON *section);

/* The partial as JSON (caller deletes), or NULL when out of memory. */
cJSON *summary_partial_export(summary_instance *instance, const summary_partial *partial);
/* A partial rebuilt from summary_partial_export() output, or NULL with a message in err. */
summary_partial *summary_partial_import(summary_instance *instance, const cJSON *data, char *err,
                                        size_t err_size);

#endif /* TEXTPIPE_SUMMARY_PARTIAL_H */
