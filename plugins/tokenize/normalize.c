/* plugins/tokenize/normalize.c - pass 2: norm, stem and flags of every token, through the word
 * cache (word_cache.h).
 *
 * A lone ASCII mark, digit or symbol is its own norm and stem and is written directly. Every
 * other token is first looked up in the per-worker word cache by its exact bytes and type; a hit
 * (99.6% on the bench corpus) yields norm, stem and flags with one probe of one cache line and
 * one copy; the key is hashed, and its slot prefetched, 16 tokens before the lookup. Only a
 * miss computes them: norm is NFKC + case folding, by table for ASCII tokens (which is exactly
 * NFKC + case folding for ASCII) and through utf8proc, into a reused code point buffer, for
 * tokens with a non-ASCII byte; words are stemmed with Snowball (libstemmer), ASCII words by the
 * language's single-byte stemmer when it has one (tk_ascii_stemmer_new()). Snowball and the
 * stopword lists know only the ASCII apostrophe, so the stemmer and the stopword lookup see
 * U+2019 as ' (the norm itself keeps the character).
 */
#include "tokenizer_internal.h"
#include "word_cache.h"

#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>
#include <utf8proc.h>

/* Words longer than this are not real words: no stemming, no caching. */
#define TK_MAX_STEMMED_BYTES 120

/* What the ASCII fast path learns about a token while lower-casing it. */
typedef struct ascii_norm {
  int any_upper;   /* an upper-case letter */
  int any_lower;   /* a lower-case letter */
  int two_letters; /* at least two letters */
  int first_upper; /* the first letter is upper case */
  int elongated;   /* a letter three times in a row */
  int high;        /* a byte >= 0x80 was seen: the result is unusable */
} ascii_norm;

/* A letter three times in a row within one 8-byte word of lower-cased ASCII (`count` bytes). */
static inline int word_elongated(uint64_t lowered, uint64_t letters, size_t count) {
  /* byte i of `same` is 0 when bytes i, i+1 and i+2 are equal; only letters in [0, count-2) */
  if (count < 3) {
    return 0;
  }
  uint64_t next = lowered ^ (lowered >> 8);
  uint64_t same = next | (next >> 8);
  uint64_t valid = count >= 10 ? ~0ull : (1ull << ((count - 2) * 8)) - 1;
  uint64_t letter_bytes = (letters >> 7) * 0xff;
  same |= ~(valid & letter_bytes);
  return ((same - TK_ONES) & ~same & TK_HIGHS) != 0;
}

/* A letter repeated 3+ times in a row in lower-cased ASCII (any length). */
static int ascii_elongated(const unsigned char *lowered, size_t length) {
  for (size_t index = 2; index < length; index++) {
    unsigned char c = lowered[index];
    if (c == lowered[index - 1] && c == lowered[index - 2] && c >= 'a' && c <= 'z') {
      return 1;
    }
  }
  return 0;
}

/* Lower-cases `length` bytes 8 at a time into `out` (which has 8 bytes of slack), noting the
 * letters' case. `readable` bytes from `in` may be read. */
