/* plugins/tokenize/tokenizer_util.c - small pieces shared by the tokenizer passes: the ASCII
 * character table, UTF-8 decoding, hashing, abbreviations, type names and word sets.
 */
#include "tokenizer_internal.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

uint8_t tk_ascii[256];
uint8_t tk_ascii_extra[256];
uint8_t tk_word_follow[256];

/* Fills tk_ascii once when the plugin (or a test) is loaded. */
__attribute__((constructor)) static void ascii_table_init(void) {
  for (int c = 0; c < 128; c++) {
    uint8_t class = 0;
    if (c <= 0x20 || c == 0x7f) {
      class = TK_SPACE; /* white space and every control byte (NUL included) separate tokens */
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      class = TK_LETTER | TK_LOCAL | TK_URL;
      if (c <= 'Z') {
        class |= TK_UPPER;
      }
    } else if (c >= '0' && c <= '9') {
      class = TK_DIGIT | TK_LOCAL | TK_URL;
    } else {
      class = strchr("$+<=>^`|~", c) ? TK_SYMBOL : TK_PUNCT;
      if (!strchr("<>\"`{}|\\^", c)) {
        class |= TK_URL;
      }
      if (strchr("._%+-", c)) {
        class |= TK_LOCAL;
      }
    }
    tk_ascii[c] = class;
    tk_ascii_extra[c] = (strchr(":;=<>^-xXToO", c) && c ? TK_EMOTICON_START : 0) |
                        (strchr("D-_.", c) && c ? TK_EMOTICON_SECOND : 0) |
                        (strchr(",.:-/", c) && c ? TK_NUMBER_JOIN : 0);
  }
  for (int c = 0; c < 256; c++) {
    /* c as a word's end byte: any ASCII byte but ' - @ . + % _ ends it; ' or - (which joined
     * nothing) ends it before an ASCII byte, a full stop when final; a non-ASCII byte (a letter
     * may continue the word) and @ + % _ (an e-mail) leave it to the general path */
    unsigned ends = c >= 0x80                ? 0
                    : c == '\'' || c == '-'  ? TK_FOLLOW_NOT_ALNUM
                    : c == '.'               ? TK_FOLLOW_FINAL
                    : c && strchr("@+%_", c) ? 0
                                             : TK_FOLLOW_ANY;
    /* c after the end byte */
    unsigned is = TK_FOLLOW_ANY |
                  (c < 0x80 && !(tk_ascii[c] & TK_ALNUM) ? TK_FOLLOW_NOT_ALNUM : 0) |
                  (!(tk_ascii[c] & TK_LOCAL) && c != '@' ? TK_FOLLOW_FINAL : 0);
    tk_word_follow[c] = (uint8_t)(ends | is << 4);
  }
}

int32_t tk_decode(const unsigned char *text, size_t available, size_t *size) {
  unsigned char c = text[0];
  if (c < 0x80 || available < 2) {
    *size = 1;
    return c;
  }
  if (c < 0xe0) {
    *size = 2;
    return ((int32_t)(c & 0x1f) << 6) | (text[1] & 0x3f);
  }
  if (c < 0xf0 || available < 4) {
    if (available < 3) {
      *size = 1;
      return c;
    }
    *size = 3;
    return ((int32_t)(c & 0x0f) << 12) | ((int32_t)(text[1] & 0x3f) << 6) | (text[2] & 0x3f);
  }
  *size = 4;
  return ((int32_t)(c & 0x07) << 18) | ((int32_t)(text[1] & 0x3f) << 12) |
         ((int32_t)(text[2] & 0x3f) << 6) | (text[3] & 0x3f);
}

void *tk_alloc(const tk_memory *memory, size_t size) {
  return memory ? memory->alloc(size) : malloc(size);
}

void *tk_realloc(const tk_memory *memory, void *pointer, size_t size) {
  return memory ? memory->realloc(pointer, size) : realloc(pointer, size);
}

void tk_free(const tk_memory *memory, void *pointer) {
  if (memory)
    memory->free(pointer);
  else
    free(pointer);
}

int tk_grow(const tk_memory *memory, void **items, size_t *capacity, size_t size) {
  size_t grown = *capacity ? *capacity * 2 : 64;
  void *larger = tk_realloc(memory, *items, grown * size);
  if (!larger) {
    return -1;
  }
  *items = larger;
  *capacity = grown;
  return 0;
}

