/* lib/jsonnum/jsonnum.h - one JSON number read from text into the very double strtod gives
 * for it, without strtod when a single exact IEEE operation gives that double.
 *
 * For JSON read in bulk: the core's record parse (core/input/json_fast.c) and the theme
 * plugin's model file (plugins/theme/model_lift.c) both read their numbers here, so that a
 * number converts to the same double wherever it is read, and the same as cJSON's tree holds
 * (cJSON converts with strtod; textpipe never calls setlocale, so '.' is the decimal point).
 * A static library linked into the core and into each plugin that wants it: it depends on
 * nothing but the C library and allocates nothing.
 */
#ifndef JSONNUM_H
#define JSONNUM_H

/* The longest number read, in characters (cJSON itself reads at most 63 of one). */
#define JSONNUM_MAX_LENGTH 32

/* The number in JSON's grammar of at most JSONNUM_MAX_LENGTH characters that starts at `at`
 * (the text NUL-terminated, which stops the scan): its double into *number and where it ends;
 * NULL when no such number starts there. The double is strtod's, by one exact operation when
 * that gives it (digits making an integer up to 2^53, a decimal exponent within 22 of zero: most
 * numbers of up to 16 digits), else by strtod itself. */
const char *jsonnum_read(const char *at, double *number);

#endif /* JSONNUM_H */
