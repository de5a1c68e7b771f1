/* tests/support/check_main.h - a test program's main for one Check suite: runs it and returns
 * the exit status (EXIT_FAILURE when any test failed). tp_check_main builds the suite from plain
 * tests; a suite with more (loop tests, fixtures, several cases) is built by its file and run
 * by tp_check_run, or by tp_check_run_fork_status when it must run in-process. */
#ifndef TP_TESTS_CHECK_MAIN_H
#define TP_TESTS_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

/* Runs `suite` (the runner takes it and frees it) in Check's fork mode `fork_status`:
 * CK_NOFORK runs the tests in this process, for fixtures whose servers or children this
 * process must stop itself; CK_FORK_GETENV is Check's default (CK_FORK=no in the environment
 * runs in-process, anything else forks a child per test). */
static inline int tp_check_run_fork_status(Suite *suite, enum fork_status fork_status) {
  SRunner *runner = srunner_create(suite);
  srunner_set_fork_status(runner, fork_status);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Runs `suite` (the runner takes it and frees it) in Check's default fork mode. */
static inline int tp_check_run(Suite *suite) {
  return tp_check_run_fork_status(suite, CK_FORK_GETENV);
}

/* Runs `tests` (count of them, as START_TEST names them) as the suite `name`. */
static inline int tp_check_main(const char *name, const TTest *const *tests, size_t count) {
  Suite *suite = suite_create(name);
  TCase *tcase = tcase_create("core");
  for (size_t i = 0; i < count; i++)
    tcase_add_test(tcase, tests[i]);
  suite_add_tcase(suite, tcase);
  return tp_check_run(suite);
}

#endif /* TP_TESTS_CHECK_MAIN_H */
