/* core/output/sink_file.c - the file sink: records to stdout or a file through the writer
 * (writer.h), dead-letters to their own file.
 *
 * Dead-letters are small and rare, so they are written with stdio at once, before the batch's
 * records go to the writer; a dead-letter that cannot be written fails the batch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink.h"
#include "writer.h"

typedef struct file_sink {
  tp_sink base; /* first: a tp_sink* is a file_sink* */
  tp_writer *writer;
  FILE *dead_letters;
  const char *dead_letter_path;
  tp_sink_done_fn done;
  void *context;
} file_sink;

static void on_written(void *context, int status) {
  file_sink *sink = context;
  sink->done(sink->context, status, NULL);
}

static int file_write(tp_sink *base, const tp_batch *batch, tp_sink_done_fn done, void *context) {
  file_sink *sink = (file_sink *)base;
  if (batch->dead_letters_used > 0 && sink->dead_letters != NULL &&
      fwrite(batch->dead_letters, 1, batch->dead_letters_used, sink->dead_letters) !=
          batch->dead_letters_used) {
    char message[700];
    snprintf(message, sizeof message, "%s: cannot write the dead-letters: %s",
             sink->dead_letter_path, uv_strerror(uv_translate_sys_error(errno)));
    base->dead_letters_not_written += batch->dead_count;
    done(context, UV_EIO, message);
    return 0;
  }
  if (batch->out_used == 0) {
    done(context, 0, NULL);
    return 0;
  }
  sink->done = done;
  sink->context = context;
  return tp_writer_write(sink->writer, batch->out, batch->out_used, on_written, sink);
}

static int file_busy(const tp_sink *base) {
  return tp_writer_busy(((const file_sink *)base)->writer);
}

static int file_close(tp_sink *base, char *err, size_t err_size) {
  file_sink *sink = (file_sink *)base;
  int status = 0;
  if (sink->dead_letters != NULL && fclose(sink->dead_letters) != 0) {
    snprintf(err, err_size, "%s: cannot write the dead-letters: %s", sink->dead_letter_path,
             uv_strerror(uv_translate_sys_error(errno)));
    status = -1;
  }
  tp_writer_close(sink->writer);
  free(sink);
  return status;
}

static const tp_sink_ops file_ops = {
    .kind = "file",
    .write = file_write,
    .busy = file_busy,
    .close = file_close,
};

tp_sink *tp_sink_file_open(uv_loop_t *loop, const tp_sink_config *config, char *err,
                           size_t err_size) {
  file_sink *sink = calloc(1, sizeof *sink);
  if (sink == NULL) {
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  sink->base.ops = &file_ops;
  sink->writer = tp_writer_open(loop, config->location, err, err_size);
  if (sink->writer == NULL) {
    free(sink);
    return NULL;
  }
  snprintf(sink->base.name, sizeof sink->base.name, "%s", tp_writer_name(sink->writer));
  sink->dead_letter_path = config->dead_letter_path;
  if (config->dead_letter_path != NULL &&
      (sink->dead_letters = fopen(config->dead_letter_path, "w")) == NULL) {
    snprintf(err, err_size, "%s: cannot open for writing: %s", config->dead_letter_path,
             uv_strerror(uv_translate_sys_error(errno)));
    tp_writer_close(sink->writer);
    free(sink);
    return NULL;
  }
  /* Line-buffered: a dead-letter the file refuses (a full disk) fails its own batch, and what
   * was written is on disk even when a run is abandoned and exits at once (stream.c). */
  if (sink->dead_letters != NULL)
    setvbuf(sink->dead_letters, NULL, _IOLBF, 0);
  return &sink->base;
}
