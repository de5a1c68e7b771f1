/* tests/support/json_tree_compare.h - whether two cJSON trees are the same node by node: types,
 * member names, strings, valueint, the bits of valuedouble, child order, and the prev links as
 * cJSON makes them (a first child's prev is the last child; a root's is NULL). Used by the
 * fast-parse unit test (tests/unit/test_json_fast.c) and its differential fuzz target
 * (fuzz/fuzz_json_fast.c), which check tp_json_parse_plain() against cJSON's own parse.
 * Header-only (a static function), so each user stays one source file. */
#ifndef TP_TESTS_JSON_TREE_COMPARE_H
#define TP_TESTS_JSON_TREE_COMPARE_H

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

/* 0 when the sibling lists `a` and `b` are the same; else 1 with `why` saying where and what
 * ("name: valuedouble differs (...)"). `path` names the lists in messages; `children`: they
 * are an object's or array's children (else the roots). */
static int json_tree_differs(const cJSON *a, const cJSON *b, const char *path, int children,
                             char *why, size_t size) {
  const cJSON *first_a = a, *first_b = b, *previous_a = NULL, *previous_b = NULL;
  for (; a != NULL && b != NULL; a = a->next, b = b->next) {
    const char *what = NULL;
    if (a->type != b->type)
      what = "type";
    else if ((a->string == NULL) != (b->string == NULL) ||
             (a->string != NULL && strcmp(a->string, b->string) != 0))
      what = "member name";
    else if ((a->valuestring == NULL) != (b->valuestring == NULL) ||
             (a->valuestring != NULL && strcmp(a->valuestring, b->valuestring) != 0))
      what = "string";
    else if (a->valueint != b->valueint)
      what = "valueint";
    else if (memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)) != 0)
      what = "valuedouble";
    else if (a != first_a && (a->prev != previous_a || b->prev != previous_b))
      what = "prev link";
    if (what != NULL) {
      snprintf(why, size, "%s: %s differs (valueint %d, other %d; valuedouble %.17g, other %.17g)",
               path, what, a->valueint, b->valueint, a->valuedouble, b->valuedouble);
      return 1;
    }
    previous_a = a;
    previous_b = b;
    if (json_tree_differs(a->child, b->child, a->string != NULL ? a->string : path, 1, why, size))
      return 1;
  }
  if (a != NULL || b != NULL) {
    snprintf(why, size, "%s: the lists' lengths differ", path);
    return 1;
  }
  if ((first_a != NULL && first_a->prev != (children ? previous_a : NULL)) ||
      (first_b != NULL && first_b->prev != (children ? previous_b : NULL))) {
    snprintf(why, size, "%s: the first child's prev link", path);
    return 1;
  }
  return 0;
}

#endif /* TP_TESTS_JSON_TREE_COMPARE_H */
