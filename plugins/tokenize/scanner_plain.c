/* plugins/tokenize/scanner_plain.c - the scanner's fast path: the plain tokens that make up most
 * text (single spaces, ASCII words, lone ASCII marks), decided in a tight loop with the same
 * answers as the general path in scanner.c, which takes over at anything else.
 */
#include "tokenizer_internal.h"

/* See tokenizer_internal.h. Plain words are letters and digits ending at a byte that cannot
 * continue or change the token (TK_WORD_END), not starting an emoticon (XD) or a URL (http,
 * www, ftp); lone marks are ASCII punctuation or symbols that start no emoticon, handle or
 * keycap and that no run continues (", " ". "). The loop keeps its state in registers. */
size_t tk_scan_plain(tk_scratch *scratch, const unsigned char *text, size_t offset, size_t length,
                     int *space_before_io, unsigned *breaks_io) {
  tp_token *tokens = scratch->tokens;
  size_t count = scratch->token_count, capacity = scratch->token_capacity;
  unsigned breaks = *breaks_io;
  /* the flags the next token gets from what precedes it; line breaks only come in from the
   * general path (a line break ends this loop) */
  unsigned before = (*space_before_io ? TP_TOKEN_SPACE_BEFORE : 0) |
                    (breaks ? TK_FLAG_LINE_BREAK : 0) | (breaks >= 2 ? TK_FLAG_BLANK_LINE : 0);
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
      unsigned char second = text[offset + 1];
      end = tk_ascii_alnum_end(text, offset + 1, length);
      unsigned first_two = (unsigned)(c | 0x20) | (unsigned)(second | 0x20) << 8;
      if ((end < length && !(tk_ascii_extra[text[end]] & TK_WORD_END)) ||
          ((tk_ascii_extra[c] & TK_EMOTICON_START) &&
           (tk_ascii_extra[second] & TK_EMOTICON_SECOND)) ||
          first_two == ('h' | 't' << 8) || first_two == ('w' | 'w' << 8) ||
          first_two == ('f' | 't' << 8)) {
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
      flags = terminal ? TK_FLAG_MARK : 0;
    } else {
      break;
    }
    if (count == capacity) {
      scratch->token_count = count;
      if (tk_grow(scratch->memory, (void **)&scratch->tokens, &scratch->token_capacity,
                  sizeof(tp_token)) != 0) {
        return (size_t)-1;
      }
      tokens = scratch->tokens;
      capacity = scratch->token_capacity;
    }
    tokens[count++] = (tp_token){.start = (uint32_t)offset,
                                 .length = (uint32_t)(end - offset),
                                 .type = (uint16_t)type,
                                 .flags = (uint16_t)(flags | before)};
    offset = end;
    before = 0;
  }
  scratch->token_count = count;
  *space_before_io = (before & TP_TOKEN_SPACE_BEFORE) != 0;
  *breaks_io = (before & TK_FLAG_LINE_BREAK) ? breaks : 0;
  return offset;
}
