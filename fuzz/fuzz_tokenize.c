/* fuzz/fuzz_tokenize.c - the tokenize plugin on arbitrary text: valid UTF-8 as the core hands
 * it over, and (byte 0 odd) raw bytes the core would have rejected, given straight to the
 * stage as the record's text to show the plugin does not trust its input blindly.
 *
 * The pipeline is fuzz/tokenize.json (tokens and sentences written into the record, so the
 * output checks see them); the stage's partial lives for the whole process, so its counts
 * and the end-of-stream finish() are exercised too (every 64 inputs).
 */
#include "fuzz_support.h"
#include "log.h"

static tp_pipeline *pipeline;
static void **partials;

/* At exit, so that leak checkers see a clean end. */
static void free_pipeline(void) {
  tp_partials_destroy(pipeline, partials);
  tp_pipeline_free(pipeline);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static unsigned long runs;
  tp_error err = {{0}};
  if (pipeline == NULL) {
    pipeline = fuzz_load_pipeline("fuzz/tokenize.json");
    partials = tp_partials_create(pipeline, &err);
    FUZZ_CHECK(partials != NULL, "%s", err.message);
    atexit(free_pipeline);
  }
  if (size < 1)
    return 0;
  int raw = data[0] & 1;
  const char *text = (const char *)data + 1;
  size_t length = size - 1;
  char *copy = malloc(length + 1);
  FUZZ_CHECK(copy != NULL, "out of memory");
  memcpy(copy, text, length);
  copy[length] = '\0';
  tp_record record = {0};
  if (raw) {
    /* What a record would look like if the core's UTF-8 check were bypassed. */
    record.json = cJSON_CreateObject();
    record.text = copy;
    record.text_length = length;
    record.line = 1;
    /* The host refuses the invalid UTF-8 the stage copies into "tokens" with an error per
     * record, as it should; tens of thousands of them would bury the fuzzer's own output. */
    tp_log_set_level((tp_log_level)(TP_LOG_ERROR + 1));
    if (record.json != NULL)
      fuzz_run_record(pipeline, partials, &record);
    tp_log_set_level(TP_LOG_INFO);
  } else {
    cJSON *object = cJSON_CreateObject();
    cJSON *string = cJSON_CreateString(copy);
    char *line = NULL;
    if (object != NULL && string != NULL && cJSON_AddItemToObject(object, "text", string)) {
      string = NULL;
      line = cJSON_PrintUnformatted(object);
    }
    cJSON_Delete(string);
    cJSON_Delete(object);
    char reason[TP_REASON_SIZE];
    if (line != NULL &&
        tp_record_prepare(&record, pipeline, line, strlen(line), 1, reason, sizeof reason) == 0)
      fuzz_run_record(pipeline, partials, &record);
    tp_record_release(&record);
    free(line);
  }
  tp_record_release(&record);
  free(copy);
  if (++runs % 64 == 0) {
    void **one[1] = {partials};
    fuzz_finish(pipeline, one, 1);
  }
  return 0;
}
