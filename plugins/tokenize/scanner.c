/* plugins/tokenize/scanner.c - pass 1: split a text into typed tokens.
 *
 * One left-to-right pass. The common tokens (plain ASCII words, lone marks, single spaces) go
 * through tk_scan_plain() (scanner_plain.c); everything else through the general path here,
 * where ASCII bytes are classified by a table and only non-ASCII characters are decoded and
 * looked up in utf8proc. Words, numbers, emoticons, emoji, punctuation runs and handles are
 * here; URLs and e-mails in scanner_links.c.
 */
#include "tokenizer_internal.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#define BOUND_EXTEND           UTF8PROC_BOUNDCLASS_EXTEND
#define BOUND_RI               UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR
#define BOUND_PICTOGRAPHIC     UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC
#define BOUND_PICTOGRAPHIC_ZWJ UTF8PROC_BOUNDCLASS_E_ZWG

static inline __attribute__((always_inline)) int
push_token(tk_scratch *scratch, unsigned type, size_t start, size_t end, unsigned flags) {
  if (scratch->token_count == scratch->token_capacity &&
      tk_grow(scratch->memory, (void **)&scratch->tokens, &scratch->token_capacity,
              sizeof(tp_token)) != 0) {
    return -1;
  }
  scratch->tokens[scratch->token_count++] = (tp_token){.start = (uint32_t)start,
                                                       .length = (uint32_t)(end - start),
                                                       .type = (uint16_t)type,
                                                       .flags = (uint16_t)flags};
  return 0;
}

static int is_ideograph(int32_t cp) {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
         (cp >= 0x20000 && cp <= 0x3134f) || (cp >= 0xf900 && cp <= 0xfaff);
}

int tk_is_word_code_point(int32_t cp) {
  switch (utf8proc_category(cp)) {
  case UTF8PROC_CATEGORY_LU:
  case UTF8PROC_CATEGORY_LL:
  case UTF8PROC_CATEGORY_LT:
  case UTF8PROC_CATEGORY_LM:
  case UTF8PROC_CATEGORY_LO:
  case UTF8PROC_CATEGORY_MN:
  case UTF8PROC_CATEGORY_MC:
  case UTF8PROC_CATEGORY_ME:
  case UTF8PROC_CATEGORY_ND:
  case UTF8PROC_CATEGORY_NL:
  case UTF8PROC_CATEGORY_NO:
    return !is_ideograph(cp);
  default:
    return 0;
  }
}

static int is_terminal_code_point(int32_t cp) {
  return cp == '.' || cp == '!' || cp == '?' || cp == 0x2026 || cp == 0x203c || cp == 0x203d ||
         cp == 0x2047 || cp == 0x2048 || cp == 0x2049 || cp == 0x3002 || cp == 0xff01 ||
         cp == 0xff0e || cp == 0xff1f || cp == 0xff61;
}

/* ---- Words, numbers, e-mails, bare domains ------------------------------------------------- */

/* From `offset`, the end of letters/digits with internal ' ’ - ‐ and joiners. */
static inline __attribute__((always_inline)) size_t word_end(const tk_scan_state *state,
                                                             size_t offset) {
  const unsigned char *text = state->text;
  size_t length = state->length;
  for (;;) {
    offset = tk_ascii_alnum_end(text, offset, length);
    if (offset >= length) {
      return offset;
    }
    unsigned char c = text[offset];
    if (c < 0x80) {
      if ((c == '\'' || c == '-') && tk_alnum_at(state, offset + 1)) {
        offset++;
        continue;
      }
      return offset;
    }
    size_t size;
    int32_t cp = tk_code_point_at(state, offset, &size);
    if (tk_is_word_code_point(cp)) {
      offset += size;
      continue;
    }
    int joiner = cp == 0x2019 || cp == 0x02bc || cp == 0x2010 || cp == 0x2011 || cp == 0x200c ||
                 cp == 0x200d || cp == 0x00ad;
    if (joiner && tk_alnum_at(state, offset + size)) {
      offset += size;
      continue;
    }
    return offset;
  }
}