static void lower_ascii(const unsigned char *in, size_t length, size_t readable, unsigned char *out,
                        ascii_norm *result) {
  if (length < 8 && readable >= 8) {
    /* the common short token: one masked load, no loop, no data-dependent branch */
    uint64_t word;
    memcpy(&word, in, 8);
    word &= (1ull << (length * 8)) - 1;
    uint64_t uppers = tk_bytes_between(word, 'A', 'Z');
    uint64_t lowers = tk_bytes_between(word, 'a', 'z');
    uint64_t letters = uppers | lowers;
    uint64_t lowered = word | (uppers >> 2);
    memcpy(out, &lowered, 8);
    result->any_upper = uppers != 0;
    result->any_lower = lowers != 0;
    result->two_letters = (letters & (letters - 1)) != 0;
    result->first_upper = (uppers & (letters & (~letters + 1))) != 0;
    result->elongated = word_elongated(lowered, tk_bytes_between(lowered, 'a', 'z'), length);
    result->high = (word & TK_HIGHS) != 0;
    return;
  }
  uint64_t any_upper = 0, any_lower = 0, high = 0, letters_before = 0;
  int two_letters = 0, first_upper = 0;
  uint64_t first_lowered = 0, first_letters = 0;
  size_t index = 0;
  for (;;) {
    size_t count = length - index < 8 ? length - index : 8;
    uint64_t word = tk_load_masked(in + index, count, readable - index);
    uint64_t uppers = tk_bytes_between(word, 'A', 'Z');
    uint64_t lowers = tk_bytes_between(word, 'a', 'z');
    uint64_t letters = uppers | lowers;
    uint64_t lowered = word | (uppers >> 2);
    high |= word;
    memcpy(out + index, &lowered, 8);
    if (index == 0) {
      first_lowered = lowered;
      first_letters = tk_bytes_between(lowered, 'a', 'z');
    }
    if (letters) {
      if (!letters_before) {
        first_upper = (uppers & (letters & (~letters + 1))) != 0;
      }
      two_letters |= letters_before || (letters & (letters - 1));
      letters_before = 1;
    }
    any_upper |= uppers;
    any_lower |= lowers;
    if (count < 8) {
      break;
    }
    index += 8;
  }
  result->any_upper = any_upper != 0;
  result->any_lower = any_lower != 0;
  result->two_letters = two_letters;
  result->elongated = length <= 8 ? word_elongated(first_lowered, first_letters, length)
                                  : ascii_elongated(out, length);
  result->first_upper = first_upper;
  result->high = (high & TK_HIGHS) != 0;
}

static int reserve_strings(tk_scratch *scratch, size_t more) {
  size_t needed = scratch->string_length + more;
  if (needed <= scratch->string_capacity) {
    return 0;
  }
  size_t capacity = scratch->string_capacity ? scratch->string_capacity : 4096;
  while (capacity < needed) {
    capacity *= 2;
  }
  char *strings = tk_realloc(scratch->memory, scratch->strings, capacity);
  if (!strings) {
    return -1;
  }
  scratch->strings = strings;
  scratch->string_capacity = capacity;
  return 0;
}

/* Appends `length` bytes and a NUL; returns the offset, or (size_t)-1 on OOM. */
static size_t append_string(tk_scratch *scratch, const char *bytes, size_t length) {
  if (reserve_strings(scratch, length + 9) != 0) { /* 8 bytes of slack for readers */
    return (size_t)-1;
  }
  size_t offset = scratch->string_length;
  memcpy(scratch->strings + offset, bytes, length);
  scratch->strings[offset + length] = '\0';
  scratch->string_length += length + 1;
  return offset;
}

/* NFKC + case fold of a token with non-ASCII bytes, appended to the strings. */
static size_t append_unicode_norm(tk_scratch *scratch, const char *bytes, size_t length) {
  const utf8proc_option_t options =
      UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD;
  for (;;) {
    utf8proc_ssize_t count =
        utf8proc_decompose((const utf8proc_uint8_t *)bytes, (utf8proc_ssize_t)length,
                           (utf8proc_int32_t *)scratch->codepoints,
                           (utf8proc_ssize_t)scratch->codepoint_capacity, options);
    if (count < 0) {
      return append_string(scratch, bytes, length); /* not reachable for valid UTF-8 */
    }
    if ((size_t)count > scratch->codepoint_capacity) {
      size_t capacity = (size_t)count + 64;
      int32_t *codepoints =
          tk_realloc(scratch->memory, scratch->codepoints, capacity * sizeof *codepoints);
      if (!codepoints) {
        return (size_t)-1;
      }
      scratch->codepoints = codepoints;
      scratch->codepoint_capacity = capacity;
      continue;
    }
    utf8proc_ssize_t encoded =
        utf8proc_reencode((utf8proc_int32_t *)scratch->codepoints, count, options);
    if (encoded < 0) {
      return append_string(scratch, bytes, length);
    }
    return append_string(scratch, (const char *)scratch->codepoints, (size_t)encoded);
  }
}

