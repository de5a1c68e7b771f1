/* sentiment_lexicon.c - the sentiment plugin's term table: creating it and loading word lists,
 * rule lists and stems into it (see sentiment_lexicon.h; its layout and probe are in
 * sentiment_table.h, lookups in sentiment_lookup.c).
 */
#include "sentiment_lexicon.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

#include "sentiment_table.h"

#define SX_MAX_TERM 256 /* bytes of one term, phrases included */

static void sx_table_free(const sx_allocator *allocator, sx_table *table) {
  allocator->free(table->entries);
  allocator->free(table->keys);
  allocator->free(table->slots);
  memset(table, 0, sizeof *table);
}

static int sx_table_rehash(const sx_allocator *allocator, sx_table *table, size_t capacity) {
  uint32_t *slots = allocator->alloc(capacity * sizeof *slots);
  if (slots == NULL) {
    return -1;
  }
  memset(slots, 0, capacity * sizeof *slots);
  for (size_t i = 0; i < table->entry_count; i++) {
    size_t slot = table->entries[i].hash & (capacity - 1);
    while (slots[slot] != 0) {
      slot = (slot + 1) & (capacity - 1);
    }
    slots[slot] = (uint32_t)table->entries[i].tag << 20 | (uint32_t)(i + 1);
  }
  allocator->free(table->slots);
  table->slots = slots;
  table->slot_capacity = capacity;
  return 0;
}

/* Returns the entry for `key`, inserting an empty one if missing; NULL on OOM. */
static sx_entry *sx_table_upsert(const sx_allocator *allocator, sx_table *table, const char *key,
                                 size_t length) {
  uint64_t packed[2];
  uint64_t hash = sx_table_hash(key, length, packed);
  const sx_entry *found = sx_table_find(table, key, length, hash, packed);
  if (found != NULL) {
    return (sx_entry *)found;
  }
  if (table->entry_count >= SX_MAX_ENTRIES - 1 || length > UINT16_MAX) {
    return NULL;
  }
  if ((table->entry_count + 1) * 2 > table->slot_capacity) {
    size_t capacity = table->slot_capacity ? table->slot_capacity * 2 : 1024;
    if (sx_table_rehash(allocator, table, capacity) != 0) {
      return NULL;
    }
  }
  if (table->entry_count == table->entry_capacity) {
    size_t capacity = table->entry_capacity ? table->entry_capacity * 2 : 512;
    sx_entry *entries = allocator->realloc(table->entries, capacity * sizeof *entries);
    if (entries == NULL) {
      return NULL;
    }
    table->entries = entries;
    table->entry_capacity = capacity;
  }
  if (table->key_bytes + length + 1 > table->key_capacity) {
    size_t capacity = table->key_capacity ? table->key_capacity * 2 : 8192;
    while (capacity < table->key_bytes + length + 1) {
      capacity *= 2;
    }
    char *keys = allocator->realloc(table->keys, capacity);
    if (keys == NULL) {
      return NULL;
    }
    table->keys = keys;
    table->key_capacity = capacity;
  }
  sx_entry *entry = &table->entries[table->entry_count];
  memset(entry, 0, sizeof *entry);
  entry->key_offset = (uint32_t)table->key_bytes;
  entry->key_length = (uint16_t)length;
  entry->tag = (uint16_t)(hash >> 52);
  entry->hash = (uint32_t)hash;
  entry->packed[0] = packed[0];
  entry->packed[1] = packed[1];
  memcpy(table->keys + table->key_bytes, key, length);
  table->keys[table->key_bytes + length] = '\0';
  table->key_bytes += length + 1;
  table->entry_count++;
  size_t mask = table->slot_capacity - 1;
  size_t slot = hash & mask;
  while (table->slots[slot] != 0) {
    slot = (slot + 1) & mask;
  }
  table->slots[slot] = (uint32_t)entry->tag << 20 | (uint32_t)table->entry_count;
  size_t word;
  uint64_t bits = sx_table_filter(hash, &word); /* sets `word`: before it is read */
  table->filter[word] |= bits;
  return entry;
}

