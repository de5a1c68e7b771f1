/* plugins/summary/summary_digest.h - one stream digest: a term sketch plus a candidate pool,
 * with merge, JSON export/import and the picked sentences as report JSON.
 *
 * The summary plugin keeps one digest for the whole stream, one per theme and one each for
 * positive and negative records; they differ only in sketch size and pool capacity.
 * Allocation goes through the given allocator; cJSON values are built with cJSON's own.
 */
#ifndef TEXTPIPE_SUMMARY_DIGEST_H
#define TEXTPIPE_SUMMARY_DIGEST_H

#include <cjson/cJSON.h>

#include "summary_engine.h"

typedef struct summary_digest {
  summary_sketch sketch;
  summary_pool pool;
} summary_digest;

/* Sets up an empty digest. Returns 0, or -1 when out of memory (nothing to free then). */
int summary_digest_init(summary_digest *digest, uint32_t sketch_bits, size_t pool_capacity,
                        const summary_allocator *memory);
/* Frees what summary_digest_init() allocated. */
void summary_digest_free(summary_digest *digest, const summary_allocator *memory);

/* Counts one sentence in the sketch (re-scoring the pool when due) and sets *score to its score
 * when it may enter the pool (3 to SUMMARY_MAX_WORDS words with at least 2 content words, and
 * the pool has room or it beats the lowest candidate), else to -1. Hand a score >= 0 to
 * summary_pool_offer() with the text. Returns 0, or -1 when out of memory (nothing counted). */
int summary_digest_count(summary_digest *digest, const summary_features *features,
                         const summary_scoring *scoring, const summary_allocator *memory,
                         double *score);

/* summary_digest_count() then, when it may enter, summary_pool_offer(). `id` is the record id
 * as JSON text. Returns 0, or -1 when out of memory. */
int summary_digest_add(summary_digest *digest, const summary_features *features, const char *text,
                       size_t length, const char *id, const summary_scoring *scoring,
                       const summary_allocator *memory);

/* Folds `from` into `into` and re-scores. Returns 0, or -1 (sizes differ, or out of memory). */
int summary_digest_merge(summary_digest *into, const summary_digest *from,
                         const summary_scoring *scoring, const summary_allocator *memory);

/* Re-scores and picks up to `k` sentences by MMR; returns a new JSON array (caller deletes) of
 * {"id", "text"[, "score"]}, or NULL when out of memory. */
cJSON *summary_digest_pick(summary_digest *digest, size_t k, double redundancy, int with_score,
                           const summary_scoring *scoring);

/* The digest as JSON (caller deletes), or NULL when out of memory. */
cJSON *summary_digest_export(const summary_digest *digest);
/* Rebuilds a digest from summary_digest_export() output into an uninitialized *digest.
 * Returns 0, or -1 with a message in err (and nothing allocated). */
int summary_digest_import(summary_digest *digest, const cJSON *data,
                          const summary_allocator *memory, char *err, size_t err_size);

#endif /* TEXTPIPE_SUMMARY_DIGEST_H */
