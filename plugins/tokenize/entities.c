/* plugins/tokenize/entities.c - decoding HTML character references, with an offset map back.
 *
 * One pass over the text: bytes are copied as they are, and each "&name;", "&#N;" or "&#xH;"
 * that decodes is replaced by its UTF-8 bytes, all of which map back to the reference's '&'.
 * A reference is at least as long as its UTF-8 (the table's entries and the shortest spelling
 * of each code point size are checked by the tests), so the decoded text fits in the
 * original's size and one allocation of length + 1 serves both buffers.
 */
#include "entities.h"

#include "tokenizer.h"

#include <stdlib.h>
#include <string.h>

/* The named references textpipe knows: the ones comment text carries in practice (markup
 * escapes, typographic quotes and dashes, accented Latin letters, a few symbols), sorted by
 * strcmp() of the name for bsearch(). Names are case-sensitive, as in HTML. */
typedef struct named_reference {
  const char *name;
  const char *utf8;
} named_reference;

static const named_reference named_references[] = {
    {"AElig", "\xC3\x86"},      /* U+00C6 */
    {"Aacute", "\xC3\x81"},     /* U+00C1 */
    {"Acirc", "\xC3\x82"},      /* U+00C2 */
    {"Agrave", "\xC3\x80"},     /* U+00C0 */
    {"Aring", "\xC3\x85"},      /* U+00C5 */
    {"Auml", "\xC3\x84"},       /* U+00C4 */
    {"Ccedil", "\xC3\x87"},     /* U+00C7 */
    {"Eacute", "\xC3\x89"},     /* U+00C9 */
    {"Ecirc", "\xC3\x8A"},      /* U+00CA */
    {"Egrave", "\xC3\x88"},     /* U+00C8 */
    {"Iacute", "\xC3\x8D"},     /* U+00CD */
    {"Ntilde", "\xC3\x91"},     /* U+00D1 */
    {"OElig", "\xC5\x92"},      /* U+0152 */
    {"Oacute", "\xC3\x93"},     /* U+00D3 */
    {"Oslash", "\xC3\x98"},     /* U+00D8 */
    {"Ouml", "\xC3\x96"},       /* U+00D6 */
    {"Uacute", "\xC3\x9A"},     /* U+00DA */
    {"Uuml", "\xC3\x9C"},       /* U+00DC */
    {"aacute", "\xC3\xA1"},     /* U+00E1 */
    {"acirc", "\xC3\xA2"},      /* U+00E2 */
    {"aelig", "\xC3\xA6"},      /* U+00E6 */
    {"agrave", "\xC3\xA0"},     /* U+00E0 */
    {"amp", "&"},               /* U+0026 */
    {"apos", "'"},              /* U+0027 */
    {"aring", "\xC3\xA5"},      /* U+00E5 */
    {"atilde", "\xC3\xA3"},     /* U+00E3 */
    {"auml", "\xC3\xA4"},       /* U+00E4 */
    {"bdquo", "\xE2\x80\x9E"},  /* U+201E */
    {"bull", "\xE2\x80\xA2"},   /* U+2022 */
    {"ccedil", "\xC3\xA7"},     /* U+00E7 */
    {"cent", "\xC2\xA2"},       /* U+00A2 */
    {"clubs", "\xE2\x99\xA3"},  /* U+2663 */
    {"copy", "\xC2\xA9"},       /* U+00A9 */
    {"dagger", "\xE2\x80\xA0"}, /* U+2020 */
    {"darr", "\xE2\x86\x93"},   /* U+2193 */
    {"deg", "\xC2\xB0"},        /* U+00B0 */
    {"diams", "\xE2\x99\xA6"},  /* U+2666 */
    {"divide", "\xC3\xB7"},     /* U+00F7 */
    {"eacute", "\xC3\xA9"},     /* U+00E9 */
    {"ecirc", "\xC3\xAA"},      /* U+00EA */
    {"egrave", "\xC3\xA8"},     /* U+00E8 */
    {"emsp", "\xE2\x80\x83"},   /* U+2003 */
    {"ensp", "\xE2\x80\x82"},   /* U+2002 */
    {"euml", "\xC3\xAB"},       /* U+00EB */
    {"euro", "\xE2\x82\xAC"},   /* U+20AC */
    {"frac12", "\xC2\xBD"},     /* U+00BD */
    {"frac14", "\xC2\xBC"},     /* U+00BC */
    {"frac34", "\xC2\xBE"},     /* U+00BE */
    {"ge", "\xE2\x89\xA5"},     /* U+2265 */
    {"gt", ">"},                /* U+003E */
    {"harr", "\xE2\x86\x94"},   /* U+2194 */
    {"hearts", "\xE2\x99\xA5"}, /* U+2665 */
    {"hellip", "\xE2\x80\xA6"}, /* U+2026 */
    {"iacute", "\xC3\xAD"},     /* U+00ED */
    {"icirc", "\xC3\xAE"},      /* U+00EE */
    {"iexcl", "\xC2\xA1"},      /* U+00A1 */
    {"igrave", "\xC3\xAC"},     /* U+00EC */
    {"infin", "\xE2\x88\x9E"},  /* U+221E */
    {"iquest", "\xC2\xBF"},     /* U+00BF */
    {"iuml", "\xC3\xAF"},       /* U+00EF */
    {"laquo", "\xC2\xAB"},      /* U+00AB */
    {"larr", "\xE2\x86\x90"},   /* U+2190 */
    {"ldquo", "\xE2\x80\x9C"},  /* U+201C */
    {"le", "\xE2\x89\xA4"},     /* U+2264 */
    {"lsaquo", "\xE2\x80\xB9"}, /* U+2039 */
    {"lsquo", "\xE2\x80\x98"},  /* U+2018 */
    {"lt", "<"},                /* U+003C */
    {"mdash", "\xE2\x80\x94"},  /* U+2014 */
    {"micro", "\xC2\xB5"},      /* U+00B5 */
    {"middot", "\xC2\xB7"},     /* U+00B7 */
    {"nbsp", "\xC2\xA0"},       /* U+00A0 */
    {"ndash", "\xE2\x80\x93"},  /* U+2013 */
    {"ne", "\xE2\x89\xA0"},     /* U+2260 */
    {"not", "\xC2\xAC"},        /* U+00AC */
    {"ntilde", "\xC3\xB1"},     /* U+00F1 */
    {"oacute", "\xC3\xB3"},     /* U+00F3 */
    {"ocirc", "\xC3\xB4"},      /* U+00F4 */
    {"oelig", "\xC5\x93"},      /* U+0153 */
    {"ograve", "\xC3\xB2"},     /* U+00F2 */
    {"oslash", "\xC3\xB8"},     /* U+00F8 */
    {"otilde", "\xC3\xB5"},     /* U+00F5 */
    {"ouml", "\xC3\xB6"},       /* U+00F6 */
    {"para", "\xC2\xB6"},       /* U+00B6 */
    {"permil", "\xE2\x80\xB0"}, /* U+2030 */
    {"plusmn", "\xC2\xB1"},     /* U+00B1 */
    {"pound", "\xC2\xA3"},      /* U+00A3 */
    {"prime", "\xE2\x80\xB2"},  /* U+2032 */
    {"quot", "\""},             /* U+0022 */
    {"raquo", "\xC2\xBB"},      /* U+00BB */
    {"rarr", "\xE2\x86\x92"},   /* U+2192 */
    {"rdquo", "\xE2\x80\x9D"},  /* U+201D */
    {"reg", "\xC2\xAE"},        /* U+00AE */
    {"rsaquo", "\xE2\x80\xBA"}, /* U+203A */
    {"rsquo", "\xE2\x80\x99"},  /* U+2019 */
    {"sbquo", "\xE2\x80\x9A"},  /* U+201A */
    {"sect", "\xC2\xA7"},       /* U+00A7 */
    {"shy", "\xC2\xAD"},        /* U+00AD */
    {"spades", "\xE2\x99\xA0"}, /* U+2660 */
    {"szlig", "\xC3\x9F"},      /* U+00DF */
    {"thinsp", "\xE2\x80\x89"}, /* U+2009 */
    {"times", "\xC3\x97"},      /* U+00D7 */
    {"trade", "\xE2\x84\xA2"},  /* U+2122 */
    {"uacute", "\xC3\xBA"},     /* U+00FA */
    {"uarr", "\xE2\x86\x91"},   /* U+2191 */
    {"ucirc", "\xC3\xBB"},      /* U+00FB */
    {"ugrave", "\xC3\xB9"},     /* U+00F9 */
    {"uuml", "\xC3\xBC"},       /* U+00FC */
    {"yacute", "\xC3\xBD"},     /* U+00FD */
    {"yen", "\xC2\xA5"},        /* U+00A5 */
    {"yuml", "\xC3\xBF"},       /* U+00FF */
    {"zwj", "\xE2\x80\x8D"},    /* U+200D */
    {"zwnj", "\xE2\x80\x8C"},   /* U+200C */
};

