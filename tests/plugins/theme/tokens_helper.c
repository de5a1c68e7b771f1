/* tests/plugins/theme/tokens_helper.c - a small stand-in for the tokenize stage, shared by
 * the theme-tokens fixture plugin and the engine unit tests, so the theme tests do not depend
 * on tokenize's exact rules: ASCII words (letters, digits, inner ' and -), one punctuation
 * token per other character, sentences ended by . ! ?, lower-case norms, a short stopword
 * list and a crude stem (a trailing "ing" / "es" / "ed" / "s" removed). */
#include "tokens_helper.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct owned_text {
  tp_text text; /* first, so the attachment pointer is the tp_text */
  tp_token *tokens;
  tp_sentence *sentences;
  char *strings; /* norms and stems */
} owned_text;

static const char *const stopwords[] = {
    "a",   "an", "and",  "are",  "as", "at", "be",   "but",  "by",   "for", "from", "in",
    "is",  "it", "of",   "on",   "or", "so", "that", "the",  "this", "to",  "too",  "very",
    "was", "we", "were", "with", "i",  "my", "our",  "they", "not",  NULL};

void theme_test_text_free(void *data) {
  owned_text *owned = data;
  free(owned->tokens);
  free(owned->sentences);
  free(owned->strings);
  free(owned);
}

static int is_stopword(const char *norm) {
  for (int i = 0; stopwords[i]; i++)
    if (strcmp(stopwords[i], norm) == 0)
      return 1;
  return 0;
}

static size_t crude_stem(const char *norm, size_t length) {
  static const char *const suffixes[] = {"ing", "es", "ed", "s", NULL};
  for (int i = 0; suffixes[i]; i++) {
    size_t suffix = strlen(suffixes[i]);
    if (length > suffix + 2 && memcmp(norm + length - suffix, suffixes[i], suffix) == 0)
      return length - suffix;
  }
  return length;
}

static int is_word_byte(char c) {
  return isalnum((unsigned char)c) || c == '\'' || c == '-';
}

tp_text *theme_test_tokenize(const char *text, size_t length) {
  owned_text *owned = calloc(1, sizeof(owned_text));
  if (!owned)
    abort();
  owned->tokens = calloc(length + 1, sizeof(tp_token));
  owned->sentences = calloc(length + 1, sizeof(tp_sentence));
  owned->strings = malloc(2 * length + 2 * (length + 1) + 1);
  if (!owned->tokens || !owned->sentences || !owned->strings)
    abort();
  size_t tokens = 0, sentences = 0, at = 0, used = 0;
  int sentence_open = 0;
  while (at < length) {
    if (isspace((unsigned char)text[at])) {
      at++;
      continue;
    }
    if (!sentence_open) {
      owned->sentences[sentences] = (tp_sentence){(uint32_t)at, 0, (uint32_t)tokens, 0};
      sentence_open = 1;
    }
    size_t start = at;
    tp_token *token = &owned->tokens[tokens++];
    if (is_word_byte(text[at])) {
      while (at < length && is_word_byte(text[at]))
        at++;
    } else {
      at++;
    }
    size_t word = at - start;
    char *norm = owned->strings + used;
    for (size_t i = 0; i < word; i++)
      norm[i] = (char)tolower((unsigned char)text[start + i]);
    norm[word] = '\0';
    used += word + 1;
    int is_word = isalnum((unsigned char)text[start]);
    size_t stem_length = is_word ? crude_stem(norm, word) : word;
    char *stem = owned->strings + used;
    memcpy(stem, norm, stem_length);
    stem[stem_length] = '\0';
    used += stem_length + 1;
    *token = (tp_token){.start = (uint32_t)start,
                        .length = (uint32_t)word,
                        .norm = norm,
                        .norm_length = (uint32_t)word,
                        .stem = stem,
                        .stem_length = (uint32_t)stem_length,
                        .sentence = (uint32_t)sentences,
                        .type = is_word ? TP_TOKEN_WORD : TP_TOKEN_PUNCT,
                        .flags = is_word && is_stopword(norm) ? TP_TOKEN_STOPWORD : 0};
    owned->sentences[sentences].token_count++;
    owned->sentences[sentences].length = (uint32_t)(at - owned->sentences[sentences].start);
    if (!is_word && (text[start] == '.' || text[start] == '!' || text[start] == '?')) {
      sentences++;
      sentence_open = 0;
    }
  }
  if (sentence_open)
    sentences++;
  owned->text = (tp_text){.struct_size = sizeof(tp_text),
                          .token_size = sizeof(tp_token),
                          .sentence_size = sizeof(tp_sentence),
                          .text = text,
                          .length = length,
                          .tokens = owned->tokens,
                          .token_count = tokens,
                          .sentences = owned->sentences,
                          .sentence_count = sentences,
                          .language = "english"};
  return &owned->text;
}
