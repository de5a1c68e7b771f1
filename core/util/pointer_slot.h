/* core/util/pointer_slot.h - where a pointer goes in a small memo keyed by address (the printer's
 * constant strings, json_print.c; the host's strings found valid, host.c).
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

#endif /* TP_CORE_POINTER_SLOT_H */