/* Single letters joined by full stops (U.S., e.g., a.m.): the end including the last stop, or
 * 0 when there are fewer than two letters. */
static size_t initialism_end(const tk_scan_state *state, size_t offset) {
  const unsigned char *text = state->text;
  size_t length = state->length;
  size_t letters = 0;
  while (offset < length && (tk_ascii[text[offset]] & TK_LETTER) &&
         !(offset + 1 < length && (tk_ascii[text[offset + 1]] & TK_ALNUM))) {
    letters++;
    offset++;
    if (offset < length && text[offset] == '.') {
      offset++;
    } else {
      break;
    }
  }
  return letters >= 2 ? offset : 0;
}

static int is_keycap_after(const tk_scan_state *state, size_t offset) {
  const unsigned char *text = state->text;
  if (state->length - offset >= 3 && text[offset] == 0xef && text[offset + 1] == 0xb8 &&
      text[offset + 2] == 0x8f) {
    offset += 3;
  }
  return state->length - offset >= 3 && text[offset] == 0xe2 && text[offset + 1] == 0x83 &&
         text[offset + 2] == 0xa3;
}

/* Digits with internal , . : - / between digits, then an ordinal suffix or %, else a word. */
static unsigned scan_number(tk_scan_state *state, size_t offset, size_t *end) {
  const unsigned char *text = state->text;
  size_t length = state->length;
  size_t start = offset;
  if (is_keycap_after(state, offset + 1)) {
    *end = offset + 1 + (text[offset + 1] == 0xef ? 6 : 3);
    return TP_TOKEN_EMOJI;
  }
  for (;;) {
    while (offset < length && (tk_ascii[text[offset]] & TK_DIGIT)) {
      offset++;
    }
    if (offset + 1 < length && (tk_ascii_extra[text[offset]] & TK_NUMBER_JOIN) &&
        (tk_ascii[text[offset + 1]] & TK_DIGIT)) {
      offset++;
      continue;
    }
    break;
  }
  if (offset < length && text[offset] == '%') {
    *end = offset + 1;
    return TP_TOKEN_NUMBER;
  }
  if (offset + 2 <= length && !tk_alnum_at(state, offset + 2)) {
    char suffix[2] = {(char)(text[offset] | 0x20), (char)(text[offset + 1] | 0x20)};
    if (!memcmp(suffix, "st", 2) || !memcmp(suffix, "nd", 2) || !memcmp(suffix, "rd", 2) ||
        !memcmp(suffix, "th", 2)) {
      *end = offset + 2;
      return TP_TOKEN_NUMBER;
    }
  }
  size_t email = tk_email_end(state, start);
  if (email) {
    *end = email;
    return TP_TOKEN_EMAIL;
  }
  if (tk_alnum_at(state, offset) ||
      (offset < length && (text[offset] == '\'' || text[offset] == '-') &&
       tk_alnum_at(state, offset + 1))) {
    *end = word_end(state, offset);
    return TP_TOKEN_WORD;
  }
  *end = offset;
  return TP_TOKEN_NUMBER;
}