/* ALL_CAPS / CAPITALIZED / ELONGATED from the token's original text. */
static uint16_t case_flags(const unsigned char *bytes, size_t length) {
  size_t upper = 0, lower = 0, letters = 0, run = 0;
  int first_upper = 0, elongated = 0;
  int32_t previous = -1;
  for (size_t offset = 0; offset < length;) {
    size_t size = 1;
    int32_t cp = bytes[offset];
    int is_upper = 0, is_lower = 0;
    if (cp < 0x80) {
      uint8_t class = tk_ascii[cp];
      if (class & TK_LETTER) {
        is_upper = (class & TK_UPPER) != 0;
        is_lower = !is_upper;
        cp |= 0x20;
      }
    } else {
      cp = tk_decode(bytes + offset, length - offset, &size);
      utf8proc_category_t category = utf8proc_category(cp);
      is_upper = category == UTF8PROC_CATEGORY_LU || category == UTF8PROC_CATEGORY_LT;
      is_lower = category == UTF8PROC_CATEGORY_LL;
      if (is_upper) {
        cp = utf8proc_tolower(cp);
      }
    }
    offset += size;
    if (!is_upper && !is_lower) {
      previous = -1;
      continue;
    }
    if (letters == 0) {
      first_upper = is_upper;
    }
    letters++;
    upper += is_upper;
    lower += is_lower;
    run = cp == previous ? run + 1 : 1;
    elongated |= run >= 3;
    previous = cp;
  }
  uint16_t flags = 0;
  if (letters >= 2 && lower == 0) {
    flags |= TP_TOKEN_ALL_CAPS;
  }
  if (first_upper && lower > 0) {
    flags |= TP_TOKEN_CAPITALIZED;
  }
  if (elongated) {
    flags |= TP_TOKEN_ELONGATED;
  }
  return flags;
}

struct sb_stemmer *tk_ascii_stemmer_new(const char *language) {
  /* Checked: on the 27,929 distinct ASCII words of the bench corpus, these two give the same
   * stems in both encodings (as do 14 other languages, whose sources have non-ASCII letters and
   * so are left out). A non-ASCII word can differ: "añes" is "añe" in UTF-8, "añ" in ISO-8859-1. */
  static const char *const ascii_only[] = {"english", "porter"};
  for (size_t index = 0; index < sizeof ascii_only / sizeof ascii_only[0]; index++) {
    if (strcmp(language, ascii_only[index]) == 0) {
      return sb_stemmer_new(language, "ISO_8859_1");
    }
  }
  return NULL;
}

/* Stem and stopword bit of the word whose norm is at strings[norm_offset] (`ascii`: all of its
 * bytes are ASCII). Sets the token's stem (an offset) and STOPWORD flag. Returns 0 or -1 on
 * OOM. */
static int stem_word(tk_scratch *scratch, const tk_language *language, tp_token *token,
                     size_t norm_offset, size_t norm_length, int ascii) {
  /* The stemmer's input: the norm with U+2019 as '. */
  if (scratch->stem_input_capacity < norm_length + 1) {
    size_t capacity = norm_length + 64;
    char *input = tk_realloc(scratch->memory, scratch->stem_input, capacity);
    if (!input) {
      return -1;
    }
    scratch->stem_input = input;
    scratch->stem_input_capacity = capacity;
  }
  memcpy(scratch->stem_input, scratch->strings + norm_offset, norm_length + 1);
  size_t input_length = norm_length;
  tk_apostrophes_to_ascii(scratch->stem_input, &input_length);
  int stopword = tk_word_set_contains(language->stopwords, scratch->stem_input, input_length);
  const char *stem = scratch->stem_input;
  size_t stem_length = input_length;
  struct sb_stemmer *stemmer =
      ascii && language->ascii_stemmer ? language->ascii_stemmer : language->stemmer;
  if (stemmer && norm_length <= TK_MAX_STEMMED_BYTES) {
    const sb_symbol *stemmed =
        sb_stemmer_stem(stemmer, (const sb_symbol *)scratch->stem_input, (int)input_length);
    if (stemmed) {
      stem = (const char *)stemmed;
      stem_length = (size_t)sb_stemmer_length(stemmer);
    }
  }
  token->flags |= stopword ? TP_TOKEN_STOPWORD : 0;
  if (stem_length == norm_length &&
      memcmp(stem, scratch->strings + norm_offset, norm_length) == 0) {
    token->stem = (const char *)(uintptr_t)norm_offset;
    token->stem_length = (uint32_t)norm_length;
    return 0;
  }
  size_t offset = append_string(scratch, stem, stem_length);
  if (offset == (size_t)-1) {
    return -1;
  }
  token->stem = (const char *)(uintptr_t)offset;
  token->stem_length = (uint32_t)stem_length;
  return 0;
}

