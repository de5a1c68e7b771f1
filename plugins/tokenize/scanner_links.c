/* plugins/tokenize/scanner_links.c - the scanner's URLs, bare domains and e-mail addresses.
 *
 * Every look-ahead that can fail (e-mail local parts, bare domains) remembers how far it
 * looked in the scan state, so a later token inside the same run does not look again: the
 * scan stays linear even on 1 MB without a space ("a.a.a.a...", "x@x@x@...").
 */
#include "tokenizer_internal.h"

#include <string.h>

/* A domain at `offset`: labels of letters, digits and '-' joined by single dots. Sets *labels
 * and *last_label (offset of the last label); returns the end. */
static size_t domain_end(const tk_scan_state *state, size_t offset, int *labels,
                         size_t *last_label) {
  const unsigned char *text = state->text;
  *labels = 0;
  *last_label = offset;
  for (;;) {
    size_t start = offset;
    while (offset < state->length && ((tk_ascii[text[offset]] & TK_ALNUM) || text[offset] == '-')) {
      offset++;
    }
    if (offset == start) {
      return start > 0 && text[start - 1] == '.' ? start - 1 : start;
    }
    (*labels)++;
    *last_label = start;
    if (offset + 1 < state->length && text[offset] == '.' &&
        (tk_ascii[text[offset + 1]] & TK_ALNUM)) {
      offset++;
      continue;
    }
    return offset;
  }
}

static int all_letters(const unsigned char *text, size_t length) {
  for (size_t index = 0; index < length; index++) {
    if (!(tk_ascii[text[index]] & TK_LETTER)) {
      return 0;
    }
  }
  return 1;
}

/* An e-mail starting at `offset`: returns its end, or 0. */
size_t tk_email_end(tk_scan_state *state, size_t offset) {
  if (offset < state->no_email_before) {
    return 0;
  }
  const unsigned char *text = state->text;
  size_t at = offset;
  while (at < state->length && (tk_ascii[text[at]] & TK_LOCAL)) {
    at++;
  }
  if (at > offset && at + 1 < state->length && text[at] == '@') {
    int labels;
    size_t last_label;
    size_t end = domain_end(state, at + 1, &labels, &last_label);
    if (labels >= 2 && end - last_label >= 2 && all_letters(text + last_label, end - last_label)) {
      return end;
    }
  }
  state->no_email_before = at;
  return 0;
}

static int is_top_level_domain(const unsigned char *label, size_t length) {
  static const char *const domains[] = {
      "com", "net", "org", "edu", "gov", "mil",  "int", "io", "uk", "de", "fr",  "nl", "eu",
      "ru",  "jp",  "cn",  "ch",  "au",  "info", "biz", "ly", "tv", "ai", "dev", "app"};
  if (length < 2 || length > 4) {
    return 0;
  }
  for (size_t index = 0; index < sizeof domains / sizeof domains[0]; index++) {
    const char *domain = domains[index];
    if (domain[0] == label[0] && strncmp(domain, (const char *)label, length) == 0 &&
        domain[length] == '\0') {
      return 1;
    }
  }
  return 0;
}

/* The end of a URL's path/query from `offset`: URL characters, then trailing punctuation and
 * unbalanced closing brackets trimmed. `start` is the URL's first byte. */
static size_t url_rest_end(const tk_scan_state *state, size_t start, size_t offset) {
  const unsigned char *text = state->text;
  while (offset < state->length) {
    unsigned char c = text[offset];
    if (c < 0x80) {
      if (!(tk_ascii[c] & TK_URL)) {
        break;
      }
      offset++;
    } else {
      size_t size = tk_alnum_at(state, offset);
      if (!size) {
        break;
      }
      offset += size;
    }
  }
  for (;;) {
    unsigned char last = text[offset - 1];
    if (offset - start > 1 && strchr(".,;:!?'*", last)) {
      offset--;
      continue;
    }
    if (last == ')' || last == ']') {
      unsigned char open = last == ')' ? '(' : '[';
      long balance = 0;
      for (size_t index = start; index < offset; index++) {
        balance += text[index] == open ? 1 : text[index] == last ? -1 : 0;
      }
      if (balance < 0) {
        offset--;
        continue;
      }
    }
    return offset;
  }
}

/* A bare domain such as example.com (optionally with a path) at `offset`: its end, or 0. */
size_t tk_bare_domain_end(tk_scan_state *state, size_t offset) {
  if (offset < state->no_domain_before) {
    return 0;
  }
  int labels;
  size_t last_label;
  size_t end = domain_end(state, offset, &labels, &last_label);
  if (labels >= 2 && is_top_level_domain(state->text + last_label, end - last_label) &&
      !tk_alnum_at(state, end)) {
    if (end < state->length && state->text[end] == '/') {
      return url_rest_end(state, offset, end);
    }
    return end;
  }
  state->no_domain_before = end;
  return 0;
}

static int prefix_is(const tk_scan_state *state, size_t offset, const char *prefix) {
  size_t length = strlen(prefix);
  if (state->length - offset < length) {
    return 0;
  }
  for (size_t index = 0; index < length; index++) {
    if ((state->text[offset + index] | 0x20) != (unsigned char)prefix[index] &&
        state->text[offset + index] != (unsigned char)prefix[index]) {
      return 0;
    }
  }
  return 1;
}

/* A URL with a scheme or "www." at `offset`: its end, or 0. */
size_t tk_scheme_url_end(const tk_scan_state *state, size_t offset) {
  static const char *const schemes[] = {"http://", "https://", "ftp://", "www."};
  for (size_t index = 0; index < sizeof schemes / sizeof schemes[0]; index++) {
    size_t length = strlen(schemes[index]);
    if (prefix_is(state, offset, schemes[index]) && tk_alnum_at(state, offset + length)) {
      return url_rest_end(state, offset, offset + length);
    }
  }
  return 0;
}
