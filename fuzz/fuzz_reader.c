/* fuzz/fuzz_reader.c - the input side: arbitrary bytes, cut into arbitrary chunks, through
 * the framer (lines split across reads, size limit, blank lines, "\r") and record preparation
 * (UTF-8, JSON object, text field, "lines" records), to a record or a dead-letter reason.
 *
 * Input layout: byte 0 picks the format (bit 0: lines), the text field (bit 1: "a.b") and the
 * size limit (bit 2: 64 bytes, else 16 MiB); byte 1 seeds the chunk sizes (0: one chunk).
 * Checks: every line is numbered in order, emitted + blank = lines seen, a prepared record
 * prints as one valid JSON object, a rejected one has a reason and, as a dead-letter, also
 * prints as one valid JSON object.
 */
#include "fuzz_support.h"
#include "reader.h"

typedef struct reader_state {
  tp_pipeline pipeline;
  uint64_t emitted, last_number;
} reader_state;

static int on_line(void *context, const char *line, size_t length, uint64_t number,
                   uint64_t full_length) {
  reader_state *state = context;
  FUZZ_CHECK(number > state->last_number, "line %llu after %llu", (unsigned long long)number,
             (unsigned long long)state->last_number);
  state->last_number = number;
  state->emitted++;
  char *copy = malloc(length + 1); /* records need the NUL after the line, as in a batch */
  if (copy == NULL)
    return -1;
  memcpy(copy, line, length);
  copy[length] = '\0';
  char reason[TP_REASON_SIZE] = "";
  tp_record record = {0};
  if (full_length > state->pipeline.max_record_bytes) {
    FUZZ_CHECK(length <= TP_RECORD_INPUT_PREFIX || length == full_length, "oversize kept %zu",
               length);
    snprintf(reason, sizeof reason, "over the limit");
  } else if (tp_record_prepare(&record, &state->pipeline, copy, length, number, reason,
                               sizeof reason) == 0) {
    void *no_partials[1] = {NULL};
    fuzz_run_record(&state->pipeline, no_partials, &record);
    reason[0] = '\0';
  } else {
    FUZZ_CHECK(reason[0] != '\0', "line %llu rejected without a reason",
               (unsigned long long)number);
  }
  if (reason[0] != '\0') {
    cJSON *letter =
        tp_dead_letter_create(&(tp_position){.number = number}, NULL, reason, copy, length);
    char *printed = letter != NULL ? cJSON_PrintUnformatted(letter) : NULL;
    if (printed != NULL)
      fuzz_check_json_object(printed, "the dead-letter");
    free(printed);
    cJSON_Delete(letter);
  }
  tp_record_release(&record);
  free(copy);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  reader_state state = {0};
  state.pipeline.input_format = (data[0] & 1) ? TP_INPUT_LINES : TP_INPUT_NDJSON;
  state.pipeline.text_field = (data[0] & 2) ? "a.b" : "text";
  state.pipeline.max_record_bytes = (data[0] & 4) ? 64 : 16u * 1024 * 1024;
  uint32_t seed = data[1];
  data += 2, size -= 2;
  tp_framer framer;
  tp_framer_init(&framer, state.pipeline.max_record_bytes, on_line, &state);
  size_t at = 0;
  while (at < size) {
    size_t chunk = size - at;
    if (seed != 0) {
      seed = seed * 1103515245u + 12345u;
      size_t random_chunk = 1 + (seed >> 16) % 97;
      if (random_chunk < chunk)
        chunk = random_chunk;
    }
    int failed = 0;
    size_t used = tp_framer_feed(&framer, (const char *)data + at, chunk, &failed);
    FUZZ_CHECK(!failed && used == chunk, "the framer stopped (%zu of %zu)", used, chunk);
    at += chunk;
  }
  FUZZ_CHECK(tp_framer_end(&framer) == 0, "end of input failed");
  FUZZ_CHECK(state.emitted + framer.skipped_empty == framer.line_number,
             "%llu emitted + %llu blank != %llu lines", (unsigned long long)state.emitted,
             (unsigned long long)framer.skipped_empty, (unsigned long long)framer.line_number);
  FUZZ_CHECK(framer.bytes == size, "consumed %llu of %zu bytes", (unsigned long long)framer.bytes,
             size);
  tp_framer_free(&framer);
  return 0;
}