#define NAMED_REFERENCE_COUNT (sizeof named_references / sizeof named_references[0])
#define LONGEST_NAME          6 /* "thinsp", "frac12", ...: no name in the table is longer */

int tk_entities_table_check(void) {
  for (size_t index = 0; index < NAMED_REFERENCE_COUNT; index++) {
    const named_reference *entry = &named_references[index];
    size_t name_length = strlen(entry->name);
    if (name_length > LONGEST_NAME || strlen(entry->utf8) > 4 ||
        strlen(entry->utf8) > name_length + 2)
      return (int)index;
    if (index > 0 && strcmp(named_references[index - 1].name, entry->name) >= 0)
      return (int)index;
  }
  return -1;
}

const char *tk_entities_named(const char *name, size_t length) {
  if (length == 0 || length > LONGEST_NAME)
    return NULL;
  size_t low = 0, high = NAMED_REFERENCE_COUNT;
  while (low < high) {
    size_t middle = (low + high) / 2;
    const char *candidate = named_references[middle].name;
    int order = strncmp(name, candidate, length);
    if (order == 0 && candidate[length] != '\0')
      order = -1; /* `name` is a proper prefix of the candidate, so it sorts first */
    if (order == 0)
      return named_references[middle].utf8;
    if (order < 0)
      high = middle;
    else
      low = middle + 1;
  }
  return NULL;
}

