/* bench/timed.c - runs a command and writes its wall time, peak RSS and CPU time, to the
 * microsecond, for the bench scripts (bench/speed_themes.sh).
 *
 *   timed OUT COMMAND [ARG...]
 *
 * Standard input and output are the command's. OUT gets one line "wall_seconds peak_rss_kb
 * user_seconds system_seconds": the fields and order of `/usr/bin/time -f "%e %M %U %S"`, whose
 * CPU seconds are rounded to 0.01 s, a sixth of a no-stage run of the 50 MB corpus. A small C
 * program rather than a script: the peak RSS of the child includes what it held before exec,
 * which for a forked interpreter is the interpreter. Exits with the command's status (128 + N
 * when signal N ended it; 127 when it could not be started). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_time.h"

static double seconds_of(struct timeval t) {
  return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: timed OUT COMMAND [ARG...]\n");
    return 2;
  }
  double start = bench_wall_seconds();
  pid_t pid = fork();
  if (pid < 0) {
    perror("timed: fork");
    return 127;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    fprintf(stderr, "timed: %s: %s\n", argv[2], strerror(errno));
    _exit(127);
  }
  int status;
  struct rusage usage;
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      perror("timed: wait4");
      return 127;
    }
  }
  double wall = bench_wall_seconds() - start;
  FILE *out = fopen(argv[1], "w");
  if (out == NULL) {
    fprintf(stderr, "timed: %s: %s\n", argv[1], strerror(errno));
    return 127;
  }
  fprintf(out, "%.6f %ld %.6f %.6f\n", wall, usage.ru_maxrss, seconds_of(usage.ru_utime),
          seconds_of(usage.ru_stime));
  if (fclose(out) != 0)
    return 127;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
