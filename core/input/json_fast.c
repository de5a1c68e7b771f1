/* core/input/json_fast.c - the plain-record parse that builds cJSON's tree (json_fast.h).
 *
 * What it reproduces of cJSON 1.7's parse_value / parse_object / parse_array / parse_string /
 * parse_number, for the subset it accepts:
 * - every node is one cJSON_malloc(sizeof(cJSON)), zeroed; strings are cJSON_malloc'd copies;
 * - an object's or array's children are linked by next and prev, and the first child's prev is
 *   the last child; a member's name is its `string`, its value's type and value as for an
 *   element; duplicate names are all kept, in order;
 * - true has valueint 1; a number's valuedouble is strtod of its text (cJSON copies the same
 *   characters, with the C locale's '.', and textpipe never calls setlocale) and its valueint
 *   that double saturated to int; numbers whose digits and exponent make one exact operation
 *   (lib/jsonnum: up to 2^53 with a decimal exponent within 22) are converted there, to the very
 *   double strtod gives; numbers longer than 32 characters go to cJSON.
 * The text is read up to its NUL at text[length], which stops every scan without a bounds check;
 * only the string scan (tp_json_plain_length) is bounded by the length.
 */
#include "json_fast.h"

#include "json_bytes.h"
#include "jsonnum.h"

#include <limits.h>
#include <string.h>

/* Deeper records go to cJSON (its limit is 1000). */
#define MAX_DEPTH 64

typedef struct parser {
  const char *at;
  const char *end; /* text + length: the NUL */
  int depth;
  tp_json_string longest; /* the longest string copied so far (json_fast.h) */
} parser;

static int parse_value(parser *p, cJSON *item);

static cJSON *new_node(void) {
  cJSON *node = cJSON_malloc(sizeof(cJSON));
  if (node != NULL)
    memset(node, 0, sizeof *node);
  return node;
}

static void skip_space(parser *p) {
  while (*p->at == ' ' || *p->at == '\t' || *p->at == '\n' || *p->at == '\r')
    p->at++;
}

/* The byte an escape stands for, or -1 for \u (left to cJSON) and invalid escapes. */
static int unescape(char c) {
  switch (c) {
  case '"':
  case '\\':
  case '/':
    return c;
  case 'b':
    return '\b';
  case 'f':
    return '\f';
  case 'n':
    return '\n';
  case 'r':
    return '\r';
  case 't':
    return '\t';
  default:
    return -1;
  }
}

/* The string at p->at (its opening quote) as a new cJSON_malloc'd copy, p->at past its closing
 * quote; or NULL (outside the subset, invalid, or no memory). */
static char *parse_string(parser *p) {
  const unsigned char *start = (const unsigned char *)p->at + 1;
  const unsigned char *scan = start;
  const unsigned char *end = (const unsigned char *)p->end;
  size_t escapes = 0;
  for (;;) {
    /* to the next quote, backslash or control byte (json_bytes.h) */
    scan += tp_json_plain_length(scan, (size_t)(end - scan));
    unsigned char c = *scan;
    if (c == '"')
      break;
    if (c < 0x20) /* a control byte, or the end of the text */
      return NULL;
    /* a backslash: tp_json_plain_length stops at nothing else */
    if (unescape((char)scan[1]) < 0)
      return NULL;
    escapes++;
    scan += 2;
  }
  size_t raw_length = (size_t)(scan - start);
  char *copy = cJSON_malloc(raw_length - escapes + 1);
  if (copy == NULL)
    return NULL;
  if (escapes == 0) {
    memcpy(copy, start, raw_length);
    copy[raw_length] = '\0';
  } else {
    /* the plain runs copied whole, each escape (the one special byte left) as its character */
    char *out = copy;
    for (const unsigned char *in = start; in < scan; in += 2) {
      size_t run = tp_json_plain_length(in, (size_t)(scan - in));
      memcpy(out, in, run);
      out += run;
      in += run;
      if (in == scan)
        break;
      *out++ = (char)unescape((char)in[1]);
    }
    *out = '\0';
  }
  p->at = (const char *)scan + 1;
  if (raw_length - escapes >= p->longest.length)
    p->longest = (tp_json_string){copy, raw_length - escapes};
  return copy;
}

