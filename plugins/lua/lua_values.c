/* plugins/lua/lua_values.c - Lua values to JSON and back (lua_values.h). */
#include "lua_values.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

static void push_at_depth(lua_State *state, const cJSON *value, int depth) {
  if (value == NULL || cJSON_IsNull(value) || cJSON_IsInvalid(value) || depth > LUA_VALUES_DEPTH) {
    lua_pushnil(state);
  } else if (cJSON_IsBool(value)) {
    lua_pushboolean(state, cJSON_IsTrue(value));
  } else if (cJSON_IsNumber(value)) {
    double number = value->valuedouble;
    if (number == floor(number) && fabs(number) < 9007199254740992.0)
      lua_pushinteger(state, (lua_Integer)number);
    else
      lua_pushnumber(state, number);
  } else if (cJSON_IsString(value) || cJSON_IsRaw(value)) {
    lua_pushstring(state, value->valuestring != NULL ? value->valuestring : "");
  } else {
    luaL_checkstack(state, 3, "JSON nested too deep");
    int is_array = cJSON_IsArray(value);
    lua_createtable(state, is_array ? cJSON_GetArraySize(value) : 0, is_array ? 0 : 4);
    lua_Integer position = 1;
    for (const cJSON *item = value->child; item != NULL; item = item->next) {
      push_at_depth(state, item, depth + 1);
      if (is_array)
        lua_rawseti(state, -2, position++);
      else
        lua_setfield(state, -2, item->string != NULL ? item->string : "");
    }
  }
}

void lua_values_push(lua_State *state, const cJSON *value) {
  push_at_depth(state, value, 0);
}

