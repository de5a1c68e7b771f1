/* tests/plugins/tokenize/tokenize_fixture.c - see tokenize_fixture.h. */
#include "tokenize_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

static tk_scratch scratch;
static tk_word_set stopwords;
static tk_word_cache cache;
static tk_language language;
static const char *last_text;
static size_t last_length;
static char rendered[1 << 16];

static void fixture_setup(void) {
  if (language.stemmer) {
    return;
  }
  size_t count = 0;
  const char *const *words = tk_stopwords_for("english", &count);
  if (tk_word_set_build(&stopwords, words, count, NULL) != 0 ||
      tk_word_cache_init(&cache, 1024, NULL) != 0) {
    abort();
  }
  language.stemmer = sb_stemmer_new("english", NULL);
  language.ascii_stemmer = tk_ascii_stemmer_new("english"); /* as the plugin does */
  language.cache = &cache;
  language.stopwords = &stopwords;
}

int fixture_tokenize(const char *text, size_t length) {
  fixture_setup();
  last_text = text;
  last_length = length;
  if (tk_scan(&scratch, text, length) != 0 ||
      tk_normalize(&scratch, &language, text, length) != 0 ||
      tk_sentences(&scratch, text, length) != 0) {
    return -1;
  }
  return 0;
}

const tk_scratch *fixture_scratch(void) {
  return &scratch;
}

static void append(size_t *used, const char *format_text, size_t length, const char *prefix) {
  int written = snprintf(rendered + *used, sizeof rendered - *used, "%s%.*s", prefix, (int)length,
                         format_text);
  if (written > 0) {
    *used += (size_t)written;
  }
  if (*used >= sizeof rendered) {
    *used = sizeof rendered - 1;
  }
}

const char *fixture_tokens(void) {
  size_t used = 0;
  rendered[0] = '\0';
  for (size_t index = 0; index < scratch.token_count; index++) {
    const tp_token *token = &scratch.tokens[index];
    append(&used, tk_type_name(token->type), strlen(tk_type_name(token->type)), index ? " " : "");
    append(&used, last_text + token->start, token->length, ":");
  }
  return rendered;
}

const char *fixture_sentences(void) {
  size_t used = 0;
  rendered[0] = '\0';
  for (size_t index = 0; index < scratch.sentence_count; index++) {
    const tp_sentence *sentence = &scratch.sentences[index];
    append(&used, last_text + sentence->start, sentence->length, index ? " || " : "");
  }
  return rendered;
}

const char *fixture_stems(void) {
  size_t used = 0;
  rendered[0] = '\0';
  for (size_t index = 0; index < scratch.token_count; index++) {
    const tp_token *token = &scratch.tokens[index];
    if (token->type != TP_TOKEN_WORD) {
      continue;
    }
    append(&used, last_text + token->start, token->length, used ? " " : "");
    const char *norm = tk_scratch_norm(&scratch, token);
    const char *stem = tk_scratch_stem(&scratch, token);
    append(&used, norm, strlen(norm), ":");
    append(&used, stem, strlen(stem), ":");
  }
  return rendered;
}

const char *fixture_check_invariants(void) {
  size_t previous_end = 0;
  for (size_t index = 0; index < scratch.token_count; index++) {
    const tp_token *token = &scratch.tokens[index];
    if (token->length == 0 || token->start < previous_end ||
        (size_t)token->start + token->length > last_length) {
      return "token span out of order or outside the text";
    }
    for (size_t offset = token->start; offset < token->start + token->length; offset++) {
      unsigned char c = (unsigned char)last_text[offset];
      if (c == ' ' || c == '\n' || c == '\t' || c == '\0') {
        return "white space or NUL inside a token";
      }
    }
    const char *norm = tk_scratch_norm(&scratch, token);
    const char *stem = tk_scratch_stem(&scratch, token);
    if (strlen(norm) != token->norm_length || strlen(stem) != token->stem_length) {
      return "norm/stem length differs from its string";
    }
    if (token->type != TP_TOKEN_WORD && strcmp(norm, stem) != 0) {
      return "stem differs from norm for a non-word";
    }
    previous_end = token->start + token->length;
  }
  size_t next_token = 0;
  for (size_t index = 0; index < scratch.sentence_count; index++) {
    const tp_sentence *sentence = &scratch.sentences[index];
    if (sentence->first_token != next_token || sentence->token_count == 0) {
      return "sentences do not cover the tokens in order";
    }
    const tp_token *first = &scratch.tokens[sentence->first_token];
    const tp_token *last = &scratch.tokens[sentence->first_token + sentence->token_count - 1];
    if (sentence->start != first->start ||
        sentence->start + sentence->length != last->start + last->length) {
      return "sentence span is not its tokens' span";
    }
    for (size_t token = sentence->first_token; token < next_token + sentence->token_count;
         token++) {
      if (scratch.tokens[token].sentence != index) {
        return "token.sentence does not match its sentence";
      }
    }
    next_token += sentence->token_count;
  }
  if (next_token != scratch.token_count) {
    return "tokens left outside every sentence";
  }
  return NULL;
}
