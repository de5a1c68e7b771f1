/* tests/fault/fail_alloc.c - allocation failure injection for the test-only textpipe-fault
 * binary (core/cli/main.c and the core library linked with -Wl,--wrap=malloc,... ; see
 * tests/fault/meson.build). The normal textpipe binary does not contain this file.
 *
 * TEXTPIPE_FAIL_ALLOC_AT=N makes the Nth allocation of the process fail (1-based; 0 or unset:
 * none fails). Counted are the core's own malloc/calloc/realloc/aligned_alloc/strdup/strndup calls
 * (the link-time wrap), everything cJSON allocates (cJSON_InitHooks, so plugins' cJSON values too),
 * and the host table's alloc/realloc, which plugins use (core/run/host.c calls malloc).
 * libuv's own allocations are left alone: libuv aborts on some of them by design (e.g. in
 * uv_loop_init), which says nothing about textpipe. With TEXTPIPE_ALLOC_COUNT=1 the process
 * prints "textpipe-fault: N allocations" on stderr at exit, so a test knows the range to sweep.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *pointer, size_t size);
void *__real_aligned_alloc(size_t alignment, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *pointer, size_t size);
void *__wrap_aligned_alloc(size_t alignment, size_t size);
char *__wrap_strdup(const char *text);
char *__wrap_strndup(const char *text, size_t length);

static atomic_long allocations;
static long fail_at;

/* Whether this allocation is the one to fail. */
static int fail_now(void) {
  long number = atomic_fetch_add(&allocations, 1) + 1;
  return fail_at > 0 && number == fail_at;
}

void *__wrap_malloc(size_t size) {
  return fail_now() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t count, size_t size) {
  return fail_now() ? NULL : __real_calloc(count, size);
}

void *__wrap_realloc(void *pointer, size_t size) {
  return fail_now() ? NULL : __real_realloc(pointer, size);
}

void *__wrap_aligned_alloc(size_t alignment, size_t size) {
  return fail_now() ? NULL : __real_aligned_alloc(alignment, size);
}

char *__wrap_strdup(const char *text) {
  return __wrap_strndup(text, strlen(text));
}

char *__wrap_strndup(const char *text, size_t length) {
  size_t used = strnlen(text, length);
  char *copy = __wrap_malloc(used + 1);
  if (copy == NULL)
    return NULL;
  memcpy(copy, text, used);
  copy[used] = '\0';
  return copy;
}

static void print_count(void) {
  fprintf(stderr, "textpipe-fault: %ld allocations\n", atomic_load(&allocations));
}

__attribute__((constructor)) static void fail_alloc_init(void) {
  const char *at = getenv("TEXTPIPE_FAIL_ALLOC_AT");
  fail_at = at != NULL ? strtol(at, NULL, 10) : 0;
  cJSON_Hooks hooks = {__wrap_malloc, free};
  cJSON_InitHooks(&hooks);
  const char *count = getenv("TEXTPIPE_ALLOC_COUNT");
  if (count != NULL && strcmp(count, "1") == 0)
    atexit(print_count);
}
