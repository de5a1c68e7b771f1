/* core/util/log.h - the one message shape textpipe uses on stderr.
 *
 *   textpipe: error: pipelines/x.json:12:7: expected ',' or '}'
 *   textpipe: warn: my-stage: word list entry "foo" ignored
 *
 * Thread-safe: each message is written with a single write(2).
 */
#ifndef TP_CORE_LOG_H
#define TP_CORE_LOG_H

#include <stdarg.h>

#include "textpipe/plugin.h"

/* Minimum level printed; TP_LOG_INFO unless changed (e.g. by --quiet or --verbose). */
void tp_log_set_level(tp_log_level level);

/* While `shown` is nonzero, each message starts by erasing the terminal's current line, where
 * the progress line (progress.h) is drawn; the progress line draws itself again below. */
void tp_log_progress_line(int shown);

/* Prints "textpipe: <level>: [<scope>: ]<message>\n". `scope` may be NULL. */
void tp_log(tp_log_level level, const char *scope, const char *fmt, ...) TP_PRINTF(3, 4);
void tp_logv(tp_log_level level, const char *scope, const char *fmt, va_list args);

#endif /* TP_CORE_LOG_H */