uint64_t tk_hash(const char *bytes, size_t length) {
  /* FNV-1a over 8-byte words, then a final mix: fast on short words, never 0. */
  uint64_t hash = 0xcbf29ce484222325ull ^ length;
  size_t index = 0;
  for (; index + 8 <= length; index += 8) {
    uint64_t word;
    memcpy(&word, bytes + index, 8);
    hash = (hash ^ word) * 0x100000001b3ull;
    hash ^= hash >> 29;
  }
  uint64_t tail = 0;
  memcpy(&tail, bytes + index, length - index);
  hash = (hash ^ tail) * 0x9e3779b97f4a7c15ull;
  hash ^= hash >> 32;
  return hash ? hash : 1;
}

const char *tk_type_name(unsigned type) {
  static const char *const names[] = {"word",    "number",   "url",   "email", "mention",
                                      "hashtag", "emoticon", "emoji", "punct", "symbol"};
  return type < sizeof names / sizeof names[0] ? names[type] : "symbol";
}

/* Abbreviations that keep their full stop, lower case, with how a sentence may end on them. */
static const struct {
  const char *word;
  int class;
} abbreviations[] = {
    {"mr", TK_ABBREV_NEVER_ENDS},
    {"mrs", TK_ABBREV_NEVER_ENDS},
    {"ms", TK_ABBREV_NEVER_ENDS},
    {"dr", TK_ABBREV_NEVER_ENDS},
    {"prof", TK_ABBREV_NEVER_ENDS},
    {"st", TK_ABBREV_ENDS_BEFORE_STOPWORD}, /* St. Louis, but "on Main St. The ..." */
    {"rev", TK_ABBREV_NEVER_ENDS},
    {"gen", TK_ABBREV_NEVER_ENDS},
    {"col", TK_ABBREV_NEVER_ENDS},
    {"capt", TK_ABBREV_NEVER_ENDS},
    {"sgt", TK_ABBREV_NEVER_ENDS},
    {"lt", TK_ABBREV_NEVER_ENDS},
    {"hon", TK_ABBREV_NEVER_ENDS},
    {"gov", TK_ABBREV_NEVER_ENDS},
    {"sen", TK_ABBREV_NEVER_ENDS},
    {"rep", TK_ABBREV_NEVER_ENDS},
    {"pres", TK_ABBREV_NEVER_ENDS},
    {"vs", TK_ABBREV_NEVER_ENDS},
    {"cf", TK_ABBREV_NEVER_ENDS},
    {"approx", TK_ABBREV_NEVER_ENDS},
    {"fig", TK_ABBREV_NEVER_ENDS},
    {"no", TK_ABBREV_NEVER_ENDS},
    {"jr", TK_ABBREV_ENDS_BEFORE_STOPWORD},
    {"sr", TK_ABBREV_ENDS_BEFORE_STOPWORD},
    {"inc", TK_ABBREV_ENDS_BEFORE_STOPWORD},
    {"ltd", TK_ABBREV_ENDS_BEFORE_STOPWORD},
    {"co", TK_ABBREV_ENDS_BEFORE_STOPWORD},
    {"corp", TK_ABBREV_ENDS_BEFORE_STOPWORD},
    {"dept", TK_ABBREV_ENDS_BEFORE_STOPWORD},
    {"jan", TK_ABBREV_ENDS_BEFORE_STOPWORD},
    {"feb", TK_ABBREV_ENDS_BEFORE_STOPWORD},
    {"aug", TK_ABBREV_ENDS_BEFORE_STOPWORD},
    {"sept", TK_ABBREV_ENDS_BEFORE_STOPWORD},
    {"oct", TK_ABBREV_ENDS_BEFORE_STOPWORD},
    {"nov", TK_ABBREV_ENDS_BEFORE_STOPWORD},
    {"dec", TK_ABBREV_ENDS_BEFORE_STOPWORD},
    {"etc", TK_ABBREV_ENDS_BEFORE_CAPITAL},
};

/* Each abbreviation as its bytes in a little-endian integer, in a 64-slot open-addressed table
 * (filled with the ASCII table): a lookup is one multiply and, nearly always, one compare. */
#define ABBREVIATION_SLOTS 64
static struct {
  uint64_t key; /* 0 = empty */
  int class;
} abbreviation_table[ABBREVIATION_SLOTS];

static size_t abbreviation_slot(uint64_t key) {
  return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 58);
}