/* A token that starts with a letter (ASCII or not). */
static inline __attribute__((always_inline)) unsigned scan_word(tk_scan_state *state, size_t offset,
                                                                size_t *end) {
  const unsigned char *text = state->text;
  unsigned char first = text[offset] | 0x20;
  unsigned char second = offset + 1 < state->length ? text[offset + 1] | 0x20 : 0;
  if ((first == 'h' && second == 't') || (first == 'w' && second == 'w') ||
      (first == 'f' && second == 't')) {
    size_t url = tk_scheme_url_end(state, offset);
    if (url) {
      *end = url;
      return TP_TOKEN_URL;
    }
  }
  size_t stop = word_end(state, offset);
  if (stop < state->length) {
    unsigned char next = text[stop];
    /* A full stop that ends the text or comes before a byte that can continue neither an
     * e-mail's local part nor a domain ("word. ", "word.\n") leaves no e-mail or domain to
     * look for (the look-aheads would stop right there, at no cost to later tokens). */
    int final_stop = next == '.' && tk_is_final_stop(text, stop, state->length);
    if ((next == '@' || next == '.' || next == '+' || next == '%' || next == '_') && !final_stop) {
      size_t email = tk_email_end(state, offset);
      if (email) {
        *end = email;
        return TP_TOKEN_EMAIL;
      }
    }
    if (next == '.') {
      size_t domain = final_stop ? 0 : tk_bare_domain_end(state, offset);
      if (domain) {
        *end = domain;
        return TP_TOKEN_URL;
      }
      size_t initialism = initialism_end(state, offset);
      if (initialism) {
        *end = initialism;
        return TP_TOKEN_WORD;
      }
      int class = tk_abbreviation_class((const char *)text + offset, stop - offset);
      if (class != TK_ABBREV_NONE) {
        /* "no." is an abbreviation only before a number (No. 5). */
        int is_no = stop - offset == 2 && (text[offset] | 0x20) == 'n';
        size_t after = stop + 1;
        while (is_no && after < state->length && text[after] == ' ') {
          after++;
        }
        if (!is_no || (after < state->length && (tk_ascii[text[after]] & TK_DIGIT))) {
          *end = stop + 1;
          return TP_TOKEN_WORD;
        }
      }
    }
  }
  *end = stop;
  return TP_TOKEN_WORD;
}

/* ---- Emoticons ------------------------------------------------------------------------------ */

static const char *const emoticons[] = {
    ":-)", ":)",  ":-(",  ":(",  ":-D", ":D",  ":-P", ":P",  ":-p", ":p",  ";-)",
    ";)",  ";-P", ";P",   ";p",  ";D",  ":-/", ":/",  ":\\", ":-|", ":|",  ":-O",
    ":O",  ":o",  ":'-(", ":'(", ":')", ":-*", ":*",  ":3",  ":]",  ":[",  "=)",
    "=(",  "=D",  "=P",   "=/",  "</3", "<3",  "XD",  "xD",  "X-D", "^_^", "^.^",
    "^^",  "-_-", "T_T",  ";_;", "o_O", "O_o", "o.O", ">:(", ">:)"};

#define EMOTICON_COUNT (sizeof emoticons / sizeof emoticons[0])
#define EMOTICON_NONE  UINT8_MAX

/* The emoticons by first byte, in the list's order (which decides between ":-)" and ":)"): the
 * first with each byte, and after each the next with the same first byte (EMOTICON_NONE: no
 * more). A candidate at a byte is then one of a few, not one of the whole list. */
static uint8_t emoticon_first[256], emoticon_next[EMOTICON_COUNT];

__attribute__((constructor)) static void emoticon_chains_init(void) {
  _Static_assert(EMOTICON_COUNT < EMOTICON_NONE, "emoticon indices fit a byte");
  memset(emoticon_first, EMOTICON_NONE, sizeof emoticon_first);
  for (size_t index = EMOTICON_COUNT; index-- > 0;) { /* backwards: each chain keeps the order */
    unsigned char first = (unsigned char)emoticons[index][0];
    emoticon_next[index] = emoticon_first[first];
    emoticon_first[first] = (uint8_t)index;
  }
}

