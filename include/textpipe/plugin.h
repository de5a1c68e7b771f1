/* textpipe/plugin.h - the one header a textpipe plugin needs (C11 or C++20).
 *
 * A plugin is a shared object that exports one symbol, tp_plugin_entry(), returning a constant
 * descriptor (struct tp_plugin): ABI version, name, configuration schema, the record keys it
 * requires, uses and provides, and its callbacks. The host passes a table of host functions
 * (struct tp_host) to create(); plugins call the host only through that table.
 *
 * VERSIONING (ABI 2):
 *   TP_ABI_MAJOR changes when anything here changes incompatibly: a member removed, moved or
 *   retyped, a meaning changed. TP_ABI_MINOR grows when members are appended to the end of
 *   tp_plugin, tp_host, tp_option or (text.h) tp_token, tp_sentence, tp_text; nothing else
 *   may change within a major. The host loads a plugin whose major equals its own and whose
 *   minor is not newer than its own, and prints both versions when it refuses one.
 *   Every growable struct is read by its size, never by sizeof on the reader's side:
 *   - the host reads a descriptor's first struct_size bytes (members past them read as absent:
 *     NULL / 0) and its option table with a stride of option_size (TP_PLUGIN_ABI fills both);
 *   - a plugin whose abi_minor is lower than its header's calls a host member newer than that
 *     minor only when TP_HOST_HAS(host, member);
 *   - a reader of tp_text indexes tokens and sentences with TP_TEXT_TOKEN / TP_TEXT_SENTENCE
 *     (text.h), which step by the producer's element sizes.
 *   Members are marked with the minor that added them when it is not 2.0.
 *   History: 2.0 the contract above; 2.1 options bound to the plugin's config struct
 *   (tp_option.field_offset/field_size, tp_plugin.config_size, host->stage_config) and
 *   configured keys and batches (tp_plugin.stage_keys, process_batch); 2.2 overlapped batches
 *   (tp_plugin.batch_submit, batch_collect); 2.3 host->report_wanted (finish() may skip work
 *   that only fills a section nobody reads); 2.4 tp_token.word_id (text.h: a later stage may
 *   keep its lookup of a word under the word's id).
 *
 * RECORD OWNERSHIP (the rule, stated once):
 *   The core owns every record and everything attached to it. A stage sees a record only
 *   inside process(): it may read the record's JSON, text and attachments, and it changes the
 *   record only through host->record_set() and host->record_attach(), under keys listed in its
 *   descriptor's `provides_keys`. A value handed to either call belongs to the core from that
 *   moment, whether the call succeeds or fails (on failure the core frees it at once).
 *   When process() returns the stage keeps no pointer into the record; what it needs later
 *   (for its end-of-stream report) it copies into its partial state.
 *
 * KEYS BETWEEN STAGES:
 *   `provides_keys` are the top-level record keys (JSON members or attachments) a stage
 *   writes; `requires_keys` are keys without which it cannot run; `uses` are the keys it reads
 *   from other stages, by dotted path ("sentiment.compound"), each required or optional, and
 *   optionally the report section of the stage providing the key. `textpipe check` (and every
 *   run) refuses a pipeline where a required key is not provided by an earlier stage, and warns
 *   when an optional one is provided only by a later stage, naming both stages and the key.
 *   The keys of the built-in plugins are published in <textpipe/keys.h>.
 *
 * THREADS AND STREAM STATE:
 *   create() builds an instance from the stage's configuration; after create() returns the
 *   instance is read-only and shared by all workers. Stream-level state lives in "partials":
 *   the core calls partial_create() once per worker, and process() always receives the
 *   partial of the worker that runs it. A plugin that sets TP_PLUGIN_CONCURRENT may have
 *   process() called from several threads at once (each with its own partial); a pipeline with
 *   any stage lacking the flag runs on one worker. Records reach workers in fixed batches,
 *   batch k on worker k mod N, so a given input and worker count always give the same result.
 *   At end of stream the core merges every partial into the first, in worker order, with
 *   merge(); finish() then writes the stage's section of the report. partial_export() and
 *   partial_import() turn a partial into JSON and back, so partials from separate processes
 *   or machines merge through the same merge().
 *
 * Errors: callbacks that can fail receive a caller-owned buffer `err` of `err_size` bytes and
 * write a one-line message into it (no trailing newline, no stage name: the core adds it).
 */
