/* core/input/source_file.c - the file source: stdin or a file, read by the reader (reader.h).
 *
 * NDJSON and lines inputs are framed by lines; CSV by records (a quoted field may hold line
 * feeds), and the first CSV record is the header, read here and handed to the runner through
 * source->csv_header. A record's position is its (first) line number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "reader.h"
#include "record.h"
#include "source.h"

typedef struct file_source {
  tp_source base; /* first: a tp_source* is a file_source* */
  tp_reader *reader;
  tp_source_config config;
  tp_csv_scanner csv_scanner;
  tp_csv_row csv_header;
  int csv_header_pending; /* CSV: the next record is the header */
} file_source;

/* CSV: the first record names the columns; a header that cannot serve ends the input. */
static int read_csv_header(file_source *source, const char *line, size_t length, uint64_t number,
                           uint64_t full_length) {
  source->csv_header_pending = 0;
  char reason[TP_REASON_SIZE];
  if (tp_csv_header_read(&source->csv_header, line, length, full_length,
                         source->config.pipeline->text_field, reason, sizeof reason) != 0) {
    char message[TP_REASON_SIZE + 600];
    snprintf(message, sizeof message, "%s:%llu: CSV header: %s", source->base.name,
             (unsigned long long)(number + source->config.line_offset), reason);
    tp_reader_stop(source->reader);
    source->config.end(source->config.context, UV_EINVAL, message);
    return 1;
  }
  source->base.csv_header = &source->csv_header;
  return 0;
}

static int on_line(void *context, const char *line, size_t length, uint64_t number,
                   uint64_t full_length) {
  file_source *source = context;
  if (source->csv_header_pending)
    return read_csv_header(source, line, length, number, full_length);
  tp_position position = {.number = number + source->config.line_offset};
  return source->config.record(source->config.context, line, length, &position, full_length);
}

static void on_end(void *context, int status) {
  file_source *source = context;
  source->config.end(source->config.context, status, NULL);
}

static void file_start(tp_source *base) {
  tp_reader_start(((file_source *)base)->reader);
}

static void file_stop(tp_source *base) {
  tp_reader_stop(((file_source *)base)->reader);
}

static int file_paused(const tp_source *base) {
  return tp_reader_paused(((const file_source *)base)->reader);
}

static tp_source_counters file_counters(const tp_source *base) {
  const tp_framer *framer = tp_reader_framer(((const file_source *)base)->reader);
  return (tp_source_counters){.bytes = framer->bytes, .skipped_empty = framer->skipped_empty};
}

static void file_close(tp_source *base) {
  file_source *source = (file_source *)base;
  tp_reader_close(source->reader);
  tp_csv_row_free(&source->csv_header);
  free(source);
}

static const tp_source_ops file_ops = {
    .kind = "file",
    .start = file_start,
    .stop = file_stop,
    .paused = file_paused,
    .acknowledge = NULL,
    .counters = file_counters,
    .close = file_close,
};

tp_source *tp_source_file_open(uv_loop_t *loop, const tp_source_config *config, char *err,
                               size_t err_size) {
  file_source *source = calloc(1, sizeof *source);
  if (source == NULL) {
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  source->base.ops = &file_ops;
  source->config = *config;
  snprintf(source->base.name, sizeof source->base.name, "%s",
           config->location != NULL ? config->location : "stdin");
  tp_csv_row_init(&source->csv_header);
  source->reader = tp_reader_open(loop, config->location, config->max_record_bytes, on_line, on_end,
                                  source, err, err_size);
  if (source->reader == NULL) {
    free(source);
    return NULL;
  }
  source->base.interactive = tp_reader_is_tty(source->reader);
  source->base.live = tp_reader_is_pipe(source->reader);
  if (config->pipeline->input_format == TP_INPUT_CSV) {
    tp_reader_use_csv(source->reader, &source->csv_scanner);
    source->csv_header_pending = 1;
  }
  return &source->base;
}
