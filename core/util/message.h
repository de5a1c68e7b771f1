/* core/util/message.h - bounded formatting for the fixed-size error buffers the core uses.
 *
 * Messages are built in caller-owned buffers (tp_error, plugin `err`) and may be cut when
 * very long; tp_format makes the cut explicit and returns a length that never runs past the
 * buffer, so `used += tp_format(buffer + used, size - used, ...)` is always safe.
 */
#ifndef TP_CORE_MESSAGE_H
#define TP_CORE_MESSAGE_H

#include <stddef.h>

#include "textpipe/plugin.h"

/* vsnprintf into `buffer` (`size` > 0). Returns the number of bytes written, excluding the
 * NUL: at most size - 1 (the text is cut when it does not fit). */
size_t tp_format(char *buffer, size_t size, const char *fmt, ...) TP_PRINTF(3, 4);

#endif /* TP_CORE_MESSAGE_H */
