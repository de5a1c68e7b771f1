/* core/util/json_alloc.c - cJSON's allocator with a per-worker node cache (json_alloc.h).
 *
 * A cached block is linked through its first word. A request is served from the cache when its
 * size is a node's (sizeof(cJSON)) or a little less, so every cached block is large enough; a
 * freed block enters the cache when malloc_usable_size() says it holds a node and at most one
 * more word (glibc's 72-byte class, or exactly 64 bytes under AddressSanitizer), so the cache
 * never keeps a bigger block than the ones it hands out. tp_json_delete() knows which blocks are
 * nodes (cJSON makes every node with one allocation of sizeof(cJSON)), so it caches them without
 * asking malloc_usable_size().
 */
#include "json_alloc.h"

#include <malloc.h>
#include <stdbool.h>
#include <stdlib.h>

#include <cjson/cJSON.h>
#include <uv.h>

/* Requests from this size up to a node's are served from the cache. */
#define SMALLEST_SERVED (sizeof(cJSON) - 15)

typedef struct cached_block {
  struct cached_block *next;
} cached_block;

typedef struct node_cache {
  bool enabled;
  size_t count;
  cached_block *head;
} node_cache;

static _Thread_local node_cache cache;

static void *json_malloc(size_t size) {
  if (cache.head != NULL && size <= sizeof(cJSON) && size >= SMALLEST_SERVED) {
    cached_block *block = cache.head;
    cache.head = block->next;
    cache.count--;
    return block;
  }
  return malloc(size);
}

static void json_free(void *pointer) {
  if (pointer != NULL && cache.enabled && cache.count < TP_JSON_NODE_CACHE) {
    size_t usable = malloc_usable_size(pointer);
    if (usable >= sizeof(cJSON) && usable <= sizeof(cJSON) + sizeof(void *)) {
      cached_block *block = pointer;
      block->next = cache.head;
      cache.head = block;
      cache.count++;
      return;
    }
  }
  free(pointer);
}

/* A node block into the cache, or back to malloc when the cache is off or full. */
static void release_node(cJSON *node) {
  if (cache.enabled && cache.count < TP_JSON_NODE_CACHE) {
    cached_block *block = (cached_block *)node;
    block->next = cache.head;
    cache.head = block;
    cache.count++;
    return;
  }
  free(node);
}

/* The nodes one tp_json_delete() call frees, linked through their first word in the order
 * freed, and handed to the cache in one splice at the end: the thread-local cache is read and
 * written once a call rather than once a node. */
typedef struct freed_nodes {
  cached_block *head;
  cached_block **tail_link; /* where the next freed node is linked: &head, then a `next` */
  size_t count;
} freed_nodes;

static void delete_into(cJSON *item, freed_nodes *freed) {
  while (item != NULL) {
    cJSON *next = item->next;
    if (!(item->type & cJSON_IsReference)) {
      if (item->child != NULL)
        delete_into(item->child, freed);
      if (item->valuestring != NULL) /* numbers, arrays and objects have none */
        json_free(item->valuestring);
    }
    if (!(item->type & cJSON_StringIsConst) && item->string != NULL)
      json_free(item->string);
    cached_block *block = (cached_block *)item;
    *freed->tail_link = block;
    freed->tail_link = &block->next;
    freed->count++;
    item = next;
  }
}

void tp_json_delete(cJSON *item) {
  freed_nodes freed = {NULL, &freed.head, 0};
  delete_into(item, &freed);
  *freed.tail_link = NULL;
  if (cache.enabled && cache.count + freed.count <= TP_JSON_NODE_CACHE) {
    *freed.tail_link = cache.head;
    cache.head = freed.head;
    cache.count += freed.count;
    return;
  }
  /* the cache is off or about full: node by node, the rest back to malloc */
  for (cached_block *block = freed.head, *next; block != NULL; block = next) {
    next = block->next;
    release_node((cJSON *)block);
  }
}

static uv_once_t install_once = UV_ONCE_INIT;

static void install(void) {
  cJSON_Hooks hooks = {json_malloc, json_free};
  cJSON_InitHooks(&hooks);
}

void tp_json_alloc_install(void) {
  uv_once(&install_once, install);
}

void tp_json_alloc_thread_start(void) {
  cache.enabled = true;
}

void tp_json_alloc_thread_stop(void) {
  cache.enabled = false;
  while (cache.head != NULL) {
    cached_block *block = cache.head;
    cache.head = block->next;
    free(block);
  }
  cache.count = 0;
}