/* The length of the emoticon at `offset` (with repeats: ":)))", "<333"), or 0. */
static size_t emoticon_length(const tk_scan_state *state, size_t offset) {
  const unsigned char *text = state->text;
  size_t available = state->length - offset;
  if (available < 2) {
    return 0;
  }
  for (size_t index = emoticon_first[text[offset]]; index != EMOTICON_NONE;
       index = emoticon_next[index]) {
    const char *candidate = emoticons[index];
    if (candidate[1] != (char)text[offset + 1]) { /* every emoticon has two bytes or more */
      continue;
    }
    size_t length = strlen(candidate);
    if (length > available || memcmp(candidate, text + offset, length) != 0) {
      continue;
    }
    unsigned char last = (unsigned char)candidate[length - 1];
    if (strchr(")(D3", last)) {
      while (offset + length < state->length && text[offset + length] == last) {
        length++;
      }
    }
    if ((tk_ascii[last] & TK_ALNUM) && tk_alnum_at(state, offset + length)) {
      return 0;
    }
    return length;
  }
  return 0;
}

/* ---- Emoji, punctuation, symbols ------------------------------------------------------------- */

/* A whole emoji sequence: flag pairs, or pictographs with variation selectors, skin tones and
 * tags, joined by ZWJ. */
static size_t emoji_end(const tk_scan_state *state, size_t offset, int32_t cp, size_t size) {
  int bound = utf8proc_get_property(cp)->boundclass;
  if (bound == BOUND_RI) {
    offset += size;
    if (offset < state->length) {
      size_t next_size;
      int32_t next = tk_code_point_at(state, offset, &next_size);
      if (utf8proc_get_property(next)->boundclass == BOUND_RI) {
        offset += next_size;
      }
    }
    return offset;
  }
  for (;;) {
    offset += size;
    while (offset < state->length && state->text[offset] >= 0x80) {
      int32_t next = tk_code_point_at(state, offset, &size);
      if (utf8proc_get_property(next)->boundclass != BOUND_EXTEND) {
        break;
      }
      offset += size;
    }
    if (offset + 3 < state->length && state->text[offset] == 0xe2 &&
        state->text[offset + 1] == 0x80 && state->text[offset + 2] == 0x8d) { /* ZWJ */
      int32_t next = tk_code_point_at(state, offset + 3, &size);
      bound = utf8proc_get_property(next)->boundclass;
      if (bound == BOUND_PICTOGRAPHIC || bound == BOUND_PICTOGRAPHIC_ZWJ) {
        offset += 3;
        continue;
      }
    }
    return offset;
  }
}

static int followed_by_emoji_selector(const tk_scan_state *state, size_t offset) {
  return state->length - offset >= 3 && state->text[offset] == 0xef &&
         state->text[offset + 1] == 0xb8 && state->text[offset + 2] == 0x8f;
}

/* A punctuation or symbol run from `offset` whose first character is `cp` (`size` bytes):
 * sentence marks (. ! ? … and friends) run together, anything else only with itself. */
static size_t mark_run_end(const tk_scan_state *state, size_t offset, int32_t cp, size_t size) {
  int terminal = is_terminal_code_point(cp);
  offset += size;
  while (offset < state->length) {
    size_t next_size;
    int32_t next = tk_code_point_at(state, offset, &next_size);
    if (terminal ? !is_terminal_code_point(next) : next != cp) {
      break;
    }
    offset += next_size;
  }
  return offset;
}

/* '@name' or '#tag' at `offset`: its end, or 0. Hashtags need a character that is not a digit. */
static size_t handle_end(const tk_scan_state *state, size_t offset, int hashtag) {
  size_t end = offset + 1;
  int letters = 0;
  for (;;) {
    if (end < state->length && state->text[end] == '_') {
      end++;
      letters++;
      continue;
    }
    size_t size = tk_alnum_at(state, end);
    if (!size) {
      break;
    }
    if (state->text[end] < 0x80) {
      letters += (tk_ascii[state->text[end]] & TK_LETTER) != 0;
    } else {
      size_t ignored;
      utf8proc_category_t category = utf8proc_category(tk_code_point_at(state, end, &ignored));
      letters += category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO;
    }
    end += size;
  }
  if (end == offset + 1 || (hashtag && letters == 0)) {
    return 0;
  }
  return end;
}

