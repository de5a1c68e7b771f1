/* plugins/keys/stage_keys.h - output keys a stage learns only at create() (lua, exec).
 *
 * The core lets a stage write only keys in its descriptor's `provides`, a NULL-terminated list
 * it reads on every record_set. The lua stage learns its keys from the script's `provides`
 * table and the exec stage from its config, both in create(). Under ABI 1 the descriptor has
 * no per-stage list, so each of these plugins points `provides` at one process-wide list that
 * grows as its stages are created (stage_keys_add), and checks a stage's own keys itself
 * (stage_keys_has) before it calls record_set. Keys are only ever appended, before any worker
 * starts, with the terminating NULL already in place, so readers on worker threads never see
 * a half-written list. Interned key strings live until the plugin is unloaded (its destructor
 * calls stage_keys_clear).
 */
#ifndef TP_PLUGINS_STAGE_KEYS_H
#define TP_PLUGINS_STAGE_KEYS_H

#include <stddef.h>

/* The most distinct keys all stages of one plugin may declare together. */
#define STAGE_KEYS_MAX 64

typedef struct stage_keys {
  const char *list[STAGE_KEYS_MAX + 1]; /* NULL-terminated; what `provides` points at */
  size_t count;
} stage_keys;

/* Whether `key` is a name a stage may declare: [A-Za-z0-9_-]{1,64}. */
int stage_keys_name_ok(const char *key);

/* Adds `key` to `keys` unless it is already there. Returns the interned string (valid until
 * the plugin is unloaded), or NULL when the list is full or memory runs out. Call only from
 * create() (the core creates stages one at a time, before workers start). */
const char *stage_keys_add(stage_keys *keys, const char *key);

/* Declares `key` for one stage: checks the name, interns it in `keys` and appends it to the
 * stage's own list `own` (*own_count entries, room for STAGE_KEYS_MAX) unless already there.
 * Returns 0, or -1 with a one-line reason in err (bad name, too many keys, out of memory). */
int stage_keys_declare(stage_keys *keys, const char **own, size_t *own_count, const char *key,
                       char *err, size_t err_size);

/* Frees the interned strings and empties `keys`. Call from the plugin's unload destructor
 * only (nothing may read the list afterwards). */
void stage_keys_clear(stage_keys *keys);

/* Whether `key` is among the `count` strings of `own` (a stage's own declared keys). */
int stage_keys_has(const char *const *own, size_t count, const char *key);

#endif /* TP_PLUGINS_STAGE_KEYS_H */