sx_lexicon *sx_lexicon_create(const sx_allocator *allocator) {
  sx_lexicon *lexicon = allocator->alloc(sizeof *lexicon);
  if (lexicon == NULL) {
    return NULL;
  }
  memset(lexicon, 0, sizeof *lexicon);
  lexicon->allocator = *allocator;
  return lexicon;
}

void sx_lexicon_destroy(sx_lexicon *lexicon) {
  if (lexicon == NULL) {
    return;
  }
  sx_table_free(&lexicon->allocator, &lexicon->words);
  sx_table_free(&lexicon->allocator, &lexicon->stems);
  lexicon->allocator.free(lexicon);
}

/* Copies `term` lower-cased (ASCII; the tokenizer case-folds the rest) with runs of white
 * space collapsed to one space into `out`. Returns the word count, or 0 if the term is empty
 * or does not fit. */
static size_t sx_normalize_term(const char *term, size_t length, char *out, size_t *out_length) {
  size_t used = 0, words = 0;
  int in_space = 1;
  for (size_t i = 0; i < length; i++) {
    unsigned char c = (unsigned char)term[i];
    if (c == ' ' || c == '\t') {
      in_space = 1;
      continue;
    }
    if (in_space) {
      if (words > 0) {
        if (used + 1 >= SX_MAX_TERM) {
          return 0;
        }
        out[used++] = ' ';
      }
      words++;
      in_space = 0;
    }
    if (used + 1 >= SX_MAX_TERM) {
      return 0;
    }
    out[used++] = (char)tolower(c);
  }
  out[used] = '\0';
  *out_length = used;
  return words;
}

/* Inserts `term`; for a phrase, also records its length on its first word. Returns the entry
 * or NULL (OOM or bad term). */
static sx_entry *sx_lexicon_add(sx_lexicon *lexicon, const char *term, size_t length) {
  char key[SX_MAX_TERM];
  size_t key_length = 0;
  size_t words = sx_normalize_term(term, length, key, &key_length);
  if (words == 0 || words > 255) {
    return NULL;
  }
  if (words > 1) {
    /* The first word records the longest phrase it starts; every shorter prefix of two or
     * more words gets an entry (without flags if it is no phrase itself), so matching can
     * extend a phrase word by word and stop at the first prefix that is not in the table. */
    const char *space = memchr(key, ' ', key_length);
    sx_entry *first =
        sx_table_upsert(&lexicon->allocator, &lexicon->words, key, (size_t)(space - key));
    if (first == NULL) {
      return NULL;
    }
    if (first->term.phrase_words < words) {
      first->term.phrase_words = (uint8_t)words;
    }
    const char *second = space + 1,
               *second_end = memchr(second, ' ', key_length - 1 - (size_t)(space - key));
    if (second_end == NULL) {
      second_end = key + key_length;
    }
    first->term.next_words |= sx_word_shape(second, (size_t)(second_end - second));
    while ((space = memchr(space + 1, ' ', key_length - (size_t)(space + 1 - key))) != NULL) {
      if (sx_table_upsert(&lexicon->allocator, &lexicon->words, key, (size_t)(space - key)) ==
          NULL) {
        return NULL;
      }
    }
  }
  return sx_table_upsert(&lexicon->allocator, &lexicon->words, key, key_length);
}

int sx_lexicon_set_valence(sx_lexicon *lexicon, const char *term, double valence) {
  sx_entry *entry = sx_lexicon_add(lexicon, term, strlen(term));
  if (entry == NULL) {
    return -1;
  }
  entry->term.valence = (float)valence;
  entry->term.flags |= SX_TERM_VALENCE;
  entry->term.flags &= (uint16_t)~SX_TERM_NEUTRAL;
  return 0;
}

/* Splits one line into up to `max` TAB-separated fields. Returns the field count. */
static size_t sx_split(const char *line, size_t length, const char **fields, size_t *lengths,
                       size_t max) {
  size_t count = 0, start = 0;
  for (size_t i = 0; i <= length && count < max; i++) {
    if (i == length || line[i] == '\t') {
      fields[count] = line + start;
      lengths[count] = i - start;
      count++;
      start = i + 1;
    }
  }
  return count;
}

