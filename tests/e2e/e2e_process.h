/* tests/e2e/e2e_process.h - starting the built binary from a Check test and waiting for it,
 * shared by the e2e tests that run several processes (test_merge.c, test_redis.c). */
#ifndef TP_TESTS_E2E_PROCESS_H
#define TP_TESTS_E2E_PROCESS_H

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Starts `binary` with `arguments` (NULL-terminated, at most 22, without argv[0]); stdout goes
 * to /dev/null, stderr to `log` (NULL: /dev/null); plugins come from the build tree. */
static inline pid_t e2e_spawn(const char *binary, const char *const *arguments, const char *log) {
  const char *argv[24] = {binary};
  size_t count = 1;
  for (; arguments[count - 1] != NULL && count < 23; count++)
    argv[count] = arguments[count - 1];
  argv[count] = NULL;
  pid_t child = fork();
  ck_assert_int_ge(child, 0);
  if (child == 0) {
    if (freopen("/dev/null", "w", stdout) == NULL ||
        freopen(log != NULL ? log : "/dev/null", "w", stderr) == NULL)
      _exit(127);
    setenv("TEXTPIPE_PLUGIN_PATH", "", 1);
    execv(binary, (char *const *)argv);
    _exit(127);
  }
  return child;
}

/* Waits up to `seconds` for `child` (polling every 20 ms). Returns its exit status (128 + the
 * signal when killed), or -1 when it is still running. */
static inline int e2e_wait(pid_t child, double seconds) {
  struct timespec step = {0, 20 * 1000000};
  for (double waited = 0; waited < seconds; waited += 0.02) {
    int status = 0;
    if (waitpid(child, &status, WNOHANG) == child)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    nanosleep(&step, NULL);
  }
  return -1;
}

#endif /* TP_TESTS_E2E_PROCESS_H */
