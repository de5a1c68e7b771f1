/* bench/bench_corpus.h - the bench corpus's texts in memory, for the C benchmarks that time
 * work on text alone (tokenize_bench.c, floor.c). Header-only: each bench is one program. */
#ifndef TP_BENCH_CORPUS_H
#define TP_BENCH_CORPUS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* Every record's "text", copied and NUL-terminated (texts[i], lengths[i] bytes). */
typedef struct corpus {
  char **texts;
  size_t *lengths;
  size_t count, capacity, bytes;
} corpus;

/* Reads the NDJSON file at `path` into `corpus` (zeroed first by the caller); lines without a
 * string "text" are skipped. Returns 0, or -1 (with a message) when the file cannot be read;
 * exits on OOM, as a benchmark may. The texts live until the program ends. */
static inline int corpus_load(corpus *corpus, const char *path) {
  FILE *file = fopen(path, "r");
  if (file == NULL) {
    perror(path);
    return -1;
  }
  char *line = NULL;
  size_t line_capacity = 0;
  ssize_t line_length;
  while ((line_length = getline(&line, &line_capacity, file)) > 0) {
    cJSON *record = cJSON_ParseWithLength(line, (size_t)line_length);
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(record, "text"));
    if (text != NULL) {
      if (corpus->count == corpus->capacity) {
        corpus->capacity = corpus->capacity ? corpus->capacity * 2 : 1024;
        corpus->texts = realloc(corpus->texts, corpus->capacity * sizeof *corpus->texts);
        corpus->lengths = realloc(corpus->lengths, corpus->capacity * sizeof *corpus->lengths);
        if (corpus->texts == NULL || corpus->lengths == NULL) {
          fprintf(stderr, "out of memory\n");
          exit(1);
        }
      }
      corpus->texts[corpus->count] = strdup(text);
      corpus->lengths[corpus->count] = strlen(text);
      corpus->bytes += corpus->lengths[corpus->count];
      corpus->count++;
    }
    cJSON_Delete(record);
  }
  free(line);
  fclose(file);
  return 0;
}

#endif /* TP_BENCH_CORPUS_H */