/* Length of the valid UTF-8 prefix of `text`. */
static size_t utf8_valid_prefix(const unsigned char *text, size_t length) {
  size_t i = 0;
  while (i < length) {
    unsigned char byte = text[i];
    size_t extra;
    unsigned int code;
    if (byte < 0x80) {
      i++;
      continue;
    } else if ((byte & 0xe0) == 0xc0) {
      extra = 1;
      code = byte & 0x1f;
    } else if ((byte & 0xf0) == 0xe0) {
      extra = 2;
      code = byte & 0x0f;
    } else if ((byte & 0xf8) == 0xf0) {
      extra = 3;
      code = byte & 0x07;
    } else {
      return i;
    }
    for (size_t k = 1; k <= extra; k++) {
      if (i + k >= length || (text[i + k] & 0xc0) != 0x80)
        return i;
      code = (code << 6) | (text[i + k] & 0x3f);
    }
    static const unsigned int smallest[] = {0, 0x80, 0x800, 0x10000};
    if (code < smallest[extra] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      return i;
    i += extra + 1;
  }
  return i;
}

typedef struct path {
  char text[160];
  size_t length;
} path;

static void path_push(path *where, const char *format, const char *key, lua_Integer position) {
  size_t room = sizeof where->text - where->length;
  int written = key != NULL ? snprintf(where->text + where->length, room, format, key)
                            : snprintf(where->text + where->length, room, format, position);
  if (written > 0)
    where->length += (size_t)written < room ? (size_t)written : room - 1;
}

static cJSON *fail(path *where, char *err, size_t err_size, const char *problem) {
  if (where->length > 0)
    snprintf(err, err_size, "at %s: %s", where->text, problem);
  else
    snprintf(err, err_size, "%s", problem);
  return NULL;
}

/* Whether the table at `index` is a sequence 1..n with n >= 1 and no other keys. */
static int is_sequence(lua_State *state, int index, lua_Integer *count) {
  lua_Integer length = (lua_Integer)lua_rawlen(state, index);
  lua_Integer keys = 0;
  lua_pushnil(state);
  while (lua_next(state, index) != 0) {
    lua_pop(state, 1);
    keys++;
  }
  *count = length;
  return length > 0 && keys == length;
}

static int by_key(const void *left, const void *right) {
  return strcmp((*(cJSON *const *)left)->string, (*(cJSON *const *)right)->string);
}

/* Orders an object's members by key, so that the same table always prints the same (Lua's
 * table order depends on a per-state hash seed). 0, or -1 on OOM (order left as it was). */
static int sort_members(cJSON *object) {
  size_t count = 0;
  for (cJSON *item = object->child; item != NULL; item = item->next)
    count++;
  if (count < 2)
    return 0;
  cJSON **items = malloc(count * sizeof *items);
  if (items == NULL)
    return -1;
  count = 0;
  for (cJSON *item = object->child; item != NULL; item = item->next)
    items[count++] = item;
  qsort(items, count, sizeof *items, by_key);
  for (size_t i = 0; i < count; i++) {
    items[i]->prev = i > 0 ? items[i - 1] : items[count - 1]; /* cJSON: head's prev is the tail */
    items[i]->next = i + 1 < count ? items[i + 1] : NULL;
  }
  object->child = items[0];
  free(items);
  return 0;
}

static cJSON *convert(lua_State *state, int index, path *where, int depth, char *err,
                      size_t err_size) {
  index = lua_absindex(state, index);
  switch (lua_type(state, index)) {
  case LUA_TNIL:
    return cJSON_CreateNull();
  case LUA_TBOOLEAN:
    return cJSON_CreateBool(lua_toboolean(state, index));
  case LUA_TNUMBER: {
    if (lua_isinteger(state, index)) {
      lua_Integer integer = lua_tointeger(state, index);
      if (integer >= 1000000000000000LL || integer <= -1000000000000000LL) {
        char digits[32];
        snprintf(digits, sizeof digits, "%lld", (long long)integer);
        return cJSON_CreateRaw(digits); /* printed exactly, as written */
      }
      return cJSON_CreateNumber((double)integer);
    }
    double number = lua_tonumber(state, index);
    if (!isfinite(number))
      return fail(where, err, err_size, "NaN and infinity are not JSON numbers");
    return cJSON_CreateNumber(number);
  }
  case LUA_TSTRING: {
    size_t length;
    const char *text = lua_tolstring(state, index, &length);
    if (utf8_valid_prefix((const unsigned char *)text, length) != length ||
        memchr(text, '\0', length) != NULL)
      return fail(where, err, err_size, "a string is not valid UTF-8 text");
    return cJSON_CreateString(text);
  }
  case LUA_TTABLE:
    break;
  default: {
    char problem[64];
    snprintf(problem, sizeof problem, "a %s cannot be written as JSON",
             luaL_typename(state, index));
    return fail(where, err, err_size, problem);
  }
  }
  if (depth >= LUA_VALUES_DEPTH)
    return fail(where, err, err_size, "nested too deep (or a table contains itself)");
  luaL_checkstack(state, 4, "table nested too deep");
  lua_Integer count;
  size_t saved = where->length;
  cJSON *result = NULL;
  if (is_sequence(state, index, &count)) {
    result = cJSON_CreateArray();
    for (lua_Integer i = 1; result != NULL && i <= count; i++) {
      lua_rawgeti(state, index, i);
      path_push(where, "[%lld]", NULL, i);
      cJSON *item = convert(state, -1, where, depth + 1, err, err_size);
      where->length = saved;
      where->text[saved] = '\0';
      lua_pop(state, 1);
      if (item == NULL || !cJSON_AddItemToArray(result, item)) {
        cJSON_Delete(item);
        cJSON_Delete(result);
        return item == NULL ? NULL : fail(where, err, err_size, "out of memory");
      }
    }
    return result;
  }
  result = cJSON_CreateObject();
  lua_pushnil(state);
  while (result != NULL && lua_next(state, index) != 0) {
    if (lua_type(state, -2) != LUA_TSTRING) {
      lua_pop(state, 2);
      cJSON_Delete(result);
      return fail(where, err, err_size, "a table mixes string keys with other keys");
    }
    size_t key_length;
    const char *key = lua_tolstring(state, -2, &key_length);
    if (utf8_valid_prefix((const unsigned char *)key, key_length) != key_length ||
        strlen(key) != key_length) {
      lua_pop(state, 2);
      cJSON_Delete(result);
      return fail(where, err, err_size, "a key is not valid UTF-8 text");
    }
    path_push(where, ".%s", key, 0);
    cJSON *item = convert(state, -1, where, depth + 1, err, err_size);
    where->length = saved;
    where->text[saved] = '\0';
    lua_pop(state, 1);
    if (item == NULL || !cJSON_AddItemToObject(result, key, item)) {
      lua_pop(state, 1);
      cJSON_Delete(item);
      cJSON_Delete(result);
      return item == NULL ? NULL : fail(where, err, err_size, "out of memory");
    }
  }
  if (result != NULL && sort_members(result) != 0) {
    cJSON_Delete(result);
    return fail(where, err, err_size, "out of memory");
  }
  return result;
}

cJSON *lua_values_to_json(lua_State *state, int index, char *err, size_t err_size) {
  path where = {{0}, 0};
  return convert(state, index, &where, 0, err, err_size);
}
