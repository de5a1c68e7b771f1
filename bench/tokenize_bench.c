/* bench/tokenize_bench.c - the tokenizer engine alone, without the pipeline around it.
 *
 *   tokenize_bench [--runs N] [--language L] CORPUS.ndjson
 *       parses every record's "text" first (untimed), then times tokenizing all of them N times
 *       (default 5, CPU time of the process) and prints the median MB/s, tokens/s and the word
 *       cache hit rate.
 *   tokenize_bench --dump TEXT
 *       prints the tokens and sentences of TEXT, one per line (for looking at cases by hand).
 * Built by plugins/tokenize/meson.build as build/plugins/tokenize/tokenize_bench.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <libstemmer.h>

#include "bench_corpus.h"
#include "bench_time.h"
#include "tokenizer.h"

static int tokenize_one(tk_scratch *scratch, const tk_language *language, const char *text,
                        size_t length) {
  return tk_scan(scratch, text, length) || tk_normalize(scratch, language, text, length) ||
         tk_sentences(scratch, text, length);
}

static int dump(const tk_language *language, const char *text) {
  tk_scratch scratch = {0};
  size_t length = strlen(text);
  if (tokenize_one(&scratch, language, text, length) != 0) {
    return 1;
  }
  for (size_t index = 0; index < scratch.sentence_count; index++) {
    const tp_sentence *sentence = &scratch.sentences[index];
    printf("sentence %zu [%u,%u): %.*s\n", index, sentence->start,
           sentence->start + sentence->length, (int)sentence->length, text + sentence->start);
  }
  for (size_t index = 0; index < scratch.token_count; index++) {
    const tp_token *token = &scratch.tokens[index];
    printf("%-8s s%u %.*s | %s | %s | flags %x\n", tk_type_name(token->type), token->sentence,
           (int)token->length, text + token->start, tk_scratch_norm(&scratch, token),
           tk_scratch_stem(&scratch, token), token->flags);
  }
  tk_scratch_release(&scratch);
  return 0;
}

int main(int argc, char **argv) {
  int runs = 5;
  size_t cache_slots = getenv("TK_CACHE_SLOTS") ? (size_t)atol(getenv("TK_CACHE_SLOTS")) : 65536;
  const char *language_name = "english";
  const char *dump_text = NULL;
  const char *path = NULL;
  for (int index = 1; index < argc; index++) {
    if (strcmp(argv[index], "--runs") == 0 && index + 1 < argc) {
      runs = atoi(argv[++index]);
    } else if (strcmp(argv[index], "--language") == 0 && index + 1 < argc) {
      language_name = argv[++index];
    } else if (strcmp(argv[index], "--dump") == 0 && index + 1 < argc) {
      dump_text = argv[++index];
    } else {
      path = argv[index];
    }
  }
  size_t stopword_count = 0;
  const char *const *stopword_list = tk_stopwords_for(language_name, &stopword_count);
  tk_word_set stopwords;
  tk_word_cache cache;
  /* the plugin's stemmers: ASCII words by the single-byte build where it gives the same stems */
  tk_language language = {sb_stemmer_new(language_name, NULL), &cache, &stopwords,
                          tk_ascii_stemmer_new(language_name)};
  if (!language.stemmer ||
      tk_word_set_build(&stopwords, stopword_list, stopword_count, NULL) != 0 ||
      tk_word_cache_init(&cache, cache_slots, NULL) != 0) {
    fprintf(stderr, "tokenize_bench: cannot set up language %s\n", language_name);
    return 2;
  }
  if (dump_text) {
    return dump(&language, dump_text);
  }
  if (!path || runs < 1) {
    fprintf(stderr, "usage: tokenize_bench [--runs N] [--language L] CORPUS.ndjson\n"
                    "       tokenize_bench --dump TEXT\n");
    return 2;
  }
  corpus corpus = {0};
  if (corpus_load(&corpus, path) != 0) {
    return 1;
  }
  tk_scratch scratch = {0};
  double *seconds = calloc((size_t)runs, sizeof *seconds);
  size_t tokens = 0, sentences = 0;
  for (int run = 0; run < runs; run++) {
    tokens = sentences = 0;
    double start = bench_cpu_seconds();
    for (size_t index = 0; index < corpus.count; index++) {
      if (tokenize_one(&scratch, &language, corpus.texts[index], corpus.lengths[index]) != 0) {
        fprintf(stderr, "tokenize_bench: out of memory\n");
        return 1;
      }
      tp_text *text = tk_text_build(&scratch, corpus.texts[index], corpus.lengths[index],
                                    language_name, malloc);
      tokens += text->token_count;
      sentences += text->sentence_count;
      free(text);
    }
    seconds[run] = bench_cpu_seconds() - start;
  }
  qsort(seconds, (size_t)runs, sizeof *seconds, bench_compare_doubles);
  double median = seconds[runs / 2];
  printf("records %zu, text %.1f MB, tokens %zu, sentences %zu\n", corpus.count,
         (double)corpus.bytes / 1e6, tokens, sentences);
  printf("median of %d runs: %.3f s CPU (fastest %.3f s), %.1f MB/s of text, %.2f M tokens/s, word "
         "cache hit rate %.2f%% (%.0f misses per run)\n",
         runs, median, seconds[0], (double)corpus.bytes / 1e6 / median,
         (double)tokens / 1e6 / median,
         100.0 * (double)cache.hits / (double)(cache.hits + cache.misses + !cache.hits),
         (double)cache.misses / runs);
  return 0;
}
