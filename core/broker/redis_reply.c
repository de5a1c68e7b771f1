/* core/broker/redis_reply.c - hiredis replies built in one arena each (redis_reply.h).
 *
 * hiredis builds a reply top-down through the reader's functions: the top object first (its
 * read task has no parent), then each element, whose task's parent chain leads back to the
 * top. So the top object is the arena's header (the reply pointer is the arena's), and every
 * later object, string and element vector of that reply is carved from the arena: first from
 * 64 bytes inside the header (a status or an entry id, as XADD and PING answer: one
 * allocation for the whole reply), then from blocks growing from 256 bytes to 64 KB (an
 * XREADGROUP reply of 256 entries of the default pipeline's corpus takes about 180 KB: a few
 * blocks instead of some 2,300 allocations). A string larger than half the next block gets a
 * block of its own.
 */
#include "redis_reply.h"

#include <stdlib.h>
#include <string.h>

#define INLINE_BYTES        64
#define FIRST_BLOCK_BYTES   256
#define LARGEST_BLOCK_BYTES (64 * 1024)

typedef struct arena_block {
  struct arena_block *next;
  size_t size; /* bytes after the header */
  size_t used;
} arena_block;

typedef struct reply_arena {
  redisReply top;      /* first: a reply's top object is its arena */
  arena_block *blocks; /* the block being filled first */
  size_t next_size;    /* bytes of the next block */
  size_t inline_used;  /* of inline_bytes */
  /* a small reply's strings and vectors, taken before any block: no block at all */
  _Alignas(8) char inline_bytes[INLINE_BYTES];
} reply_arena;

/* `bytes` (rounded up to keep objects aligned) from `arena`; NULL when out of memory. */
static void *arena_take(reply_arena *arena, size_t bytes) {
  bytes = (bytes + 7) & ~(size_t)7;
  if (arena->blocks == NULL && INLINE_BYTES - arena->inline_used >= bytes) {
    void *at = arena->inline_bytes + arena->inline_used;
    arena->inline_used += bytes;
    return at;
  }
  arena_block *head = arena->blocks;
  if (head != NULL && head->size - head->used >= bytes) {
    void *at = (char *)(head + 1) + head->used;
    head->used += bytes;
    return at;
  }
  size_t size = bytes > arena->next_size ? bytes : arena->next_size;
  arena_block *block = malloc(sizeof *block + size);
  if (block == NULL)
    return NULL;
  block->size = size;
  block->used = bytes;
  if (head != NULL && bytes > arena->next_size / 2) {
    block->next = head->next; /* behind the head, whose room is still used */
    head->next = block;
  } else {
    block->next = head;
    arena->blocks = block;
    if (arena->next_size < LARGEST_BLOCK_BYTES)
      arena->next_size *= 2;
  }
  return block + 1;
}

/* The arena an object of a reply belongs to: its top object, found through the task. */
static reply_arena *arena_of(const redisReadTask *task) {
  while (task->parent != NULL)
    task = task->parent;
  return task->obj;
}

/* A zeroed object of `type` for `task`: the arena itself for a reply's top object, else one from
 * the reply's arena, set as its parent's element. NULL when out of memory (hiredis then frees
 * the unfinished reply through free_object). */
static redisReply *object_create(const redisReadTask *task, int type) {
  redisReply *object;
  if (task->parent == NULL) {
    reply_arena *arena = calloc(1, sizeof *arena);
    if (arena == NULL)
      return NULL;
    arena->next_size = FIRST_BLOCK_BYTES;
    object = &arena->top;
  } else {
    object = arena_take(arena_of(task->parent), sizeof *object);
    if (object == NULL)
      return NULL;
    memset(object, 0, sizeof *object);
    ((redisReply *)task->parent->obj)->element[task->idx] = object;
  }
  object->type = type;
  return object;
}

static void *create_string(const redisReadTask *task, char *text, size_t length) {
  redisReply *object = object_create(task, task->type); /* a string, status or error */
  if (object == NULL)
    return NULL;
  /* a top-level string's arena is the object just made; it is the task's once returned */
  reply_arena *arena = task->parent == NULL ? (reply_arena *)object : arena_of(task);
  char *copy = arena_take(arena, length + 1);
  if (copy == NULL) {
    if (task->parent == NULL)
      tp_redis_reply_free(object);
    return NULL;
  }
  memcpy(copy, text, length);
  copy[length] = '\0';
  object->str = copy;
  object->len = length;
  return object;
}

static void *create_array(const redisReadTask *task, int elements) {
  redisReply *object = object_create(task, REDIS_REPLY_ARRAY);
  if (object == NULL || elements <= 0)
    return object;
  reply_arena *arena = task->parent == NULL ? (reply_arena *)object : arena_of(task);
  object->element = arena_take(arena, (size_t)elements * sizeof *object->element);
  if (object->element == NULL) {
    if (task->parent == NULL)
      tp_redis_reply_free(object);
    return NULL;
  }
  memset(object->element, 0, (size_t)elements * sizeof *object->element);
  object->elements = (size_t)elements;
  return object;
}

static void *create_integer(const redisReadTask *task, long long value) {
  redisReply *object = object_create(task, REDIS_REPLY_INTEGER);
  if (object != NULL)
    object->integer = value;
  return object;
}

/* Also a nil array ("*-1"), whose task says array: a nil, as hiredis makes it. */
static void *create_nil(const redisReadTask *task) {
  return object_create(task, REDIS_REPLY_NIL);
}

static void free_object(void *reply) {
  tp_redis_reply_free(reply);
}

/* Named members: hiredis 1.x adds members (doubles, booleans) between these. */
static redisReplyObjectFunctions arena_functions = {
    .createString = create_string,
    .createArray = create_array,
    .createInteger = create_integer,
    .createNil = create_nil,
    .freeObject = free_object,
};

void tp_redis_reply_use_arena(redisReader *reader) {
  reader->fn = &arena_functions;
}

void tp_redis_reply_free(redisReply *reply) {
  if (reply == NULL)
    return;
  reply_arena *arena = (reply_arena *)reply;
  for (arena_block *block = arena->blocks, *next; block != NULL; block = next) {
    next = block->next;
    free(block);
  }
  free(arena);
}
