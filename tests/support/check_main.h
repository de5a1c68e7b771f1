/* tests/support/check_main.h - a test program's main for one Check suite of plain tests:
 * runs them and returns the exit status (EXIT_FAILURE when any test failed). */
#ifndef TP_TESTS_CHECK_MAIN_H
#define TP_TESTS_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

/* Runs `tests` (count of them, as START_TEST names them) as the suite `name`. */
static inline int tp_check_main(const char *name, const TTest *const *tests, size_t count) {
  Suite *suite = suite_create(name);
  TCase *tcase = tcase_create("core");
  for (size_t i = 0; i < count; i++)
    tcase_add_test(tcase, tests[i]);
  suite_add_tcase(suite, tcase);
  SRunner *runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* TP_TESTS_CHECK_MAIN_H */