#ifndef TEXTPIPE_PLUGIN_H
#define TEXTPIPE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TP_ABI_MAJOR 2
#define TP_ABI_MINOR 4

/* The exported entry point's name, as a string for dlsym(). */
#define TP_PLUGIN_ENTRY_SYMBOL "tp_plugin_entry"

/* C linkage for the entry point also when the plugin is written in C++. */
#ifdef __cplusplus
#define TP_EXTERN_C extern "C"
#else
#define TP_EXTERN_C
#endif

#if defined(__GNUC__)
#define TP_EXPORT                        __attribute__((visibility("default")))
#define TP_PRINTF(fmt_index, args_index) __attribute__((format(printf, fmt_index, args_index)))
#else
#define TP_EXPORT
#define TP_PRINTF(fmt_index, args_index)
#endif

typedef struct tp_record tp_record; /* one record in flight; opaque */
typedef struct tp_stage tp_stage;   /* the pipeline stage an instance serves; opaque */

/* What process() did with a record. */
typedef enum tp_result {
  TP_KEEP = 0,  /* go on to the next stage */
  TP_DROP = 1,  /* remove the record from the output on purpose (counted as dropped) */
  TP_ERROR = 2, /* the record failed: it is dead-lettered with `err` and the stage name */
} tp_result;

typedef enum tp_log_level {
  TP_LOG_DEBUG = 0,
  TP_LOG_INFO = 1,
  TP_LOG_WARN = 2,
  TP_LOG_ERROR = 3,
} tp_log_level;

/* ---- Configuration schema ------------------------------------------------------------------
 * Options are declared as data. The core validates a stage's "config" object against them
 * (unknown keys, types, ranges, choices, required keys), fills in defaults, and hands create()
 * the complete object; `textpipe plugins NAME` prints them. */
typedef enum tp_option_type {
  TP_OPTION_BOOL = 0,
  TP_OPTION_INT,         /* a JSON integer within [min, max] */
  TP_OPTION_NUMBER,      /* a JSON number within [min, max] */
  TP_OPTION_STRING,      /* any JSON string */
  TP_OPTION_ENUM,        /* a JSON string from `choices` */
  TP_OPTION_STRING_LIST, /* a JSON array of strings */
  TP_OPTION_OBJECT,      /* a JSON object; the plugin checks its members in create() */
  TP_OPTION_PATH,        /* a file the plugin reads; relative paths are resolved against the
                            pipeline file's folder and the core checks the file is readable.
                            create() receives the absolute path. */
} tp_option_type;

/* One entry of a plugin's option table. The host steps through the table by the
 * descriptor's option_size, so members may be appended within a major version. */
typedef struct tp_option {
  const char *name; /* [a-z0-9_]+; NULL name ends the option table */
  tp_option_type type;
  const char *default_json;   /* default value as JSON text ("3", "\"en\"", "true");
                                 NULL: no default (the key is absent unless given) */
  double min, max;            /* INT and NUMBER: inclusive range, checked when min < max
                                 (leaving both 0 means no range) */
  const char *const *choices; /* ENUM: NULL-terminated list of allowed strings */
  const char *description;    /* one line, for `textpipe plugins NAME` */
  int required;               /* nonzero: the pipeline must give it */

  /* 2.1: the member of the plugin's config struct (tp_plugin.config_size) the host writes the
   * value to; set both with TP_OPTION_FIELD(struct, member). field_size 0: not bound. The
   * member's type follows the option's:
   *   BOOL          bool or int (0 / 1)
   *   INT           int32_t / int, or int64_t (an unsigned type of that size for ranges >= 0)
   *   NUMBER        double or float
   *   STRING, PATH  const char * (valid until destroy(); NULL when absent without default)
   *   ENUM          int: the index of the value in `choices`
   *   STRING_LIST,
   *   OBJECT        const cJSON * (the value, valid until destroy(); NULL when absent)
   * The loader refuses a binding whose size does not fit the type or the struct. */
  uint32_t field_offset;
  uint32_t field_size;
} tp_option;

