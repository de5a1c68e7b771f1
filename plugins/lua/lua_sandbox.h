/* plugins/lua/lua_sandbox.h - one sandboxed Lua 5.4 state: limits, loading, guarded calls.
 *
 * A sandbox is a lua_State whose allocator counts every byte (a cap for the state and a cap
 * for the growth during one call), whose count hook charges every instruction against a
 * budget per call, and whose globals hold only the safe libraries (base without load,
 * loadfile, dofile; string without dump; table, math, utf8, coroutine) plus those the pipeline
 * allows. Chunks load in text mode only: bytecode is always refused. Every failure comes back
 * as one line naming the script's file:line.
 *
 * A call that runs out of budget or memory fails with a message and leaves the state usable:
 * the budget error cannot be caught by pcall inside the script (once spent, every further
 * instruction raises it again until the call unwinds).
 */
#ifndef TP_LUA_SANDBOX_H
#define TP_LUA_SANDBOX_H

#include <stddef.h>

#include <lua.h>
#include <textpipe/plugin.h>

/* Libraries and functions a pipeline may allow (the stage's "allow" option). */
enum {
  SANDBOX_ALLOW_OS = 1u << 0,      /* os (never os.exit) */
  SANDBOX_ALLOW_IO = 1u << 1,      /* io */
  SANDBOX_ALLOW_REQUIRE = 1u << 2, /* require of .lua files beside the script, text mode */
  SANDBOX_ALLOW_LOAD = 1u << 3,    /* load, loadfile, dofile, text mode */
  SANDBOX_ALLOW_DUMP = 1u << 4,    /* string.dump */
  SANDBOX_ALLOW_DEBUG = 1u << 5,   /* debug (it can remove the instruction budget) */
  SANDBOX_ALLOW_GC = 1u << 6,      /* every collectgarbage option, not only count/collect/step */
};

typedef struct sandbox_limits {
  long long instructions; /* per call */
  size_t call_bytes;      /* growth of the state's memory during one call */
  size_t state_bytes;     /* the state's whole memory */
  unsigned allow;         /* SANDBOX_ALLOW_* */
} sandbox_limits;

typedef struct sandbox {
  lua_State *state;
  const tp_host *host;
  const tp_stage *stage;
  sandbox_limits limits;
  char chunk_name[128]; /* the script's file name, as messages show it */
  char script_dir[1024];
  /* Accounting, per state (one worker uses a state at a time). */
  size_t used;        /* bytes allocated now */
  size_t call_base;   /* `used` when the running call began */
  int in_call;        /* the call limit applies */
  int memory_refused; /* 1: a call-limit refusal, 2: a state-limit refusal */
  char refused_where[192];
  long long instructions; /* spent by the running call */
  int exhausted;
  unsigned prints; /* print() lines logged so far */
} sandbox;

/* Makes the state, sets the global `params` to `params` (NULL: an empty table) and runs the
 * script's main chunk (text mode, limits applied). `box` must
 * stay at one address until sandbox_close. Returns 0, or -1 with a "file:line: ..." message
 * in err (the state is closed). */
int sandbox_open(sandbox *box, const tp_host *host, const tp_stage *stage,
                 const sandbox_limits *limits, const char *script_path, const char *source,
                 size_t source_length, const cJSON *params, char *err, size_t err_size);

/* Calls the function below `arg_count` arguments on the stack (lua_pcall with the sandbox's
 * message handler and fresh per-call budget and memory). Returns 0 with `result_count` results
 * pushed, or -1 with nothing pushed and a "file:line: ..." message in err. */
int sandbox_call(sandbox *box, int arg_count, int result_count, char *err, size_t err_size);

/* Closes the state. A zeroed or closed box is a no-op. */
void sandbox_close(sandbox *box);

/* The sandbox a state belongs to (its allocator's user data). */
sandbox *sandbox_of(lua_State *state);

/* "file:line" of the innermost script function running in `state` into `out`, or the chunk
 * name alone when no script line is on the stack. */
void sandbox_where(lua_State *state, const sandbox *box, char *out, size_t size);

#endif /* TP_LUA_SANDBOX_H */
