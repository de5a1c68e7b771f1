/* core/input/position.h - where a record came from, carried with it to its dead-letter.
 *
 * Every source numbers its records from 1 (a file's line number; for a stream, the order in
 * which this run read its entries). A broker source also gives the entry's own id, which is
 * what identifies it across consumers and restarts ("1700000000000-0" for Redis Streams).
 */
#ifndef TP_CORE_POSITION_H
#define TP_CORE_POSITION_H

#include <stdint.h>

/* Room for a Redis entry id ("<20 digits>-<20 digits>") and its NUL, with some to spare. */
#define TP_POSITION_ID_SIZE 48

typedef struct tp_position {
  uint64_t number;              /* 1-based line number, or entry number in this run */
  char id[TP_POSITION_ID_SIZE]; /* the broker's entry id; "" for files */
  int redelivered;              /* the broker delivered this entry before (a crash or restart) */
  const char *invalid; /* a static reason the entry holds no record (it is dead-lettered), or
                        * NULL */
} tp_position;

#endif /* TP_CORE_POSITION_H */
