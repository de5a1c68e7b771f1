/* plugins/lua/lua_record.c - the record accessors a script calls (lua_record.h). */
#include "lua_record.h"

#include <string.h>

#include <lauxlib.h>
#include <textpipe/text.h>

#include "lua_values.h"

#define RECORD_METATABLE "textpipe.record"

static lua_record *checked_record(lua_State *state) {
  lua_record *handle = luaL_checkudata(state, 1, RECORD_METATABLE);
  if (handle->record == NULL)
    luaL_error(state, "the record is used outside process()");
  return handle;
}

static int record_text(lua_State *state) {
  lua_record *handle = checked_record(state);
  size_t length;
  const char *text = handle->host->record_text(handle->record, &length);
  lua_pushlstring(state, text != NULL ? text : "", text != NULL ? length : 0);
  return 1;
}

static int record_line(lua_State *state) {
  lua_record *handle = checked_record(state);
  lua_pushinteger(state, (lua_Integer)handle->host->record_line(handle->record));
  return 1;
}

static int record_get(lua_State *state) {
  lua_record *handle = checked_record(state);
  const char *path = luaL_checkstring(state, 2);
  lua_values_push(state, handle->host->record_field(handle->record, path));
  return 1;
}

static int record_set(lua_State *state) {
  lua_record *handle = checked_record(state);
  const char *key = luaL_checkstring(state, 2);
  luaL_checkany(state, 3);
  const char *owned = stage_keys_find(handle->keys, key);
  if (owned == NULL)
    return luaL_error(state, "record:set(\"%s\"): the key is not in the script's provides", key);
  char problem[256];
  cJSON *value = lua_values_to_json(state, 3, problem, sizeof problem);
  if (value == NULL)
    return luaL_error(state, "record:set(\"%s\"): %s", key, problem);
  if (handle->host->record_set(handle->record, owned, value) != 0)
    return luaL_error(state, "record:set(\"%s\"): the value was refused (see the log)", key);
  return 0;
}

static const tp_text *attached_text(lua_record *handle) {
  const tp_text *text = handle->host->record_attachment(handle->record, TP_TEXT_KEY);
  return text != NULL && TP_TEXT_HAS(text, language) ? text : NULL;
}

static const char *const token_type_names[] = {"word",    "number",   "url",   "email", "mention",
                                               "hashtag", "emoticon", "emoji", "punct", "symbol"};

static int record_tokens(lua_State *state) {
  lua_record *handle = checked_record(state);
  const tp_text *text = attached_text(handle);
  if (text == NULL) {
    lua_pushnil(state);
    return 1;
  }
  lua_createtable(state, (int)text->token_count, 0);
  for (size_t i = 0; i < text->token_count; i++) {
    const tp_token *token = TP_TEXT_TOKEN(text, i);
    lua_createtable(state, 0, 5);
    lua_pushlstring(state, text->text + token->start, token->length);
    lua_setfield(state, -2, "text");
    lua_pushlstring(state, token->norm, token->norm_length);
    lua_setfield(state, -2, "norm");
    lua_pushlstring(state, token->stem, token->stem_length);
    lua_setfield(state, -2, "stem");
    lua_pushstring(state, token->type < sizeof token_type_names / sizeof token_type_names[0]
                              ? token_type_names[token->type]
                              : "symbol");
    lua_setfield(state, -2, "type");
    lua_pushinteger(state, (lua_Integer)token->sentence + 1);
    lua_setfield(state, -2, "sentence");
    lua_rawseti(state, -2, (lua_Integer)i + 1);
  }
  return 1;
}

static int record_sentences(lua_State *state) {
  lua_record *handle = checked_record(state);
  const tp_text *text = attached_text(handle);
  if (text == NULL) {
    lua_pushnil(state);
    return 1;
  }
  lua_createtable(state, (int)text->sentence_count, 0);
  for (size_t i = 0; i < text->sentence_count; i++) {
    const tp_sentence *sentence = TP_TEXT_SENTENCE(text, i);
    lua_pushlstring(state, text->text + sentence->start, sentence->length);
    lua_rawseti(state, -2, (lua_Integer)i + 1);
  }
  return 1;
}

lua_record *lua_record_push_new(lua_State *state, const tp_host *host, const stage_keys *keys) {
  static const luaL_Reg methods[] = {
      {"text", record_text}, {"line", record_line},     {"get", record_get},
      {"set", record_set},   {"tokens", record_tokens}, {"sentences", record_sentences},
      {NULL, NULL},
  };
  lua_record *handle = lua_newuserdatauv(state, sizeof *handle, 0);
  *handle = (lua_record){.host = host, .keys = keys};
  if (luaL_newmetatable(state, RECORD_METATABLE)) {
    luaL_newlib(state, methods);
    lua_setfield(state, -2, "__index");
    lua_pushliteral(state, "record");
    lua_setfield(state, -2, "__metatable"); /* getmetatable(record) cannot change it */
  }
  lua_setmetatable(state, -2);
  return handle;
}
