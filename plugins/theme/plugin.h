/* plugins/theme/plugin.h - the theme plugin's instance, per-worker partial and retained
 * records, shared by theme.c (descriptor, create, process, merge), report.c (finish) and
 * exchange.c (partial export/import). Internal to theme.so. */
#ifndef THEME_PLUGIN_H
#define THEME_PLUGIN_H

#include <stddef.h>
#include <math.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "textpipe/keys.h"
#include "textpipe/plugin.h"
#include "textpipe/text.h"

#include "common.h"
#include "extract.h"
#include "labels.h"
#include "model.h"
#include "online.h"
#include "taxonomy.h"

#define TH_DOC_TERMS       64 /* terms kept per retained record (the heaviest) */
#define TH_DOC_PHRASES     3  /* keyphrases kept per retained record, for theme labels ... */
#define TH_DOC_PHRASES_MAX 12 /* ... plus one per 40 content words, up to this many */
#define TH_ONLINE_QUERY    64 /* heaviest terms of a record used by online clustering */
#define TH_SKETCH_DEPTH    4

/* The stage's configuration, read-only after create(). */
typedef struct th_instance {
  const tp_host *host;
  const tp_stage *stage;
  th_taxonomy *taxonomy; /* NULL without "taxonomy" */
  double threshold;      /* taxonomy score threshold */
  uint32_t keyphrases;   /* per record; 0: none */
  int discover;
  uint32_t themes; /* discovered themes; 0: chosen up to max_themes */
  uint32_t max_themes;
  uint64_t seed;
  int members;
  int bigrams;
  uint32_t vocabulary;
  uint32_t sample;       /* records kept for the final clustering when members is off */
  uint32_t online_limit; /* online themes per worker */
  double join_similarity;
  uint32_t representatives;
  uint32_t examples;
  th_saved_model *saved; /* "model": apply these themes instead of discovering (apply.c) */
  char *model_out;       /* "model_out": where discovery writes its model, or NULL */
} th_instance;

/* Whether the stage discovers themes in the stream (online per record, clustering at the end):
 * `discover` is on and no model is applied instead. */
static inline int th_discovers(const th_instance *instance) {
  return instance->discover && !instance->saved;
}

/* A record kept for the end-of-stream clustering: one allocation holding the struct, its
 * terms, its id text and its keyphrases. */
typedef struct th_doc {
  uint64_t line;
  uint64_t priority; /* sampling order: a hash of (seed, line) */
  uint64_t online;   /* the online theme it joined (0: none) */
  double sentiment;  /* NAN when the record had none */
  uint32_t term_count;
  int id_is_string;
  th_term *terms;
  char *id;      /* the record's id as text (a JSON string's value or a number) */
  char *phrases; /* NUL-terminated strings, then an empty one */
} th_doc;

/* A sampled doc's place in the heap (th_partial's keys). */
typedef struct th_doc_key {
  uint64_t priority;
  uint64_t line;
} th_doc_key;

/* A taxonomy example: the record id of one of the first matching records. */
typedef struct th_example {
  uint64_t line;
  int id_is_string;
  char *id;
} th_example;

typedef struct th_tax_stats {
  uint64_t count;
  double sentiment_sum;
  uint64_t sentiment_count;
  th_example *examples; /* the `examples` lowest lines, sorted */
  uint32_t example_count;
} th_tax_stats;

typedef struct th_partial {
  uint64_t records;
  uint32_t sources;    /* partials merged into this one (1 + those merged): the workers or shards
                          that fed it, and so the threads its finish may use */
  uint64_t term_total; /* distinct terms over all records (their mean sets the idf's strength) */
  th_sketch sketch;
  th_online online;
  th_doc **docs; /* all records (members) or a bounded sample; a max-heap on priority
                    while sampling */
  size_t doc_count, doc_capacity;
  /* while sampling, docs[i]'s priority and line (the heap's order) at keys[i]: a sift reads
   * one array instead of a cold doc at every level */
  th_doc_key *keys;
  size_t key_capacity;
  th_tax_stats *tax; /* per taxonomy theme */
  uint64_t *applied; /* with a model: records per model theme, then outliers */
  /* per-record scratch, not part of the state */
  th_scratch scratch;
  th_tax_scratch tax_scratch;
  th_ranked *order; /* the record's terms by weight (scratch) */
  size_t order_capacity;
} th_partial;

/* How much rarity counts in a term's weight, from the mean number of distinct terms per
 * record: 0.2 for sentences (20 terms or fewer), rising with the logarithm to 1 (full idf) at
 * 200 terms. In a short record one rare word would dominate the vector and pull it to whatever
 * theme holds that word, while the words that mark a theme are frequent by nature; in a long
 * one many terms average out, and a word in most records ("said", "would", "people") must not
 * weigh as much as the topic's words. */
