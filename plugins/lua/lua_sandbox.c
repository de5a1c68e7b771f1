/* plugins/lua/lua_sandbox.c - a sandboxed Lua state with an instruction budget and memory caps
 * (lua_sandbox.h). */
#include "lua_sandbox.h"

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "lua_values.h"

/* The count hook runs every HOOK_STEP instructions; the budget is checked in those steps. */
#define HOOK_STEP 1000
/* print() lines logged per state before the rest are only counted. */
#define PRINT_LINES 20

sandbox *sandbox_of(lua_State *state) {
  void *user_data = NULL;
  lua_getallocf(state, &user_data);
  return user_data;
}

void sandbox_where(lua_State *state, const sandbox *box, char *out, size_t size) {
  lua_Debug frame;
  for (int level = 0; state != NULL && lua_getstack(state, level, &frame); level++) {
    if (lua_getinfo(state, "Sl", &frame) && frame.currentline > 0) {
      snprintf(out, size, "%s:%d", box->chunk_name, frame.currentline);
      return;
    }
  }
  snprintf(out, size, "%s", box->chunk_name);
}

/* The allocator: every byte counted; growth refused past the state's cap, or past the call's
 * cap while a call runs (Lua then raises a memory error, after one emergency collection). */
static void *sandbox_alloc(void *user_data, void *pointer, size_t old_size, size_t new_size) {
  sandbox *box = user_data;
  if (pointer == NULL)
    old_size = 0; /* Lua passes the object type here for new blocks */
  if (new_size == 0) {
    box->host->free(pointer);
    box->used -= old_size;
    return NULL;
  }
  if (new_size > old_size) {
    size_t growth = new_size - old_size;
    int refused = 0;
    if (box->in_call && box->used + growth > box->call_base + box->limits.call_bytes)
      refused = 1;
    else if (box->used + growth > box->limits.state_bytes)
      refused = 2;
    if (refused) {
      if (!box->memory_refused) {
        box->memory_refused = refused;
        /* Only reads the call stack (no allocation), so it is safe from here. */
        sandbox_where(box->state, box, box->refused_where, sizeof box->refused_where);
      }
      return NULL;
    }
  }
  void *resized = box->host->realloc(pointer, new_size);
  if (resized != NULL)
    box->used = box->used - old_size + new_size;
  return resized;
}

static void count_hook(lua_State *state, lua_Debug *frame) {
  (void)frame;
  sandbox *box = sandbox_of(state);
  if (!box->exhausted) {
    box->instructions += HOOK_STEP;
    if (box->instructions <= box->limits.instructions)
      return;
    box->exhausted = 1;
  }
  /* From now on every instruction of this thread raises the error again, so a pcall in the
   * script cannot swallow it and go on. */
  lua_sethook(state, count_hook, LUA_MASKCOUNT, 1);
  char where[192];
  sandbox_where(state, box, where, sizeof where);
  lua_pushfstring(state, "%s: instruction budget of %I per call exceeded", where,
                  (lua_Integer)box->limits.instructions);
  lua_error(state);
}

/* Adds "file:line: " to a message that lacks the script's position, and turns an error value
 * that is not a string into a message. */
static int message_handler(lua_State *state) {
  sandbox *box = sandbox_of(state);
  size_t name_length = strlen(box->chunk_name);
  const char *message = lua_tostring(state, 1);
  char where[192];
  if (message != NULL && strncmp(message, box->chunk_name, name_length) == 0 &&
      message[name_length] == ':')
    return 1;
  sandbox_where(state, box, where, sizeof where);
  if (message != NULL)
    lua_pushfstring(state, "%s: %s", where, message);
  else
    lua_pushfstring(state, "%s: error() raised a %s value, not a message", where,
                    luaL_typename(state, 1));
  return 1;
}