/* Binds an option to `member` of the plugin's config struct `type` (2.1). */
#define TP_OPTION_FIELD(type, member)                                                              \
  .field_offset = (uint32_t)offsetof(type, member),                                                \
  .field_size = (uint32_t)sizeof(((type *)0)->member)

/* cJSON prints a number of smaller magnitude so that it reads back as the same value; from
 * this magnitude on it may drop digits (16-digit ids), so input numbers keep their text (see
 * record_json) and a stage that writes such a number it read as text should write it raw
 * (cJSON_CreateRaw) rather than as a double. */
#define TP_JSON_PRINTED_EXACTLY_BELOW 1e15

/* ---- The host API table --------------------------------------------------------------------
 * Append-only: members are only ever added at the end (with a TP_ABI_MINOR bump). Every
 * function is safe to call from any worker thread. */
typedef struct tp_host {
  uint16_t abi_major;
  uint16_t abi_minor;
  uint32_t struct_size; /* sizeof(tp_host) as the host was built */

  /* Logs one line to stderr as "textpipe: <level>: <stage id>: <message>". */
  void (*log)(const tp_stage *stage, tp_log_level level, const char *fmt, ...) TP_PRINTF(3, 4);

  /* Memory. Plugins allocate long-lived and per-record memory with these so that the core's
   * allocation accounting and fault injection cover them. alloc/realloc return NULL on
   * failure; free(NULL) is a no-op. */
  void *(*alloc)(size_t size);
  void *(*realloc)(void *ptr, size_t size);
  void (*free)(void *ptr);

  /* Records, valid only inside process(). */
  /* The whole record object. A number of the input that cJSON would not print back as written
   * (magnitude TP_JSON_PRINTED_EXACTLY_BELOW or more, such as a 64-bit id, or out of range)
   * keeps that text in its valuestring, which the core prints in place of valuedouble: quote
   * it from there. */
  const cJSON *(*record_json)(const tp_record *record);
  /* The record's text (the pipeline's text_field): valid UTF-8, `*length` bytes, also
   * NUL-terminated. NUL characters of the input reach stages as U+FFFD. */
  const char *(*record_text)(const tp_record *record, size_t *length);
  uint64_t (*record_line)(const tp_record *record); /* 1-based input line (or row) number */
  /* Sets top-level `key` of the record to `value`, replacing any old value. `key` must be in
   * the stage's `provides_keys`. Takes ownership of `value` in all cases. 0 on success, -1 if the
   * key is not the stage's or a string in `value` is not valid UTF-8 (the value is deleted and
   * an error logged once per stage), or on OOM. */
  int (*record_set)(tp_record *record, const char *key, cJSON *value);
  /* Attaches in-memory data under `key` for later stages (not written to the output). `key`
   * must be in `provides_keys`. The core calls free_fn(data) when the record is done (free_fn may
   * be NULL). Takes ownership in all cases; 0 on success, -1 on failure. */
  int (*record_attach)(tp_record *record, const char *key, void *data, void (*free_fn)(void *data));
  /* Data attached by an earlier stage under `key`, or NULL. */
  void *(*record_attachment)(const tp_record *record, const char *key);

  /* Stages and the report. */
  const char *(*stage_id)(const tp_stage *stage); /* the stage's id in the pipeline */
  /* During finish(): the report section already written by the stage with id `stage_id` of
   * the same pipeline (an earlier one: stages finish in order), or NULL (no such stage, or it
   * has not finished yet). Declare it in `uses` with TP_USE_REPORT_SECTION. */
  const cJSON *(*report_section)(const tp_stage *stage, const char *stage_id);

  /* The record's id as JSON text, by the one rule every stage shares: the top-level "id"
   * member printed exactly when it is a string ("\"a-1\"", with its quotes) or a number (as
   * written in the input, 64-bit ids included), else the input line number ("17"). Writes at
   * most `size` bytes into `buffer`, always NUL-terminated when size > 0, and returns the
   * length of the whole id (like snprintf: a return >= size means it was cut). The text is
   * valid JSON, so cJSON_CreateRaw(buffer) puts the id into a report unchanged. */
  size_t (*record_id)(const tp_record *record, char *buffer, size_t size);
  /* The value at a dotted path of the record ("sentiment.compound", "meta.created_at"), each
   * part a member name of an object; NULL if any part is missing or not an object. */
  const cJSON *(*record_field)(const tp_record *record, const char *path);

  /* 2.1: the stage's config struct (tp_plugin.config_size bytes, zeroed, every option bound
   * with TP_OPTION_FIELD written from the validated config, defaults included), or NULL when
   * the plugin binds none. Owned by the core; valid from create() until destroy(). */
  const void *(*stage_config)(const tp_stage *stage);

  /* 2.3: whether the section this stage's finish() fills will be read: 1 for a run with
   * --report, `textpipe merge`, the test harness and any other caller by default; 0 when the
   * run throws the sections away (`textpipe run` without --report). finish() is called either
   * way: with 0 a stage may skip work that only fills its section, but it still does what it
   * is configured to do beyond the report (such as writing a file) and still reports errors.
   * Partials (--partial, a broker's checkpoint) are exported before finish() and do not
   * depend on it. A plugin that also loads in 2.2 hosts checks TP_HOST_HAS(host,
   * report_wanted) and takes "wanted" when it is absent. */
  int (*report_wanted)(const tp_stage *stage);
} tp_host;

