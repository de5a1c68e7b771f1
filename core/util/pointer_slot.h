/* core/util/pointer_slot.h - where a pointer goes in a small memo keyed by address (the printer's
 * constant strings, json_print.c; the host's strings found valid, host.c): its own slot, or the
 * next free one (tp_pointer_probe).
 *
 * Constant strings a plugin hands over (string literals) sit next to each other, a few bytes
 * apart and not aligned, so the low bits of their addresses alone would crowd into few slots;
 * Fibonacci hashing (multiply by 2^64 / golden ratio) spreads them. */
#ifndef TP_CORE_POINTER_SLOT_H
#define TP_CORE_POINTER_SLOT_H

#include <stddef.h>
#include <stdint.h>

/* The slot of `pointer` among `slots` (a power of two). */
static inline size_t tp_pointer_slot(const void *pointer, size_t slots) {
  return (size_t)(((uint64_t)(uintptr_t)pointer * 0x9e3779b97f4a7c15ull) >> 32) & (slots - 1);
}

/* Where `text` is kept, or may be put, in `set`, an open-addressed array of `slots` pointers (a
 * power of two; NULL: free), by linear probing from its own slot (tp_pointer_slot). Returns the
 * slot holding it (*found = 1), else the first free slot on the way, else (the set is full) its
 * own slot, whose pointer it is to replace (*found = 0); slots are filled, never emptied, so a
 * probe never stops short of a pointer kept further on.
 *
 * Probing rather than one slot a pointer: a stage's ten or so constants in a few dozen slots
 * nearly always have two sharing a slot, and which two depends on where the linker put them; with
 * one slot each, two constants used in turn (every sentence's "compound" and "label", say) would
 * replace each other at every use. */
static inline size_t tp_pointer_probe(const char *const *set, size_t slots, const char *text,
                                      int *found) {
  size_t home = tp_pointer_slot(text, slots), slot = home;
  /* nearly always settled at once: a pointer in its own slot (the loop's first test, apart) */
  if (__builtin_expect(set[home] == text, 1)) {
    *found = 1;
    return home;
  }
  for (size_t probes = 0; probes < slots; probes++) {
    if (set[slot] == text || set[slot] == NULL) {
      *found = set[slot] == text;
      return slot;
    }
    slot = (slot + 1) & (slots - 1);
  }
  *found = 0;
  return home;
}

#endif /* TP_CORE_POINTER_SLOT_H */