/* Stem and STOPWORD bit of an ASCII word with capitals (The, RUNNING) when the cache (NULL: none)
 * holds its norm written as a word: a lower-case ASCII word is its own norm, and stem and
 * stopword bit depend on the norm alone, so Snowball need not run again. Sets the token's stem
 * (an offset) and STOPWORD flag as stem_word() would. Returns 1 when done, 0 when the norm is not
 * cached, -1 on OOM. */
static int stem_of_lower_case(tk_scratch *scratch, const tk_word_cache *cache, tp_token *token,
                              size_t norm_offset, size_t norm_length) {
  if (!cache) {
    return 0;
  }
  const unsigned char *norm = (const unsigned char *)scratch->strings + norm_offset;
  uint64_t head;
  uint64_t hash =
      tk_word_hash(norm, norm_length, scratch->string_capacity - norm_offset, TP_TOKEN_WORD, &head);
  const tk_word_entry *entry =
      tk_word_cache_find(cache->slots, cache->capacity - 1, cache->arena, hash,
                         tk_word_tag(hash, norm_length, TP_TOKEN_WORD), head, norm, norm_length);
  if (!entry->tag) {
    return 0;
  }
  token->flags |= entry->flags & TP_TOKEN_STOPWORD;
  if (entry->stem_skip == 0) { /* the stem is the norm: token->stem already says so */
    return 1;
  }
  const char *stem = tk_word_entry_out(entry, cache->arena) + entry->stem_skip;
  size_t offset = append_string(scratch, stem, entry->stem_length);
  if (offset == (size_t)-1) {
    return -1;
  }
  token->stem = (const char *)(uintptr_t)offset;
  token->stem_length = entry->stem_length;
  return 1;
}

/* Norm, flags, and for words stem and STOPWORD, of `token` computed from scratch (the word
 * cache's miss path). Returns 0 or -1 on OOM. */
static int normalize_token(tk_scratch *scratch, const tk_language *language, tp_token *token,
                           const unsigned char *bytes, size_t readable) {
  size_t length = token->length;
  token->word_id = 0; /* normalize_miss() sets it when the cache keeps the result */
  if (reserve_strings(scratch, length + 9) != 0) {
    return -1;
  }
  /* ASCII fast path; a token with a non-ASCII byte is redone through utf8proc. */
  size_t offset = scratch->string_length;
  unsigned char *out = (unsigned char *)scratch->strings + offset;
  ascii_norm ascii;
  lower_ascii(bytes, length, readable, out, &ascii);
  size_t norm_length = length;
  unsigned type = token->type;
  int word_like = type == TP_TOKEN_WORD || type == TP_TOKEN_HASHTAG || type == TP_TOKEN_MENTION;
  if (ascii.high) {
    offset = append_unicode_norm(scratch, (const char *)bytes, length);
    if (offset == (size_t)-1) {
      return -1;
    }
    norm_length = strlen(scratch->strings + offset);
    if (word_like) {
      token->flags |= case_flags(bytes, length);
    }
  } else {
    out[length] = '\0';
    scratch->string_length += length + 1;
    if (word_like) {
      token->flags |= (ascii.two_letters && !ascii.any_lower ? TP_TOKEN_ALL_CAPS : 0) |
                      (ascii.first_upper && ascii.any_lower ? TP_TOKEN_CAPITALIZED : 0) |
                      (ascii.elongated ? TP_TOKEN_ELONGATED : 0);
    }
  }
  token->norm = (const char *)(uintptr_t)offset;
  token->norm_length = (uint32_t)norm_length;
  token->stem = token->norm;
  token->stem_length = token->norm_length;
  if (type == TP_TOKEN_WORD) {
    int reused = !ascii.high && ascii.any_upper && norm_length <= TK_MAX_CACHED_BYTES
                     ? stem_of_lower_case(scratch, language->cache, token, offset, norm_length)
                     : 0;
    return reused ? (reused < 0 ? -1 : 0)
                  : stem_word(scratch, language, token, offset, norm_length, !ascii.high);
  }
  return 0;
}

