/* fuzz/replay.c - runs a fuzz target over files, without libFuzzer: `fuzz-replay-TARGET
 * PATH...` calls LLVMFuzzerTestOneInput once per file (a folder: once per file in it; a
 * missing folder is skipped, as git keeps no empty ones). The normal test suite uses it to run
 * every target over its seed corpus and its kept crash inputs (fuzz/regressions/), with gcc and
 * under the sanitizers, so a fixed crash stays fixed. Exit 0, or 1 if a file cannot be read
 * (a failed check aborts).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs the target on one file. Returns 0, or 1 if it cannot be read. */
static int replay_file(const char *path) {
  FILE *file = fopen(path, "rb");
  if (file == NULL) {
    fprintf(stderr, "fuzz-replay: cannot open %s\n", path);
    return 1;
  }
  {
    size_t capacity = 1 << 16, size = 0, got;
    uint8_t *data = malloc(capacity);
    while (data != NULL && (got = fread(data + size, 1, capacity - size, file)) > 0) {
      size += got;
      if (size == capacity) {
        uint8_t *bigger = realloc(data, capacity *= 2);
        if (bigger == NULL)
          free(data);
        data = bigger;
      }
    }
    fclose(file);
    if (data == NULL) {
      fprintf(stderr, "fuzz-replay: out of memory reading %s\n", path);
      return 1;
    }
    LLVMFuzzerTestOneInput(data, size);
    free(data);
  }
  return 0;
}

int main(int argc, char **argv) {
  int status = 0;
  long files = 0;
  for (int i = 1; i < argc; i++) {
    struct stat info;
    if (stat(argv[i], &info) != 0)
      continue;
    if (!S_ISDIR(info.st_mode)) {
      status |= replay_file(argv[i]);
      files++;
      continue;
    }
    DIR *dir = opendir(argv[i]);
    struct dirent *entry;
    while (dir != NULL && (entry = readdir(dir)) != NULL) {
      if (entry->d_name[0] == '.')
        continue;
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", argv[i], entry->d_name);
      status |= replay_file(path);
      files++;
    }
    if (dir != NULL)
      closedir(dir);
  }
  printf("fuzz-replay: %ld inputs\n", files);
  return status;
}