int sandbox_call(sandbox *box, int arg_count, int result_count, char *err, size_t err_size) {
  lua_State *state = box->state;
  int function_index = lua_gettop(state) - arg_count;
  lua_pushcfunction(state, message_handler);
  lua_insert(state, function_index);
  box->instructions = 0;
  box->exhausted = 0;
  box->memory_refused = 0;
  box->call_base = box->used;
  box->in_call = 1;
  lua_sethook(state, count_hook, LUA_MASKCOUNT, HOOK_STEP);
  int status = lua_pcall(state, arg_count, result_count, function_index);
  box->in_call = 0;
  lua_remove(state, function_index);
  if (status == LUA_OK)
    return 0;
  if (status == LUA_ERRMEM && box->memory_refused != 0)
    snprintf(err, err_size, "%s: memory limit of %g MB %s exceeded", box->refused_where,
             (double)(box->memory_refused == 1 ? box->limits.call_bytes : box->limits.state_bytes) /
                 1048576.0,
             box->memory_refused == 1 ? "per call" : "for the script's state");
  else if (status == LUA_ERRMEM)
    snprintf(err, err_size, "%s: out of memory", box->chunk_name);
  else
    snprintf(err, err_size, "%s", lua_tostring(state, -1) ? lua_tostring(state, -1) : "error");
  lua_pop(state, 1);
  /* What the failed call left behind goes now, so the next call starts from a clean base. */
  lua_gc(state, LUA_GCCOLLECT);
  return -1;
}

/* print(...): one log line (INFO) per call, the first PRINT_LINES per state. */
static int sandbox_print(lua_State *state) {
  sandbox *box = sandbox_of(state);
  if (box->prints++ >= PRINT_LINES) {
    if (box->prints == PRINT_LINES + 1)
      box->host->log(box->stage, TP_LOG_INFO, "%s: further print() output is not shown",
                     box->chunk_name);
    return 0;
  }
  luaL_Buffer buffer;
  luaL_buffinit(state, &buffer);
  for (int i = 1; i <= lua_gettop(state); i++) {
    if (i > 1)
      luaL_addchar(&buffer, '\t');
    luaL_tolstring(state, i, NULL);
    luaL_addvalue(&buffer);
  }
  luaL_pushresult(&buffer);
  box->host->log(box->stage, TP_LOG_INFO, "%s: %s", box->chunk_name, lua_tostring(state, -1));
  return 0;
}

/* collectgarbage limited to reading the count and collecting (no tuning, no stopping). */
static int sandbox_collectgarbage(lua_State *state) {
  const char *option = luaL_optstring(state, 1, "collect");
  if (strcmp(option, "count") == 0) {
    lua_pushnumber(state, (lua_Number)lua_gc(state, LUA_GCCOUNT) +
                              (lua_Number)lua_gc(state, LUA_GCCOUNTB) / 1024.0);
    return 1;
  }
  if (strcmp(option, "collect") == 0 || strcmp(option, "step") == 0) {
    lua_gc(state, strcmp(option, "collect") == 0 ? LUA_GCCOLLECT : LUA_GCSTEP, 0);
    lua_pushinteger(state, 0);
    return 1;
  }
  return luaL_error(state, "collectgarbage(\"%s\") is not allowed in this pipeline", option);
}

/* Loads a chunk in text mode into a function whose _ENV is the globals. */
static int load_text(lua_State *state, const char *text, size_t length, const char *name) {
  return luaL_loadbufferx(state, text, length, name, "t");
}

/* load(chunk [, name]): text chunks only (strings; no reader functions, no mode). */
static int sandbox_load(lua_State *state) {
  size_t length;
  const char *text = luaL_checklstring(state, 1, &length);
  const char *name = luaL_optstring(state, 2, "=(load)");
  if (load_text(state, text, length, name) != LUA_OK) {
    lua_pushnil(state);
    lua_insert(state, -2);
    return 2;
  }
  return 1;
}

/* The file `name` beside the script (no absolute paths, no ".."), read and loaded in text
 * mode; pushes the function, or raises an error. */
