/* tests/unit/test_json_alloc.c - core/util/json_alloc.c: tp_json_delete() frees a tree as
 * cJSON_Delete would (constant keys and referenced strings left alone, the rest freed: the
 * sanitizer build checks both) and hands every node to the calling thread's cache, which the
 * next nodes made come from; with the cache about full, the rest go back to malloc. Short
 * strings are cached by size class the same way. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "json_alloc.h"

static int compare_addresses(const void *a, const void *b) {
  uintptr_t left = *(const uintptr_t *)a, right = *(const uintptr_t *)b;
  return left < right ? -1 : left > right;
}

/* Appends the address of every node of `item` (siblings after it included) to `addresses`. */
static void collect(const cJSON *item, uintptr_t *addresses, size_t *count) {
  for (; item != NULL; item = item->next) {
    addresses[(*count)++] = (uintptr_t)item;
    collect(item->child, addresses, count);
  }
}

/* A tree of `members` objects, each with an owned key and string, a constant key, a referenced
 * string, a number and an empty array. */
static cJSON *make_tree(size_t members) {
  cJSON *root = cJSON_CreateArray();
  for (size_t i = 0; i < members; i++) {
    cJSON *object = cJSON_CreateObject();
    char key[32];
    snprintf(key, sizeof key, "key %zu", i);
    cJSON_AddStringToObject(object, key, "an owned string");
    cJSON_AddItemToObjectCS(object, "constant", cJSON_CreateStringReference("referenced"));
    cJSON_AddNumberToObject(object, "number", (double)i);
    cJSON_AddArrayToObject(object, "empty");
    cJSON_AddItemToArray(root, object);
  }
  return root;
}

START_TEST(deleted_nodes_are_made_again) {
  tp_json_alloc_install();
  tp_json_alloc_thread_start();
  cJSON *tree = make_tree(200);
  size_t count = 0;
  uintptr_t *freed = malloc(1001 * sizeof *freed);
  collect(tree, freed, &count);
  ck_assert_uint_eq(count, 1001);
  tp_json_delete(tree);
  /* the next 1001 nodes are the 1001 freed ones, each once */
  uintptr_t *made = malloc(count * sizeof *made);
  cJSON **nodes = malloc(count * sizeof *nodes);
  for (size_t i = 0; i < count; i++) {
    nodes[i] = cJSON_CreateNull();
    made[i] = (uintptr_t)nodes[i];
  }
  qsort(freed, count, sizeof *freed, compare_addresses);
  qsort(made, count, sizeof *made, compare_addresses);
  ck_assert(memcmp(freed, made, count * sizeof *made) == 0);
  for (size_t i = 0; i < count; i++)
    tp_json_delete(nodes[i]);
  free(nodes);
  free(made);
  free(freed);
  tp_json_alloc_thread_stop();
}
END_TEST

/* More nodes than the cache holds, deleted at once and again: nothing leaks or is freed twice
 * (the sanitizer build), and the cache's nodes are the next ones made. */
START_TEST(more_nodes_than_the_cache_holds) {
  tp_json_alloc_install();
  tp_json_alloc_thread_start();
  for (int round = 0; round < 3; round++)
    tp_json_delete(make_tree(TP_JSON_NODE_CACHE / 5 + 700));
  cJSON *one = cJSON_CreateNull();
  tp_json_delete(one);
  ck_assert_ptr_eq(cJSON_CreateNull(), one); /* the last node freed is the first made */
  tp_json_delete(one);
  tp_json_delete(NULL);
  tp_json_alloc_thread_stop();
}
END_TEST

/* A short string freed on a caching thread is the block the next request of its class gets
 * (24, 40 and 56 bytes: blocks of exactly a class's size, which malloc_usable_size() reports as
 * such in the sanitizer build too), never a request of a larger class or of a node's size; a
 * block larger than every class is not kept. What is cached when the thread stops is freed
 * (the sanitizer build's leak check). */
START_TEST(short_strings_are_made_again) {
  static const size_t class_bytes[] = {24, 40, 56};
  static const size_t same_class[] = {1, 25, 41};   /* the smallest request of each class */
  static const size_t next_class[] = {25, 41, 100}; /* the smallest one too large for it */
  tp_json_alloc_install();
  tp_json_alloc_thread_start();
  for (size_t k = 0; k < 3; k++) {
    void *block = cJSON_malloc(class_bytes[k]);
    ck_assert_ptr_nonnull(block);
    cJSON_free(block);
    void *larger = cJSON_malloc(next_class[k]);
    ck_assert_ptr_ne(larger, block);
    void *again = cJSON_malloc(same_class[k]);
    ck_assert_ptr_eq(again, block);
    cJSON_free(larger);
    cJSON_free(again); /* cached again, freed by thread_stop */
  }
  void *big = cJSON_malloc(200);
  cJSON_free(big);
  void *small = cJSON_malloc(24);
  ck_assert_ptr_ne(small, big);
  cJSON_free(small);
  tp_json_alloc_thread_stop();
}
END_TEST

/* More short strings than a class keeps, freed at once: the rest go back to malloc, nothing
 * leaks or is freed twice (the sanitizer build). */
START_TEST(more_strings_than_a_class_keeps) {
  tp_json_alloc_install();
  tp_json_alloc_thread_start();
  size_t count = TP_JSON_STRING_CACHE + 100;
  void **blocks = malloc(count * sizeof *blocks);
  ck_assert_ptr_nonnull(blocks);
  for (size_t i = 0; i < count; i++)
    ck_assert_ptr_nonnull(blocks[i] = cJSON_malloc(40));
  for (size_t i = 0; i < count; i++)
    cJSON_free(blocks[i]);
  free(blocks);
  tp_json_alloc_thread_stop();
}
END_TEST

int main(void) {
  const TTest *const tests[] = {deleted_nodes_are_made_again, more_nodes_than_the_cache_holds,
                                short_strings_are_made_again, more_strings_than_a_class_keeps};
  return tp_check_main("json_alloc", tests, sizeof tests / sizeof *tests);
}
