/* core/cli/file_guard.c - refuse a command whose files would write over one another
 * (file_guard.h). */
#include "file_guard.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

void tp_file_guard_add(tp_file_guard *guard, const char *option, const char *path, int fd,
                       bool written) {
  if (guard->count >= TP_FILE_GUARD_FILES)
    return;
  tp_guarded_file *file = &guard->files[guard->count++];
  struct stat info;
  file->option = option;
  file->path = path != NULL ? path : fd == STDIN_FILENO ? "stdin" : "stdout";
  file->written = written;
  file->regular = false;
  file->canonical[0] = '\0';
  if ((path != NULL ? stat(path, &info) : fstat(fd, &info)) == 0) {
    file->regular = S_ISREG(info.st_mode);
    file->device = info.st_dev;
    file->inode = info.st_ino;
    return;
  }
  if (path == NULL || strlen(path) >= PATH_MAX)
    return;
  char folder[PATH_MAX], base[PATH_MAX], resolved[PATH_MAX];
  snprintf(folder, sizeof folder, "%s", path);
  snprintf(base, sizeof base, "%s", path);
  if (realpath(dirname(folder), resolved) != NULL)
    snprintf(file->canonical, sizeof file->canonical, "%.*s/%s", (int)(PATH_MAX / 2), resolved,
             basename(base));
}

static bool same_file(const tp_guarded_file *a, const tp_guarded_file *b) {
  return (a->regular && b->regular && a->device == b->device && a->inode == b->inode) ||
         (a->canonical[0] != '\0' && strcmp(a->canonical, b->canonical) == 0);
}

int tp_file_guard_check(const tp_file_guard *guard, const char *command) {
  for (size_t a = 0; a < guard->count; a++)
    for (size_t b = a + 1; b < guard->count; b++) {
      const tp_guarded_file *first = &guard->files[a], *second = &guard->files[b];
      if ((first->written || second->written) && same_file(first, second)) {
        tp_log(TP_LOG_ERROR, NULL, "%s: %s %s and %s %s are the same file", command, first->option,
               first->path, second->option, second->path);
        return -1;
      }
    }
  return 0;
}
