/* plugins/tokenize/scanner_plain.c - the scanner's fast path: the plain tokens that make up most
 * text (single spaces, ASCII words, lone ASCII marks), decided in a tight loop with the same
 * answers as the general path in scanner.c, which takes over at anything else.
 */
#include "tokenizer_internal.h"

/* Whether a word starting with the letters `first` and `second` may be an emoticon (XD, T_T,
 * o.O) or a URL (http, www, ftp), which only the general path decides. Without a branch: a
 * quarter of words start with one of these letters (of, have, with, for), so a test of the first
 * letter alone was a branch the CPU mispredicted often. */
static inline int starts_emoticon_or_link(unsigned char first, unsigned char second) {
  unsigned first_two = (unsigned)(first | 0x20) | (unsigned)(second | 0x20) << 8;
  return (tk_ascii_extra[first] & TK_EMOTICON_START & tk_ascii_extra[second] >> 1) |
         (first_two == ('h' | 't' << 8)) | (first_two == ('w' | 'w' << 8)) |
         (first_two == ('f' | 't' << 8));
}

/* Whether the word [start, end), whose end byte (text[end]) may continue or change it, is plain:
 * before a ' or - that joins nothing and an ASCII byte (dogs' x, well- x), or before a final full
 * stop (tk_is_final_stop(): "word. ") when it is no abbreviation keeping its stop (Mr., etc.). An
 * initialism (U.S.) never ends that way: it needs a letter right after a stop. Everything else
 * (a word before @ + % _ or a non-ASCII byte, a stop that is not final, a ' or - before a
 * non-ASCII byte) is the general path's. Out of line: the plain loop keeps its registers. */
static __attribute__((noinline)) int plain_word_end(const unsigned char *text, size_t start,
                                                    size_t end, size_t length) {
  unsigned after = end + 1 < length ? tk_word_follow[text[end + 1]] >> 4 : TK_FOLLOW_ALL;
  return (tk_word_follow[text[end]] & after) &&
         (text[end] != '.' ||
          tk_abbreviation_class((const char *)text + start, end - start) == TK_ABBREV_NONE);
}

/* See tokenizer_internal.h. Plain words are ASCII letters and digits, joined by ' or - between
 * them, ending at a byte that cannot continue or change the token (tk_word_follow), at a ' or -
 * before an ASCII byte or at a final full stop after no abbreviation, not starting an emoticon
 * (XD) or a URL (http, www, ftp);
 * lone marks are ASCII punctuation or symbols that start no emoticon, handle or keycap and that
 * no run continues (", " ". "). The loop keeps its state in registers. */
size_t tk_scan_plain(tk_scratch *scratch, const unsigned char *text, size_t offset, size_t length,
                     int *space_before_io, unsigned *breaks_io) {
  /* the next token goes to `out`; the array ends at `out_end` (made first, so that neither is
   * an offset from a null pointer) */
  if (!scratch->tokens && tk_grow(scratch->memory, (void **)&scratch->tokens,
                                  &scratch->token_capacity, sizeof(tp_token)) != 0) {
    return (size_t)-1;
  }
  tp_token *out = scratch->tokens + scratch->token_count;
  tp_token *out_end = scratch->tokens + scratch->token_capacity;
  /* the flags the next token gets from what precedes it; line breaks only come in from the
   * general path (a line break ends this loop) */
  tk_word_window window = tk_word_window_empty();
  unsigned before = (*space_before_io ? TP_TOKEN_SPACE_BEFORE : 0) |
                    (*breaks_io ? TK_FLAG_LINE_BREAK : 0) |
                    (*breaks_io >= 2 ? TK_FLAG_BLANK_LINE : 0);
  while (offset < length) {
    unsigned char c = text[offset];
    if (c == ' ') {
      offset++;
      before |= TP_TOKEN_SPACE_BEFORE;
      continue;
    }
    uint8_t class = tk_ascii[c]; /* 0 for bytes >= 0x80 */
    size_t end;
    unsigned type, flags = 0;
    if ((class & TK_LETTER) && offset + 1 < length) {
      end = tk_word_window_end(&window, text, offset + 1, length);
      if (end < length && !(tk_word_follow[text[end]] & TK_FOLLOW_ANY) &&
          !plain_word_end(text, offset, end, length)) {
        break;
      }
      if (starts_emoticon_or_link(c, text[offset + 1])) {
        break;
      }
      type = TP_TOKEN_WORD;
    } else if ((class & (TK_PUNCT | TK_SYMBOL)) && !(tk_ascii_extra[c] & TK_EMOTICON_START) &&
               c != '@' && c != '#' && c != '*') {
      int terminal = c == '.' || c == '!' || c == '?';
      unsigned char next = offset + 1 < length ? text[offset + 1] : ' ';
      if (next >= 0x80 || next == c || (terminal && (next == '.' || next == '!' || next == '?'))) {
        break;
      }
      end = offset + 1;
      type = (class & TK_SYMBOL) ? TP_TOKEN_SYMBOL : TP_TOKEN_PUNCT;
      if (terminal) { /* a lone . ! or ?: a cue for tk_sentences() */
        flags = TK_FLAG_MARK;
        size_t index = (size_t)(out - scratch->tokens);
        if (scratch->cue_count < scratch->cue_capacity) {
          /* tk_note_cue() inline: the token is new, so no cue noted yet can be it */
          scratch->cues[scratch->cue_count++] = (uint32_t)index;
        } else if (tk_note_cue(scratch, index) != 0) {
          scratch->token_count = index;
          return (size_t)-1;
        }
      }
    } else {
      break;
    }
    if (out == out_end) {
      scratch->token_count = (size_t)(out - scratch->tokens);
      if (tk_grow(scratch->memory, (void **)&scratch->tokens, &scratch->token_capacity,
                  sizeof(tp_token)) != 0) {
        return (size_t)-1;
      }
      out = scratch->tokens + scratch->token_count;
      out_end = scratch->tokens + scratch->token_capacity;
    }
    /* the span, type and flags only: tk_normalize() writes every token's norm and stem and
     * their lengths, tk_sentences() its sentence (zeroing them here cost 3 stores a token) */
    out->start = (uint32_t)offset;
    out->length = (uint32_t)(end - offset);
    out->type = (uint16_t)type;
    out->flags = (uint16_t)(flags | before);
    out++;
    offset = end;
    before = 0;
    if (offset < length && text[offset] == ' ') { /* the single space after most tokens */
      offset++;
      before = TP_TOKEN_SPACE_BEFORE;
    }
  }
  scratch->token_count = (size_t)(out - scratch->tokens);
  *space_before_io = (before & TP_TOKEN_SPACE_BEFORE) != 0;
  if (!(before & TK_FLAG_LINE_BREAK)) { /* else no token took the line breaks: they still wait */
    *breaks_io = 0;
  }
  return offset;
}
