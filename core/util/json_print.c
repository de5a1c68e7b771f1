/* core/util/json_print.c - compact JSON printing, identical to cJSON_PrintUnformatted
 * (json_print.h).
 *
 * cJSON 1.7's rules, which this file reproduces:
 * - numbers: NaN and infinities print as null; anything else as "%1.15g", or "%1.17g" when that
 *   does not read back within DBL_EPSILON (so -0.0 prints as -0, 1e15 as 1e+15);
 * - strings and keys: '"' '\\' and \b \f \n \r \t escaped by name, other bytes below 0x20 as
 *   \u00xx (lower-case hex), every other byte (UTF-8 included) as it is; a NULL string is "";
 * - raw items verbatim; objects and arrays without spaces.
 */
#include "json_print.h"

#include "decimal.h"
#include "json_bytes.h"
#include "pointer_slot.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The growable output, held by value while printing (so the compiler keeps it in registers)
 * and handed back to the caller's buffer, length and capacity at the end. */
typedef struct output {
  char *buffer;
  size_t used;
  size_t capacity;
} output;

/* reserve()'s slow path: grows the buffer to hold `needed` bytes. 0, or -1 on OOM. */
static __attribute__((noinline)) int grow(output *out, size_t needed) {
  size_t grown = out->capacity ? out->capacity * 2 : 4096;
  if (grown < needed)
    grown = needed;
  char *bigger = realloc(out->buffer, grown);
  if (bigger == NULL)
    return -1;
  out->buffer = bigger;
  out->capacity = grown;
  return 0;
}

static inline int reserve(output *out, size_t more) {
  size_t needed = out->used + more;
  return needed <= out->capacity ? 0 : grow(out, needed);
}

static int append(output *out, const char *bytes, size_t length) {
  if (reserve(out, length))
    return -1;
  memcpy(out->buffer + out->used, bytes, length);
  out->used += length;
  return 0;
}

/* ---- Numbers --------------------------------------------------------------------------------- */

/* `value` (|value| < 1e15) in decimal, NUL-terminated; returns its length. */
static inline size_t print_integer(long long value, char *out) {
  char *at = out;
  uint64_t magnitude = (uint64_t)value;
  if (value < 0) {
    *at++ = '-';
    magnitude = 0 - magnitude;
  }
  size_t length = tp_put_decimal(magnitude, at);
  at[length] = '\0';
  return (size_t)(at - out) + length;
}

/* The shortest decimal with at most 6 fractional digits whose nearest double is `value`, for
 * 1e-4 <= |value| < 1e9 and value not an integer; 0 if there is none.
 *
 * Why this equals "%1.15g": value is the double nearest to m / 10^k (m below 10^15, so at most
 * 15 significant digits), so rounding value to 15 significant digits gives back exactly
 * m / 10^k (value is within half an ulp, far less than half a unit of the 15th digit); %g
 * then drops trailing zeros, and m has none because the smallest k is taken. The exponent is
 * within [-4, 15), so %g prints it in fixed notation, as here. It reads back exactly, so cJSON
 * would keep it.
 *
 * One scaling finds every k <= 6 at once: |value| * 10^6 is below 10^15, so its rounding
 * error (at most 1/16) plus value's own (half an ulp of value, times 10^6: at most 0.12)
 * stays under 1/2, and rounding to the nearest integer gives exactly m * 10^(6-k) whenever
 * some k <= 6 exists. The division, exact operands correctly rounded, gives back value
 * exactly then, and not for any other integer; dropping the trailing zeros of m * 10^(6-k)
 * gives the smallest k. The rounding is `+ 0.5` and truncation, no libm call: the sum is exact
 * (scaled < 2^50 has an ulp of at most 1/8), and it differs from nearbyint() only on an exact
 * tie, which by the bound above is never within 1/2 of a decimal that passes. */
static inline size_t print_short_decimal(double value, char *out) {
  double magnitude = fabs(value);
  if (!(magnitude >= 1e-4 && magnitude < 1e9))
    return 0;
  /* below 1e15: the signed conversions (one instruction each way on x86-64) are exact */
  int64_t scaled = (int64_t)(magnitude * 1e6 + 0.5);
  if ((double)scaled / 1e6 != magnitude)
    return 0;
  uint64_t millionths = (uint64_t)scaled;
  uint64_t whole = millionths / 1000000;
  unsigned fraction = (unsigned)(millionths - whole * 1000000);
  if (fraction == 0) /* an integer: not this function's case */
    return 0;
  char *at = out;
  if (value < 0)
    *at++ = '-';
  if (whole < 10) /* scores and shares: one digit, most often 0 */
    *at++ = (char)('0' + whole);
  else
    at += tp_put_decimal(whole, at);
  *at++ = '.';
  /* the six digits, two by two; the last pair that is not 00 (fraction is not 0) ends them,
   * and its second digit too unless it is 0 */
  unsigned first = fraction / 10000, second = fraction / 100 % 100, third = fraction % 100;
  tp_put_digit_pair(at, first);
  tp_put_digit_pair(at + 2, second);
  tp_put_digit_pair(at + 4, third);
  unsigned last = third != 0 ? third : second != 0 ? second : first;
  at += (third != 0 ? 6 : second != 0 ? 4 : 2) - (last % 10 == 0);
  *at = '\0';
  return (size_t)(at - out);
}

