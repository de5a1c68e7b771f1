/* core/broker/redis_staged.c - commands kept for a later transaction (redis_link.h): the
 * exactly-once sink stages its XADDs here and the source sends them inside its checkpoint's
 * transaction (EVAL). */
#include <stdlib.h>
#include <string.h>

#include "redis_link.h"

/* Makes room for `more` elements of `size` bytes in *array (capacity *capacity). */
static int grow(void **array, size_t *capacity, size_t used, size_t more, size_t size) {
  if (used + more <= *capacity)
    return 0;
  size_t wanted = *capacity ? *capacity * 2 : 256;
  while (wanted < used + more)
    wanted *= 2;
  void *grown = realloc(*array, wanted * size);
  if (grown == NULL)
    return -1;
  *array = grown;
  *capacity = wanted;
  return 0;
}

int tp_redis_staged_add(tp_redis_staged *staged, int argc, const char **argv,
                        const size_t *lengths) {
  size_t bytes = 0;
  for (int i = 0; i < argc; i++)
    bytes += lengths[i];
  if (grow((void **)&staged->bytes, &staged->bytes_capacity, staged->bytes_used, bytes + 1, 1) !=
          0 ||
      grow((void **)&staged->lengths, &staged->argument_capacity, staged->argument_count,
           (size_t)argc, sizeof *staged->lengths) != 0 ||
      grow((void **)&staged->argcs, &staged->command_capacity, staged->command_count, 1,
           sizeof *staged->argcs) != 0)
    return -1;
  for (int i = 0; i < argc; i++) {
    memcpy(staged->bytes + staged->bytes_used, argv[i], lengths[i]);
    staged->bytes_used += lengths[i];
    staged->lengths[staged->argument_count++] = lengths[i];
  }
  staged->argcs[staged->command_count++] = argc;
  return 0;
}

void tp_redis_staged_layout(const tp_redis_staged *staged, const char **argv, size_t *lengths,
                            size_t at, int *argcs, size_t *firsts, size_t command) {
  size_t offset = 0, argument = 0;
  for (size_t c = 0; c < staged->command_count; c++) {
    argcs[command + c] = staged->argcs[c];
    firsts[command + c] = at + argument;
    for (int i = 0; i < staged->argcs[c]; i++, argument++) {
      argv[at + argument] = staged->bytes + offset;
      lengths[at + argument] = staged->lengths[argument];
      offset += staged->lengths[argument];
    }
  }
}

void tp_redis_staged_free(tp_redis_staged *staged) {
  if (staged == NULL)
    return;
  free(staged->bytes);
  free(staged->lengths);
  free(staged->argcs);
  free(staged);
}
