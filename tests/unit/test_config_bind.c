/* tests/unit/test_config_bind.c - options written into a plugin's config struct
 * (core/config/config_bind.h): every type at every size it allows, absent options left zero,
 * and the bindings the loader refuses. */
#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "config_bind.h"

typedef struct bound {
  bool flag;
  int flag_int;
  int32_t small;
  int64_t large;
  uint32_t unsigned_small;
  double wide;
  float narrow;
  const char *text;
  const char *file;
  int choice;
  const cJSON *list;
  const cJSON *object;
  const char *absent; /* no default, not given: stays NULL */
  int32_t unbound;    /* an option without TP_OPTION_FIELD: stays 0 */
} bound;

static const char *const colours[] = {"red", "green", "blue", NULL};

#define FIELD(member) TP_OPTION_FIELD(bound, member)

static const tp_option options[] = {
    {.name = "flag", .type = TP_OPTION_BOOL, FIELD(flag)},
    {.name = "flag_int", .type = TP_OPTION_BOOL, FIELD(flag_int)},
    {.name = "small", .type = TP_OPTION_INT, FIELD(small)},
    {.name = "large", .type = TP_OPTION_INT, FIELD(large)},
    {.name = "unsigned_small", .type = TP_OPTION_INT, FIELD(unsigned_small)},
    {.name = "wide", .type = TP_OPTION_NUMBER, FIELD(wide)},
    {.name = "narrow", .type = TP_OPTION_NUMBER, FIELD(narrow)},
    {.name = "text", .type = TP_OPTION_STRING, FIELD(text)},
    {.name = "file", .type = TP_OPTION_PATH, FIELD(file)},
    {.name = "choice", .type = TP_OPTION_ENUM, .choices = colours, FIELD(choice)},
    {.name = "list", .type = TP_OPTION_STRING_LIST, FIELD(list)},
    {.name = "object", .type = TP_OPTION_OBJECT, FIELD(object)},
    {.name = "absent", .type = TP_OPTION_STRING, FIELD(absent)},
    {.name = "unbound", .type = TP_OPTION_INT},
    {.name = NULL},
};

START_TEST(test_every_type_is_written) {
  cJSON *config = cJSON_Parse(
      "{\"flag\": true, \"flag_int\": true, \"small\": -7, \"large\": 9007199254740991, "
      "\"unsigned_small\": 4000000000, \"wide\": 0.1, \"narrow\": 2.5, \"text\": \"hi\", "
      "\"file\": \"/tmp/x\", \"choice\": \"blue\", \"list\": [\"a\"], \"object\": {\"k\": 1}, "
      "\"unbound\": 5}");
  ck_assert_ptr_nonnull(config);
  char reason[256] = "";
  ck_assert_msg(tp_config_check_bindings(options, sizeof(bound), reason, sizeof reason) == 0, "%s",
                reason);
  bound *out = calloc(1, sizeof *out);
  ck_assert_ptr_nonnull(out);
  tp_config_bind(options, config, out);
  ck_assert(out->flag);
  ck_assert_int_eq(out->flag_int, 1);
  ck_assert_int_eq(out->small, -7);
  ck_assert(out->large == INT64_C(9007199254740991));
  ck_assert_uint_eq(out->unsigned_small, 4000000000u);
  ck_assert_double_eq(out->wide, 0.1);
  ck_assert_float_eq(out->narrow, 2.5f);
  ck_assert_str_eq(out->text, "hi");
  ck_assert_str_eq(out->file, "/tmp/x");
  ck_assert_int_eq(out->choice, 2);
  ck_assert_ptr_eq(out->list, cJSON_GetObjectItem(config, "list"));
  ck_assert_ptr_eq(out->object, cJSON_GetObjectItem(config, "object"));
  ck_assert_ptr_null(out->absent);
  ck_assert_int_eq(out->unbound, 0);
  free(out);
  cJSON_Delete(config);
}
END_TEST

typedef struct refusal {
  tp_option option;
  uint32_t config_size;
  const char *reason;
} refusal;

static const refusal refusals[] = {
    {{.name = "n", .type = TP_OPTION_NUMBER, FIELD(flag)},
     sizeof(bound),
     "option \"n\" (number) is bound to a member of 1 bytes, which cannot hold it"},
    {{.name = "s", .type = TP_OPTION_STRING, FIELD(small)},
     sizeof(bound),
     "option \"s\" (string) is bound to a member of 4 bytes, which cannot hold it"},
    {{.name = "e", .type = TP_OPTION_ENUM, .choices = colours, FIELD(large)},
     sizeof(bound),
     "option \"e\" (enum) is bound to a member of 8 bytes, which cannot hold it"},
    {{.name = "past", .type = TP_OPTION_INT, FIELD(unbound)},
     offsetof(bound, unbound),
     NULL /* message built in the test: offsets */},
};

START_TEST(test_bad_bindings_refused) {
  const refusal *c = &refusals[_i];
  tp_option table[2] = {c->option, {.name = NULL}};
  char reason[256] = "";
  ck_assert_int_eq(tp_config_check_bindings(table, c->config_size, reason, sizeof reason), -1);
  if (c->reason != NULL) {
    ck_assert_str_eq(reason, c->reason);
  } else {
    char expected[256];
    snprintf(expected, sizeof expected,
             "option \"past\" is bound to bytes %zu..%zu of a config struct of %zu bytes (set "
             "config_size to sizeof the struct)",
             offsetof(bound, unbound), offsetof(bound, unbound) + sizeof(int32_t),
             offsetof(bound, unbound));
    ck_assert_str_eq(reason, expected);
  }
}
END_TEST

static Suite *config_bind_suite(void) {
  Suite *suite = suite_create("config_bind");
  TCase *binding = tcase_create("binding");
  tcase_add_test(binding, test_every_type_is_written);
  tcase_add_loop_test(binding, test_bad_bindings_refused, 0,
                      (int)(sizeof refusals / sizeof refusals[0]));
  suite_add_tcase(suite, binding);
  return suite;
}

int main(void) {
  return tp_check_run(config_bind_suite());
}
