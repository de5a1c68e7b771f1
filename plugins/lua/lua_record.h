/* plugins/lua/lua_record.h - the `record` a script's process(record, state) receives.
 *
 * One userdata per Lua state, pointed at the record in hand only while process() runs (a
 * script that keeps it and uses it later gets an error, never a dangling pointer). Every
 * method goes through the host: nothing converts the whole record to a table.
 *
 *   record:text()          the text (the pipeline's text field)
 *   record:line()          the input line number
 *   record:get("a.b.c")    a field by dotted path, as a Lua value (nil when absent)
 *   record:set(key, value) sets top-level `key`, which must be in the script's `provides`
 *   record:tokens()        tokenize's tokens: {text, norm, stem, type, sentence} each; nil
 *                          without a tokenize stage before this one
 *   record:sentences()     tokenize's sentences as strings; nil without tokenize
 */
#ifndef TP_LUA_RECORD_H
#define TP_LUA_RECORD_H

#include <stddef.h>

#include <lua.h>
#include <textpipe/plugin.h>

#include "stage_keys.h"

typedef struct lua_record {
  const tp_host *host;
  tp_record *record;      /* NULL outside process() */
  const stage_keys *keys; /* the script's provides (owned by the stage) */
} lua_record;

/* Creates the state's record userdata and its methods, and leaves it on the stack. Returns
 * the userdata's memory (valid while the state is open). Raises a Lua error on memory
 * failure (call it inside a protected call). */
lua_record *lua_record_push_new(lua_State *state, const tp_host *host, const stage_keys *keys);

#endif /* TP_LUA_RECORD_H */
