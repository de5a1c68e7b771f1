/* core/cli/file_guard.h - refuse a command whose files would write over one another.
 *
 * A command lists every file it reads or writes (the pipeline, the input, a report to render,
 * the output, the report, the dead-letters, stdin and stdout) and checks them before it opens
 * anything for writing: two of them that are the same file, at least one written, stop the
 * command with a usage error naming both. Existing files are compared by device and inode (so
 * a link, another spelling of the path or /dev/stdout redirected to the file is caught);
 * files still to be created by their resolved path. Devices, pipes and terminals may be shared.
 */
#ifndef TP_CORE_FILE_GUARD_H
#define TP_CORE_FILE_GUARD_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#define TP_FILE_GUARD_FILES 8

typedef struct tp_guarded_file {
  const char *option; /* "--output", "PIPELINE", ... as the user knows it */
  const char *path;   /* as given, or "stdin"/"stdout" */
  bool written;
  bool regular; /* an existing regular file: compared by device and inode */
  dev_t device;
  ino_t inode;
  char canonical[PATH_MAX + 1]; /* a file still to be created: its resolved path, else "" */
} tp_guarded_file;

typedef struct tp_file_guard {
  tp_guarded_file files[TP_FILE_GUARD_FILES];
  size_t count;
} tp_file_guard;

/* Adds the file at `path`, or when `path` is NULL the one open on descriptor `fd` (stdin,
 * stdout). Beyond TP_FILE_GUARD_FILES files the rest are ignored (no command has that many). */
void tp_file_guard_add(tp_file_guard *guard, const char *option, const char *path, int fd,
                       bool written);

/* Returns 0 when no written file is also another of the files; else logs
 * "COMMAND: OPTION PATH and OPTION PATH are the same file" and returns -1. */
int tp_file_guard_check(const tp_file_guard *guard, const char *command);

#endif /* TP_CORE_FILE_GUARD_H */
