/* tests/e2e/test_e2e.c - golden tests of the textpipe binary.
 *
 * Each folder tests/e2e/cases/<name>/ is one case, found at run time (add a folder, no code):
 *   args             arguments after `textpipe`, one per line (default: run, pipeline.json)
 *   stdin            the standard input (default: empty)
 *   expected.stdout  expected standard output (default: empty)
 *   expected.stderr  expected standard error after normalization (default: empty)
 *   expected.status  expected exit status (default: 0)
 * The binary ($TEXTPIPE_BINARY) runs with the case folder as its working directory and
 * TEXTPIPE_PLUGIN_PATH set to the built fixture plugins. Timing figures are normalized
 * before comparing (see README.md); everything else must match byte for byte.
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CASES 256
#define MAX_ARGS  64

static char *case_names[MAX_CASES];
static int case_count;
static char cases_dir[4096];

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void discover_cases(void) {
  const char *source = getenv("TEXTPIPE_SOURCE_ROOT");
  snprintf(cases_dir, sizeof cases_dir, "%s/tests/e2e/cases", source != NULL ? source : ".");
  DIR *dir = opendir(cases_dir);
  if (dir == NULL)
    return;
  struct dirent *entry;
  while ((entry = readdir(dir)) != NULL && case_count < MAX_CASES) {
    if (entry->d_name[0] == '.')
      continue;
    case_names[case_count++] = strdup(entry->d_name);
  }
  closedir(dir);
  qsort(case_names, (size_t)case_count, sizeof case_names[0], compare_names);
}

/* The whole file, NUL-terminated; NULL if it cannot be read. Caller frees. */
static char *read_file(const char *path, size_t *length) {
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return NULL;
  size_t capacity = 4096, used = 0;
  char *text = malloc(capacity);
  size_t got;
  while ((got = fread(text + used, 1, capacity - used - 1, file)) > 0) {
    used += got;
    if (capacity - used < 2)
      text = realloc(text, capacity *= 2);
  }
  fclose(file);
  text[used] = '\0';
  if (length != NULL)
    *length = used;
  return text;
}

static char *case_file(const char *case_dir, const char *name, size_t *length) {
  char path[4500];
  snprintf(path, sizeof path, "%s/%s", case_dir, name);
  return read_file(path, length);
}

/* Replaces every match of `pattern` in `text` by `replacement`. Returns a new string. */
static char *replace_all(char *text, const char *pattern, const char *replacement) {
  regex_t regex;
  ck_assert_int_eq(regcomp(&regex, pattern, REG_EXTENDED), 0);
  size_t capacity = strlen(text) + 1, used = 0;
  char *out = malloc(capacity);
  const char *at = text;
  regmatch_t match;
  while (regexec(&regex, at, 1, &match, at == text ? 0 : REG_NOTBOL) == 0 && match.rm_eo > 0) {
    size_t need = used + (size_t)match.rm_so + strlen(replacement) + strlen(at) + 1;
    if (need > capacity)
      out = realloc(out, capacity = need * 2);
    memcpy(out + used, at, (size_t)match.rm_so);
    used += (size_t)match.rm_so;
    memcpy(out + used, replacement, strlen(replacement));
    used += strlen(replacement);
    at += match.rm_eo;
  }
  size_t rest = strlen(at);
  if (used + rest + 1 > capacity)
    out = realloc(out, used + rest + 1);
  memcpy(out + used, at, rest + 1);
  regfree(&regex);
  free(text);
  return out;
}

/* Replaces every `literal` in `text` (freed) by `with`; returns the new text. */
static char *replace_literal(char *text, const char *literal, const char *with) {
  size_t literal_length = strlen(literal), with_length = strlen(with);
  size_t count = 0;
  for (const char *at = strstr(text, literal); literal_length > 0 && at != NULL;
       at = strstr(at + literal_length, literal))
    count++;
  if (count == 0)
    return text;
  char *out = malloc(strlen(text) + count * with_length + 1);
  ck_assert_ptr_nonnull(out);
  char *to = out;
  const char *from = text;
  for (const char *at = strstr(from, literal); at != NULL; at = strstr(from, literal)) {
    memcpy(to, from, (size_t)(at - from));
    to += at - from;
    memcpy(to, with, with_length);
    to += with_length;
    from = at + literal_length;
  }
  strcpy(to, from);
  free(text);
  return out;
}

/* The normalization documented in README.md. */
static char *normalize(char *text) {
  const char *build_root = getenv("TEXTPIPE_BUILD_ROOT");
  if (build_root != NULL && build_root[0] != '\0')
    text = replace_literal(text, build_root, "BUILD");
  text = replace_all(text, "; [0-9]+\\.[0-9]+ s, [0-9]+\\.[0-9]+ MB/s", "; T s, R MB/s");
  return replace_all(text, "\"seconds\":[[:space:]]*[0-9.e+-]+", "\"seconds\": T");
}

