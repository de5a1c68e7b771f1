/* plugins/tokenize/tokenizer_internal.h - declarations shared by the tokenizer's own files
 * (character classes, abbreviations, apostrophes, ASCII bytes a word at a time, the scanner's
 * state and paths); not used by tokenize.c.
 */
#ifndef TP_PLUGIN_TOKENIZER_INTERNAL_H
#define TP_PLUGIN_TOKENIZER_INTERNAL_H

#include <string.h>

#include "tokenizer.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Bits of tk_ascii[c] for bytes below 0x80. */
enum {
  TK_SPACE = 1u << 0,  /* white space or a control byte: separates tokens */
  TK_LETTER = 1u << 1, /* A-Z a-z */
  TK_UPPER = 1u << 2,  /* A-Z */
  TK_DIGIT = 1u << 3,  /* 0-9 */
  TK_PUNCT = 1u << 4,  /* general category P* */
  TK_SYMBOL = 1u << 5, /* general category S* */
  TK_LOCAL = 1u << 6,  /* may appear in an e-mail's local part */
  TK_URL = 1u << 7,    /* may appear in a URL */
};
#define TK_ALNUM (TK_LETTER | TK_DIGIT)

extern uint8_t tk_ascii[256];

/* Bits of tk_ascii_extra[c]: rarer questions the scanner asks about a byte. */
enum {
  TK_EMOTICON_START = 1u << 0,  /* an emoticon may start with it (: ; = < > ^ - x X T o O) */
  TK_EMOTICON_SECOND = 1u << 1, /* second byte of a letter-led emoticon (XD X-D T_T o.O) */
  TK_NUMBER_JOIN = 1u << 2,     /* joins digits inside a number (, . : - /) */
};
extern uint8_t tk_ascii_extra[256];

/* tk_word_follow[c]: whether a plain ASCII word whose letters and digits (and joined ' and -) stop
 * at the byte c (its end byte) ends there with nothing left to decide, by what follows c. The low
 * bits say with which bytes after it c ends a word; the same bits shifted by 4 say what c is as a
 * byte after an end byte (TK_FOLLOW_ALL for the text's end). */
enum {
  TK_FOLLOW_ANY = 1u << 0, /* any byte: c cannot continue or change the word (not ' - @ . + % _) */
  TK_FOLLOW_NOT_ALNUM = 1u << 1, /* an ASCII byte that is no letter or digit: ' or - before it
                                  * joins nothing (dogs' x, well- x) */
  TK_FOLLOW_FINAL = 1u << 2,     /* a byte that continues neither an e-mail's local part nor a
                                  * domain: a full stop before it is final (tk_is_final_stop()) */
  TK_FOLLOW_ALL = TK_FOLLOW_ANY | TK_FOLLOW_NOT_ALNUM | TK_FOLLOW_FINAL,
};
extern uint8_t tk_word_follow[256];

/* Token flags that only live between tk_scan() and tk_sentences() (which clears them): what the
 * scanner saw that the sentence splitter needs, so it never looks at the text between tokens. */
enum {
  TK_FLAG_MARK = 1u << 13,       /* a sentence-mark run (. ! ? …) or a word ending in '.' */
  TK_FLAG_LINE_BREAK = 1u << 14, /* a line break precedes the token */
  TK_FLAG_BLANK_LINE = 1u << 15, /* two or more line breaks precede the token */
  TK_PUBLIC_FLAGS = 0x1f,        /* the TP_TOKEN_* flags of text.h */
};

/* How a sentence may end on an abbreviation kept with its full stop. */
enum {
  TK_ABBREV_NONE = 0,
  TK_ABBREV_NEVER_ENDS,           /* Mr. Dr. e.g. vs.: the next word continues the sentence */
  TK_ABBREV_ENDS_BEFORE_STOPWORD, /* U.S. Inc. Jan.: ends only before "The", "We", "It" ... */
  TK_ABBREV_ENDS_BEFORE_CAPITAL,  /* etc.: ends before any capitalized word */
};

/* The class of `word` (letters only, without its full stop), or TK_ABBREV_NONE. */
int tk_abbreviation_class(const char *word, size_t length);

/* Replaces each U+2019 in bytes[0..*length) with ' in place, updates *length, and returns how
 * many it replaced (bytes stays NUL-terminated when it was). */
size_t tk_apostrophes_to_ascii(char *bytes, size_t *length);

/* Doubles the array *items of *capacity elements of `size` bytes (64 when empty), with
 * `memory`. Returns 0, or -1 on OOM with the array unchanged. */
int tk_grow(const tk_memory *memory, void **items, size_t *capacity, size_t size);

/* ---- ASCII bytes 8 (or 16) at a time ---- */
#define TK_ONES  0x0101010101010101ull
#define TK_HIGHS 0x8080808080808080ull

/* The `count` (1-8) bytes at `bytes`, zero-padded, of which `readable` may be read: one load,
 * masked, when 8 are readable (no store-forwarding stall), else byte by byte. */