static void load_beside_script(lua_State *state, const char *name) {
  sandbox *box = sandbox_of(state);
  if (name[0] == '/' || strstr(name, "..") != NULL)
    luaL_error(state, "\"%s\": only files beside the script may be loaded", name);
  char path[2048];
  snprintf(path, sizeof path, "%s/%s", box->script_dir, name);
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    luaL_error(state, "cannot open \"%s\"", name);
  luaL_Buffer buffer;
  luaL_buffinit(state, &buffer);
  char block[4096];
  size_t got;
  while ((got = fread(block, 1, sizeof block, file)) > 0)
    luaL_addlstring(&buffer, block, got);
  fclose(file);
  luaL_pushresult(&buffer);
  size_t length;
  const char *text = lua_tolstring(state, -1, &length);
  lua_pushfstring(state, "@%s", name);
  if (load_text(state, text, length, lua_tostring(state, -1)) != LUA_OK)
    lua_error(state);
  lua_replace(state, -3);
  lua_pop(state, 1);
}

static int sandbox_dofile(lua_State *state) {
  load_beside_script(state, luaL_checkstring(state, 1));
  lua_call(state, 0, LUA_MULTRET);
  return lua_gettop(state) - 1;
}

static int sandbox_loadfile(lua_State *state) {
  load_beside_script(state, luaL_checkstring(state, 1));
  return 1;
}

/* require(name): name.lua beside the script (dots are folders), run once, result cached. */
static int sandbox_require(lua_State *state) {
  const char *name = luaL_checkstring(state, 1);
  for (const char *c = name; *c != '\0'; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
          *c == '_' || *c == '.'))
      return luaL_error(state, "require(\"%s\"): module names are letters, digits, _ and .", name);
  lua_getfield(state, LUA_REGISTRYINDEX, "textpipe.modules");
  lua_getfield(state, -1, name);
  if (!lua_isnil(state, -1))
    return 1;
  lua_pop(state, 1);
  char file[512];
  snprintf(file, sizeof file, "%s.lua", name);
  for (char *c = file; *c != '\0' && strcmp(c, ".lua") != 0; c++)
    if (*c == '.')
      *c = '/';
  load_beside_script(state, file);
  lua_call(state, 0, 1);
  if (lua_isnil(state, -1)) {
    lua_pop(state, 1);
    lua_pushboolean(state, 1);
  }
  lua_pushvalue(state, -1);
  lua_setfield(state, -3, name);
  return 1;
}

static void set_global_function(lua_State *state, const char *name, lua_CFunction function) {
  lua_pushcfunction(state, function);
  lua_setglobal(state, name);
}

static void remove_field(lua_State *state, const char *table, const char *field) {
  if (lua_getglobal(state, table) == LUA_TTABLE) {
    lua_pushnil(state);
    lua_setfield(state, -2, field);
  }
  lua_pop(state, 1);
}

/* Opens the allowed libraries and takes out what the sandbox refuses (in protected mode, as
 * opening libraries allocates). */
