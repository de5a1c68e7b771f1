/* core/cli/main.c - the textpipe executable: global options and dispatch to a subcommand. The
 * work lives in the core library (commands.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>

#include <uv.h>

#include "commands.h"
#include "huge_pages.h"
#include "log.h"
#include "tp_config.h"

static const char usage[] =
    "Usage: textpipe COMMAND [options]\n"
    "\n"
    "A text-analytics pipeline: NDJSON records (or text lines) in, enriched NDJSON out,\n"
    "through a chain of plugins described by a pipeline file.\n"
    "\n"
    "Commands:\n"
    "  run PIPELINE [options]    stream stdin (or -i FILE) through PIPELINE to stdout\n"
    "                            (or -o FILE); options: -i FILE, -o FILE, --report FILE,\n"
    "                            --dead-letter FILE, --workers N, --max-record-bytes N,\n"
    "                            --quiet (see 'textpipe run --help')\n"
    "  check PIPELINE            validate a pipeline file exactly as strictly as a run\n"
    "  plugins [NAME] [--json]   list plugins and their files, or describe one (options,\n"
    "                            requires/uses/provides)\n"
    "  test CASES_DIR            run golden cases (pipeline, input, expected records and\n"
    "                            report fragment) for any plugin\n"
    "  report REPORT.json [-o FILE.html]\n"
    "                            render a saved JSON report as one self-contained HTML page\n"
    "  merge PARTIAL... [--report FILE]\n"
    "                            one report from the partial states of several runs\n"
    "                            (written by 'run --partial FILE')\n"
    "\n"
    "Options:\n"
    "  -h, --help                show this help\n"
    "  --version                 show the version\n"
    "\n"
    "Environment:\n"
    "  TEXTPIPE_PLUGIN_PATH      colon-separated folders searched for plugins first\n"
    "\n"
    "Exit status:\n"
    "  0    all records written (records a stage dropped on purpose included)\n"
    "  1    some records were dead-lettered (bad input or a stage error)\n"
    "  2    usage error or invalid pipeline\n"
    "  3    runtime failure (read/write error, out of memory, broken output pipe)\n"
    "  130  interrupted by SIGINT (records in flight finished, report written)\n"
    "  143  terminated by SIGTERM (same)\n";

/* A closed stdin, stdout or stderr would be reused by the next open() (the event loop's own
 * descriptors, the pipeline file), with confusing results. Occupy each closed one with
 * /dev/null opened the wrong way round, so that reading stdin or writing stdout fails with a
 * clear "bad file descriptor" instead. */
static void occupy_closed_stdio(void) {
  static const int flags[3] = {O_WRONLY, O_RDONLY, O_WRONLY};
  for (int fd = 0; fd <= 2; fd++) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
      continue;
    int opened = open("/dev/null", flags[fd]);
    if (opened >= 0 && opened != fd) {
      dup2(opened, fd);
      close(opened);
    }
  }
}

static int dispatch(int argc, char **argv) {
  if (argc < 2) {
    tp_log(TP_LOG_ERROR, NULL, "missing a command (try 'textpipe --help')");
    return TP_EXIT_USAGE;
  }
  const char *command = argv[1];
  if (strcmp(command, "-h") == 0 || strcmp(command, "--help") == 0 ||
      strcmp(command, "help") == 0) {
    fputs(usage, stdout);
    return TP_EXIT_OK;
  }
  if (strcmp(command, "--version") == 0 || strcmp(command, "-V") == 0) {
    printf("textpipe %s (plugin ABI %d.%d)\n", TP_VERSION, TP_ABI_MAJOR, TP_ABI_MINOR);
    return TP_EXIT_OK;
  }
  if (strcmp(command, "run") == 0)
    return tp_command_run(argc - 1, argv + 1);
  if (strcmp(command, "check") == 0)
    return tp_command_check(argc - 1, argv + 1);
  if (strcmp(command, "test") == 0)
    return tp_command_test(argc - 1, argv + 1);
  if (strcmp(command, "plugins") == 0)
    return tp_command_plugins(argc - 1, argv + 1);
  if (strcmp(command, "report") == 0)
    return tp_command_report(argc - 1, argv + 1);
  if (strcmp(command, "merge") == 0)
    return tp_command_merge(argc - 1, argv + 1);
  if (command[0] == '-')
    tp_log(TP_LOG_ERROR, NULL, "unknown option '%s' (try 'textpipe --help')", command);
  else
    tp_log(TP_LOG_ERROR, NULL, "unknown command '%s' (try 'textpipe --help')", command);
  return TP_EXIT_USAGE;
}

/* What went to stdout through stdio (help, version, check, plugins, report pages) must have
 * been written: a full disk or a closed pipe is a failure, not exit 0. (`run` writes its
 * records through its own writer, which reports its failures itself.) */
static int flush_stdout(int status) {
  if ((fflush(stdout) == 0 && !ferror(stdout)) ||
      (status != TP_EXIT_OK && status != TP_EXIT_DEAD_LETTERS)) /* already said and failed */
    return status;
  tp_log(TP_LOG_ERROR, NULL, "stdout: write failed: %s",
         uv_strerror(uv_translate_sys_error(errno)));
  return TP_EXIT_RUNTIME;
}

int main(int argc, char **argv) {
  tp_huge_pages_main();
  occupy_closed_stdio();
  return flush_stdout(dispatch(argc, argv));
}
