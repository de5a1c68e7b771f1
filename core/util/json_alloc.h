/* core/util/json_alloc.h - cJSON's allocator: a per-worker cache of node-sized blocks and of
 * short strings' blocks (json_alloc.c: three size classes up to 56 bytes).
 *
 * Every record's tree is built from cJSON nodes (64 bytes each): the parse makes some, each
 * stage's output more (per-sentence scores, for one, about 30 a record), and the whole tree is
 * freed when the record is printed. glibc keeps only 7 freed blocks of a size per thread
 * (tcache); the rest go to its fastbins, which the next large allocation consolidates, so a
 * batch's ~9,000 nodes went through malloc's slow paths twice (a tenth of the default
 * pipeline's time). Here a worker keeps up to TP_JSON_NODE_CACHE freed node-sized blocks in a
 * thread-local list and hands them back to the next node it makes; short strings (keys,
 * labels, phrases) likewise, up to TP_JSON_STRING_CACHE a class.
 *
 * Nothing changes about ownership or lifetimes: every block comes from malloc and can be freed
 * by free() on any thread, so a node made on one thread and deleted on another (a plugin's
 * report, a partial merged at the end) is fine. Threads that never call
 * tp_json_alloc_thread_start() (the loop thread, finish()) use malloc and free directly.
 */
#ifndef TP_CORE_JSON_ALLOC_H
#define TP_CORE_JSON_ALLOC_H

#include <cjson/cJSON.h>

/* Most freed blocks a worker keeps (about 1.2 MB). */
#define TP_JSON_NODE_CACHE 16384

/* Most freed short strings a worker keeps of each class (json_alloc.c: at most 64 bytes a
 * block, 0.6 MB for the three). */
#define TP_JSON_STRING_CACHE 4096

/* Installs the allocator as cJSON's hooks (process-wide, for plugins too). Idempotent and
 * thread-safe; call before the workers start. */
void tp_json_alloc_install(void);

/* The calling thread caches node blocks from now on (a worker, at its start). */
void tp_json_alloc_thread_start(void);

/* Frees the calling thread's cached blocks and stops caching (a worker, before it exits). */
void tp_json_alloc_thread_stop(void);

/* cJSON_Delete(item), item's siblings after it included, the same blocks freed: the nodes go
 * straight to the calling thread's cache (when it caches), the strings through cJSON's hooks.
 * Only for trees whose nodes cJSON made (every node is one sizeof(cJSON) allocation) and
 * whose strings came from cJSON's allocator, which is every tree of a record. NULL is fine. */
void tp_json_delete(cJSON *item);

#endif /* TP_CORE_JSON_ALLOC_H */
