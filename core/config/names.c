/* core/config/names.c - name validity and nearest-name suggestions (see names.h). */
#include "names.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int tp_name_is_valid(const char *name) {
  if (name == NULL || *name == '\0')
    return 0;
  for (const char *c = name; *c != '\0'; c++) {
    int ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-';
    if (!ok)
      return 0;
  }
  return 1;
}

size_t tp_name_distance(const char *a, const char *b) {
  size_t a_length = strlen(a);
  size_t b_length = strlen(b);
  size_t *row = malloc((b_length + 1) * sizeof *row);
  if (row == NULL)
    return SIZE_MAX;
  for (size_t j = 0; j <= b_length; j++)
    row[j] = j;
  for (size_t i = 1; i <= a_length; i++) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b_length; j++) {
      size_t above = row[j];
      size_t best = diagonal + (a[i - 1] != b[j - 1]);
      if (above + 1 < best)
        best = above + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diagonal = above;
    }
  }
  size_t distance = row[b_length];
  free(row);
  return distance;
}

const char *tp_name_nearest(const char *name, const char *const *candidates, size_t count) {
  const char *best = NULL;
  size_t best_distance = SIZE_MAX;
  for (size_t i = 0; i < count; i++) {
    size_t distance = tp_name_distance(name, candidates[i]);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidates[i];
    }
  }
  if (best == NULL)
    return NULL;
  size_t longer = strlen(name) > strlen(best) ? strlen(name) : strlen(best);
  size_t allowed = longer / 3 < 1 ? 1 : longer / 3;
  if (allowed > 3)
    allowed = 3;
  return best_distance <= allowed ? best : NULL;
}