/* A token starting with ASCII punctuation or a symbol. */
static unsigned scan_ascii_mark(tk_scan_state *state, size_t offset, size_t *end) {
  unsigned char c = state->text[offset];
  size_t length = (tk_ascii_extra[c] & TK_EMOTICON_START) ? emoticon_length(state, offset) : 0;
  if (length) {
    *end = offset + length;
    return TP_TOKEN_EMOTICON;
  }
  if ((c == '#' || c == '*') && is_keycap_after(state, offset + 1)) {
    *end = offset + 1 + (state->text[offset + 1] == 0xef ? 6 : 3);
    return TP_TOKEN_EMOJI;
  }
  int after_alnum = offset > 0 && (tk_ascii[state->text[offset - 1]] & TK_ALNUM);
  if ((c == '@' || c == '#') && !after_alnum) {
    size_t handle = handle_end(state, offset, c == '#');
    if (handle) {
      *end = handle;
      return c == '@' ? TP_TOKEN_MENTION : TP_TOKEN_HASHTAG;
    }
  }
  *end = mark_run_end(state, offset, c, 1);
  return (tk_ascii[c] & TK_SYMBOL) ? TP_TOKEN_SYMBOL : TP_TOKEN_PUNCT;
}

enum { SCAN_SPACE = 100, SCAN_SKIP = 101 };

/* A token starting with a non-ASCII character, or SCAN_SPACE / SCAN_SKIP with *end set. */
static unsigned scan_unicode(tk_scan_state *state, size_t offset, size_t *end) {
  size_t size;
  int32_t cp = tk_code_point_at(state, offset, &size);
  const utf8proc_property_t *property = utf8proc_get_property(cp);
  int bound = property->boundclass;
  if (bound == BOUND_RI ||
      ((bound == BOUND_PICTOGRAPHIC || bound == BOUND_PICTOGRAPHIC_ZWJ) &&
       ((property->category != UTF8PROC_CATEGORY_PO && cp != 0xa9 && cp != 0xae && cp != 0x2122) ||
        followed_by_emoji_selector(state, offset + size)))) {
    *end = emoji_end(state, offset, cp, size);
    return TP_TOKEN_EMOJI;
  }
  *end = offset + size;
  switch (property->category) {
  case UTF8PROC_CATEGORY_ZS:
  case UTF8PROC_CATEGORY_ZL:
  case UTF8PROC_CATEGORY_ZP:
  case UTF8PROC_CATEGORY_CC:
    return SCAN_SPACE;
  case UTF8PROC_CATEGORY_CF:
    return SCAN_SKIP;
  case UTF8PROC_CATEGORY_PC:
  case UTF8PROC_CATEGORY_PD:
  case UTF8PROC_CATEGORY_PS:
  case UTF8PROC_CATEGORY_PE:
  case UTF8PROC_CATEGORY_PI:
  case UTF8PROC_CATEGORY_PF:
  case UTF8PROC_CATEGORY_PO:
    *end = mark_run_end(state, offset, cp, size);
    return TP_TOKEN_PUNCT;
  default:
    break;
  }
  if (is_ideograph(cp)) {
    return TP_TOKEN_WORD;
  }
  if (tk_is_word_code_point(cp)) {
    return scan_word(state, offset, end);
  }
  *end = mark_run_end(state, offset, cp, size);
  return TP_TOKEN_SYMBOL;
}

int tk_note_cue(tk_scratch *scratch, size_t index) {
  if (scratch->cue_count && scratch->cues[scratch->cue_count - 1] == index) {
    return 0;
  }
  if (scratch->cue_count == scratch->cue_capacity &&
      tk_grow(scratch->memory, (void **)&scratch->cues, &scratch->cue_capacity,
              sizeof *scratch->cues) != 0) {
    return -1;
  }
  scratch->cues[scratch->cue_count++] = (uint32_t)index;
  return 0;
}

