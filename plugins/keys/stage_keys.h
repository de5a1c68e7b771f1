/* plugins/keys/stage_keys.h - the output keys a stage learns at create() (lua, exec).
 *
 * The lua stage learns its keys from the script's `provides` table and the exec stage from
 * its config; both hand them to the core through the descriptor's stage_keys() (ABI 2.1),
 * and check them themselves before each record_set. A stage_keys list belongs to one
 * instance and lives until destroy() (records keep the key strings until they are written).
 */
#ifndef TP_PLUGINS_STAGE_KEYS_H
#define TP_PLUGINS_STAGE_KEYS_H

#include <stddef.h>

#include <textpipe/plugin.h>

/* The most keys one stage may declare. */
#define STAGE_KEYS_MAX 64

typedef struct stage_keys {
  char *list[STAGE_KEYS_MAX + 1]; /* NULL-terminated copies (host->alloc) */
  size_t count;
} stage_keys;

/* Whether `key` is a name a stage may declare: [A-Za-z0-9_-]{1,64}. */
int stage_keys_name_ok(const char *key);

/* Adds a copy of `key` unless it is there already. Returns 0, or -1 with a one-line reason in
 * err (not a key name, too many keys, out of memory). */
int stage_keys_declare(stage_keys *keys, const tp_host *host, const char *key, char *err,
                       size_t err_size);

/* The declared key equal to `key` (the stored copy, valid until stage_keys_free), or NULL. */
const char *stage_keys_find(const stage_keys *keys, const char *key);

/* Frees the copies and empties `keys`. */
void stage_keys_free(stage_keys *keys, const tp_host *host);

#endif /* TP_PLUGINS_STAGE_KEYS_H */
