/* bench/lang/lua_vm_call.c - one Lua VM's cost for the lua stage's hot path, and whether its
 * instruction budget holds. Built twice by bench/lua_vm.sh, against Lua 5.4 and LuaJIT.
 *
 * Per "record": call process(record) through lua_pcall with a count hook set (as the stage
 * does), where process reads the text (as a string, or only its length) through a C
 * function and sets one number through another. Prints nanoseconds per call. Then runs
 * `while true do end` under a budget of 10^6 instructions: "budget holds" when the hook stops
 * it, "budget ignored" when it still runs after 5 s (LuaJIT's compiled loops skip hooks).
 * Usage: lua_vm_call [jit-on|jit-off [CALLS]] (the mode matters only for the LuaJIT build).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#ifdef LUA_VM_LUAJIT
#include <luajit.h>
#endif

static const char *record_text;
static size_t record_length;
static double number_set;
static long long hook_calls;

static int text(lua_State *state) {
  lua_pushlstring(state, record_text, record_length);
  return 1;
}

static int text_length(lua_State *state) {
  lua_pushinteger(state, (lua_Integer)record_length);
  return 1;
}

static int set(lua_State *state) {
  number_set = lua_tonumber(state, 2);
  return 0;
}

static void count_hook(lua_State *state, lua_Debug *frame) {
  (void)frame;
  if (++hook_calls > 1000)
    luaL_error(state, "budget");
}

static void on_alarm(int signal_number) {
  (void)signal_number;
  static const char message[] = "  infinite loop: budget ignored (still running after 5 s)\n";
  if (write(1, message, sizeof message - 1) < 0)
    _exit(2);
  _exit(0);
}

static double seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  int jit = argc > 1 && strcmp(argv[1], "jit-off") != 0;
  lua_State *state = luaL_newstate();
  luaL_openlibs(state);
#ifdef LUA_VM_LUAJIT
  luaJIT_setmode(state, 0, LUAJIT_MODE_ENGINE | (jit ? LUAJIT_MODE_ON : LUAJIT_MODE_OFF));
#endif
  lua_newtable(state);
  lua_pushcfunction(state, text);
  lua_setfield(state, -2, "text");
  lua_pushcfunction(state, text_length);
  lua_setfield(state, -2, "text_length");
  lua_pushcfunction(state, set);
  lua_setfield(state, -2, "set");
  lua_setglobal(state, "R");
  if (luaL_dostring(state, "function via_text(r) R.set('n', #R.text()) end\n"
                           "function via_length(r) R.set('n', R.text_length()) end\n") != 0)
    return 1;
  char buffer[400];
  memset(buffer, 'a', sizeof buffer);
  const char *functions[] = {"via_text", "via_length"};
  for (int f = 0; f < 2; f++) {
    int calls = argc > 2 ? atoi(argv[2]) : 2000000;
    lua_sethook(state, count_hook, LUA_MASKCOUNT, 1000000);
    double start = seconds();
    for (int i = 0; i < calls; i++) {
      buffer[i % 300] = (char)('a' + i % 26);
      record_text = buffer;
      record_length = 200 + (size_t)(i % 200);
      lua_getglobal(state, functions[f]);
      lua_pushnil(state);
      if (lua_pcall(state, 1, 0, 0) != 0)
        return 1;
    }
    printf("  %-11s %6.0f ns per call\n", functions[f], (seconds() - start) / calls * 1e9);
  }
  if (argc > 2) { /* a measured run (callgrind): the calls only */
    lua_close(state);
    return 0;
  }
  signal(SIGALRM, on_alarm);
  alarm(5);
  hook_calls = 0;
  lua_sethook(state, count_hook, LUA_MASKCOUNT, 1000);
  luaL_loadstring(state, "while true do end");
  int status = lua_pcall(state, 0, 0, 0);
  printf("  infinite loop: %s\n", status != 0 ? "budget holds (stopped by the hook)" : "returned?");
  lua_close(state);
  return 0;
}