void tk_scratch_release(tk_scratch *scratch) {
  const tk_memory *memory = scratch->memory;
  tk_free(memory, scratch->tokens);
  tk_free(memory, scratch->cues);
  tk_free(memory, scratch->sentences);
  tk_free(memory, scratch->strings);
  tk_free(memory, scratch->codepoints);
  tk_free(memory, scratch->stem_input);
  memset(scratch, 0, sizeof *scratch);
  scratch->memory = memory;
}

int tk_scan(tk_scratch *scratch, const char *text, size_t length) {
  scratch->token_count = 0;
  scratch->cue_count = 0;
  scratch->sentence_count = 0;
  scratch->string_length = 0;
  tk_scan_state state = {(const unsigned char *)text, length, 0, 0};
  size_t offset = 0;
  int space_before = 1;
  unsigned breaks = 0; /* line breaks since the last token */
  for (;;) {
    offset = tk_scan_plain(scratch, state.text, offset, length, &space_before, &breaks);
    if (offset == (size_t)-1) {
      return -1;
    }
    if (offset >= length) {
      break;
    }
    unsigned char c = state.text[offset];
    unsigned type;
    size_t end;
    if (c < 0x80) {
      uint8_t class = tk_ascii[c];
      if (class & TK_SPACE) {
        unsigned line_break =
            c == '\n' || (c == '\r' && (offset + 1 >= length || text[offset + 1] != '\n'));
        if (line_break && scratch->token_count &&
            tk_note_cue(scratch, scratch->token_count - 1) != 0) {
          return -1;
        }
        breaks += line_break;
        offset++;
        space_before = 1;
        continue;
      }
      size_t emoticon = 0;
      if ((tk_ascii_extra[c] & TK_EMOTICON_START) && offset + 1 < length &&
          (tk_ascii_extra[state.text[offset + 1]] & TK_EMOTICON_SECOND)) {
        emoticon = emoticon_length(&state, offset);
      }
      if (emoticon) {
        end = offset + emoticon;
        type = TP_TOKEN_EMOTICON;
      } else if (class & TK_LETTER) {
        type = scan_word(&state, offset, &end);
      } else if (class & TK_DIGIT) {
        type = scan_number(&state, offset, &end);
      } else {
        type = scan_ascii_mark(&state, offset, &end);
      }
    } else {
      type = scan_unicode(&state, offset, &end);
      if (type == SCAN_SPACE || type == SCAN_SKIP) {
        space_before |= type == SCAN_SPACE;
        if (c == 0xe2 && offset + 2 < length && state.text[offset + 1] == 0x80 &&
            (state.text[offset + 2] == 0xa8 || state.text[offset + 2] == 0xa9)) {
          breaks += state.text[offset + 2] == 0xa9 ? 2 : 1; /* line / paragraph separator */
          if (scratch->token_count && tk_note_cue(scratch, scratch->token_count - 1) != 0) {
            return -1;
          }
        }
        offset = end;
        continue;
      }
    }
    unsigned flags = (space_before ? TP_TOKEN_SPACE_BEFORE : 0) |
                     (breaks ? TK_FLAG_LINE_BREAK : 0) | (breaks >= 2 ? TK_FLAG_BLANK_LINE : 0);
    if (type == TP_TOKEN_PUNCT) {
      size_t size;
      flags |= is_terminal_code_point(tk_code_point_at(&state, offset, &size)) ? TK_FLAG_MARK : 0;
    } else if (type == TP_TOKEN_WORD && state.text[end - 1] == '.') {
      flags |= TK_FLAG_MARK;
    }
    if (push_token(scratch, type, offset, end, flags) != 0 ||
        ((flags & TK_FLAG_MARK) && tk_note_cue(scratch, scratch->token_count - 1) != 0)) {
      return -1;
    }
    offset = end;
    space_before = 0;
    breaks = 0;
  }
  return 0;
}
