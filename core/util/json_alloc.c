/* core/util/json_alloc.c - cJSON's allocator with per-worker caches of nodes and short strings
 * (json_alloc.h).
 *
 * A cached block is linked through its first word. A request is served from the cache when its
 * size is a node's (sizeof(cJSON)) or a little less, so every cached block is large enough; a
 * freed block enters the cache when malloc_usable_size() says it holds a node and at most one
 * more word (glibc's 72-byte class, or exactly 64 bytes under AddressSanitizer), so the cache
 * never keeps a bigger block than the ones it hands out. tp_json_delete() knows which blocks are
 * nodes (cJSON makes every node with one allocation of sizeof(cJSON)), so it caches them without
 * asking malloc_usable_size().
 *
 * Short strings (the keys and values cJSON_strdup copies: phrases, labels, an input's member
 * names) are cached the same way in three classes by glibc's small block sizes: a request of 1
 * to 24, 25 to 40 or 41 to 56 bytes is served from the class whose blocks hold 24, 40 or 56
 * (malloc_usable_size() from that bound to 8 more, so never a bigger block than the class
 * hands out); strings of a record are freed a slice at a time, more than glibc's per-thread
 * cache keeps of a size, and its slower paths cost about a hundred instructions a string.
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

/* The string classes: the bytes a block of each holds at least. */
#define STRING_CLASSES       3
#define STRING_CLASS_0_BYTES 24
#define STRING_CLASS_1_BYTES 40
#define STRING_CLASS_2_BYTES 56
static const size_t string_class_bytes[STRING_CLASSES] = {
    STRING_CLASS_0_BYTES, STRING_CLASS_1_BYTES, STRING_CLASS_2_BYTES};

/* Cached blocks of one size: a stack linked through the blocks' first word. */
typedef struct block_list {
  size_t count;
  cached_block *head;
} block_list;

typedef struct node_cache {
  bool enabled;
  block_list nodes;
  block_list strings[STRING_CLASSES];
} node_cache;

static _Thread_local node_cache cache;

/* The string class serving a request of `size` bytes (1 to 56). */
static inline size_t string_class_of_request(size_t size) {
  return size <= STRING_CLASS_0_BYTES ? 0 : size <= STRING_CLASS_1_BYTES ? 1 : 2;
}

/* The top block of `list` (not empty). */
static inline void *take(block_list *list) {
  cached_block *block = list->head;
  list->head = block->next;
  list->count--;
  return block;
}

/* Keeps a freed block in `list` unless it holds `limit` already. */
static inline bool keep(block_list *list, void *pointer, size_t limit) {
  if (list->count >= limit)
    return false;
  cached_block *block = pointer;
  block->next = list->head;
  list->head = block;
  list->count++;
  return true;
}

static void *json_malloc(size_t size) {
  if (cache.nodes.head != NULL && size <= sizeof(cJSON) && size >= SMALLEST_SERVED)
    return take(&cache.nodes);
  if (size != 0 && size <= string_class_bytes[STRING_CLASSES - 1]) {
    block_list *list = &cache.strings[string_class_of_request(size)];
    if (list->head != NULL)
      return take(list);
  }
  return malloc(size);
}

static void json_free(void *pointer) {
  if (pointer != NULL && cache.enabled) {
    size_t usable = malloc_usable_size(pointer);
    if (usable >= sizeof(cJSON) && usable <= sizeof(cJSON) + sizeof(void *)) {
      if (keep(&cache.nodes, pointer, TP_JSON_NODE_CACHE))
        return;
    } else {
      /* the largest class the block holds, when it holds at most a word more */
      for (size_t k = STRING_CLASSES; k-- > 0;)
        if (usable >= string_class_bytes[k]) {
          if (usable <= string_class_bytes[k] + sizeof(void *) &&
              keep(&cache.strings[k], pointer, TP_JSON_STRING_CACHE))
            return;
          break;
        }
    }
  }
  free(pointer);
}

/* A node block into the cache, or back to malloc when the cache is off or full. */
static void release_node(cJSON *node) {
  if (!cache.enabled || !keep(&cache.nodes, node, TP_JSON_NODE_CACHE))
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
  if (cache.enabled && cache.nodes.count + freed.count <= TP_JSON_NODE_CACHE) {
    *freed.tail_link = cache.nodes.head;
    cache.nodes.head = freed.head;
    cache.nodes.count += freed.count;
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

/* Frees every block of `list` and empties it. */
static void free_all(block_list *list) {
  while (list->head != NULL)
    free(take(list));
}

void tp_json_alloc_thread_stop(void) {
  cache.enabled = false;
  free_all(&cache.nodes);
  for (size_t k = 0; k < STRING_CLASSES; k++)
    free_all(&cache.strings[k]);
}