/* Writes code point `code` as UTF-8 into `out` (4 bytes of room); returns the byte count. */
static size_t utf8_encode(uint32_t code, char *out) {
  if (code < 0x80) {
    out[0] = (char)code;
    return 1;
  }
  if (code < 0x800) {
    out[0] = (char)(0xC0 | code >> 6);
    out[1] = (char)(0x80 | (code & 0x3F));
    return 2;
  }
  if (code < 0x10000) {
    out[0] = (char)(0xE0 | code >> 12);
    out[1] = (char)(0x80 | (code >> 6 & 0x3F));
    out[2] = (char)(0x80 | (code & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | code >> 18);
  out[1] = (char)(0x80 | (code >> 12 & 0x3F));
  out[2] = (char)(0x80 | (code >> 6 & 0x3F));
  out[3] = (char)(0x80 | (code & 0x3F));
  return 4;
}

static int digit_value(unsigned char c, int hexadecimal) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (hexadecimal && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
    return (c | 0x20) - 'a' + 10;
  return -1;
}

static int is_name_byte(unsigned char c) {
  return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9');
}

/* The reference starting at text[0] == '&' (`available` bytes): writes its UTF-8 into `out`
 * (4 bytes of room), sets *consumed to the reference's length and returns the number of
 * decoded bytes; returns 0 when it is not a reference that decodes. */
static size_t reference_decode(const char *text, size_t available, char *out, size_t *consumed) {
  if (available >= 4 && text[1] == '#') {
    int hexadecimal = text[2] == 'x' || text[2] == 'X';
    size_t at = hexadecimal ? 3 : 2;
    uint32_t code = 0;
    size_t digits = 0;
    int value;
    while (at < available && (value = digit_value((unsigned char)text[at], hexadecimal)) >= 0) {
      code = code * (hexadecimal ? 16 : 10) + (uint32_t)value;
      if (code > 0x10FFFF)
        return 0;
      at++;
      digits++;
    }
    if (digits == 0 || at >= available || text[at] != ';')
      return 0;
    if (code == 0 || (code >= 0xD800 && code <= 0xDFFF))
      return 0;
    *consumed = at + 1;
    return utf8_encode(code, out);
  }
  size_t at = 1;
  while (at < available && at <= LONGEST_NAME + 1 && is_name_byte((unsigned char)text[at]))
    at++;
  if (at >= available || text[at] != ';')
    return 0;
  const char *utf8 = tk_entities_named(text + 1, at - 1);
  if (utf8 == NULL)
    return 0;
  size_t length = strlen(utf8);
  memcpy(out, utf8, length);
  *consumed = at + 1;
  return length;
}

/* Room for `length` + 1 bytes of text and source entries. Returns 0, or -1 on OOM. */
static int decoded_reserve(tk_decoded *decoded, size_t length) {
  if (decoded->capacity > length)
    return 0;
  size_t capacity = decoded->capacity ? decoded->capacity : 256;
  while (capacity <= length)
    capacity *= 2;
  char *text = tk_realloc(decoded->memory, decoded->text, capacity);
  if (text == NULL)
    return -1;
  decoded->text = text;
  uint32_t *source = tk_realloc(decoded->memory, decoded->source, capacity * sizeof *source);
  if (source == NULL)
    return -1;
  decoded->source = source;
  decoded->capacity = capacity;
  return 0;
}

/* Copies the original's bytes [from, to) unchanged to the decoded text at `written`, each one's
 * source its own offset, and returns the new `written`. One memcpy() and a loop that only
 * stores (so the compiler can vectorize it), not a byte loop writing both arrays. */
static size_t copy_plain(tk_decoded *decoded, size_t written, const char *text, size_t from,
                         size_t to) {
  size_t count = to - from;
  memcpy(decoded->text + written, text + from, count);
  uint32_t *source = decoded->source + written;
  for (size_t index = 0; index < count; index++)
    source[index] = (uint32_t)(from + index);
  return written + count;
}

int tk_entities_decode(tk_decoded *decoded, const char *text, size_t length) {
  const char *ampersand = memchr(text, '&', length);
  if (ampersand == NULL)
    return 0;
  size_t read = (size_t)(ampersand - text), written = 0;
  int found = 0;
  while (ampersand != NULL) {
    size_t at = (size_t)(ampersand - text);
    char bytes[4];
    size_t consumed = 0;
    size_t count = reference_decode(ampersand, length - at, bytes, &consumed);
    if (count == 0) {
      ampersand = memchr(ampersand + 1, '&', length - at - 1);
      continue;
    }
    if (!found) {
      if (decoded_reserve(decoded, length) != 0)
        return -1;
      found = 1;
      read = 0;
    }
    /* the plain bytes before the reference, then its decoded bytes */
    written = copy_plain(decoded, written, text, read, at);
    for (size_t k = 0; k < count; k++, written++) {
      decoded->text[written] = bytes[k];
      decoded->source[written] = (uint32_t)at;
    }
    read = at + consumed;
    ampersand = read < length ? memchr(text + read, '&', length - read) : NULL;
  }
  if (!found)
    return 0;
  written = copy_plain(decoded, written, text, read, length);
  decoded->text[written] = '\0';
  decoded->source[written] = (uint32_t)length;
  decoded->length = written;
  return 1;
}

void tk_entities_map_back(tk_scratch *scratch, const tk_decoded *decoded) {
  for (size_t index = 0; index < scratch->token_count; index++) {
    tp_token *token = &scratch->tokens[index];
    uint32_t start = tk_decoded_source(decoded, token->start);
    token->length = tk_decoded_source(decoded, (size_t)token->start + token->length) - start;
    token->start = start;
  }
  for (size_t index = 0; index < scratch->sentence_count; index++) {
    tp_sentence *sentence = &scratch->sentences[index];
    uint32_t start = tk_decoded_source(decoded, sentence->start);
    sentence->length =
        tk_decoded_source(decoded, (size_t)sentence->start + sentence->length) - start;
    sentence->start = start;
  }
}

void tk_decoded_release(tk_decoded *decoded) {
  tk_free(decoded->memory, decoded->text);
  tk_free(decoded->memory, decoded->source);
  decoded->text = NULL;
  decoded->source = NULL;
  decoded->capacity = decoded->length = 0;
}