/* cJSON's compare_double: equal within DBL_EPSILON relative to the larger magnitude. */
static int close_enough(double a, double b) {
  double larger = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
  return fabs(a - b) <= larger * DBL_EPSILON;
}

/* cJSON's own steps, for numbers neither fast path takes (sscanf("%lg") reads numbers as strtod
 * does). textpipe never calls setlocale, so snprintf's decimal point is '.', the one cJSON
 * writes whatever the locale. */
static __attribute__((noinline)) size_t print_general(double value, char *out) {
  int printed = snprintf(out, 32, "%1.15g", value);
  if (!close_enough(strtod(out, NULL), value))
    printed = snprintf(out, 32, "%1.17g", value);
  return printed > 0 ? (size_t)printed : 0;
}

/* tp_json_print_number without its unused argument, inline in the printer's loop. One test of
 * the magnitude leads to the common cases, integers (0 and -0 among them) and short decimals;
 * NaN fails it as the infinities do, and only then is the value tested for being finite. */
static inline size_t print_number(double value, char *out) {
  if (fabs(value) < 1e15) {
    long long whole = (long long)value;
    if ((double)whole == value) { /* "%1.15g" prints these as integers, -0.0 as -0 */
      if (whole == 0 && signbit(value)) {
        memcpy(out, "-0", 3);
        return 2;
      }
      return print_integer(whole, out);
    }
    size_t length = print_short_decimal(value, out);
    if (length)
      return length;
  } else if (!isfinite(value)) {
    memcpy(out, "null", 5);
    return 4;
  }
  return print_general(value, out);
}

size_t tp_json_print_number(double value, int integer, char out[32]) {
  (void)integer; /* cJSON 1.7.15 prints integers with %1.15g too */
  return print_number(value, out);
}

/* ---- Strings --------------------------------------------------------------------------------- */

/* The escape sequence of a byte that needs one (tp_json_byte_special, json_bytes.h), into out;
 * returns its length. */
static size_t escape_byte(unsigned char c, char out[7]) {
  out[0] = '\\';
  switch (c) {
  case '"':
  case '\\':
    out[1] = (char)c;
    return 2;
  case '\b':
    out[1] = 'b';
    return 2;
  case '\f':
    out[1] = 'f';
    return 2;
  case '\n':
    out[1] = 'n';
    return 2;
  case '\r':
    out[1] = 'r';
    return 2;
  case '\t':
    out[1] = 't';
    return 2;
  default:
    return 1 + (size_t)snprintf(out + 1, 6, "u%04x", c);
  }
}

/* One pass over the text, run by run from escape to escape (tp_json_plain_run, which also
 * finds the NUL at the end, so no strlen first); each run is copied with room reserved for it,
 * its escape and the closing quote, no more: reserving the worst case (6 bytes a byte) up front
 * would make one 16 MiB text grow the batch's buffer, which is kept and reused, to 96 MiB. */
static int print_string(output *out, const char *text) {
  if (text == NULL)
    return append(out, "\"\"", 2);
  if (append(out, "\"", 1))
    return -1;
  const unsigned char *bytes = (const unsigned char *)text;
  for (;;) {
    size_t run = tp_json_plain_run(bytes);
    unsigned char stop = bytes[run];
    /* the run, then its escape (7 bytes at most) or the closing quote */
    if (reserve(out, run + 7))
      return -1;
    memcpy(out->buffer + out->used, bytes, run);
    out->used += run;
    if (stop == '\0') {
      out->buffer[out->used++] = '"';
      return 0;
    }
    out->used += escape_byte(stop, out->buffer + out->used);
    bytes += run + 1;
  }
}

/* ---- Constant strings, memoized ------------------------------------------------------------ */

/* A stage's output repeats a few constant strings many times a record: member names ("compound",
 * "start", ... once per sentence) and labels ("positive"). cJSON marks them as not the node's
 * own (cJSON_StringIsConst on a key, cJSON_IsReference on a string value), and such a string is
 * escaped and quoted once into a slot of a tp_json_constants chosen by its address, with a ':'
 * after the closing quote, then copied as one block of TP_JSON_CONSTANT_BYTES bytes: a value
 * counts the quoted bytes, a key one more, its ':'. Why the address settles a hit:
 * json_print.h. */