static int open_libraries(lua_State *state) {
  sandbox *box = sandbox_of(state);
  unsigned allow = box->limits.allow;
  static const struct {
    const char *name;
    lua_CFunction open;
    unsigned needs; /* 0: always */
  } libraries[] = {
      {LUA_GNAME, luaopen_base, 0},
      {LUA_TABLIBNAME, luaopen_table, 0},
      {LUA_STRLIBNAME, luaopen_string, 0},
      {LUA_MATHLIBNAME, luaopen_math, 0},
      {LUA_UTF8LIBNAME, luaopen_utf8, 0},
      {LUA_COLIBNAME, luaopen_coroutine, 0},
      {LUA_OSLIBNAME, luaopen_os, SANDBOX_ALLOW_OS},
      {LUA_IOLIBNAME, luaopen_io, SANDBOX_ALLOW_IO},
      {LUA_DBLIBNAME, luaopen_debug, SANDBOX_ALLOW_DEBUG},
  };
  for (size_t i = 0; i < sizeof libraries / sizeof libraries[0]; i++) {
    if (libraries[i].needs != 0 && !(allow & libraries[i].needs))
      continue;
    luaL_requiref(state, libraries[i].name, libraries[i].open, 1);
    lua_pop(state, 1);
  }
  /* package.loaded would hand io, os or debug back to the script: drop the whole table. */
  lua_pushnil(state);
  lua_setfield(state, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  set_global_function(state, "print", sandbox_print);
  lua_pushnil(state);
  lua_setglobal(state, "load");
  lua_pushnil(state);
  lua_setglobal(state, "loadfile");
  lua_pushnil(state);
  lua_setglobal(state, "dofile");
  if (allow & SANDBOX_ALLOW_LOAD) {
    set_global_function(state, "load", sandbox_load);
    set_global_function(state, "loadfile", sandbox_loadfile);
    set_global_function(state, "dofile", sandbox_dofile);
  }
  if (!(allow & SANDBOX_ALLOW_GC))
    set_global_function(state, "collectgarbage", sandbox_collectgarbage);
  if (!(allow & SANDBOX_ALLOW_DUMP))
    remove_field(state, LUA_STRLIBNAME, "dump");
  if (allow & SANDBOX_ALLOW_OS)
    remove_field(state, LUA_OSLIBNAME, "exit"); /* it would end textpipe without a summary */
  const cJSON *params = lua_touserdata(state, 1);
  if (params != NULL)
    lua_values_push(state, params);
  else
    lua_newtable(state);
  lua_setglobal(state, "params");
  if (allow & SANDBOX_ALLOW_REQUIRE) {
    lua_newtable(state);
    lua_setfield(state, LUA_REGISTRYINDEX, "textpipe.modules");
    set_global_function(state, "require", sandbox_require);
  }
  return 0;
}

int sandbox_open(sandbox *box, const tp_host *host, const tp_stage *stage,
                 const sandbox_limits *limits, const char *script_path, const char *source,
                 size_t source_length, const cJSON *params, char *err, size_t err_size) {
  memset(box, 0, sizeof *box);
  box->host = host;
  box->stage = stage;
  box->limits = *limits;
  const char *slash = strrchr(script_path, '/');
  snprintf(box->chunk_name, sizeof box->chunk_name, "%s", slash ? slash + 1 : script_path);
  snprintf(box->script_dir, sizeof box->script_dir, "%.*s", slash ? (int)(slash - script_path) : 1,
           slash ? script_path : ".");
  box->state = lua_newstate(sandbox_alloc, box);
  if (box->state == NULL) {
    snprintf(err, err_size, "%s: out of memory creating the Lua state", box->chunk_name);
    return -1;
  }
  lua_State *state = box->state;
  lua_pushcfunction(state, open_libraries);
  lua_pushlightuserdata(state, (void *)params);
  if (sandbox_call(box, 1, 0, err, err_size) != 0)
    goto fail;
  char chunk_name[sizeof box->chunk_name + 1];
  snprintf(chunk_name, sizeof chunk_name, "@%s", box->chunk_name);
  int status = load_text(state, source, source_length, chunk_name);
  if (status != LUA_OK) {
    const char *message = lua_tostring(state, -1);
    if (message != NULL && strstr(message, "binary chunk") != NULL)
      snprintf(err, err_size, "%s: a precompiled (bytecode) script is refused; give the source",
               box->chunk_name);
    else
      snprintf(err, err_size, "%s", message != NULL ? message : "cannot load the script");
    goto fail;
  }
  if (sandbox_call(box, 0, 0, err, err_size) != 0)
    goto fail;
  return 0;
fail:
  sandbox_close(box);
  return -1;
}

void sandbox_close(sandbox *box) {
  if (box->state != NULL)
    lua_close(box->state);
  box->state = NULL;
}