/* ---- Through the word cache (word_cache.h) --------------------------------------------------- */

/* How many tokens ahead of its lookup a token's key is hashed and its slot prefetched: a 4 MB
 * table misses the CPU caches on most lookups, and 16 tokens of work hide the wait. */
#define TK_LOOKAHEAD 16

/* The word cache's miss path, out of line so that the hit path keeps its registers: `token`
 * normalized from scratch and, when short enough, remembered (`hash` and `head` are its key's,
 * if it has one). A hit that found the strings buffer full also ends up here (and then finds
 * the entry); the buffer keeps room for the largest cached norm and stem, so the next hit fits.
 * Returns 0 or -1 on OOM. */
static __attribute__((noinline)) int normalize_miss(tk_scratch *scratch,
                                                    const tk_language *language, tp_token *token,
                                                    const unsigned char *bytes, size_t readable,
                                                    uint64_t hash, uint64_t head) {
  tk_word_cache *cache = language->cache;
  if (normalize_token(scratch, language, token, bytes, readable) != 0 ||
      reserve_strings(scratch, 2 * (UINT8_MAX + 1) + TK_COPY_SLACK) != 0) {
    return -1;
  }
  size_t length = token->length;
  if (length > TK_MAX_CACHED_BYTES) {
    return 0;
  }
  if (tk_word_cache_find(cache->slots, cache->capacity - 1, cache->arena, hash,
                         tk_word_tag(hash, length, token->type), head, bytes, length)
          ->tag) {
    cache->hits++;
  } else {
    cache->misses++;
    token->word_id = tk_word_cache_remember(cache, scratch, token, hash, head, bytes);
  }
  return 0;
}

/* Hashes the key of `token` (when it is short enough to be cached) and prefetches its home slot.
 * Until tk_normalize() comes to the token, its hash waits in token->norm and its head in
 * token->stem, which hold nothing yet: no ring buffer of keys beside the tokens. */
static inline __attribute__((always_inline)) void hash_ahead(tp_token *token,
                                                             const tk_word_entry *slots,
                                                             size_t mask, const char *text,
                                                             size_t text_length) {
  if (token->length - 2 <= TK_MAX_CACHED_BYTES - 2) { /* 1-byte keys: see tk_normalize() */
    uint64_t head;
    uint64_t hash = tk_word_hash((const unsigned char *)text + token->start, token->length,
                                 text_length - token->start, token->type, &head);
    __builtin_prefetch(&slots[hash & mask]);
    token->norm = (const char *)(uintptr_t)hash;
    token->stem = (const char *)(uintptr_t)head;
  }
}

