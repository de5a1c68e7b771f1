/* plugins/lua/lua.c - the lua stage: rules written in Lua, run in a sandbox on every record.
 *
 * The stage's "script" defines process(record, state) and optionally provides (the keys it
 * sets), init() (a worker's starting state; default {}), merge(a, b) (folds worker b's state
 * into a's; default: numbers add up, tables merge key by key) and finish(state) (the report
 * section, a table; it may carry report "blocks"). process() returning false drops the record.
 *
 * Each worker runs its own Lua 5.4 state (lua_sandbox.c), so the stage is concurrent; the
 * record is reached through host accessors (lua_record.c), never converted to a table. A
 * record whose call fails (script error, instruction budget, memory cap) is dead-lettered with
 * the script's file:line and the state stays in use for the next record. Lua 5.4 was chosen
 * over LuaJIT by measurement (plugins/lua/README.md): LuaJIT's compiled loops do not run count
 * hooks, so its instruction budget holds only with the JIT off. The keys the script declares
 * reach the core through stage_keys() (ABI 2.1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <textpipe/plugin.h>

#include "lua_record.h"
#include "lua_sandbox.h"
#include "lua_values.h"
#include "stage_keys.h"

typedef struct lua_stage {
  const tp_host *host;
  const tp_stage *stage;
  char *script_path;
  char *source;
  size_t source_length;
  const cJSON *params; /* the config's "params" (owned by the core) or NULL */
  sandbox_limits limits;
  stage_keys keys; /* the script's provides: the core's stage_keys() */
} lua_stage;

/* One worker's state. */
typedef struct lua_worker {
  sandbox box;
  lua_record *record;
  int process_ref, merge_ref, finish_ref, state_ref, record_ref;
  uint64_t records, failed;
} lua_worker;

static const char *const allow_names[] = {"os",   "io",    "require",        "load",
                                          "dump", "debug", "collectgarbage", NULL};

static const tp_option options[] = {
    {.name = "script",
     .type = TP_OPTION_PATH,
     .description = "The Lua 5.4 script defining process(record, state)",
     .required = 1},
    {.name = "params",
     .type = TP_OPTION_OBJECT,
     .description = "Any JSON object; the script reads it as the global table `params`"},
    {.name = "allow",
     .type = TP_OPTION_STRING_LIST,
     .default_json = "[]",
     .description = "Refused by default, allowed here: os, io, require, load, dump, debug, "
                    "collectgarbage"},
    {.name = "instruction_limit",
     .type = TP_OPTION_INT,
     .default_json = "10000000",
     .min = 1000,
     .max = 1e12,
     .description = "Lua instructions one call (one record) may run before it is stopped"},
    {.name = "call_memory_mb",
     .type = TP_OPTION_NUMBER,
     .default_json = "64",
     .min = 0.01,
     .max = 65536,
     .description = "MB the state may grow by during one call (one record)"},
    {.name = "state_memory_mb",
     .type = TP_OPTION_NUMBER,
     .default_json = "512",
     .min = 0.1,
     .max = 65536,
     .description = "MB one worker's Lua state may hold in all"},
    {.name = NULL},
};

static char *read_file(const tp_host *host, const char *path, size_t *length) {
  FILE *file = fopen(path, "rb");
  char *text = NULL;
  size_t used = 0, capacity = 0;
  if (file == NULL)
    return NULL;
  for (;;) {
    if (used + 4096 + 1 > capacity) {
      char *bigger = host->realloc(text, capacity = (used + 4096 + 1) * 2);
      if (bigger == NULL) {
        host->free(text);
        fclose(file);
        return NULL;
      }
      text = bigger;
    }
    size_t got = fread(text + used, 1, capacity - used - 1, file);
    used += got;
    if (got == 0)
      break;
  }
  fclose(file);
  text[used] = '\0';
  *length = used;
  return text;
}

static void destroy(void *instance) {
  lua_stage *stage = instance;
  if (stage == NULL)
    return;
  stage_keys_free(&stage->keys, stage->host);
  stage->host->free(stage->source);
  stage->host->free(stage->script_path);
  stage->host->free(stage);
}

