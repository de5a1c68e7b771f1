/* core/config/names.h - plugin-style names and "did you mean" suggestions.
 *
 * Plugin names and stage ids are short words; a typo in one should be answered with the
 * nearest valid name (Levenshtein distance), as git does for subcommands.
 */
#ifndef TP_CORE_NAMES_H
#define TP_CORE_NAMES_H

#include <stddef.h>

/* Nonzero when `name` is non-empty and only [a-z0-9_-] (so it can never be a path). */
int tp_name_is_valid(const char *name);

/* Levenshtein distance between two strings (bytes). Returns SIZE_MAX on OOM. */
size_t tp_name_distance(const char *a, const char *b);

/* The candidate nearest to `name` if it is close enough to be a likely typo (distance at most
 * max(1, length / 3), never more than 3), else NULL. `candidates` has `count` entries; the
 * result points into it (not a copy). */
const char *tp_name_nearest(const char *name, const char *const *candidates, size_t count);

#endif /* TP_CORE_NAMES_H */
