/* test_sentiment_json.c - Check suite of the sentiment plugin's direct JSON nodes
 * (sentiment_json.h): the inline rounding gives round()'s result to the bit, and the nodes it
 * makes and links print and compare exactly like the ones cJSON's create and add calls make. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "sentiment_json.h"

/* Bit equality (so that -0.0 and 0.0 differ). */
static int same_bits(double a, double b) {
  return memcmp(&a, &b, sizeof a) == 0;
}

START_TEST(round_matches_libm) {
  static const double edges[] = {0.0,
                                 -0.0,
                                 0.5,
                                 -0.5,
                                 1.5,
                                 -1.5,
                                 2.5,
                                 -2.5,
                                 0.49999,
                                 -0.49999,
                                 0.49999999999999994,
                                 -0.00004,
                                 0.00004,
                                 0.99995,
                                 -0.99995,
                                 0.12345,
                                 -0.12345,
                                 1.0,
                                 -1.0,
                                 4.0e15,
                                 -4.0e15,
                                 1e300,
                                 -1e300,
                                 INFINITY,
                                 -INFINITY};
  static const double scales[] = {1000.0, 10000.0};
  for (size_t s = 0; s < 2; s++) {
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
      double expected = round(edges[i] * scales[s]) / scales[s];
      ck_assert_msg(same_bits(sx_round(edges[i], scales[s]), expected), "%.17g x %g", edges[i],
                    scales[s]);
    }
    /* every half step of the scale in -1..1, and values around them */
    for (int k = -20001; k <= 20001; k++) {
      double half = (k + 0.5) / scales[s];
      double around[] = {half, nextafter(half, 2.0), nextafter(half, -2.0)};
      for (size_t j = 0; j < 3; j++) {
        double expected = round(around[j] * scales[s]) / scales[s];
        ck_assert_msg(same_bits(sx_round(around[j], scales[s]), expected), "%.17g", around[j]);
      }
    }
  }
  ck_assert(isnan(sx_round(NAN, 1000.0)));
}
END_TEST

START_TEST(nodes_match_cjson) {
  cJSON *ours = sx_json_node(cJSON_Object), *theirs = cJSON_CreateObject();
  cJSON *our_list = sx_json_node(cJSON_Array), *their_list = cJSON_CreateArray();
  ck_assert_ptr_nonnull(ours);
  ck_assert_ptr_nonnull(our_list);
  static const double numbers[] = {0.4215, -1, 3e9, -3e9, 12, 0};
  static const char *const keys[] = {"compound", "positive", "neutral", "negative", "start", "n"};
  for (size_t i = 0; i < 6; i++) {
    ck_assert_int_eq(sx_json_append(ours, keys[i], sx_json_number(numbers[i])), 0);
    cJSON_AddItemToObjectCS(theirs, keys[i], cJSON_CreateNumber(numbers[i]));
    ck_assert_int_eq(sx_json_append(our_list, NULL, sx_json_number(numbers[i])), 0);
    cJSON_AddItemToArray(their_list, cJSON_CreateNumber(numbers[i]));
  }
  ck_assert_int_eq(sx_json_append(ours, "label", sx_json_constant_string("positive")), 0);
  cJSON_AddItemToObjectCS(theirs, "label", cJSON_CreateStringReference("positive"));
  ck_assert_int_eq(sx_json_append(ours, "list", our_list), 0);
  cJSON_AddItemToObjectCS(theirs, "list", their_list);
  ck_assert_int_eq(sx_json_append(ours, "x", NULL), -1);
  char *ours_text = cJSON_PrintUnformatted(ours), *theirs_text = cJSON_PrintUnformatted(theirs);
  ck_assert_str_eq(ours_text, theirs_text);
  ck_assert(cJSON_Compare(ours, theirs, 1));
  /* the same links: walking back from the last child reaches the first */
  const cJSON *a = ours->child, *b = theirs->child;
  for (; a != NULL && b != NULL; a = a->next, b = b->next) {
    ck_assert_int_eq(a->type, b->type);
    ck_assert_int_eq(a->valueint, b->valueint);
  }
  ck_assert_ptr_null(a);
  ck_assert_ptr_null(b);
  ck_assert_ptr_eq(ours->child->prev->prev->next, ours->child->prev);
  ck_assert_ptr_eq(our_list->child->prev, cJSON_GetArrayItem(our_list, 5));
  cJSON_free(ours_text);
  cJSON_free(theirs_text);
  cJSON_Delete(ours);
  cJSON_Delete(theirs);
}
END_TEST

static Suite *json_suite(void) {
  Suite *suite = suite_create("sentiment_json");
  TCase *cases = tcase_create("nodes");
  tcase_add_test(cases, round_matches_libm);
  tcase_add_test(cases, nodes_match_cjson);
  suite_add_tcase(suite, cases);
  return suite;
}

int main(void) {
  return tp_check_run(json_suite());
}
