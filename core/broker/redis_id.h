/* core/broker/redis_id.h - a Redis stream entry id ("1712345678901-0") kept as its two
 * numbers: 16 bytes an entry instead of its text in a 48-byte slot, for the arrays that hold
 * every entry read and not yet acknowledged (source_redis.h). Text again only where a command
 * needs it (the checkpoint's XACK, the refresh's XCLAIM). */
#ifndef TP_CORE_REDIS_ID_H
#define TP_CORE_REDIS_ID_H

#include <stddef.h>
#include <stdint.h>

/* Room for the longest id's text ("<20 digits>-<20 digits>") and its NUL. */
#define TP_REDIS_ID_TEXT_SIZE 42

typedef struct tp_redis_id {
  uint64_t ms;  /* the milliseconds part */
  uint64_t seq; /* the sequence part */
} tp_redis_id;

/* Reads `length` bytes of text "MS-SEQ" (both decimal, within 64 bits, nothing around them).
 * Returns 0, or -1 (not an entry id: *id unchanged). */
int tp_redis_id_parse(const char *text, size_t length, tp_redis_id *id);

/* Writes the id's text and a NUL into `text`. Returns its length (without the NUL). */
size_t tp_redis_id_format(tp_redis_id id, char text[TP_REDIS_ID_TEXT_SIZE]);

/* The ids' texts as command arguments: argv[i] and lengths[i] for ids[i], pointing into one
 * block returned (the caller frees it after the command; written tightly, so only about 22
 * bytes an id are touched). Returns NULL when out of memory (or count is 0). */
char *tp_redis_ids_to_argv(const tp_redis_id *ids, size_t count, const char **argv,
                           size_t *lengths);

static inline int tp_redis_id_equal(tp_redis_id a, tp_redis_id b) {
  return a.ms == b.ms && a.seq == b.seq;
}

#endif /* TP_CORE_REDIS_ID_H */