static int sx_parse_number(const char *text, size_t length, double *value) {
  char buffer[64];
  if (length == 0 || length >= sizeof buffer) {
    return -1;
  }
  memcpy(buffer, text, length);
  buffer[length] = '\0';
  char *end = NULL;
  *value = strtod(buffer, &end);
  return (*end == '\0' && *value >= -10 && *value <= 10) ? 0 : -1;
}

typedef int (*sx_line_fn)(sx_lexicon *lexicon, const char **fields, const size_t *lengths,
                          size_t count, const char **problem);

/* Runs `handle` on each non-comment line of `data`. Returns 0 or -1 with err filled. */
static int sx_each_line(sx_lexicon *lexicon, const char *data, size_t length, const char *name,
                        sx_line_fn handle, char *err, size_t err_size) {
  size_t line_number = 0;
  for (size_t start = 0; start < length;) {
    const char *newline = memchr(data + start, '\n', length - start);
    size_t end = newline ? (size_t)(newline - data) : length;
    size_t line_length = end - start;
    line_number++;
    if (line_length > 0 && data[start + line_length - 1] == '\r') {
      line_length--;
    }
    if (line_length > 0 && data[start] != '#') {
      const char *fields[3];
      size_t lengths[3];
      size_t count = sx_split(data + start, line_length, fields, lengths, 3);
      const char *problem = NULL;
      if (handle(lexicon, fields, lengths, count, &problem) != 0) {
        snprintf(err, err_size, "%s:%zu: %s", name, line_number,
                 problem ? problem : "out of memory");
        return -1;
      }
    }
    start = end + 1;
  }
  return 0;
}

static int sx_word_line(sx_lexicon *lexicon, const char **fields, const size_t *lengths,
                        size_t count, const char **problem) {
  double valence = 0;
  if (count < 2 || lengths[0] == 0 || sx_parse_number(fields[1], lengths[1], &valence) != 0) {
    *problem = "expected term<TAB>valence (a number in -10..10)";
    return -1;
  }
  sx_entry *entry = sx_lexicon_add(lexicon, fields[0], lengths[0]);
  if (entry == NULL) {
    *problem = "term too long (255 bytes), or more than 1,048,574 terms";
    return -1;
  }
  entry->term.valence = (float)valence;
  entry->term.flags |= SX_TERM_VALENCE;
  return 0;
}

int sx_lexicon_load_words(sx_lexicon *lexicon, const char *data, size_t length, const char *name,
                          char *err, size_t err_size) {
  return sx_each_line(lexicon, data, length, name, sx_word_line, err, err_size);
}

static const struct {
  const char *kind;
  uint16_t flag;
  int needs_value;
} sx_rule_kinds[] = {
    {"booster", SX_TERM_BOOSTER, 1},
    {"negator", SX_TERM_NEGATOR, 0},
    {"exempt", SX_TERM_EXEMPT, 0},
    {"contrast", SX_TERM_CONTRAST, 0},
    {"concession", SX_TERM_CONCESSION, 0},
    {"hedge", SX_TERM_HEDGE, 0},
    {"least", SX_TERM_LEAST, 0},
    {"phrase", SX_TERM_VALENCE, 1},
    {"neutral", SX_TERM_NEUTRAL, 0},
    {"word", SX_TERM_VALENCE, 1},
    {"verb", SX_TERM_VERB, 0},
    {"subject", SX_TERM_SUBJECT, 0},
    {"idiom", SX_TERM_VALENCE | SX_TERM_IDIOM, 1},
    {"ability", SX_TERM_ABILITY, 0},
    {"hyperbole", SX_TERM_HYPERBOLE, 0},
};

