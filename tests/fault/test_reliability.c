/* tests/fault/test_reliability.c - the textpipe binary against the findings of issue 17: stops
 * that always stop, files never written over, plugin files checked where they are opened,
 * inputs that must be refused with a size cap, and failures of stdout and the dead-letter file
 * that must show in the exit status and the counts.
 *
 * Each case runs the binary as a child in a fresh folder under /tmp, with its own stdin,
 * stdout and stderr; a child that outlives its bound is killed and fails the test (so a stop
 * that never stops is a failure here, not a hung suite).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "check_main.h"
#include "run_support.h"

#define PIPELINE(stages)                                                                           \
  "{\"name\": \"reliability\", \"input\": {\"format\": \"ndjson\", \"text_field\": \"text\"},"     \
  " \"stages\": [" stages "]}"

/* A child started by spawn(). */
typedef struct child {
  char dir[256];
  pid_t pid;
  int status; /* exit code, or 128 + signal; -1 while running */
  char *err;  /* stderr once finished */
} child;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void write_in(const child *run, const char *name, const char *text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", run->dir, name);
  support_write_file(path, text);
}

static char *read_in(const child *run, const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", run->dir, name);
  return support_read_file(path, NULL);
}

static void make_dir(child *run) {
  memset(run, 0, sizeof *run);
  run->status = -1;
  snprintf(run->dir, sizeof run->dir, "/tmp/textpipe-reliability-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(run->dir));
}

/* Starts `textpipe ARGS...` (NULL-terminated) in run->dir with stdin from dir/STDIN_NAME (or
 * /dev/null), stdout to `stdout_fd` (-1: dir/out) and stderr to dir/err.txt, the address space
 * capped at 2 GiB (so a read without a cap fails instead of filling the machine). */
static void spawn(child *run, const char *stdin_name, int stdout_fd, const char *const *args) {
  const char *binary = getenv("TEXTPIPE_BINARY");
  ck_assert_msg(binary != NULL, "TEXTPIPE_BINARY is not set; run through meson test");
  run->pid = fork();
  ck_assert_int_ge(run->pid, 0);
  if (run->pid > 0)
    return;
  if (chdir(run->dir) != 0)
    _exit(126);
  int in = open(stdin_name != NULL ? stdin_name : "/dev/null", O_RDONLY);
  int out = stdout_fd >= 0 ? stdout_fd : open("out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int err = open("err.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
    _exit(126);
#ifndef __SANITIZE_ADDRESS__ /* ASan reserves terabytes of address space for its shadow */
  struct rlimit memory = {(rlim_t)2 << 30, (rlim_t)2 << 30};
  if (getenv("TEXTPIPE_VALGRIND") == NULL)
    setrlimit(RLIMIT_AS, &memory);
#endif
  alarm(60);
  setenv("TEXTPIPE_PLUGIN_PATH", support_fixture_plugins(), 1);
  char *argv[24] = {(char *)binary};
  size_t argc = 1;
  for (size_t i = 0; args[i] != NULL && argc < 23; i++)
    argv[argc++] = (char *)args[i];
  argv[argc] = NULL;
  execv(binary, argv);
  _exit(127);
}

/* Waits up to `seconds` for the child; returns whether it ended (else it is killed). */
static int finish(child *run, double seconds) {
  double deadline = now() + seconds;
  int status = 0;
  pid_t got = 0;
  while ((got = waitpid(run->pid, &status, WNOHANG)) == 0 && now() < deadline) {
    struct timespec pause = {0, 10 * 1000000L};
    nanosleep(&pause, NULL);
  }
  int ended = got == run->pid;
  if (!ended) {
    kill(run->pid, SIGKILL);
    waitpid(run->pid, &status, 0);
  }
  run->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run->err = read_in(run, "err.txt");
  if (run->err == NULL)
    run->err = strdup("");
  return ended;
}

/* Runs to the end (within 30 s) and returns the exit status. */
static int run_to_end(child *run, const char *stdin_name, const char *const *args) {
  spawn(run, stdin_name, -1, args);
  ck_assert_msg(finish(run, 30), "textpipe did not end within 30 s");
  return run->status;
}

static void remove_dir(child *run) {
  char command[400];
  snprintf(command, sizeof command, "rm -rf '%s'", run->dir);
  ck_assert_int_eq(system(command), 0);
  free(run->err);
}

static void assert_contains(const char *text, const char *part) {
  ck_assert_msg(text != NULL && strstr(text, part) != NULL, "expected \"%s\" in:\n%s", part,
                text != NULL ? text : "(nothing)");
}

/* Waits (up to 20 s) until dir/err.txt holds `part`. */
static void wait_for_message(child *run, const char *part) {
  double deadline = now() + 20;
  for (;;) {
    char *err = read_in(run, "err.txt");
    int found = err != NULL && strstr(err, part) != NULL;
    free(err);
    if (found)
      return;
    ck_assert_msg(now() < deadline, "no \"%s\" on stderr within 20 s", part);
    struct timespec pause = {0, 10 * 1000000L};
    nanosleep(&pause, NULL);
  }
}

/* ---- stops that always stop ----------------------------------------------------------------- */

/* The report's counts add up with the unfinished records, and some are unfinished. */
static void assert_stopped_at_once(const child *run) {
  char *text = read_in(run, "report.json");
  cJSON *report = text != NULL ? cJSON_Parse(text) : NULL;
  free(text);
  ck_assert_msg(report != NULL, "no report after the stop; stderr:\n%s", run->err);
  const cJSON *counts = cJSON_GetObjectItemCaseSensitive(report, "counts");
  double sum = 0;
  const char *parts[] = {"out", "dropped", "dead_letter", "not_written", "unfinished"};
  for (size_t i = 0; i < 5; i++) {
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(counts, parts[i]);
    ck_assert_msg(cJSON_IsNumber(value), "report has no counts.%s; stderr:\n%s", parts[i],
                  run->err);
    sum += value->valuedouble;
  }
  const cJSON *in = cJSON_GetObjectItemCaseSensitive(counts, "in");
  ck_assert(cJSON_IsNumber(in));
  ck_assert_msg(in->valuedouble == sum,
                "in %g != out + dropped + dead + not written + "
                "unfinished %g",
                in->valuedouble, sum);
  ck_assert(cJSON_GetObjectItemCaseSensitive(counts, "unfinished")->valuedouble > 0);
  cJSON_Delete(report);
  assert_contains(run->err, ", unfinished ");
  assert_contains(run->err, "textpipe: summary: in ");
}

static const struct {
  int signal_number;
  int exit_status;
  int second_signal; /* else the deadline */
  const char *message;
} stops[] = {
    {SIGINT, 130, 1, "interrupted again: stopping now"},
    {SIGTERM, 143, 1, "terminated again: stopping now"},
    {SIGINT, 130, 0, "did not finish within 0.3 s; stopping now"},
    {SIGTERM, 143, 0, "did not finish within 0.3 s; stopping now"},
};

/* Output nobody reads (`| sleep 30`): the pipe fills, reading stops at the in-flight bound,
 * and the first signal cannot finish anything. The second signal, or the deadline, ends the
 * run at once with the report and the summary. */
START_TEST(test_stop_with_output_blocked) {
  child run;
  make_dir(&run);
  write_in(&run, "pipeline.json", PIPELINE(""));
  char *records = support_records(100000);
  write_in(&run, "in.ndjson", records);
  free(records);
  int ends[2];
  ck_assert_int_eq(pipe(ends), 0);
  const char *deadline_args[] = {"run",
                                 "pipeline.json",
                                 "-i",
                                 "in.ndjson",
                                 "--report",
                                 "report.json",
                                 "--stop-timeout",
                                 stops[_i].second_signal ? "30" : "0.3",
                                 NULL};
  spawn(&run, NULL, ends[1], deadline_args);
  close(ends[1]);
  /* Until the pipe holds most of its 64 KiB and has stopped filling: the writer is stuck. */
  double deadline = now() + 20;
  int queued = 0, before = -1;
  while ((queued < 32768 || queued != before) && now() < deadline) {
    before = queued;
    struct timespec pause = {0, 100 * 1000000L};
    nanosleep(&pause, NULL);
    ck_assert_int_eq(ioctl(ends[0], FIONREAD, &queued), 0);
  }
  ck_assert_int_ge(queued, 32768);
  kill(run.pid, stops[_i].signal_number);
  if (stops[_i].second_signal) {
    wait_for_message(&run, "finishing the records in flight");
    kill(run.pid, stops[_i].signal_number);
  }
  int ended = finish(&run, 10);
  close(ends[0]);
  ck_assert_msg(ended, "still running 10 s after the stop; stderr:\n%s", run.err);
  ck_assert_int_eq(run.status, stops[_i].exit_status);
  assert_contains(run.err, stops[_i].message);
  assert_stopped_at_once(&run);
  remove_dir(&run);
}
END_TEST

/* A stage busy inside process() (the slow fixture signals its own process at line 1, then
 * stays busy for 20 s): the run ends at once on the second signal or the deadline, without
 * waiting for the stage; the report has the counts. */
START_TEST(test_stop_with_stage_busy) {
  child run;
  make_dir(&run);
  char pipeline[512];
  snprintf(pipeline, sizeof pipeline,
           PIPELINE("{\"plugin\": \"slow\", \"config\": {\"signal_line\": 1, \"hold_ms\": 20000, "
                    "\"signal\": \"%s\"}}"),
           stops[_i].signal_number == SIGINT ? "INT" : "TERM");
  write_in(&run, "pipeline.json", pipeline);
  char *records = support_records(1000);
  write_in(&run, "in.ndjson", records);
  free(records);
  const char *args[] = {"run",
                        "pipeline.json",
                        "-i",
                        "in.ndjson",
                        "-o",
                        "/dev/null",
                        "--report",
                        "report.json",
                        "--workers",
                        "1",
                        "--stop-timeout",
                        stops[_i].second_signal ? "30" : "0.3",
                        NULL};
  spawn(&run, NULL, -1, args);
  wait_for_message(&run, "finishing the records in flight");
  if (stops[_i].second_signal)
    kill(run.pid, stops[_i].signal_number);
  int ended = finish(&run, 10);
  ck_assert_msg(ended, "still running 10 s after the stop; stderr:\n%s", run.err);
  ck_assert_int_eq(run.status, stops[_i].exit_status);
  assert_contains(run.err, stops[_i].message);
  assert_stopped_at_once(&run);
  remove_dir(&run);
}
END_TEST

/* ---- nothing written over ------------------------------------------------------------------- */

static const struct {
  const char *args[10];
  const char *message;
} clashes[] = {
    {{"run", "pipeline.json", "-i", "in.ndjson", "-o", "pipeline.json", NULL},
     "run: PIPELINE pipeline.json and --output pipeline.json are the same file"},
    {{"run", "pipeline.json", "-i", "in.ndjson", "-o", "/dev/null", "--report", "./pipeline.json",
      NULL},
     "run: PIPELINE pipeline.json and --report ./pipeline.json are the same file"},
    {{"run", "pipeline.json", "-i", "in.ndjson", "-o", "/dev/null", "--dead-letter", "link.json",
      NULL},
     "run: PIPELINE pipeline.json and --dead-letter link.json are the same file"},
    {{"run", "pipeline.json", "-i", "in.ndjson", "--report", "report.json", "-o", "hard.json",
      NULL},
     "are the same file"},
    {{"report", "report.json", "-o", "report.json", NULL},
     "report: REPORT.json report.json and --output report.json are the same file"},
    {{"report", "report.json", "-o", "link-report.json", NULL},
     "report: REPORT.json report.json and --output link-report.json are the same file"},
};

/* A command told to write onto a file it reads refuses (exit 2) and leaves the file as it
 * was. link.json is a symbolic link and hard.json a hard link to the same files. */
START_TEST(test_no_file_written_over) {
  child run;
  make_dir(&run);
  const char *pipeline = PIPELINE("");
  const char *report = "{\"textpipe\": \"0.1.0\", \"counts\": {\"in\": 0}}";
  write_in(&run, "pipeline.json", pipeline);
  write_in(&run, "report.json", report);
  write_in(&run, "in.ndjson", "{\"text\": \"hello\"}\n");
  char from[512], to[512];
  snprintf(to, sizeof to, "%s/link.json", run.dir);
  ck_assert_int_eq(symlink("pipeline.json", to), 0);
  snprintf(to, sizeof to, "%s/link-report.json", run.dir);
  ck_assert_int_eq(symlink("report.json", to), 0);
  snprintf(from, sizeof from, "%s/report.json", run.dir);
  snprintf(to, sizeof to, "%s/hard.json", run.dir);
  ck_assert_int_eq(link(from, to), 0);
  ck_assert_int_eq(run_to_end(&run, NULL, clashes[_i].args), 2);
  assert_contains(run.err, clashes[_i].message);
  char *after = read_in(&run, "pipeline.json");
  ck_assert_str_eq(after, pipeline);
  free(after);
  after = read_in(&run, "report.json");
  ck_assert_str_eq(after, report);
  free(after);
  remove_dir(&run);
}
END_TEST

/* ---- plugin files --------------------------------------------------------------------------- */

/* Copies the echo fixture to dir/<sub>/echo.so (the file 0644); modes set afterwards. */
static void place_echo(const child *run, const char *sub, char *plugin, size_t size) {
  char folder[512];
  snprintf(folder, sizeof folder, "%s/%s", run->dir, sub);
  ck_assert_int_eq(mkdir(folder, 0755), 0);
  snprintf(plugin, size, "%s/echo.so", folder);
  support_copy_echo(plugin, 0644);
}

static const struct {
  mode_t top_mode;     /* the test's folder, parent of the plugin's folder */
  uid_t folder_owner;  /* of the plugin's folder; 0: the user */
  const char *message; /* NULL: loads */
} plugin_folders[] = {
    {0777, 0, "which group or others can write"},     /* a world-writable parent */
    {0775, 0, "which group or others can write"},     /* a group-writable parent */
    {0755, 4242, "owned by another user (uid 4242)"}, /* the plugin's folder is someone else's */
    {01777, 0, NULL}, /* a sticky parent, like /tmp: the OS keeps others off our entries */
    {0755, 0, NULL},
};

/* Every folder from the plugin's own up to "/" is checked, not only the plugin's own. */
START_TEST(test_plugin_folders_checked) {
  if (plugin_folders[_i].folder_owner != 0 && geteuid() != 0)
    return; /* giving a folder away takes root */
  child run;
  make_dir(&run);
  char plugin[512], folder[512], pipeline[1024];
  place_echo(&run, "plugins", plugin, sizeof plugin);
  snprintf(folder, sizeof folder, "%s/plugins", run.dir);
  if (plugin_folders[_i].folder_owner != 0)
    ck_assert_int_eq(chown(folder, plugin_folders[_i].folder_owner, (gid_t)-1), 0);
  snprintf(pipeline, sizeof pipeline, PIPELINE("{\"path\": \"%s\"}"), plugin);
  write_in(&run, "pipeline.json", pipeline);
  write_in(&run, "in.ndjson", "{\"text\": \"hello\"}\n");
  ck_assert_int_eq(chmod(run.dir, plugin_folders[_i].top_mode), 0);
  const char *args[] = {"run", "pipeline.json", "-i", "in.ndjson", NULL};
  int status = run_to_end(&run, NULL, args);
  if (plugin_folders[_i].message != NULL) {
    ck_assert_int_eq(status, 2);
    assert_contains(run.err, plugin_folders[_i].message);
    assert_contains(run.err, "stages[0].path");
  } else {
    ck_assert_msg(status == 0, "exit %d: %s", status, run.err);
    char *out = read_in(&run, "out");
    assert_contains(out, "\"echo\":\"hello\"");
    free(out);
  }
  remove_dir(&run);
}
END_TEST

/* ---- caps on what is read ------------------------------------------------------------------- */

static const struct {
  const char *args[5];
  const char *message;
} endless_inputs[] = {
    {{"check", "/dev/zero", NULL}, "/dev/zero: too large for a pipeline file (more than 4 MiB)"},
    {{"report", "/dev/zero", "-o", "page.html"},
     "/dev/zero: too large for a report (more than 256 MiB)"},
};

/* An endless file given as a pipeline or a report is refused at the cap (exit 2), in bounded
 * memory, not read until memory runs out. */
START_TEST(test_endless_input_refused) {
  child run;
  make_dir(&run);
  int status = run_to_end(&run, NULL, endless_inputs[_i].args);
  ck_assert_msg(status == 2, "exit %d: %s", status, run.err);
  assert_contains(run.err, endless_inputs[_i].message);
  remove_dir(&run);
}
END_TEST

/* ---- failures that must show ---------------------------------------------------------------- */

/* Dead-letters the file does not take are not counted as written: the summary says how many
 * were lost, and the run exits 3. */
START_TEST(test_dead_letters_on_full_disk) {
  child run;
  make_dir(&run);
  write_in(&run, "pipeline.json", PIPELINE(""));
  write_in(&run, "in.ndjson", "{\"text\": \"fine\"}\nnot json\n[2]\n");
  const char *args[] = {"run",           "pipeline.json", "-i", "in.ndjson",
                        "--dead-letter", "/dev/full",     NULL};
  ck_assert_int_eq(run_to_end(&run, NULL, args), 3);
  assert_contains(run.err, "/dev/full: cannot write the dead-letters: no space left");
  assert_contains(run.err, "dead-letter 2 (not written 2)");
  remove_dir(&run);
}
END_TEST

static const char *const help_commands[][3] = {
    {"--help", NULL}, {"run", "--help", NULL}, {"check", "--help", NULL}, {"--version", NULL}};

/* Help and version written to a full disk: exit 3 with a message, not 0. */
START_TEST(test_help_to_full_disk) {
  child run;
  make_dir(&run);
  int full = open("/dev/full", O_WRONLY);
  ck_assert_int_ge(full, 0);
  spawn(&run, NULL, full, help_commands[_i]);
  close(full);
  ck_assert(finish(&run, 30));
  ck_assert_int_eq(run.status, 3);
  assert_contains(run.err, "space left on device");
  remove_dir(&run);
}
END_TEST

static Suite *reliability_suite(void) {
  Suite *suite = suite_create("reliability");
  TCase *stopping = tcase_create("stops");
  tcase_set_timeout(stopping, 60);
  tcase_add_loop_test(stopping, test_stop_with_output_blocked, 0, 4);
  tcase_add_loop_test(stopping, test_stop_with_stage_busy, 0, 4);
  suite_add_tcase(suite, stopping);
  TCase *files = tcase_create("files");
  tcase_set_timeout(files, 60); /* each child is bounded at 30 s by run_to_end() */
  tcase_add_loop_test(files, test_no_file_written_over, 0,
                      (int)(sizeof clashes / sizeof clashes[0]));
  tcase_add_loop_test(files, test_plugin_folders_checked, 0,
                      (int)(sizeof plugin_folders / sizeof plugin_folders[0]));
  tcase_add_loop_test(files, test_endless_input_refused, 0, 2);
  suite_add_tcase(suite, files);
  TCase *failures = tcase_create("failures");
  tcase_set_timeout(failures, 60);
  tcase_add_test(failures, test_dead_letters_on_full_disk);
  tcase_add_loop_test(failures, test_help_to_full_disk, 0, 4);
  suite_add_tcase(suite, failures);
  return suite;
}

int main(void) {
  return tp_check_run(reliability_suite());
}