/* Fills `slot` with `text` quoted and a ':', or marks it too long (length 0). */
static void memoize(tp_json_constants *memo, size_t slot, const char *text) {
  char *quoted = memo->quoted[slot];
  memo->text[slot] = text;
  memo->length[slot] = 0;
  quoted[0] = '"';
  size_t length = 1;
  /* Most constants are short and plain: copied a byte at a time, room for the quote and ':' */
  for (size_t index = 0; index < TP_JSON_CONSTANT_BYTES - 3; index++) {
    unsigned char byte = (unsigned char)text[index];
    if (byte == '\0') {
      quoted[length] = '"';
      quoted[length + 1] = ':';
      memo->length[slot] = (unsigned char)(length + 1);
      return;
    }
    if (tp_json_byte_special(byte))
      break;
    quoted[length++] = (char)byte;
  }
  /* an escape, or too long: the slow way, escape by escape */
  length = 1;
  for (const unsigned char *byte = (const unsigned char *)text; *byte != '\0'; byte++) {
    char escape[7] = {(char)*byte};
    size_t escape_length = tp_json_byte_special(*byte) ? escape_byte(*byte, escape) : 1;
    if (length + escape_length + 2 > TP_JSON_CONSTANT_BYTES)
      return; /* too long: length 0 */
    memcpy(quoted + length, escape, escape_length);
    length += escape_length;
  }
  quoted[length] = '"';
  quoted[length + 1] = ':';
  memo->length[slot] = (unsigned char)(length + 1);
}

/* The memo slot holding the constant `text` quoted, memoized now when new; the slot's length
 * is 0 when `text` is too long for the memo. */
static inline size_t constant_slot(tp_json_constants *memo, const char *text) {
  int found;
  size_t slot = tp_pointer_probe(memo->text, TP_JSON_CONSTANT_SLOTS, text, &found);
  if (!found)
    memoize(memo, slot, text);
  return slot;
}

/* Writes the quoted constant of `slot` (a length not 0), and its ':' when `key` is 1, at `at`,
 * into room reserved for TP_JSON_CONSTANT_BYTES bytes: the whole slot is copied, a constant
 * size without a call. Returns the end of what counts. */
static inline char *put_constant(char *at, const tp_json_constants *memo, size_t slot, int key) {
  memcpy(at, memo->quoted[slot], TP_JSON_CONSTANT_BYTES);
  return at + memo->length[slot] + key;
}

/* Appends the constant string value `text` quoted.
 * 0; 1 when `text` is too long for the memo (nothing appended); -1 on OOM. */
static inline int print_constant(output *out, tp_json_constants *memo, const char *text) {
  size_t slot = constant_slot(memo, text);
  if (memo->length[slot] == 0)
    return 1;
  if (reserve(out, TP_JSON_CONSTANT_BYTES))
    return -1;
  out->used = (size_t)(put_constant(out->buffer + out->used, memo, slot, 0) - out->buffer);
  return 0;
}

/* ---- Values ---------------------------------------------------------------------------------- */

static int print_value(output *out, tp_json_constants *memo, const cJSON *item);

/* The most a number takes in the buffer (print_number: its text and a NUL). */
#define NUMBER_ROOM 32

/* A number a stage made (no input text kept), printed straight into the buffer. */
static inline int print_made_number(output *out, double value) {
  if (reserve(out, NUMBER_ROOM))
    return -1;
  out->used += print_number(value, out->buffer + out->used);
  return 0;
}

/* A string value that is not the node's own (cJSON_IsReference): from the memo, or escaped the
 * usual way when it is too long for it. */
static inline int print_reference_string(output *out, tp_json_constants *memo, const char *text) {
  int status = print_constant(out, memo, text);
  return status <= 0 ? status : print_string(out, text);
}

/* Room for a key printed in one pass (print_key): the longest key it copies, quotes and ':'. */
#define SHORT_KEY_BYTES 24

/* `"key":` - in one pass when the key is short and has nothing to escape (member names a stage
 * writes: "compound", "start", ...), else through print_string. */
static int print_key(output *out, const char *key) {
  if (key != NULL) {
    if (reserve(out, SHORT_KEY_BYTES + 3))
      return -1;
    char *start = out->buffer + out->used;
    char *at = start;
    *at++ = '"';
    for (size_t index = 0; index < SHORT_KEY_BYTES; index++) {
      unsigned char byte = (unsigned char)key[index];
      if (byte == '\0') {
        *at++ = '"';
        *at++ = ':';
        out->used += (size_t)(at - start);
        return 0;
      }
      if (tp_json_byte_special(byte))
        break;
      *at++ = (char)byte;
    }
    /* long or escaped: nothing was counted as used, print_string writes it over */
  }
  return print_string(out, key) || append(out, ":", 1) ? -1 : 0;
}