__attribute__((constructor)) static void abbreviation_table_init(void) {
  for (size_t index = 0; index < sizeof abbreviations / sizeof abbreviations[0]; index++) {
    const char *word = abbreviations[index].word;
    uint64_t key = 0;
    for (size_t position = 0; word[position]; position++) {
      key |= (uint64_t)(unsigned char)word[position] << (position * 8);
    }
    size_t slot = abbreviation_slot(key);
    while (abbreviation_table[slot].key) {
      slot = (slot + 1) % ABBREVIATION_SLOTS;
    }
    abbreviation_table[slot].key = key;
    abbreviation_table[slot].class = abbreviations[index].class;
  }
}

int tk_abbreviation_class(const char *word, size_t length) {
  if (length == 0 || length > 6) {
    return TK_ABBREV_NONE;
  }
  uint64_t key = 0;
  for (size_t index = 0; index < length; index++) {
    unsigned char c = (unsigned char)word[index];
    if (!(tk_ascii[c] & TK_LETTER)) {
      return TK_ABBREV_NONE;
    }
    key |= (uint64_t)(c | 0x20) << (index * 8);
  }
  for (size_t slot = abbreviation_slot(key); abbreviation_table[slot].key;
       slot = (slot + 1) % ABBREVIATION_SLOTS) {
    if (abbreviation_table[slot].key == key) {
      return abbreviation_table[slot].class;
    }
  }
  return TK_ABBREV_NONE;
}

/* ---- Word sets ------------------------------------------------------------------------------ */

static size_t word_set_slot(const tk_word_set *set, const char *word, size_t length) {
  size_t mask = set->capacity - 1;
  size_t slot = (size_t)tk_hash(word, length) & mask;
  while (set->words[slot] &&
         !(strncmp(set->words[slot], word, length) == 0 && set->words[slot][length] == '\0')) {
    slot = (slot + 1) & mask;
  }
  return slot;
}

int tk_word_set_build(tk_word_set *set, const char *const *words, size_t count,
                      const tk_memory *memory) {
  memset(set, 0, sizeof *set);
  set->memory = memory;
  size_t capacity = 16;
  while (capacity < count * 2 + 2) {
    capacity *= 2;
  }
  set->words = tk_alloc(memory, capacity * sizeof *set->words);
  if (!set->words) {
    return -1;
  }
  memset(set->words, 0, capacity * sizeof *set->words);
  set->capacity = capacity;
  for (size_t index = 0; index < count; index++) {
    utf8proc_uint8_t *folded = NULL;
    utf8proc_ssize_t folded_length =
        utf8proc_map((const utf8proc_uint8_t *)words[index], 0, &folded,
                     UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                         UTF8PROC_CASEFOLD);
    if (folded_length < 0) {
      continue; /* not valid UTF-8: skipped */
    }
    size_t length = (size_t)folded_length;
    tk_apostrophes_to_ascii((char *)folded, &length);
    size_t slot = word_set_slot(set, (const char *)folded, length);
    char *word = set->words[slot] || length == 0 ? NULL : tk_alloc(memory, length + 1);
    if (word) { /* utf8proc allocates with malloc: the set keeps its own copy */
      memcpy(word, folded, length);
      word[length] = '\0';
      set->words[slot] = word;
      set->count++;
    }
    int failed = !word && !set->words[slot] && length > 0;
    free(folded);
    if (failed) {
      tk_word_set_release(set);
      return -1;
    }
  }
  return 0;
}

int tk_word_set_contains(const tk_word_set *set, const char *word, size_t length) {
  if (!set || set->count == 0) {
    return 0;
  }
  return set->words[word_set_slot(set, word, length)] != NULL;
}

void tk_word_set_release(tk_word_set *set) {
  for (size_t index = 0; index < set->capacity; index++) {
    tk_free(set->memory, set->words[index]);
  }
  tk_free(set->memory, set->words);
  memset(set, 0, sizeof *set);
}

size_t tk_apostrophes_to_ascii(char *bytes, size_t *length) {
  /* U+2019 (E2 80 99) becomes ' in place; returns how many were replaced. Most words have no
   * E2 byte at all: one memchr() and nothing is copied. */
  const char *lead = memchr(bytes, 0xe2, *length);
  if (!lead) {
    return 0;
  }
  size_t out = (size_t)(lead - bytes), replaced = 0;
  for (size_t in = out; in < *length; in++) {
    if ((unsigned char)bytes[in] == 0xe2 && in + 2 < *length &&
        (unsigned char)bytes[in + 1] == 0x80 && (unsigned char)bytes[in + 2] == 0x99) {
      bytes[out++] = '\'';
      in += 2;
      replaced++;
    } else {
      bytes[out++] = bytes[in];
    }
  }
  *length = out;
  if (replaced) {
    bytes[out] = '\0';
  }
  return replaced;
}
