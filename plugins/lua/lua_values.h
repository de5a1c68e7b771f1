/* plugins/lua/lua_values.h - Lua values to JSON and back, for record fields, the state merged
 * between workers and the report section.
 *
 * JSON to Lua: objects and arrays become tables (arrays 1-based), null becomes nil, numbers
 * become integers when they are whole and exact, floats otherwise. Lua to JSON: a table whose
 * keys are exactly 1..n becomes an array, a table with string keys an object (an empty table
 * is an empty object); numbers must be finite; strings must be valid UTF-8; nesting is at
 * most LUA_VALUES_DEPTH deep (which also stops cycles).
 */
#ifndef TP_LUA_VALUES_H
#define TP_LUA_VALUES_H

#include <stddef.h>

#include <cjson/cJSON.h>
#include <lua.h>

#define LUA_VALUES_DEPTH 64

/* Pushes `value` (NULL pushes nil) onto the stack; raises a Lua error on memory failure. */
void lua_values_push(lua_State *state, const cJSON *value);

/* The Lua value at `index` as a new cJSON item (the caller owns it), or NULL with a one-line
 * reason in err (what is wrong and where in the value, e.g. "at .counts.x: NaN is not a JSON
 * number"). Raises a Lua error on memory failure. */
cJSON *lua_values_to_json(lua_State *state, int index, char *err, size_t err_size);

#endif /* TP_LUA_VALUES_H */
