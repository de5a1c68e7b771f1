/* plugins/exec/exec_print.h - the exec stage's request printer: a record as one compact JSON
 * line, appended to a growing buffer.
 *
 * Leaner than cJSON_PrintUnformatted (no allocation per record, no second copy) and exact for
 * the numbers the core keeps as text: a number with a valuestring (a 64-bit id, see
 * TP_JSON_PRINTED_EXACTLY_BELOW in textpipe/plugin.h) goes out as that text, so the child
 * sees it as written in the input. Other numbers go out as integers when they are whole and
 * below TP_JSON_PRINTED_EXACTLY_BELOW, else with the fewest digits (15 or 17) that read back
 * as the same double; NaN and infinities as null (as cJSON does).
 */
#ifndef TP_EXEC_PRINT_H
#define TP_EXEC_PRINT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <textpipe/plugin.h>

/* A growing byte buffer; the caller owns `bytes` (freed with host->free). */
typedef struct exec_buffer {
  char *bytes;
  size_t used, capacity;
} exec_buffer;

/* Appends `{"id":<id>,"record":<record>}\n`. 0, or -1 on OOM (the buffer keeps its old
 * bytes, `used` unchanged). */
int exec_print_request(exec_buffer *buffer, const tp_host *host, uint64_t id, const cJSON *record);

#endif /* TP_EXEC_PRINT_H */