int tk_normalize(tk_scratch *scratch, const tk_language *language, const char *text,
                 size_t text_length) {
  tk_word_cache *cache = language->cache;
  tp_token *tokens = scratch->tokens;
  size_t count = scratch->token_count;
  if (!cache) {
    for (size_t index = 0; index < count; index++) {
      const unsigned char *bytes = (const unsigned char *)text + tokens[index].start;
      if (normalize_token(scratch, language, &tokens[index], bytes,
                          text_length - tokens[index].start) != 0) {
        return -1;
      }
    }
    return 0;
  }
  /* The hit path keeps everything it touches in locals: its stores into the strings would
   * otherwise make the compiler reload the scratch and cache fields after each one. */
  tk_word_entry *slots = cache->slots;
  size_t mask = cache->capacity - 1;
  const char *arena = cache->arena;
  uint64_t id_base = cache->id_base;
  char *strings = scratch->strings;
  size_t used = scratch->string_length, capacity = scratch->string_capacity;
  size_t slow = 0;   /* tokens that took the miss path */
  size_t direct = 0; /* lone marks, digits and symbols, written without the cache */
  tp_token *last = tokens + count;
  for (tp_token *token = tokens; token < last && token < tokens + TK_LOOKAHEAD; token++) {
    hash_ahead(token, slots, mask, text, text_length);
  }
  /* each token before this one hashes the token TK_LOOKAHEAD places on */
  tp_token *ahead_last = count > TK_LOOKAHEAD ? last - TK_LOOKAHEAD : tokens;
  for (tp_token *token = tokens; token < last; token++) {
    if (token < ahead_last) {
      hash_ahead(token + TK_LOOKAHEAD, slots, mask, text, text_length);
    }
    size_t start = token->start, length = token->length;
    const unsigned char *bytes = (const unsigned char *)text + start;
    uint64_t hash = (uintptr_t)token->norm, head = (uintptr_t)token->stem;
    if (length == 1) {
      /* A lone ASCII mark, digit or symbol (11% of the tokens of comments) is its own norm and
       * stem, with no flags: written here, with no lookup. A 1-letter word ("a", "I") is
       * looked up, hashed only now (its slot is hot anyway). */
      if (token->type != TP_TOKEN_WORD &&
          (tk_ascii[bytes[0]] & (TK_DIGIT | TK_PUNCT | TK_SYMBOL)) &&
          used + 2 + TK_COPY_SLACK <= capacity) {
        strings[used] = (char)bytes[0];
        strings[used + 1] = '\0';
        token->norm = token->stem = (const char *)(uintptr_t)used;
        token->norm_length = token->stem_length = 1;
        token->word_id = 0; /* no entry, no id: later stages look these up themselves */
        used += 2;
        direct++;
        continue;
      }
      hash = tk_word_hash(bytes, 1, text_length - start, token->type, &head);
    }
    if (length <= TK_MAX_CACHED_BYTES) {
      const tk_word_entry *entry = tk_word_cache_find(
          slots, mask, arena, hash, tk_word_tag(hash, length, token->type), head, bytes, length);
      size_t out_length = entry->out_length;
      if (entry->tag && used + out_length + TK_COPY_SLACK <= capacity) {
        /* a hit: norm and stem (NUL-terminated, one after the other) in one copy; nearly every
         * norm and stem fit the entry's 32 bytes: two 16-byte copies, no loop */
        if (out_length <= TK_INLINE_OUT_BYTES) {
          memcpy(strings + used, entry->out, 16); /* the strings have the slack */
          memcpy(strings + used + 16, entry->out + 16, 16);
        } else {
          const char *from = arena + entry->spill; /* the arena has the slack */
          for (size_t copied = 0; copied < out_length; copied += 16) {
            memcpy(strings + used + copied, from + copied, 16);
          }
        }
        token->flags |= entry->flags;
        token->norm = (const char *)(uintptr_t)used;
        token->norm_length = entry->norm_length;
        token->stem = (const char *)(uintptr_t)(used + entry->stem_skip);
        token->stem_length = entry->stem_length;
        token->word_id = id_base | entry->number; /* tk_word_id(), from a local */
        used += out_length;
        continue;
      }
    }
    /* A miss (or a full strings buffer): computed from scratch, then remembered. */
    slow++;
    scratch->string_length = used;
    if (normalize_miss(scratch, language, token, bytes, text_length - start, hash, head) != 0) {
      return -1;
    }
    strings = scratch->strings;
    used = scratch->string_length;
    capacity = scratch->string_capacity;
    id_base = cache->id_base; /* a new fill if the miss emptied the cache */
  }
  scratch->string_length = used;
  cache->hits += count - slow - direct;
  return 0;
}
