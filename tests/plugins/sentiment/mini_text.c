/* mini_text.c - a small tokenizer for the sentiment engine's unit tests (see mini_text.h). */
#include "mini_text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

typedef struct mini_storage {
  tp_text text;
  tp_token *tokens;
  tp_sentence *sentences;
  char *copy;
  char *strings; /* norms and stems, NUL-terminated, back to back */
} mini_storage;

static const char *const mini_emoticons[] = {
    ":-)", ":-(", ":-D", ":-P", ":-/", ";-)", ":'(", ":')", ":)", ":(", ":D",  ":P",  ":p", ":/",
    ";)",  ":|",  "=)",  "=(",  "<3",  "</3", "XD",  "xD",  ":o", ":O", "^_^", "-_-", NULL};

static size_t mini_utf8_length(unsigned char c) {
  return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

static unsigned mini_codepoint(const unsigned char *s, size_t n) {
  if (n == 1) {
    return s[0];
  }
  unsigned cp = s[0] & (0x3f >> (n - 1));
  for (size_t i = 1; i < n; i++) {
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  return cp;
}

static int mini_is_emoji(unsigned cp) {
  return (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0x2600 && cp <= 0x27bf) || cp == 0x2764;
}

static int mini_word_byte(const char *s, size_t i, size_t n) {
  unsigned char c = (unsigned char)s[i];
  if (isalnum(c)) {
    return 1;
  }
  if (c >= 0x80) {
    size_t len = mini_utf8_length(c);
    return i + len <= n && !mini_is_emoji(mini_codepoint((const unsigned char *)s + i, len));
  }
  return (c == '\'' || c == '-') && i > 0 && i + 1 < n && isalnum((unsigned char)s[i - 1]) &&
         isalnum((unsigned char)s[i + 1]);
}

tp_text *mini_text_new(const char *input) {
  size_t n = strlen(input);
  mini_storage *m = calloc(1, sizeof *m);
  if (m == NULL) {
    return NULL;
  }
  m->copy = strdup(input);
  m->tokens = calloc(n + 1, sizeof *m->tokens);
  m->sentences = calloc(n + 1, sizeof *m->sentences);
  m->strings = malloc(2 * n + 2 * (n + 1) + 16);
  struct sb_stemmer *stemmer = sb_stemmer_new("english", NULL);
  if (!m->copy || !m->tokens || !m->sentences || !m->strings || !stemmer) {
    sb_stemmer_delete(stemmer);
    mini_text_free(&m->text);
    return NULL;
  }
  size_t used = 0, count = 0, sentence_count = 0, sentence_first = 0;
  size_t i = 0;
  int space_before = 1;
  while (i < n) {
    unsigned char c = (unsigned char)input[i];
    if (isspace(c)) {
      i++;
      space_before = 1;
      continue;
    }
    tp_token *t = &m->tokens[count];
    size_t start = i;
    t->type = TP_TOKEN_SYMBOL;
    size_t emoticon = 0;
    for (size_t e = 0; mini_emoticons[e]; e++) {
      size_t len = strlen(mini_emoticons[e]);
      if (strncmp(input + i, mini_emoticons[e], len) == 0 &&
          (i + len == n || !isalnum((unsigned char)input[i + len]))) {
        emoticon = len;
        break;
      }
    }
    if (strncmp(input + i, "http", 4) == 0) {
      while (i < n && !isspace((unsigned char)input[i])) {
        i++;
      }
      t->type = TP_TOKEN_URL;
    } else if (emoticon > 0 &&
               !(isalnum(c) && i + emoticon < n && isalnum((unsigned char)input[i + emoticon]))) {
      i += emoticon;
      t->type = TP_TOKEN_EMOTICON;
    } else if (mini_word_byte(input, i, n)) {
      while (i < n && mini_word_byte(input, i, n)) {
        i += c >= 0x80 ? mini_utf8_length((unsigned char)input[i]) : 1;
        c = i < n ? (unsigned char)input[i] : 0;
      }
      t->type = TP_TOKEN_WORD;
    } else if (c >= 0x80) {
      i += mini_utf8_length(c);
      t->type = TP_TOKEN_EMOJI;
      while (i + 2 < n && (unsigned char)input[i] == 0xef && (unsigned char)input[i + 1] == 0xb8) {
        i += 3; /* variation selector */
      }
    } else if (c == '#' && i + 1 < n && isalnum((unsigned char)input[i + 1])) {
      i++;
      while (i < n && isalnum((unsigned char)input[i])) {
        i++;
      }
      t->type = TP_TOKEN_HASHTAG;
    } else if (ispunct(c)) {
      while (i < n && input[i] == (char)c) {
        i++;
      }
      while (i < n && ispunct((unsigned char)input[i]) && strchr("!?.", input[i]) &&
             strchr("!?.", c)) {
        i++;
      }
      t->type = TP_TOKEN_PUNCT;
    } else {
      i++;
    }
    t->start = (uint32_t)start;
    t->length = (uint32_t)(i - start);
    t->flags = space_before ? TP_TOKEN_SPACE_BEFORE : 0;
    space_before = 0;
    char *norm = m->strings + used;
    size_t upper = 0, lower = 0;
    for (size_t k = start; k < i; k++) {
      unsigned char b = (unsigned char)input[k];
      upper += isupper(b) != 0;
      lower += islower(b) != 0;
      norm[k - start] = (char)tolower(b);
      if (k >= start + 2 && isalpha(b) && input[k - 1] == (char)b && input[k - 2] == (char)b) {
        t->flags |= TP_TOKEN_ELONGATED;
      }
    }
    norm[i - start] = '\0';
    t->norm = norm;
    t->norm_length = (uint32_t)(i - start);
    used += i - start + 1;
    if (t->type == TP_TOKEN_WORD && upper >= 2 && lower == 0) {
      t->flags |= TP_TOKEN_ALL_CAPS;
    }
    if (t->type == TP_TOKEN_WORD && isupper((unsigned char)input[start]) && lower > 0) {
      t->flags |= TP_TOKEN_CAPITALIZED;
    }
    if (t->type == TP_TOKEN_WORD) {
      const sb_symbol *stem =
          sb_stemmer_stem(stemmer, (const sb_symbol *)norm, (int)t->norm_length);
      size_t stem_length = (size_t)sb_stemmer_length(stemmer);
      if (stem_length > t->norm_length) {
        stem_length = t->norm_length;
      }
      memcpy(m->strings + used, stem, stem_length);
      m->strings[used + stem_length] = '\0';
      t->stem = m->strings + used;
      t->stem_length = (uint32_t)stem_length;
      used += stem_length + 1;
    } else {
      t->stem = t->norm;
      t->stem_length = t->norm_length;
    }
    t->sentence = (uint32_t)sentence_count;
    count++;
    if (t->type == TP_TOKEN_PUNCT && strchr(".!?", input[start])) {
      tp_sentence *s = &m->sentences[sentence_count++];
      s->first_token = (uint32_t)sentence_first;
      s->token_count = (uint32_t)(count - sentence_first);
      s->start = m->tokens[sentence_first].start;
      s->length = (uint32_t)(i - s->start);
      sentence_first = count;
    }
  }
  if (count > sentence_first) {
    tp_sentence *s = &m->sentences[sentence_count++];
    s->first_token = (uint32_t)sentence_first;
    s->token_count = (uint32_t)(count - sentence_first);
    s->start = m->tokens[sentence_first].start;
    s->length = (uint32_t)(m->tokens[count - 1].start + m->tokens[count - 1].length - s->start);
  }
  sb_stemmer_delete(stemmer);
  m->text.struct_size = sizeof m->text;
  m->text.token_size = sizeof(tp_token);
  m->text.sentence_size = sizeof(tp_sentence);
  m->text.text = m->copy;
  m->text.length = n;
  m->text.tokens = m->tokens;
  m->text.token_count = count;
  m->text.sentences = m->sentences;
  m->text.sentence_count = sentence_count;
  m->text.language = "english";
  return &m->text;
}

void mini_text_free(tp_text *text) {
  if (text == NULL) {
    return;
  }
  mini_storage *m = (mini_storage *)text;
  free(m->tokens);
  free(m->sentences);
  free(m->copy);
  free(m->strings);
  free(m);
}