/* Whether the host table has `member`. A plugin that sets a lower abi_minor than its header's
 * (to load in older hosts too) checks before calling a member appended after that minor:
 *   if (TP_HOST_HAS(host, some_later_member)) host->some_later_member(...); */
#define TP_HOST_HAS(host, member)                                                                  \
  ((host)->struct_size >= offsetof(tp_host, member) + sizeof((host)->member))

/* ---- The plugin descriptor ----------------------------------------------------------------- */
enum {
  TP_PLUGIN_CONCURRENT = 1u << 0, /* process() may run on several records at once */
};

/* tp_key_use.flags */
enum {
  TP_USE_OPTIONAL = 1u << 0,       /* the stage works without it (check warns, not refuses) */
  TP_USE_REPORT_SECTION = 1u << 1, /* also reads, in finish(), the report section of the stage
                                      that provides `key` (host->report_section) */
};

/* A key a stage reads from another stage. The array ends with an entry whose key is NULL. */
typedef struct tp_key_use {
  const char *key; /* dotted path; its first part is a key some stage provides */
  uint32_t flags;  /* TP_USE_* */
} tp_key_use;

/* The descriptor. The host reads its first struct_size bytes; members past them are taken
 * as NULL / 0, so a plugin built against an older minor loads in a newer host. */
