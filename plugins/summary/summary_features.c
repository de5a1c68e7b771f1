/* plugins/summary/summary_features.c - one sentence's features built from a token array,
 * sorting them, and the content-word cosine between two sentences (see summary_features.h).
 */
#include "summary_features.h"

#include <math.h>

/* Sorts terms[0..count) (insertion sort: count <= SUMMARY_MAX_WORDS). */
static void sort_terms(uint64_t *terms, size_t count) {
  for (size_t i = 1; i < count; i++) {
    uint64_t term = terms[i];
    size_t j = i;
    while (j > 0 && terms[j - 1] > term) {
      terms[j] = terms[j - 1];
      j--;
    }
    terms[j] = term;
  }
}

void summary_features_build(const summary_token *tokens, size_t count, summary_features *out) {
  summary_seen seen;
  summary_builder builder;
  memset(&seen, 0, sizeof seen);
  summary_builder_start(&builder, &seen, out);
  size_t words = 0;
  for (size_t i = 0; i < count; i++) {
    if (!tokens[i].is_word)
      continue;
    if (++words <= SUMMARY_MAX_WORDS)
      summary_builder_add(&builder, tokens[i].hash, tokens[i].is_stop);
  }
  summary_builder_finish(&builder, words);
}

void summary_features_mask(summary_features *features) {
  features->content_mask = 0;
  for (size_t i = 0; i < features->content_count; i++)
    features->content_mask |= (uint64_t)1 << (features->terms[i] & 63);
}

void summary_features_sort(summary_features *features) {
  sort_terms(features->terms, features->content_count);
}

double summary_similarity(const summary_features *a, const summary_features *b) {
  if ((a->content_mask & b->content_mask) == 0)
    return 0.0; /* no content word in common (also when either has none) */
  size_t i = 0, j = 0, shared = 0;
  while (i < a->content_count && j < b->content_count) {
    uint64_t x = a->terms[i], y = b->terms[j]; /* branch-free merge step */
    shared += x == y;
    i += x <= y;
    j += y <= x;
  }
  return (double)shared / sqrt((double)a->content_count * (double)b->content_count);
}