/* Room print_children reserves once a member for what it then writes unchecked: the ',' before
 * the member, a memoized key and its ':', and a number a stage made or a memoized constant
 * string. A member printed any other way reserves its own room. */
#define MEMBER_ROOM (1 + TP_JSON_CONSTANT_BYTES + NUMBER_ROOM)

/* Members of an array or object between `open` and `close`, with keys for objects. The parts
 * a stage's output is mostly made of, constant keys (cJSON_StringIsConst), numbers it made and
 * constant strings (cJSON_IsReference), are written here into one reservation a member rather
 * than through a print_value() call and a reservation each, through a local cursor `at`: the
 * bytes written are chars, which may alias anything, so writing through out->buffer + out->used
 * made the compiler reload and store out->used around every byte. */
static int print_children(output *out, tp_json_constants *memo, const cJSON *item, char open,
                          char close, int keys) {
  if (append(out, &open, 1))
    return -1;
  for (const cJSON *child = item->child; child != NULL; child = child->next) {
    if (reserve(out, MEMBER_ROOM))
      return -1;
    /* the member's fields, read before the first byte is written */
    int type = child->type;
    const char *key = child->string, *text = child->valuestring;
    char *at = out->buffer + out->used;
    if (child != item->child)
      *at++ = ',';
    if (keys) {
      size_t slot;
      if ((type & cJSON_StringIsConst) && key != NULL &&
          memo->length[slot = constant_slot(memo, key)] != 0) {
        at = put_constant(at, memo, slot, 1);
      } else {
        out->used = (size_t)(at - out->buffer);
        if (print_key(out, key) || reserve(out, NUMBER_ROOM))
          return -1; /* else the room for the value is back */
        at = out->buffer + out->used;
      }
    }
    type &= 0xff | cJSON_IsReference;
    if (type == cJSON_Number && text == NULL) {
      out->used = (size_t)(at + print_number(child->valuedouble, at) - out->buffer);
      continue;
    }
    if (type == (cJSON_String | cJSON_IsReference) && text != NULL) {
      size_t slot = constant_slot(memo, text);
      if (memo->length[slot] != 0) {
        out->used = (size_t)(put_constant(at, memo, slot, 0) - out->buffer);
        continue;
      }
    }
    out->used = (size_t)(at - out->buffer);
    /* strings (the text, phrases; constants too long for the memo) and containers without
     * print_value()'s call in between */
    int failed;
    switch (type & 0xff) {
    case cJSON_String:
      failed = print_string(out, text);
      break;
    case cJSON_Array:
      failed = print_children(out, memo, child, '[', ']', 0);
      break;
    case cJSON_Object:
      failed = print_children(out, memo, child, '{', '}', 1);
      break;
    default:
      failed = print_value(out, memo, child);
    }
    if (failed)
      return -1;
  }
  return append(out, &close, 1);
}

static int print_value(output *out, tp_json_constants *memo, const cJSON *item) {
  switch (item->type & 0xff) {
  case cJSON_NULL:
    return append(out, "null", 4);
  case cJSON_False:
    return append(out, "false", 5);
  case cJSON_True:
    return append(out, "true", 4);
  case cJSON_Number: {
    if (item->valuestring != NULL) /* an input number kept as written (json_literals.h) */
      return append(out, item->valuestring, strlen(item->valuestring));
    return print_made_number(out, item->valuedouble);
  }
  case cJSON_Raw:
    return item->valuestring == NULL ? -1
                                     : append(out, item->valuestring, strlen(item->valuestring));
  case cJSON_String:
    if ((item->type & cJSON_IsReference) && item->valuestring != NULL)
      return print_reference_string(out, memo, item->valuestring);
    return print_string(out, item->valuestring);
  case cJSON_Array:
    return print_children(out, memo, item, '[', ']', 0);
  case cJSON_Object:
    return print_children(out, memo, item, '{', '}', 1);
  default:
    return -1;
  }
}

void tp_json_constants_clear(tp_json_constants *constants) {
  memset(constants->text, 0, sizeof constants->text); /* the rest is written before it is read */
}

int tp_json_print_append_with(const cJSON *item, tp_json_constants *constants, char **buffer,
                              size_t *used, size_t *capacity) {
  output out = {*buffer, *used, *capacity};
  int status = item == NULL || print_value(&out, constants, item) != 0 ? -1 : 0;
  *buffer = out.buffer; /* may have grown even on failure */
  *capacity = out.capacity;
  if (status == 0)
    *used = out.used;
  return status;
}

int tp_json_print_append(const cJSON *item, char **buffer, size_t *used, size_t *capacity) {
  tp_json_constants constants; /* this call's alone */
  tp_json_constants_clear(&constants);
  return tp_json_print_append_with(item, &constants, buffer, used, capacity);
}
