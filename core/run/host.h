/* core/run/host.h - the host API table handed to plugins (implemented in core/run/host.c).
 *
 * The table is a process-wide constant. The record functions act on the record a worker is
 * running and the stage currently processing it (the runner sets both on the record before it
 * calls process()).
 */
#ifndef TP_CORE_HOST_H
#define TP_CORE_HOST_H

#include "textpipe/plugin.h"

/* The host table passed to every plugin's create(). Never NULL, never freed. */
const tp_host *tp_host_api(void);

#endif /* TP_CORE_HOST_H */