static inline uint64_t tk_load_masked(const unsigned char *bytes, size_t count, size_t readable) {
  uint64_t word = 0;
  if (readable >= 8) {
    memcpy(&word, bytes, 8);
    return count == 8 ? word : word & ((1ull << (count * 8)) - 1);
  }
  memcpy(&word, bytes, count);
  return word;
}

/* The bytes of `word` in [first, last] (ASCII), as their high bits. */
static inline uint64_t tk_bytes_between(uint64_t word, unsigned first, unsigned last) {
  uint64_t low7 = word & ~TK_HIGHS;
  uint64_t at_least_first = low7 + (0x80 - first) * TK_ONES;
  uint64_t above_last = low7 + (0x7f - last) * TK_ONES;
  return at_least_first & ~above_last & ~word & TK_HIGHS;
}

#ifdef __SSE2__
/* Bit i set when byte i of the 16 at `bytes` is an ASCII letter or digit. */
static inline __attribute__((always_inline)) unsigned tk_alnum_bits16(const unsigned char *bytes) {
  __m128i chunk = _mm_loadu_si128((const __m128i *)bytes);
  /* letter: (byte | 0x20) - 'a' <= 25, digit: byte - '0' <= 9, both unsigned (wrapping);
   * tested as max(x, 25) == 25, which overwrites x and not the constant (min(x, 25) == x
   * needed a fresh copy of the constant and of x every step) */
  __m128i letter = _mm_sub_epi8(_mm_or_si128(chunk, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
  __m128i digit = _mm_sub_epi8(chunk, _mm_set1_epi8('0'));
  __m128i alnum =
      _mm_or_si128(_mm_cmpeq_epi8(_mm_max_epu8(letter, _mm_set1_epi8(25)), _mm_set1_epi8(25)),
                   _mm_cmpeq_epi8(_mm_max_epu8(digit, _mm_set1_epi8(9)), _mm_set1_epi8(9)));
  return (unsigned)_mm_movemask_epi8(alnum);
}
#endif

/* The end of the ASCII letters and digits from `offset`: 16 bytes at a time with SSE2 (every
 * x86-64) while 16 are left, then 8 at a time in a 64-bit word. */
static inline __attribute__((always_inline)) size_t
tk_ascii_alnum_end(const unsigned char *text, size_t offset, size_t length) {
#ifdef __SSE2__
  while (length - offset >= 16) {
    unsigned other = ~tk_alnum_bits16(text + offset) & 0xffff;
    if (other) {
      return offset + (size_t)__builtin_ctz(other);
    }
    offset += 16;
  }
#endif
  while (length - offset >= 8) {
    uint64_t word;
    memcpy(&word, text + offset, 8);
    uint64_t alnum =
        tk_bytes_between(word | 0x2020202020202020ull, 'a', 'z') | tk_bytes_between(word, '0', '9');
    uint64_t other = ~alnum & TK_HIGHS;
    if (other) {
      return offset + (size_t)(__builtin_ctzll(other) >> 3);
    }
    offset += 8;
  }
  while (offset < length && (tk_ascii[text[offset]] & TK_ALNUM)) {
    offset++;
  }
  return offset;
}

/* tk_ascii_alnum_end() that also goes on over a ' or - with an ASCII letter or digit after it
 * (don't, well-known, COVID-19), as the general path's word_end() does for ASCII bytes: where a
 * plain word's letters and digits end. */
static inline size_t tk_ascii_joined_end(const unsigned char *text, size_t offset, size_t length) {
  offset = tk_ascii_alnum_end(text, offset, length);
  while (offset + 1 < length && (text[offset] == '\'' || text[offset] == '-') &&
         (tk_ascii[text[offset + 1]] & TK_ALNUM)) {
    offset = tk_ascii_alnum_end(text, offset + 2, length);
  }
  return offset;
}

/* 64 bytes of a text classified at once, for tk_word_window_end(): where a plain word ends is then
 * a shift and a count of trailing zeros of a register, where tk_ascii_joined_end() loads and
 * classifies 16 bytes at the word's start, a chain of about 15 cycles from one token's start to
 * the next one's that the scanner's loop would otherwise wait for on every word. */
typedef struct tk_word_window {
  size_t base;    /* the text offset of bit 0; the window never reaches past the text's end */
  uint64_t other; /* bit i: the byte at base + i is neither an ASCII letter or digit nor a ' or -
                   * with one after it (it ends a word's run) */
} tk_word_window;

/* A window holding nothing yet: the first tk_word_window_end() fills it. */
static inline tk_word_window tk_word_window_empty(void) {
  return (tk_word_window){(size_t)0 - 64, 0}; /* offset - base >= 64 for every offset */
}

/* Bit i set when byte i of the 64 at `bytes` is an ASCII letter or digit (*joiners: a ' or -). */
static inline uint64_t tk_alnum_bits64(const unsigned char *bytes, uint64_t *joiners) {
  uint64_t alnum = 0, joiner = 0;
#ifdef __SSE2__
  for (unsigned part = 0; part < 64; part += 16) {
    __m128i chunk = _mm_loadu_si128((const __m128i *)(bytes + part));
    __m128i mark = _mm_or_si128(_mm_cmpeq_epi8(chunk, _mm_set1_epi8('\'')),
                                _mm_cmpeq_epi8(chunk, _mm_set1_epi8('-')));
    alnum |= (uint64_t)tk_alnum_bits16(bytes + part) << part;
    joiner |= (uint64_t)(unsigned)_mm_movemask_epi8(mark) << part;
  }
#else
  for (unsigned index = 0; index < 64; index++) {
    alnum |= (uint64_t)((tk_ascii[bytes[index]] & TK_ALNUM) != 0) << index;
    joiner |= (uint64_t)(bytes[index] == '\'' || bytes[index] == '-') << index;
  }
#endif
  *joiners = joiner;
  return alnum;
}

/* tk_ascii_joined_end() through `window` (of this text; refilled as needed, at `offset` or, near
 * the end, with the text's last 64 bytes): the same answer. A text under 64 bytes goes the
 * direct way. */
static inline __attribute__((always_inline)) size_t tk_word_window_end(tk_word_window *window,
                                                                       const unsigned char *text,
                                                                       size_t offset,
                                                                       size_t length) {
  while (offset < length) {
    size_t within = offset - window->base;
    if (within < 64) {
      uint64_t rest = window->other >> within;
      if (rest) {
        return offset + (size_t)__builtin_ctzll(rest);
      }
      offset = window->base + 64; /* the run goes on past the window */
      continue;
    }
    if (length < 64) {
      return tk_ascii_joined_end(text, offset, length);
    }
    size_t base = length - offset >= 64 ? offset : length - 64;
    uint64_t joiners;
    uint64_t alnum = tk_alnum_bits64(text + base, &joiners);
    /* a ' or - joins when a letter or digit follows it; for the last byte, the one past the
     * window tells (nothing past the text's end) */
    uint64_t alnum_after =
        alnum >> 1 | (uint64_t)(base + 64 < length && (tk_ascii[text[base + 64]] & TK_ALNUM) != 0)
                         << 63;
    window->base = base;
    window->other = ~alnum & ~(joiners & alnum_after);
  }
  return offset;
}

/* Whether the full stop at `stop` (text[stop] == '.') ends the text or comes before a byte that
 * can continue neither an e-mail's local part nor a domain ("word. ", "word.\n"): a word before
 * it is no e-mail or bare domain, and no initialism continues past it. */
static inline int tk_is_final_stop(const unsigned char *text, size_t stop, size_t length) {
  return stop + 1 >= length || (!(tk_ascii[text[stop + 1]] & TK_LOCAL) && text[stop + 1] != '@');
}

/* ---- The scanner's state, shared by scanner.c, scanner_plain.c and scanner_links.c ---- */
typedef struct tk_scan_state {
  const unsigned char *text;
  size_t length;
  size_t no_email_before;  /* an e-mail cannot start before this offset */
  size_t no_domain_before; /* a bare domain cannot start before this offset */
} tk_scan_state;

/* Letters, marks and digits outside ASCII that continue a word (Han ideographs stand alone). */
int tk_is_word_code_point(int32_t cp);

static inline int32_t tk_code_point_at(const tk_scan_state *state, size_t offset, size_t *size) {
  return tk_decode(state->text + offset, state->length - offset, size);
}

/* Bytes of the letter or digit at `offset` (ASCII or not), or 0. */
static inline size_t tk_alnum_at(const tk_scan_state *state, size_t offset) {
  if (offset >= state->length) {
    return 0;
  }
  unsigned char c = state->text[offset];
  if (c < 0x80) {
    return (tk_ascii[c] & TK_ALNUM) ? 1 : 0;
  }
  size_t size;
  int32_t cp = tk_code_point_at(state, offset, &size);
  return tk_is_word_code_point(cp) ? size : 0;
}

/* The end of an e-mail address, a bare domain (example.com[/path]) or a URL with a scheme or
 * "www." starting at `offset`, or 0 when there is none (scanner_links.c). */
size_t tk_email_end(tk_scan_state *state, size_t offset);
size_t tk_bare_domain_end(tk_scan_state *state, size_t offset);
size_t tk_scheme_url_end(const tk_scan_state *state, size_t offset);

/* Notes token `index` as a cue for tk_sentences() (tk_scratch.cues), unless it is the last one
 * noted. Returns 0, or -1 when memory runs out (scanner.c). */
int tk_note_cue(tk_scratch *scratch, size_t index);

/* The common tokens from `offset` on (scanner_plain.c): single spaces, plain ASCII words and
 * lone ASCII marks, pushed exactly as tk_scan()'s general path would push them. *space_before
 * and *breaks carry the scanner's state in and out. Returns the offset of the first byte left to
 * the general path (or `length`), or (size_t)-1 when memory runs out. */
size_t tk_scan_plain(tk_scratch *scratch, const unsigned char *text, size_t offset, size_t length,
                     int *space_before, unsigned *breaks);

#endif /* TP_PLUGIN_TOKENIZER_INTERNAL_H */