static int sx_rule_line(sx_lexicon *lexicon, const char **fields, const size_t *lengths,
                        size_t count, const char **problem) {
  size_t kind = 0, kinds = sizeof sx_rule_kinds / sizeof sx_rule_kinds[0];
  while (kind < kinds && !(strlen(sx_rule_kinds[kind].kind) == lengths[0] &&
                           memcmp(sx_rule_kinds[kind].kind, fields[0], lengths[0]) == 0)) {
    kind++;
  }
  if (kind == kinds) {
    *problem = "unknown rule kind (booster, negator, exempt, contrast, concession, hedge, "
               "least, phrase, neutral, word, verb, subject, idiom, ability, hyperbole)";
    return -1;
  }
  double value = 0;
  if (count < 2 || lengths[1] == 0 ||
      (sx_rule_kinds[kind].needs_value &&
       (count < 3 || sx_parse_number(fields[2], lengths[2], &value) != 0))) {
    *problem = sx_rule_kinds[kind].needs_value ? "expected kind<TAB>term<TAB>number"
                                               : "expected kind<TAB>term";
    return -1;
  }
  sx_entry *entry = sx_lexicon_add(lexicon, fields[1], lengths[1]);
  if (entry == NULL) {
    *problem = "term too long (255 bytes), or more than 1,048,574 terms";
    return -1;
  }
  uint16_t flag = sx_rule_kinds[kind].flag;
  if (strcmp(sx_rule_kinds[kind].kind, "word") == 0 && (entry->term.flags & SX_TERM_VALENCE)) {
    return 0; /* the word list's human rating wins over a domain default */
  }
  entry->term.flags |= flag;
  if (flag == SX_TERM_BOOSTER) {
    entry->term.booster = (float)value;
  } else if (flag & SX_TERM_VALENCE) {
    entry->term.valence = (float)value;
  }
  return 0;
}

int sx_lexicon_load_rules(sx_lexicon *lexicon, const char *data, size_t length, const char *name,
                          char *err, size_t err_size) {
  return sx_each_line(lexicon, data, length, name, sx_rule_line, err, err_size);
}

int sx_lexicon_build_stems(sx_lexicon *lexicon, const char *language, char *err, size_t err_size) {
  if (language == NULL) {
    return 0;
  }
  struct sb_stemmer *stemmer = sb_stemmer_new(language, NULL);
  if (stemmer == NULL) {
    snprintf(err, err_size, "no Snowball stemmer for language \"%s\"", language);
    return -1;
  }
  /* Stems collect the sum of valences in `valence` and the count in `booster`; words whose
   * variants disagree in sign are dropped (flags cleared). */
  const sx_table *words = &lexicon->words;
  int status = 0;
  for (size_t i = 0; i < words->entry_count && status == 0; i++) {
    const sx_entry *entry = &words->entries[i];
    const char *key = words->keys + entry->key_offset;
    if (!(entry->term.flags & SX_TERM_VALENCE) || entry->term.valence == 0 ||
        memchr(key, ' ', entry->key_length) != NULL || !isalpha((unsigned char)key[0])) {
      continue;
    }
    const sb_symbol *stem =
        sb_stemmer_stem(stemmer, (const sb_symbol *)key, (int)entry->key_length);
    if (stem == NULL) {
      status = -1;
      break;
    }
    size_t stem_length = (size_t)sb_stemmer_length(stemmer);
    /* Only base forms: "hate" serves "hated" and "hates", but "wonderful" (stem "wonder")
     * must not serve "wonder", nor "moving" serve "moved". */
    int base_form = stem_length == entry->key_length ||
                    (stem_length + 1 == entry->key_length && key[stem_length] == 'e');
    if (!base_form || memcmp(stem, key, stem_length) != 0) {
      continue;
    }
    sx_entry *target =
        sx_table_upsert(&lexicon->allocator, &lexicon->stems, (const char *)stem, stem_length);
    if (target == NULL) {
      status = -1;
      break;
    }
    if (target->term.booster > 0 && target->term.valence * entry->term.valence < 0) {
      target->term.flags = SX_TERM_NEUTRAL; /* conflicting variants */
    }
    target->term.valence += entry->term.valence;
    target->term.booster += 1;
  }
  sb_stemmer_delete(stemmer);
  if (status != 0) {
    snprintf(err, err_size, "out of memory building the stem table");
    return -1;
  }
  sx_table *stems = &lexicon->stems;
  for (size_t i = 0; i < stems->entry_count; i++) {
    sx_term *term = &stems->entries[i].term;
    if (term->flags & SX_TERM_NEUTRAL) {
      term->flags = 0;
    } else {
      term->valence /= term->booster;
      term->flags = SX_TERM_VALENCE;
    }
    term->booster = 0;
  }
  return 0;
}

size_t sx_lexicon_size(const sx_lexicon *lexicon) {
  return lexicon->words.entry_count;
}
