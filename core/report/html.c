/* core/report/html.c - a growing text buffer for writing HTML, with escaping (see html.h). */
#include "html.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tp_html_init(tp_html *html) {
  html->data = NULL;
  html->length = 0;
  html->capacity = 0;
  html->failed = false;
}

void tp_html_free(tp_html *html) {
  free(html->data);
  tp_html_init(html);
}

/* Makes room for `extra` more bytes plus the NUL; false (and the buffer failed) on OOM. */
static bool reserve(tp_html *html, size_t extra) {
  if (html->failed)
    return false;
  if (extra > SIZE_MAX / 2 - html->length) {
    tp_html_free(html);
    html->failed = true;
    return false;
  }
  size_t needed = html->length + extra + 1;
  if (needed <= html->capacity)
    return true;
  size_t capacity = html->capacity != 0 ? html->capacity : 4096;
  while (capacity < needed)
    capacity *= 2;
  char *data = realloc(html->data, capacity);
  if (data == NULL) {
    tp_html_free(html);
    html->failed = true;
    return false;
  }
  html->data = data;
  html->capacity = capacity;
  return true;
}

static void append(tp_html *html, const char *bytes, size_t length) {
  if (!reserve(html, length))
    return;
  memcpy(html->data + html->length, bytes, length);
  html->length += length;
  html->data[html->length] = '\0';
}

void tp_html_raw(tp_html *html, const char *markup) {
  append(html, markup, strlen(markup));
}

void tp_html_rawf(tp_html *html, const char *fmt, ...) {
  char small[256];
  va_list args;
  va_start(args, fmt);
  int needed = vsnprintf(small, sizeof small, fmt, args);
  va_end(args);
  if (needed < 0)
    return;
  if ((size_t)needed < sizeof small) {
    append(html, small, (size_t)needed);
    return;
  }
  if (!reserve(html, (size_t)needed))
    return;
  va_start(args, fmt);
  vsnprintf(html->data + html->length, (size_t)needed + 1, fmt, args);
  va_end(args);
  html->length += (size_t)needed;
}

/* Length of the valid UTF-8 sequence starting at text[0] (1-4), or 0 when it is invalid
 * (bad lead byte, bad continuation, overlong form, surrogate, beyond U+10FFFF, truncated). */
static size_t utf8_sequence(const unsigned char *text, size_t available) {
  unsigned char lead = text[0];
  if (lead < 0x80)
    return 1;
  size_t length;
  uint32_t minimum;
  uint32_t code;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, minimum = 0x80, code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, minimum = 0x800, code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, minimum = 0x10000, code = lead & 0x07;
  } else {
    return 0;
  }
  if (length > available)
    return 0;
  for (size_t i = 1; i < length; i++) {
    if ((text[i] & 0xC0) != 0x80)
      return 0;
    code = (code << 6) | (text[i] & 0x3F);
  }
  if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
    return 0;
  return length;
}

bool tp_html_text(tp_html *html, const char *text, size_t length, size_t max_bytes) {
  const unsigned char *bytes = (const unsigned char *)text;
  size_t position = 0;
  bool cut = false;
  while (position < length) {
    size_t sequence = utf8_sequence(bytes + position, length - position);
    size_t consumed = sequence != 0 ? sequence : 1;
    if (max_bytes != 0 && position + consumed > max_bytes) {
      cut = true;
      break;
    }
    unsigned char byte = bytes[position];
    if (sequence == 0) {
      append(html, "\xEF\xBF\xBD", 3); /* U+FFFD for each invalid byte */
    } else if (sequence > 1) {
      append(html, text + position, sequence);
    } else {
      switch (byte) {
      case '&':
        append(html, "&amp;", 5);
        break;
      case '<':
        append(html, "&lt;", 4);
        break;
      case '>':
        append(html, "&gt;", 4);
        break;
      case '"':
        append(html, "&quot;", 6);
        break;
      case '\'':
        append(html, "&#39;", 5);
        break;
      case '\t':
      case '\n':
        append(html, text + position, 1);
        break;
      case '\r':
        break; /* CRLF shows as one line break */
      default:
        if (byte >= 0x20 && byte != 0x7F)
          append(html, text + position, 1);
        break; /* other control characters (NUL included) are invisible anyway: drop them */
      }
    }
    position += consumed;
  }
  if (cut)
    append(html, "\xE2\x80\xA6", 3); /* U+2026 HORIZONTAL ELLIPSIS */
  return cut;
}

void tp_html_string(tp_html *html, const char *text) {
  if (text != NULL)
    tp_html_text(html, text, strlen(text), 0);
}

char *tp_html_take(tp_html *html, size_t *length) {
  if (html->failed || !reserve(html, 0)) {
    tp_html_free(html);
    if (length != NULL)
      *length = 0;
    return NULL;
  }
  html->data[html->length] = '\0';
  char *data = html->data;
  if (length != NULL)
    *length = html->length;
  tp_html_init(html);
  return data;
}