static inline double th_rarity(const th_partial *partial) {
  double mean = partial->records ? (double)partial->term_total / (double)partial->records : 0;
  double position = mean > 20 ? log(mean / 20.0) / log(10.0) : 0;
  return 0.2 + 0.8 * (position < 1 ? position : 1);
}

/* A term's weight in a record's online vector: sublinear count x (1 + rarity x idf), where idf
 * is log((1 + N) / (1 + df)); stem bigrams weigh half. */
static inline double th_online_weight(uint32_t count, double idf, uint32_t hash, double rarity) {
  double weight = (count == 1 ? 1.0 : 1.0 + log((double)count)) * (1.0 + rarity * idf);
  return TH_TERM_IS_BIGRAM(hash) ? weight * 0.5 : weight;
}

/* The keyphrases a retained record keeps for theme labels: a sentence's 3 best say what it is
 * about, a long post needs more for its theme's common words to show among them. */
static inline size_t th_doc_phrases(const th_scratch *scratch) {
  size_t phrases = TH_DOC_PHRASES + scratch->content_words / 40;
  return phrases < TH_DOC_PHRASES_MAX ? phrases : TH_DOC_PHRASES_MAX;
}

/* Creates an empty partial (free with th_partial_free), or NULL on OOM. */
th_partial *th_partial_new(const th_instance *instance);
/* Frees a partial and every retained record in it. NULL is a no-op. */
void th_partial_free(const th_instance *instance, th_partial *partial);

/* Retains `doc` (taking ownership) under the sampling rule. 0, or -1 on OOM (doc freed). */
int th_partial_keep(const th_instance *instance, th_partial *partial, th_doc *doc);

/* Nonzero when a record with this priority and line would be retained now. */
int th_partial_wants(const th_instance *instance, const th_partial *partial, uint64_t priority,
                     uint64_t line);

/* merge(): folds `from` into `into` (from's records move). 0, or -1 with err. */
int th_partial_merge(const th_instance *instance, th_partial *into, th_partial *from, char *err,
                     size_t err_size);

/* Adds an example (line, id) to stats, keeping the lowest `limit` lines; copies id.
 * 0 or -1 on OOM. */
int th_stats_example(th_tax_stats *stats, uint32_t limit, uint64_t line, const char *id,
                     int id_is_string);

/* Allocates a doc with room for `term_count` terms, the id and phrase bytes, in one block
 * that th_free() releases (th_partial_keep takes it over). NULL on OOM. */
th_doc *th_doc_new(uint32_t term_count, size_t id_length, size_t phrase_bytes);

/* The sampling priority of input line `line`. */
uint64_t th_doc_priority(uint64_t seed, uint64_t line);

/* A record id as a new JSON value (a string, or a number) owned by the caller. NULL on OOM.
 * `id` is a string's value when id_is_string, else JSON text (host->record_id). */
cJSON *th_id_json(const char *id, int id_is_string);

/* `value` rounded to 4 decimals, for scores and shares in the output. */
double th_round4(double value);

/* The finish() callback (report.c): fills `section` from the merged partial. 0, or -1 with
 * err on OOM. Sorts the partial's retained records, so the partial is not used afterwards. */
int th_report(void *instance, void *partial, cJSON *section, char *err, size_t err_size);

/* apply.c: assigns the record in partial's scratch to the model's themes (theme_id,
 * theme_similarity); its report section; and the model file of a discovery run, from the
 * refined vectors, the records' final themes (labels) and the themes in report order
 * (ranked: theme indexes, numbered 1.. as in the report). Each returns 0, or -1 (on OOM; for
 * th_save_model also when the file cannot be written, with err). */
int th_apply_record(const th_instance *instance, th_partial *partial, tp_record *record);
int th_apply_section(const th_instance *instance, const th_partial *partial, cJSON *section);
int th_save_model(const th_instance *instance, const th_partial *partial, const th_model *model,
                  th_doc *const *docs, const int32_t *labels, size_t count, const uint32_t *ranked,
                  uint32_t ranked_count, const th_keyphrase *phrases, char *err, size_t err_size);

/* The section's "blocks" (report_blocks.c), read from the members th_report() wrote. 0, or -1
 * on OOM. */
int th_report_blocks(cJSON *section);

/* partial_export (exchange.c): a new JSON value owned by the caller, or NULL on OOM.
 * partial_import: a new partial (th_partial_free) built from such a value, or NULL with a
 * message naming the offending member in err. */
cJSON *th_partial_export(void *instance, const void *partial);
void *th_partial_import(void *instance, const cJSON *data, char *err, size_t err_size);

#endif /* THEME_PLUGIN_H */