/* Where two texts first differ, for the failure message. */
static void first_difference(const char *expected, const char *actual, char *out, size_t size) {
  size_t line = 1, at = 0;
  while (expected[at] != '\0' && expected[at] == actual[at]) {
    if (expected[at] == '\n')
      line++;
    at++;
  }
  snprintf(out, size, "line %zu: expected \"%.120s\" got \"%.120s\"", line, expected + at,
           actual + at);
}

START_TEST(golden_case) {
  const char *name = case_names[_i];
  char case_dir[4400];
  snprintf(case_dir, sizeof case_dir, "%s/%s", cases_dir, name);
  const char *binary = getenv("TEXTPIPE_BINARY");
  ck_assert_msg(binary != NULL, "TEXTPIPE_BINARY is not set");

  char *args_text = case_file(case_dir, "args", NULL);
  if (args_text == NULL)
    args_text = strdup("run\npipeline.json\n");
  char *argv[MAX_ARGS + 2];
  int argc = 0;
  argv[argc++] = (char *)binary;
  for (char *save = NULL, *arg = strtok_r(args_text, "\n", &save); arg != NULL && argc <= MAX_ARGS;
       arg = strtok_r(NULL, "\n", &save))
    argv[argc++] = arg;
  argv[argc] = NULL;

  char out_path[] = "/tmp/textpipe-e2e-out-XXXXXX";
  char err_path[] = "/tmp/textpipe-e2e-err-XXXXXX";
  int out_fd = mkstemp(out_path);
  int err_fd = mkstemp(err_path);
  ck_assert(out_fd >= 0 && err_fd >= 0);
  char stdin_path[4500];
  snprintf(stdin_path, sizeof stdin_path, "%s/stdin", case_dir);
  int in_fd = open(stdin_path, O_RDONLY);
  if (in_fd < 0)
    in_fd = open("/dev/null", O_RDONLY);

  char plugin_path[4200];
  const char *build = getenv("TEXTPIPE_BUILD_ROOT");
  snprintf(plugin_path, sizeof plugin_path, "%s/tests/fixtures/plugins", build ? build : ".");
  pid_t child = fork();
  ck_assert_int_ge(child, 0);
  if (child == 0) {
    if (chdir(case_dir) != 0)
      _exit(126);
    dup2(in_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    setenv("TEXTPIPE_PLUGIN_PATH", plugin_path, 1);
    execv(binary, argv);
    _exit(127);
  }
  int wait_status = 0;
  ck_assert_int_eq(waitpid(child, &wait_status, 0), child);
  close(in_fd);
  close(out_fd);
  close(err_fd);
  int status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);

  char *actual_out = normalize(read_file(out_path, NULL));
  char *actual_err = normalize(read_file(err_path, NULL));
  unlink(out_path);
  unlink(err_path);
  char *expected_out = case_file(case_dir, "expected.stdout", NULL);
  char *expected_err = case_file(case_dir, "expected.stderr", NULL);
  char *expected_status_text = case_file(case_dir, "expected.status", NULL);
  int expected_status = expected_status_text != NULL ? atoi(expected_status_text) : 0;
  expected_out = normalize(expected_out != NULL ? expected_out : strdup(""));
  expected_err = normalize(expected_err != NULL ? expected_err : strdup(""));

  char difference[512];
  first_difference(expected_out, actual_out, difference, sizeof difference);
  ck_assert_msg(strcmp(expected_out, actual_out) == 0, "%s: stdout differs at %s", name,
                difference);
  first_difference(expected_err, actual_err, difference, sizeof difference);
  ck_assert_msg(strcmp(expected_err, actual_err) == 0, "%s: stderr differs at %s", name,
                difference);
  ck_assert_msg(status == expected_status, "%s: exit status %d, expected %d", name, status,
                expected_status);
  free(actual_out);
  free(actual_err);
  free(expected_out);
  free(expected_err);
  free(expected_status_text);
  free(args_text);
}
END_TEST

/* Starts textpipe `run pipeline.json --workers 1` in the passthrough case folder with pipes
 * for stdin and stdout and stderr in a temp file. Returns the child's pid. */
