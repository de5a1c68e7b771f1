/* tests/unit/test_json_literals.c - input numbers a double cannot hold come out as written
 * (json_literals.c with json_print.c), and every other number as cJSON prints it. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check_main.h"
#include "json_literals.h"
#include "json_print.h"

static const struct {
  const char *line;
  const char *printed; /* NULL: the line itself */
} cases[] = {
    {"{\"id\":1460323737035677698,\"text\":\"x\"}", NULL},
    {"{\"id\":-9223372036854775808,\"u\":18446744073709551615}", NULL},
    {"{\"n\":1e999,\"m\":-1E+400}", NULL},
    {"{\"a\":[1,9007199254740993,2.5,{\"b\":[12345678901234567890]}],\"c\":3}", NULL},
    {"{\"s\":\"12345678901234567890 \\\" 1e999\",\"n\":12345678901234567890}", NULL},
    {"{\"k\\\"9\":99999999999999999999}", NULL},
    {"{\"id\":9007199254740991,\"e\":1e15,\"f\":-1234567890123456}", NULL},
    /* below 10^15 numbers are printed by cJSON's rules, as before */
    {"{\"id\":999999999999999,\"x\":1.50,\"y\":1E2}",
     "{\"id\":999999999999999,\"x\":1.5,\"y\":100}"},
    {"[1, 2, 123456789012345678901]", "[1,2,123456789012345678901]"},
    {"{}", NULL},
};

START_TEST(literals_table) {
  const char *line = cases[_i].line;
  cJSON *root = cJSON_Parse(line);
  ck_assert_ptr_nonnull(root);
  ck_assert_int_eq(tp_json_keep_number_literals(root, line, strlen(line)), 0);
  char *buffer = NULL;
  size_t used = 0, capacity = 0;
  ck_assert_int_eq(tp_json_print_append(root, &buffer, &used, &capacity), 0);
  const char *expected = cases[_i].printed != NULL ? cases[_i].printed : line;
  ck_assert_int_eq((int)used, (int)strlen(expected));
  ck_assert(memcmp(buffer, expected, used) == 0);
  free(buffer);
  cJSON_Delete(root);
}
END_TEST

/* Stages still read the double; only the printing changes. */
START_TEST(value_still_a_number) {
  const char *line = "{\"id\":1460323737035677698}";
  cJSON *root = cJSON_Parse(line);
  ck_assert_int_eq(tp_json_keep_number_literals(root, line, strlen(line)), 0);
  const cJSON *id = cJSON_GetObjectItem(root, "id");
  ck_assert(cJSON_IsNumber(id));
  ck_assert_double_eq(id->valuedouble, 1460323737035677698.0);
  ck_assert_str_eq(id->valuestring, "1460323737035677698");
  cJSON_Delete(root);
}
END_TEST

static Suite *literals_suite(void) {
  Suite *suite = suite_create("json_literals");
  TCase *table = tcase_create("literals");
  tcase_add_loop_test(table, literals_table, 0, (int)(sizeof cases / sizeof cases[0]));
  tcase_add_test(table, value_still_a_number);
  suite_add_tcase(suite, table);
  return suite;
}

int main(void) {
  return tp_check_run(literals_suite());
}