/* Reads the script's `provides` (a list of key names) into stage->keys. 0 or -1 with err. */
static int read_provides(lua_stage *stage, lua_State *state, const char *chunk, char *err,
                         size_t err_size) {
  int type = lua_getglobal(state, "provides");
  int status = 0;
  if (type == LUA_TNIL)
    goto done;
  if (type != LUA_TTABLE) {
    snprintf(err, err_size, "%s: provides must be a list of key names, not a %s", chunk,
             lua_typename(state, type));
    status = -1;
    goto done;
  }
  for (lua_Integer i = 1; status == 0; i++) {
    if (lua_rawgeti(state, -1, i) == LUA_TNIL) {
      lua_pop(state, 1);
      break;
    }
    const char *key = lua_type(state, -1) == LUA_TSTRING ? lua_tostring(state, -1) : NULL;
    char reason[200];
    if (stage_keys_declare(&stage->keys, stage->host, key, reason, sizeof reason) != 0) {
      snprintf(err, err_size, "%s: provides[%lld]: %s", chunk, (long long)i, reason);
      status = -1;
    }
    lua_pop(state, 1);
  }
done:
  lua_pop(state, 1);
  return status;
}

static int create(const tp_host *host, const tp_stage *stage_handle, const cJSON *config,
                  void **instance, char *err, size_t err_size) {
  lua_stage *stage = host->alloc(sizeof *stage);
  if (stage == NULL) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  *stage = (lua_stage){.host = host, .stage = stage_handle};
  const char *path = cJSON_GetObjectItemCaseSensitive(config, "script")->valuestring;
  const cJSON *params = cJSON_GetObjectItemCaseSensitive(config, "params");
  stage->params = cJSON_IsObject(params) ? params : NULL;
  stage->limits.instructions =
      (long long)cJSON_GetObjectItemCaseSensitive(config, "instruction_limit")->valuedouble;
  stage->limits.call_bytes =
      (size_t)(cJSON_GetObjectItemCaseSensitive(config, "call_memory_mb")->valuedouble * 1048576);
  stage->limits.state_bytes =
      (size_t)(cJSON_GetObjectItemCaseSensitive(config, "state_memory_mb")->valuedouble * 1048576);
  const cJSON *allowed;
  cJSON_ArrayForEach(allowed, cJSON_GetObjectItemCaseSensitive(config, "allow")) {
    size_t i = 0;
    while (allow_names[i] != NULL && strcmp(allow_names[i], allowed->valuestring) != 0)
      i++;
    if (allow_names[i] == NULL) {
      snprintf(err, err_size,
               "allow: \"%s\" is not one of os, io, require, load, dump, debug, collectgarbage",
               allowed->valuestring);
      goto fail;
    }
    stage->limits.allow |= 1u << i;
  }
  stage->script_path = host->alloc(strlen(path) + 1);
  if (stage->script_path == NULL)
    goto out_of_memory;
  memcpy(stage->script_path, path, strlen(path) + 1);
  stage->source = read_file(host, path, &stage->source_length);
  if (stage->source == NULL) {
    snprintf(err, err_size, "cannot read the script %s", path);
    goto fail;
  }
  /* Load once now, so that a broken script stops the pipeline before any record. */
  sandbox check;
  if (sandbox_open(&check, host, stage_handle, &stage->limits, path, stage->source,
                   stage->source_length, stage->params, err, err_size) != 0)
    goto fail;
  int status = read_provides(stage, check.state, check.chunk_name, err, err_size);
  if (status == 0 && lua_getglobal(check.state, "process") != LUA_TFUNCTION) {
    snprintf(err, err_size, "%s: defines no function process(record, state)", check.chunk_name);
    status = -1;
  }
  sandbox_close(&check);
  if (status != 0)
    goto fail;
  *instance = stage;
  return 0;
out_of_memory:
  snprintf(err, err_size, "out of memory");
fail:
  destroy(stage);
  return -1;
}

/* A global function's registry reference, or LUA_NOREF when the global is not a function. */
static int function_ref(lua_State *state, const char *name) {
  if (lua_getglobal(state, name) != LUA_TFUNCTION) {
    lua_pop(state, 1);
    return LUA_NOREF;
  }
  return luaL_ref(state, LUA_REGISTRYINDEX);
}

/* Used when the script has no merge(a, b): numbers add up, tables merge key by key, a key
 * only b has is copied; a is returned. */