static pid_t start_live(int *to_child, int *from_child, char *err_path) {
  const char *binary = getenv("TEXTPIPE_BINARY");
  ck_assert_ptr_nonnull(binary);
  int in_pipe[2], out_pipe[2];
  ck_assert_int_eq(pipe(in_pipe), 0);
  ck_assert_int_eq(pipe(out_pipe), 0);
  int err_fd = mkstemp(err_path);
  ck_assert_int_ge(err_fd, 0);
  char case_dir[4400];
  snprintf(case_dir, sizeof case_dir, "%s/passthrough_sample", cases_dir);
  pid_t child = fork();
  ck_assert_int_ge(child, 0);
  if (child == 0) {
    if (chdir(case_dir) != 0)
      _exit(126);
    dup2(in_pipe[0], STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    close(in_pipe[1]);
    close(out_pipe[0]);
    execl(binary, binary, "run", "pipeline.json", "--workers", "1", (char *)NULL);
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_fd);
  *to_child = in_pipe[1];
  *from_child = out_pipe[0];
  return child;
}

/* Reads from `fd` until `lines` newlines came (or EOF). Returns the newlines seen. */
static int read_lines(int fd, int lines) {
  int seen = 0;
  char buffer[4096];
  while (seen < lines) {
    ssize_t got = read(fd, buffer, sizeof buffer);
    if (got <= 0)
      break;
    for (ssize_t i = 0; i < got; i++)
      seen += buffer[i] == '\n';
  }
  return seen;
}

static void write_records(int fd, int first, int count) {
  char line[128];
  for (int n = first; n < first + count; n++) {
    int length = snprintf(line, sizeof line, "{\"id\":%d,\"text\":\"record %d\"}\n", n, n);
    if (write(fd, line, (size_t)length) != length)
      break;
  }
}

/* SIGTERM mid-stream: the records already read come out, the summary accounts for them, the
 * exit status is 143. No sleeps: the signal goes after the output of the first records. */
START_TEST(sigterm_finishes_in_flight) {
  char err_path[] = "/tmp/textpipe-e2e-live-XXXXXX";
  int to_child, from_child;
  pid_t child = start_live(&to_child, &from_child, err_path);
  write_records(to_child, 1, 10);
  ck_assert_int_eq(read_lines(from_child, 10), 10);
  kill(child, SIGTERM);
  ck_assert_int_eq(read_lines(from_child, 1), 0); /* nothing more: output ends */
  int status = 0;
  ck_assert_int_eq(waitpid(child, &status, 0), child);
  close(to_child);
  close(from_child);
  char *err = read_file(err_path, NULL);
  unlink(err_path);
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 143, "status %d", status);
  ck_assert_msg(strstr(err, "textpipe: warning: terminated: finishing the records in flight (") !=
                    NULL,
                "%s", err);
  ck_assert_msg(strstr(err, "textpipe: summary: in 10, out 10, dropped 0, dead-letter 0, "
                            "skipped 0; ") != NULL,
                "%s", err);
  free(err);
}
END_TEST

/* The reader of our output goes away: a message and exit 3, not death by SIGPIPE. */
START_TEST(broken_output_pipe_ends_cleanly) {
  signal(SIGPIPE, SIG_IGN);
  char err_path[] = "/tmp/textpipe-e2e-live-XXXXXX";
  int to_child, from_child;
  pid_t child = start_live(&to_child, &from_child, err_path);
  write_records(to_child, 1, 1);
  ck_assert_int_eq(read_lines(from_child, 1), 1);
  close(from_child);
  write_records(to_child, 2, 20000); /* may fail once textpipe has stopped reading */
  close(to_child);
  int status = 0;
  ck_assert_int_eq(waitpid(child, &status, 0), child);
  char *err = read_file(err_path, NULL);
  unlink(err_path);
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 3, "status %d: %s", status, err);
  ck_assert_msg(strstr(err, "textpipe: error: stdout: the reader closed the output (broken "
                            "pipe); stopping\n") != NULL,
                "%s", err);
  ck_assert_ptr_nonnull(strstr(err, "textpipe: summary: in "));
  free(err);
}
END_TEST

int main(void) {
  discover_cases();
  Suite *suite = suite_create("e2e");
  TCase *golden = tcase_create("golden");
  tcase_set_timeout(golden, 60);
  tcase_add_loop_test(golden, golden_case, 0, case_count);
  suite_add_tcase(suite, golden);
  TCase *live = tcase_create("live");
  tcase_set_timeout(live, 60);
  tcase_add_test(live, sigterm_finishes_in_flight);
  tcase_add_test(live, broken_output_pipe_ends_cleanly);
  suite_add_tcase(suite, live);
  SRunner *runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  int ran = srunner_ntests_run(runner);
  srunner_free(runner);
  if (case_count == 0)
    fprintf(stderr, "e2e: no case folders under %s\n", cases_dir);
  return failed == 0 && ran > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
