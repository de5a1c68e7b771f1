/* fuzz/fuzz_pipeline.c - pipeline files: arbitrary JSON and near-JSON through loading and
 * validation (syntax with positions, every key, plugin names, option schemas, stage order,
 * create()). The built-in plugins of the build tree are the ones a name can find.
 *
 * Checks: a file either loads (and frees cleanly) or fails with a message that names the
 * file; nothing crashes or leaks on any path. (Messages quote the file's keys and values raw;
 * tp_logv escapes control characters when it prints them: fuzz/regressions/pipeline/
 * message-with-newline found that, and tests/fault checks the printed form.)
 */
#include <unistd.h>

#include "fuzz_support.h"

static char pipeline_path[256];

static void make_workspace(void) {
  char dir[] = "/tmp/textpipe-fuzz-pipeline-XXXXXX";
  FUZZ_CHECK(mkdtemp(dir) != NULL, "cannot make a temporary folder");
  snprintf(pipeline_path, sizeof pipeline_path, "%s/pipeline.json", dir);
  /* A file a path option may name, next to the pipeline. */
  char lexicon[300];
  snprintf(lexicon, sizeof lexicon, "%s/words.txt", dir);
  FILE *file = fopen(lexicon, "w");
  FUZZ_CHECK(file != NULL, "cannot write %s", lexicon);
  fputs("good\nbad\n", file);
  fclose(file);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (pipeline_path[0] == '\0') {
    fuzz_pin_plugins();
    make_workspace();
  }
  FILE *file = fopen(pipeline_path, "wb");
  FUZZ_CHECK(file != NULL, "cannot write %s", pipeline_path);
  FUZZ_CHECK(fwrite(data, 1, size, file) == size, "short write");
  fclose(file);
  tp_loader_options options = {NULL, tp_host_api()};
  tp_pipeline *pipeline = NULL;
  tp_error err = {{0}};
  if (tp_pipeline_load(pipeline_path, &options, &pipeline, &err) == 0) {
    FUZZ_CHECK(pipeline != NULL, "loaded without a pipeline");
    tp_pipeline_free(pipeline);
    return 0;
  }
  FUZZ_CHECK(pipeline == NULL, "failed but returned a pipeline");
  FUZZ_CHECK(err.message[0] != '\0', "failed without a message");
  FUZZ_CHECK(strstr(err.message, "pipeline.json") != NULL, "message without the file: %s",
             err.message);
  return 0;
}
