/* bench/print_floor.c - what printing a file's records costs with textpipe's own printer.
 *
 *   print_floor FILE.ndjson [RUNS]
 *
 * Parses every line of FILE into a cJSON tree first (untimed), then times, in CPU seconds
 * (median of RUNS, default 5), printing every tree with tp_json_print_append() (the printer a
 * textpipe run writes its records with) into one reused buffer, one newline after each.
 * bench/output_floor.sh runs it on a pipeline's input and on that pipeline's output: the
 * difference is printing that any run producing that output does on top of the no-stage
 * pipeline, however cheap its stages are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bench_time.h"
#include "json_print.h"

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: print_floor FILE.ndjson [RUNS]\n");
    return 2;
  }
  int runs = argc > 2 ? atoi(argv[2]) : 5;
  if (runs < 1 || runs > 100) {
    runs = 5;
  }
  FILE *file = fopen(argv[1], "r");
  if (file == NULL) {
    perror(argv[1]);
    return 1;
  }
  cJSON **records = NULL;
  size_t count = 0, capacity = 0, input_bytes = 0;
  char *line = NULL;
  size_t line_capacity = 0;
  ssize_t line_length;
  while ((line_length = getline(&line, &line_capacity, file)) > 0) {
    cJSON *record = cJSON_ParseWithLength(line, (size_t)line_length);
    if (record == NULL) {
      continue;
    }
    if (count == capacity) {
      capacity = capacity ? capacity * 2 : 1024;
      records = realloc(records, capacity * sizeof *records);
      if (records == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
      }
    }
    records[count++] = record;
    input_bytes += (size_t)line_length;
  }
  free(line);
  fclose(file);

  char *buffer = NULL;
  size_t buffer_capacity = 0, printed = 0;
  double times[100];
  for (int run = 0; run < runs; run++) {
    double start = bench_cpu_seconds();
    printed = 0;
    for (size_t index = 0; index < count; index++) {
      size_t used = 0;
      if (tp_json_print_append(records[index], &buffer, &used, &buffer_capacity) != 0) {
        fprintf(stderr, "record %zu could not be printed\n", index + 1);
        return 1;
      }
      printed += used + 1;                             /* and its newline, which a run writes too */
      __asm__ volatile("" : : "r"(buffer) : "memory"); /* the text is "used" */
    }
    times[run] = bench_cpu_seconds() - start;
  }
  printf("print %.4f s CPU (median of %d), %zu records, %zu bytes in, %zu bytes printed\n",
         bench_median(times, (size_t)runs), runs, count, input_bytes, printed);
  for (size_t index = 0; index < count; index++) {
    cJSON_Delete(records[index]);
  }
  free(records);
  free(buffer);
  return 0;
}