/* A number in JSON's grammar at p->at into `item`. 0, or -1 (outside the subset). */
static int parse_number(parser *p, cJSON *item) {
  double number;
  const char *at = jsonnum_read(p->at, &number);
  if (!at)
    return -1;
  item->valuedouble = number;
  if (number >= INT_MAX)
    item->valueint = INT_MAX;
  else if (number <= (double)INT_MIN)
    item->valueint = INT_MIN;
  else
    item->valueint = (int)number;
  item->type = cJSON_Number;
  p->at = at;
  return 0;
}

/* The members (`object`) or elements of the object or array at p->at (its opening bracket)
 * into `item`. 0, or -1; the children made so far are item's either way. */
static int parse_children(parser *p, cJSON *item, int object) {
  char close = object ? '}' : ']';
  item->type = object ? cJSON_Object : cJSON_Array;
  if (++p->depth > MAX_DEPTH)
    return -1;
  p->at++;
  skip_space(p);
  if (*p->at == close) {
    p->at++;
    p->depth--;
    return 0;
  }
  cJSON *last = NULL;
  for (;;) {
    cJSON *child = new_node();
    if (child == NULL)
      return -1;
    if (last == NULL) {
      item->child = child;
    } else {
      last->next = child;
      child->prev = last;
    }
    last = child;
    item->child->prev = last; /* kept at every step, so a failed parse leaves a sound list */
    if (object) {
      if (*p->at != '"' || (child->string = parse_string(p)) == NULL)
        return -1;
      skip_space(p);
      if (*p->at != ':')
        return -1;
      p->at++;
      skip_space(p);
    }
    if (parse_value(p, child) != 0)
      return -1;
    skip_space(p);
    if (*p->at == ',') {
      p->at++;
      skip_space(p);
      continue;
    }
    if (*p->at != close)
      return -1;
    p->at++;
    p->depth--;
    return 0;
  }
}

/* The literal `word` at p->at. */
static int take_literal(parser *p, const char *word, size_t length) {
  if ((size_t)(p->end - p->at) < length || memcmp(p->at, word, length) != 0)
    return 0;
  p->at += length;
  return 1;
}

static int parse_value(parser *p, cJSON *item) {
  switch (*p->at) {
  case '{':
    return parse_children(p, item, 1);
  case '[':
    return parse_children(p, item, 0);
  case '"':
    item->type = cJSON_String;
    return (item->valuestring = parse_string(p)) != NULL ? 0 : -1;
  case 't':
    item->type = cJSON_True;
    item->valueint = 1;
    return take_literal(p, "true", 4) ? 0 : -1;
  case 'f':
    item->type = cJSON_False;
    return take_literal(p, "false", 5) ? 0 : -1;
  case 'n':
    item->type = cJSON_NULL;
    return take_literal(p, "null", 4) ? 0 : -1;
  default:
    return parse_number(p, item);
  }
}

cJSON *tp_json_parse_plain_longest(const char *text, size_t length, tp_json_string *longest) {
  parser p = {text, text + length, 0, {NULL, 0}};
  *longest = (tp_json_string){NULL, 0};
  skip_space(&p);
  if (*p.at != '{')
    return NULL;
  cJSON *root = new_node();
  if (root == NULL)
    return NULL;
  if (parse_value(&p, root) != 0) {
    cJSON_Delete(root);
    return NULL;
  }
  skip_space(&p);
  if (p.at != p.end) {
    cJSON_Delete(root);
    return NULL;
  }
  *longest = p.longest;
  return root;
}

cJSON *tp_json_parse_plain(const char *text, size_t length) {
  tp_json_string longest;
  return tp_json_parse_plain_longest(text, length, &longest);
}