typedef struct tp_plugin {
  uint16_t abi_major;   /* TP_ABI_MAJOR the plugin was built with */
  uint16_t abi_minor;   /* the oldest host minor it runs on: TP_ABI_MINOR of its header, or
                           lower when it checks TP_HOST_HAS for the members it may lack */
  uint32_t struct_size; /* sizeof(tp_plugin) as the plugin was built */
  uint32_t option_size; /* sizeof(tp_option) as the plugin was built (the options' stride) */
  uint32_t flags;       /* TP_PLUGIN_* */

  const char *name;                 /* [a-z0-9_-]+, equal to the file name without ".so" */
  const char *version;              /* the plugin's own version, e.g. "1.0.0" */
  const char *description;          /* one line */
  const tp_option *options;         /* table ended by an entry with name == NULL; or NULL */
  const char *const *requires_keys; /* NULL-terminated keys earlier stages must provide */
  const char *const *provides_keys; /* NULL-terminated keys this stage writes or attaches */
  const tp_key_use *uses;           /* keys read from other stages (key NULL ends); or NULL */

  /* Builds an instance from `config` (validated, defaults filled; owned by the core and valid
   * until destroy()). Returns 0 and sets *instance, or -1 with a message in err. */
  int (*create)(const tp_host *host, const tp_stage *stage, const cJSON *config, void **instance,
                char *err, size_t err_size);
  void (*destroy)(void *instance); /* may be NULL */

  /* Per-worker stream state (all four optional: NULL means the plugin keeps none). */
  void *(*partial_create)(void *instance); /* NULL return = out of memory */
  void (*partial_destroy)(void *instance, void *partial);
  /* Folds `from` into `into`; `from` is destroyed by the core afterwards. 0 or -1 with err. */
  int (*merge)(void *instance, void *into, void *from, char *err, size_t err_size);

  /* Processes one record in place. Required. */
  tp_result (*process)(void *instance, void *partial, tp_record *record, char *err,
                       size_t err_size);

  /* End of stream: fills `section` (an empty JSON object owned by the core) from the merged
   * partial. May be NULL. 0 or -1 with err. */
  int (*finish)(void *instance, void *partial, cJSON *section, char *err, size_t err_size);

  /* Partials across processes (optional): export returns a new JSON value owned by the
   * caller, or NULL on OOM; import builds a partial from it, or returns NULL with err. The
   * data import reads was printed and parsed again: a number written raw (a 64-bit id, see
   * TP_JSON_PRINTED_EXACTLY_BELOW) arrives with its text in valuestring, as in record_json. */
  cJSON *(*partial_export)(void *instance, const void *partial);
  void *(*partial_import)(void *instance, const cJSON *data, char *err, size_t err_size);

  /* ---- 2.1 ---- */

  /* sizeof the config struct the options are bound to (TP_OPTION_FIELD), read in create()
   * with host->stage_config(stage); 0: none. */
  uint32_t config_size;

  /* ---- also 2.1 (both optional; a 2.0 descriptor reads them as NULL) ---- */

  /* The keys this stage writes that come from its configuration (a script's list, a config
   * option) rather than from `provides_keys`: NULL-terminated, owned by the instance, valid
   * until destroy(). The core asks once, right after create(); record_set and record_attach
   * then take these keys as well, and `textpipe check` (which creates the stages) counts them
   * as provided by the stage, so a later stage may require them. */
  const char *const *(*stage_keys)(void *instance);

  /* Processes the `count` records of one batch that reach this stage, in input order, in
   * place of `count` calls of process() (which stays required: the harness runs single
   * records through it). For each i, results[i] receives record i's result and, for
   * TP_ERROR, its message goes to errors + i * err_size. process()'s record rules hold for
   * every record of the batch, until the call returns. */
  void (*process_batch)(void *instance, void *partial, tp_record *const *records, size_t count,
                        tp_result *results, char *errors, size_t err_size);

  /* ---- 2.2 (both or neither; the loader refuses a descriptor with only one) ---- */

  /* An overlapped process_batch, for a stage whose work happens elsewhere (a co-process):
   * batch_submit() hands over the batch (same arguments and record rules as process_batch)
   * and returns without waiting for the results; the work may go on asynchronously while the
   * core runs other stages on other records. batch_collect() then waits for that batch and
   * applies its results: it fills results[] and errors (the arrays given to batch_submit,
   * which stay valid until then) and changes the records (record_set, record_attach) as
   * process_batch would. The core calls them in strict pairs on a partial: one batch is
   * outstanding at a time, and every submitted batch is collected, also at end of stream.
   * Between the two calls the plugin may read the batch's records (record_json and the like)
   * from its own code but must not change them; the core leaves those records alone.
   * A plugin with these sets process_batch too (the core uses it where nothing can overlap). */
  void (*batch_submit)(void *instance, void *partial, tp_record *const *records, size_t count,
                       tp_result *results, char *errors, size_t err_size);
  void (*batch_collect)(void *instance, void *partial);
} tp_plugin;

/* The version members every descriptor starts with, as designated initializers:
 *
 *   static const tp_plugin descriptor = {
 *       TP_PLUGIN_ABI, (a comment after it keeps clang-format from packing the list)
 *       .name = "x",
 *       ...
 *   };
 */
#define TP_PLUGIN_ABI                                                                              \
  .abi_major = TP_ABI_MAJOR, .abi_minor = TP_ABI_MINOR, .struct_size = sizeof(tp_plugin),          \
  .option_size = sizeof(tp_option)

/* Every plugin defines exactly this function (use TP_PLUGIN_DEFINE below). */
typedef const tp_plugin *(*tp_plugin_entry_fn)(void);

/* Defines the entry point returning `descriptor` (a static const tp_plugin). */
#define TP_PLUGIN_DEFINE(descriptor)                                                               \
  TP_EXTERN_C TP_EXPORT const tp_plugin *tp_plugin_entry(void);                                    \
  TP_EXTERN_C TP_EXPORT const tp_plugin *tp_plugin_entry(void) {                                   \
    return &(descriptor);                                                                          \
  }

#ifdef __cplusplus
}
#endif

#endif /* TEXTPIPE_PLUGIN_H */