static const char default_merge[] =
    "local function merge(a, b)\n"
    "  for key, value in pairs(b) do\n"
    "    local old = a[key]\n"
    "    if type(old) == 'number' and type(value) == 'number' then a[key] = old + value\n"
    "    elseif type(old) == 'table' and type(value) == 'table' then merge(old, value)\n"
    "    elseif old == nil then a[key] = value end\n"
    "  end\n"
    "  return a\n"
    "end\n"
    "return merge\n";

/* In protected mode: the worker's references, its record userdata and its state (init()). */
static int setup_worker(lua_State *state) {
  lua_worker *worker = lua_touserdata(state, 1);
  const lua_stage *stage = lua_touserdata(state, 2);
  worker->process_ref = function_ref(state, "process");
  worker->finish_ref = function_ref(state, "finish");
  worker->merge_ref = function_ref(state, "merge");
  if (worker->merge_ref == LUA_NOREF) {
    if (luaL_loadbufferx(state, default_merge, sizeof default_merge - 1, "=default merge", "t"))
      return lua_error(state);
    lua_call(state, 0, 1);
    worker->merge_ref = luaL_ref(state, LUA_REGISTRYINDEX);
  }
  worker->record = lua_record_push_new(state, stage->host, &stage->keys);
  worker->record_ref = luaL_ref(state, LUA_REGISTRYINDEX);
  if (lua_getglobal(state, "init") == LUA_TFUNCTION) {
    lua_call(state, 0, 1);
    if (!lua_istable(state, -1))
      return luaL_error(state, "init() must return a table (the worker's state)");
  } else {
    lua_pop(state, 1);
    lua_newtable(state);
  }
  worker->state_ref = luaL_ref(state, LUA_REGISTRYINDEX);
  return 0;
}

static void partial_destroy(void *instance, void *partial) {
  lua_stage *stage = instance;
  lua_worker *worker = partial;
  if (worker == NULL)
    return;
  sandbox_close(&worker->box);
  stage->host->free(worker);
}

static void *partial_create(void *instance) {
  lua_stage *stage = instance;
  lua_worker *worker = stage->host->alloc(sizeof *worker);
  char err[512];
  if (worker == NULL)
    return NULL;
  memset(worker, 0, sizeof *worker);
  if (sandbox_open(&worker->box, stage->host, stage->stage, &stage->limits, stage->script_path,
                   stage->source, stage->source_length, stage->params, err, sizeof err) != 0) {
    stage->host->log(stage->stage, TP_LOG_ERROR, "%s", err);
    stage->host->free(worker);
    return NULL;
  }
  lua_State *state = worker->box.state;
  lua_pushcfunction(state, setup_worker);
  lua_pushlightuserdata(state, worker);
  lua_pushlightuserdata(state, stage);
  if (sandbox_call(&worker->box, 2, 0, err, sizeof err) != 0) {
    stage->host->log(stage->stage, TP_LOG_ERROR, "%s", err);
    partial_destroy(instance, worker);
    return NULL;
  }
  return worker;
}

static tp_result process(void *instance, void *partial, tp_record *record, char *err,
                         size_t err_size) {
  (void)instance;
  lua_worker *worker = partial;
  lua_State *state = worker->box.state;
  worker->records++;
  /* Registry reads of existing keys: no allocation, so no error outside the protected call. */
  lua_rawgeti(state, LUA_REGISTRYINDEX, worker->process_ref);
  lua_rawgeti(state, LUA_REGISTRYINDEX, worker->record_ref);
  lua_rawgeti(state, LUA_REGISTRYINDEX, worker->state_ref);
  worker->record->record = record;
  int status = sandbox_call(&worker->box, 2, 1, err, err_size);
  worker->record->record = NULL;
  if (status != 0) {
    worker->failed++;
    return TP_ERROR;
  }
  int keep = !(lua_isboolean(state, -1) && !lua_toboolean(state, -1));
  lua_pop(state, 1);
  return keep ? TP_KEEP : TP_DROP;
}

/* In protected mode: the value at 1 as JSON, returned as a light userdata (the caller owns
 * the cJSON tree), or an error naming what is wrong. */
static int value_to_json(lua_State *state) {
  char problem[256];
  cJSON *json = lua_values_to_json(state, 1, problem, sizeof problem);
  if (json == NULL)
    return luaL_error(state, "%s", problem);
  lua_pushlightuserdata(state, json);
  return 1;
}

/* The worker's state table as JSON (the caller owns it), or NULL with err. */
static cJSON *state_to_json(lua_worker *worker, char *err, size_t err_size) {
  lua_State *state = worker->box.state;
  lua_pushcfunction(state, value_to_json);
  lua_rawgeti(state, LUA_REGISTRYINDEX, worker->state_ref);
  if (sandbox_call(&worker->box, 1, 1, err, err_size) != 0)
    return NULL;
  cJSON *json = lua_touserdata(state, -1);
  lua_pop(state, 1);
  return json;
}

/* In protected mode: state = merge(state, <JSON at 2 as a table>). */
static int merge_in(lua_State *state) {
  lua_worker *worker = lua_touserdata(state, 1);
  const cJSON *from = lua_touserdata(state, 2);
  lua_rawgeti(state, LUA_REGISTRYINDEX, worker->merge_ref);
  lua_rawgeti(state, LUA_REGISTRYINDEX, worker->state_ref);
  lua_values_push(state, from);
  lua_call(state, 2, 1);
  if (lua_istable(state, -1)) {
    luaL_unref(state, LUA_REGISTRYINDEX, worker->state_ref);
    worker->state_ref = luaL_ref(state, LUA_REGISTRYINDEX);
  }
  return 0;
}

static int merge(void *instance, void *into, void *from, char *err, size_t err_size) {
  (void)instance;
  lua_worker *target = into, *source = from;
  target->records += source->records;
  target->failed += source->failed;
  cJSON *json = state_to_json(source, err, err_size);
  if (json == NULL)
    return -1;
  lua_State *state = target->box.state;
  lua_pushcfunction(state, merge_in);
  lua_pushlightuserdata(state, target);
  lua_pushlightuserdata(state, json);
  int status = sandbox_call(&target->box, 2, 0, err, err_size);
  cJSON_Delete(json);
  return status;
}

static int finish(void *instance, void *partial, cJSON *section, char *err, size_t err_size) {
  (void)instance;
  lua_worker *worker = partial;
  if (worker->finish_ref == LUA_NOREF) {
    if (!cJSON_AddNumberToObject(section, "records", (double)worker->records) ||
        !cJSON_AddNumberToObject(section, "failed", (double)worker->failed)) {
      snprintf(err, err_size, "out of memory");
      return -1;
    }
    return 0;
  }
  lua_State *state = worker->box.state;
  lua_pushcfunction(state, value_to_json);
  lua_rawgeti(state, LUA_REGISTRYINDEX, worker->finish_ref);
  lua_rawgeti(state, LUA_REGISTRYINDEX, worker->state_ref);
  if (sandbox_call(&worker->box, 1, 1, err, err_size) != 0) {
    lua_pop(state, 1);
    return -1;
  }
  if (!lua_istable(state, -1)) {
    snprintf(err, err_size, "%s: finish(state) must return a table (the report section), not %s",
             worker->box.chunk_name, luaL_typename(state, -1));
    lua_pop(state, 2);
    return -1;
  }
  if (sandbox_call(&worker->box, 1, 1, err, err_size) != 0)
    return -1;
  cJSON *json = lua_touserdata(state, -1);
  lua_pop(state, 1);
  if (!cJSON_IsObject(json)) {
    snprintf(err, err_size, "%s: finish(state) must return a table with string keys, not a list",
             worker->box.chunk_name);
    cJSON_Delete(json);
    return -1;
  }
  while (json->child != NULL) {
    cJSON *item = cJSON_DetachItemViaPointer(json, json->child);
    cJSON_AddItemToObject(section, item->string, item);
  }
  cJSON_Delete(json);
  return 0;
}

/* The keys the script declares (ABI 2.1): record_set takes them for this stage. */
static const char *const *stage_keys_of(void *instance) {
  lua_stage *stage = instance;
  return (const char *const *)stage->keys.list;
}

static const tp_plugin descriptor = {
    TP_PLUGIN_ABI, /* versions and sizes */
    .name = "lua",
    .version = "1.0.0",
    .description = "Runs a sandboxed Lua 5.4 script's process(record, state) on every record",
    .options = options,
    .flags = TP_PLUGIN_CONCURRENT,
    .create = create,
    .destroy = destroy,
    .partial_create = partial_create,
    .partial_destroy = partial_destroy,
    .merge = merge,
    .process = process,
    .finish = finish,
    .stage_keys = stage_keys_of,
};

TP_PLUGIN_DEFINE(descriptor)
