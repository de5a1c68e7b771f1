/* core/config/plugin_loader.c - finding, opening and checking plugin shared objects
 * (plugin_loader.h).
 *
 * Opening a plugin is a chain of checks, each with a message naming the file: the file is
 * opened once and the open file checked (regular, owned by root or the user, not writable by
 * group or others), and so is every folder from its own up to "/" (a plugin runs with the
 * user's rights, so like ssh we refuse files someone else could have replaced; sticky folders
 * such as /tmp excepted, as the OS protects entries there); it is dlopen()ed through that
 * descriptor (/proc/self/fd/N), so no one can swap it between check and load; dlopen() succeeds,
 * the entry symbol exists, the ABI version is compatible, the descriptor is complete and
 * self-consistent.
 * The descriptor and its option table are copied at this host's sizes (copy_descriptor), so a
 * plugin built against an older minor of ABI 2 reads as one whose later members are NULL.
 */
#include "plugin_loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_bind.h"
#include "config_schema.h"
#include "message.h"
#include "names.h"
#include "tp_config.h"

const char *tp_plugin_build_dir(void) {
  char exe[PATH_MAX];
  char root[PATH_MAX];
  ssize_t length = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (length <= 0 || realpath(TP_BUILD_ROOT, root) == NULL)
    return NULL;
  exe[length] = '\0';
  size_t root_length = strlen(root);
  return strncmp(exe, root, root_length) == 0 && exe[root_length] == '/' ? TP_BUILD_PLUGIN_DIR
                                                                         : NULL;
}

size_t tp_plugin_searched(char *out, size_t size) {
  const char *build = tp_plugin_build_dir();
  return tp_format(out, size, "$TEXTPIPE_PLUGIN_PATH, %s%s%s", build != NULL ? build : "",
                   build != NULL ? ", " : "", TP_INSTALL_PLUGIN_DIR);
}

/* The directories searched, in order: $TEXTPIPE_PLUGIN_PATH entries, the build tree (only for
 * a binary run from it), the install dir. Returns a NULL-terminated array of strings (free
 * with tp_plugin_names_free) or NULL. */
static char **search_dirs(const tp_loader_options *options) {
  const char *env = options != NULL ? options->env_path : NULL;
  size_t count = 2;
  for (const char *c = env; c != NULL && *c != '\0'; c++)
    count += *c == ':';
  count += env != NULL ? 1 : 0;
  char **dirs = calloc(count + 1, sizeof *dirs);
  size_t used = 0;
  if (dirs == NULL)
    return NULL;
  for (const char *start = env; start != NULL && *start != '\0';) {
    const char *end = strchr(start, ':');
    size_t length = end != NULL ? (size_t)(end - start) : strlen(start);
    if (length > 0 && (dirs[used++] = strndup(start, length)) == NULL)
      goto out_of_memory;
    start = end != NULL ? end + 1 : start + length;
  }
  const char *build = tp_plugin_build_dir();
  if ((build != NULL && (dirs[used++] = strdup(build)) == NULL) ||
      (dirs[used++] = strdup(TP_INSTALL_PLUGIN_DIR)) == NULL)
    goto out_of_memory;
  return dirs;
out_of_memory:
  tp_plugin_names_free(dirs);
  return NULL;
}

static int is_file(const char *path) {
  struct stat info;
  return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

/* Finds <dir>/<name>.so or <dir>/<name>/<name>.so in the search dirs. Returns 1 and fills
 * `found`, 0 if absent, -1 on OOM. */
static int find_plugin(const char *name, const tp_loader_options *options, char *found,
                       size_t size) {
  char **dirs = search_dirs(options);
  if (dirs == NULL)
    return -1;
  int status = 0;
  for (size_t i = 0; dirs[i] != NULL && status == 0; i++) {
    tp_format(found, size, "%s/%s.so", dirs[i], name);
    if (is_file(found)) {
      status = 1;
      break;
    }
    tp_format(found, size, "%s/%s/%s.so", dirs[i], name, name);
    if (is_file(found))
      status = 1;
  }
  tp_plugin_names_free(dirs);
  return status;
}

/* Whether a file or folder owned by `uid` is trusted: ours or root's. */
static int trusted_owner(uid_t uid) {
  return uid == getuid() || uid == 0;
}

/* Checks the folder holding the plugin and each parent up to "/": owned by root or the user,
 * and not writable by group or others unless sticky (like /tmp: then only an entry's owner
 * may rename or remove it, and the next folder down or the plugin is checked to be ours).
 * `resolved` has no symbolic link (realpath). Returns 0 or -1 with err naming the folder. */
static int check_folders(const char *resolved, const char *shown, tp_error *err) {
  char folder[PATH_MAX];
  tp_format(folder, sizeof folder, "%s", resolved);
  for (;;) {
    char *slash = strrchr(folder, '/');
    if (slash == NULL)
      return 0;
    if (slash == folder)
      folder[1] = '\0';
    else
      *slash = '\0';
    struct stat info;
    if (stat(folder, &info) != 0) {
      tp_format(err->message, sizeof err->message, "%s: cannot open plugin folder %s: %s", shown,
                folder, strerror(errno));
      return -1;
    }
    if (!trusted_owner(info.st_uid)) {
      tp_format(err->message, sizeof err->message,
                "%s: refusing to load a plugin from folder %s, owned by another user (uid %u)",
                shown, folder, (unsigned)info.st_uid);
      return -1;
    }
    if ((info.st_mode & (S_IWGRP | S_IWOTH)) && !(info.st_mode & S_ISVTX)) {
      tp_format(err->message, sizeof err->message,
                "%s: refusing to load a plugin from folder %s, which group or others can write "
                "(chmod go-w it)",
                shown, folder);
      return -1;
    }
    if (strcmp(folder, "/") == 0)
      return 0;
  }
}

/* Opens the plugin file once, for good: `resolved` (realpath, so O_NOFOLLOW only refuses a
 * link swapped in since) is opened read-only, and the open file itself is checked: a regular
 * file, owned by root or the user, not writable by group or others; then its folders
 * (check_folders). The file is later loaded through this descriptor, so what was checked is
 * what runs. Messages name the file as `shown`. Returns the descriptor, or -1 with err. */
static int open_plugin_file(const char *resolved, const char *shown, tp_error *err) {
  int fd = open(resolved, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    tp_format(err->message, sizeof err->message, "%s: cannot open plugin: %s", shown,
              strerror(errno));
    return -1;
  }
  struct stat info;
  if (fstat(fd, &info) != 0) {
    tp_format(err->message, sizeof err->message, "%s: cannot open plugin: %s", shown,
              strerror(errno));
  } else if (!S_ISREG(info.st_mode)) {
    tp_format(err->message, sizeof err->message, "%s: a plugin must be a regular file", shown);
  } else if (!trusted_owner(info.st_uid)) {
    tp_format(err->message, sizeof err->message,
              "%s: refusing to load a plugin owned by another user (uid %u)", shown,
              (unsigned)info.st_uid);
  } else if (info.st_mode & (S_IWGRP | S_IWOTH)) {
    tp_format(err->message, sizeof err->message,
              "%s: refusing to load a plugin that group or others can write (chmod go-w it)",
              shown);
  } else if (check_folders(resolved, shown, err) == 0) {
    return fd;
  }
  close(fd);
  return -1;
}

/* Plugin files loaded through their descriptor, one entry per file (device and inode).
 * glibc knows a loaded object by the name it was opened with, and adds each further name it is
 * opened by: a /proc/self/fd/N name must therefore be used once per file and stay unique while
 * the file is loaded. So each file is dlopen()ed once, through a descriptor kept open until its
 * last handle closes, and opening it again only counts a reference. Plugins are loaded and
 * closed on one thread (pipeline loading and freeing). */
typedef struct loaded_file {
  dev_t device;
  ino_t inode;
  int fd;
  void *dl;
  size_t references;
  struct loaded_file *next;
} loaded_file;

static loaded_file *loaded_files;

/* Loads the plugin file open on `fd` (taken over: kept or closed). Returns the dlopen() handle
 * (release it with unload_plugin_file), or NULL with err naming the file as `shown`. */
static void *load_plugin_file(int fd, const char *shown, tp_error *err) {
  struct stat info;
  if (fstat(fd, &info) != 0) {
    tp_format(err->message, sizeof err->message, "%s: cannot open plugin: %s", shown,
              strerror(errno));
    close(fd);
    return NULL;
  }
  for (loaded_file *file = loaded_files; file != NULL; file = file->next)
    if (file->device == info.st_dev && file->inode == info.st_ino) {
      close(fd);
      file->references++;
      return file->dl;
    }
  loaded_file *file = calloc(1, sizeof *file);
  char name[64];
  tp_format(name, sizeof name, "/proc/self/fd/%d", fd);
  void *dl = file != NULL ? dlopen(name, RTLD_NOW | RTLD_LOCAL) : NULL;
  if (dl == NULL) {
    if (file == NULL)
      tp_format(err->message, sizeof err->message, "%s: out of memory", shown);
    else
      tp_format(err->message, sizeof err->message, "%s: cannot load plugin: %s", shown, dlerror());
    free(file);
    close(fd);
    return NULL;
  }
  *file = (loaded_file){info.st_dev, info.st_ino, fd, dl, 1, loaded_files};
  loaded_files = file;
  return dl;
}

/* Drops one reference to a handle from load_plugin_file; the last one unloads the file. */
static void unload_plugin_file(void *dl) {
  for (loaded_file **link = &loaded_files; *link != NULL; link = &(*link)->next) {
    loaded_file *file = *link;
    if (file->dl != dl)
      continue;
    if (--file->references > 0)
      return;
    *link = file->next;
    dlclose(file->dl);
    close(file->fd);
    free(file);
    return;
  }
}

static int key_list_ok(const char *const *keys) {
  for (size_t i = 0; keys != NULL && keys[i] != NULL; i++) {
    if (keys[i][0] == '\0')
      return 0;
  }
  return 1;
}

static int uses_ok(const tp_key_use *uses) {
  for (size_t i = 0; uses != NULL && uses[i].key != NULL; i++) {
    if (uses[i].key[0] == '\0' || uses[i].key[0] == '.' ||
        (uses[i].flags & ~(uint32_t)(TP_USE_OPTIONAL | TP_USE_REPORT_SECTION)) != 0)
      return 0;
  }
  return 1;
}

/* The end of member `member` of struct `type`: the smallest size that holds it. */
#define END_OF(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/* The smallest descriptor and option entry of ABI 2.0 the host accepts: a descriptor must reach
 * its one required callback, process(); an option entry must hold every 2.0 member. */
#define DESCRIPTOR_SIZE_MIN END_OF(tp_plugin, process)
#define OPTION_SIZE_MIN     END_OF(tp_option, required)

/* Checks the descriptor's ABI version and sizes, which must hold before any other member is
 * read. 0 or -1 with err. */
static int check_version(const char *path, const tp_plugin *plugin, tp_error *err) {
  if (plugin->abi_major != TP_ABI_MAJOR) {
    tp_format(err->message, sizeof err->message,
              "%s: plugin ABI %u.%u is incompatible with textpipe's ABI %d.%d (the major "
              "versions differ); rebuild the plugin against this textpipe",
              path, plugin->abi_major, plugin->abi_minor, TP_ABI_MAJOR, TP_ABI_MINOR);
    return -1;
  }
  if (plugin->abi_minor > TP_ABI_MINOR) {
    tp_format(err->message, sizeof err->message,
              "%s: plugin needs ABI %u.%u but this textpipe provides ABI %d.%d; upgrade "
              "textpipe or rebuild the plugin against this one",
              path, plugin->abi_major, plugin->abi_minor, TP_ABI_MAJOR, TP_ABI_MINOR);
    return -1;
  }
  if (plugin->struct_size < DESCRIPTOR_SIZE_MIN) {
    tp_format(err->message, sizeof err->message,
              "%s: plugin descriptor is %u bytes, ABI %u.%u needs at least %zu (set it with "
              "TP_PLUGIN_ABI)",
              path, plugin->struct_size, plugin->abi_major, plugin->abi_minor,
              (size_t)DESCRIPTOR_SIZE_MIN);
    return -1;
  }
  /* options is inside every accepted descriptor (it comes before process). */
  if (plugin->options != NULL && plugin->option_size < OPTION_SIZE_MIN) {
    tp_format(err->message, sizeof err->message,
              "%s: plugin option entries are %u bytes, ABI %u.%u needs at least %zu (set "
              "option_size with TP_PLUGIN_ABI)",
              path, plugin->option_size, plugin->abi_major, plugin->abi_minor,
              (size_t)OPTION_SIZE_MIN);
    return -1;
  }
  return 0;
}

/* Copies the plugin's descriptor and option table into `handle` at this host's sizes: the
 * first struct_size bytes of the descriptor and option_size bytes of each option, the rest
 * zero, so the core reads every member it knows and finds the ones the plugin predates NULL.
 * 0, or -1 on OOM. */
static int copy_descriptor(tp_plugin_handle *handle, const tp_plugin *plugin) {
  size_t size = plugin->struct_size < sizeof(tp_plugin) ? plugin->struct_size : sizeof(tp_plugin);
  memset(&handle->descriptor, 0, sizeof handle->descriptor);
  memcpy(&handle->descriptor, plugin, size);
  handle->descriptor.struct_size = sizeof(tp_plugin);
  if (plugin->options != NULL) {
    const char *entries = (const char *)plugin->options;
    size_t stride = plugin->option_size;
    size_t count = 0;
    while (((const tp_option *)(const void *)(entries + count * stride))->name != NULL)
      count++;
    handle->options = calloc(count + 1, sizeof *handle->options);
    if (handle->options == NULL)
      return -1;
    size_t copied = stride < sizeof(tp_option) ? stride : sizeof(tp_option);
    for (size_t i = 0; i < count; i++)
      memcpy(&handle->options[i], entries + i * stride, copied);
    handle->descriptor.options = handle->options;
    handle->descriptor.option_size = sizeof(tp_option);
  }
  handle->plugin = &handle->descriptor;
  return 0;
}

/* Checks the descriptor's strings, callbacks, keys and options (read from the host-size copy).
 * 0 or -1 with err. */
static int check_descriptor(const char *path, const char *expected_name, const tp_plugin *plugin,
                            tp_error *err) {
  char reason[300];
  reason[0] = '\0';
  if (!tp_name_is_valid(plugin->name))
    tp_format(reason, sizeof reason, "its name is missing or not [a-z0-9_-]+");
  else if (expected_name != NULL && strcmp(plugin->name, expected_name) != 0)
    tp_format(reason, sizeof reason, "it is named \"%s\" but the file is %s.so", plugin->name,
              expected_name);
  else if (plugin->version == NULL || plugin->description == NULL)
    tp_format(reason, sizeof reason, "it has no version or no description");
  else if (plugin->process == NULL)
    tp_format(reason, sizeof reason, "it has no process() callback");
  else if ((plugin->partial_create == NULL) != (plugin->partial_destroy == NULL))
    tp_format(reason, sizeof reason, "it has only one of partial_create() and partial_destroy()");
  else if (plugin->partial_create != NULL && plugin->merge == NULL)
    tp_format(reason, sizeof reason, "it keeps partials but has no merge() callback");
  else if ((plugin->partial_export == NULL) != (plugin->partial_import == NULL))
    tp_format(reason, sizeof reason, "it has only one of partial_export() and partial_import()");
  else if ((plugin->batch_submit == NULL) != (plugin->batch_collect == NULL))
    tp_format(reason, sizeof reason, "it has only one of batch_submit() and batch_collect()");
  else if (plugin->batch_submit != NULL && plugin->process_batch == NULL)
    tp_format(reason, sizeof reason, "it has batch_submit() but no process_batch()");
  else if (!key_list_ok(plugin->requires_keys) || !key_list_ok(plugin->provides_keys))
    tp_format(reason, sizeof reason, "it lists an empty key in requires_keys or provides_keys");
  else if (!uses_ok(plugin->uses))
    tp_format(reason, sizeof reason, "it lists an empty key or unknown flags in uses");
  else if (tp_config_check_table(plugin->options, reason, sizeof reason) == 0)
    tp_config_check_bindings(plugin->options, plugin->config_size, reason, sizeof reason);
  if (reason[0] != '\0') {
    tp_format(err->message, sizeof err->message, "%s: invalid plugin: %s", path, reason);
    return -1;
  }
  return 0;
}

/* "x.so" -> "x" for the file name check; NULL when the file is not named <something>.so. */
static char *name_from_file(const char *path) {
  const char *base = strrchr(path, '/');
  base = base != NULL ? base + 1 : path;
  size_t length = strlen(base);
  if (length <= 3 || strcmp(base + length - 3, ".so") != 0)
    return NULL;
  return strndup(base, length - 3);
}

static int unknown_name(const char *name, const tp_loader_options *options, tp_error *err) {
  char **names = NULL;
  if (tp_plugin_names(options, &names) != 0) {
    tp_format(err->message, sizeof err->message, "unknown plugin \"%s\" (out of memory)", name);
    return -1;
  }
  size_t count = 0;
  while (names[count] != NULL)
    count++;
  const char *nearest = tp_name_nearest(name, (const char *const *)names, count);
  size_t used = tp_format(err->message, sizeof err->message, "unknown plugin \"%s\"", name);
  if (nearest != NULL)
    used += tp_format(err->message + used, sizeof err->message - used, " (did you mean \"%s\"?)",
                      nearest);
  char searched[2 * PATH_MAX];
  tp_plugin_searched(searched, sizeof searched);
  if (count == 0)
    tp_format(err->message + used, sizeof err->message - used, "; no plugins found (searched %s)",
              searched);
  else
    used += tp_format(err->message + used, sizeof err->message - used, "; available:");
  for (size_t i = 0; count > 0 && i < count && used < sizeof err->message; i++)
    used += tp_format(err->message + used, sizeof err->message - used, "%s %s", i == 0 ? "" : ",",
                      names[i]);
  tp_plugin_names_free(names);
  return -1;
}

int tp_plugin_open(const char *name, const char *path, const tp_loader_options *options,
                   tp_plugin_handle **out, tp_error *err) {
  char found[PATH_MAX];
  char resolved[PATH_MAX];
  char *file_name = NULL;
  tp_plugin_handle *handle = NULL;
  void *dl = NULL;
  if (path == NULL) {
    if (!tp_name_is_valid(name)) {
      tp_format(err->message, sizeof err->message,
                "invalid plugin name \"%s\" (use only a-z, 0-9, '_' and '-'; to load a file, "
                "give \"path\" instead)",
                name != NULL ? name : "");
      return -1;
    }
    int status = find_plugin(name, options, found, sizeof found);
    if (status < 0) {
      tp_format(err->message, sizeof err->message, "%s: out of memory", name);
      return -1;
    }
    if (status == 0)
      return unknown_name(name, options, err);
    path = found;
  }
  if (realpath(path, resolved) == NULL) {
    tp_format(err->message, sizeof err->message, "%s: cannot open plugin: %s", path,
              strerror(errno));
    return -1;
  }
  file_name = name_from_file(resolved);
  if (file_name == NULL) {
    tp_format(err->message, sizeof err->message, "%s: a plugin file must be named <name>.so", path);
    return -1;
  }
  int fd = open_plugin_file(resolved, path, err);
  if (fd < 0 || (dl = load_plugin_file(fd, path, err)) == NULL)
    goto fail;
  dlerror();
  void *symbol = dlsym(dl, TP_PLUGIN_ENTRY_SYMBOL);
  if (symbol == NULL) {
    tp_format(err->message, sizeof err->message,
              "%s: not a textpipe plugin (no %s() symbol; define it with TP_PLUGIN_DEFINE)", path,
              TP_PLUGIN_ENTRY_SYMBOL);
    goto fail;
  }
  tp_plugin_entry_fn entry;
  memcpy(&entry, &symbol, sizeof entry); /* object pointer to function pointer, as POSIX allows */
  const tp_plugin *plugin = entry();
  if (plugin == NULL) {
    tp_format(err->message, sizeof err->message, "%s: %s() returned NULL", path,
              TP_PLUGIN_ENTRY_SYMBOL);
    goto fail;
  }
  if (check_version(path, plugin, err) != 0)
    goto fail;
  handle = calloc(1, sizeof *handle);
  if (handle == NULL || (handle->path = strdup(resolved)) == NULL ||
      copy_descriptor(handle, plugin) != 0) {
    tp_format(err->message, sizeof err->message, "%s: out of memory", path);
    goto fail;
  }
  if (check_descriptor(path, file_name, handle->plugin, err) != 0)
    goto fail;
  handle->dl = dl;
  free(file_name);
  *out = handle;
  return 0;
fail:
  if (handle != NULL) {
    free(handle->path);
    free(handle->options);
  }
  free(handle);
  if (dl != NULL)
    unload_plugin_file(dl);
  free(file_name);
  return -1;
}

void tp_plugin_close(tp_plugin_handle *handle) {
  if (handle == NULL)
    return;
  if (handle->dl != NULL)
    unload_plugin_file(handle->dl);
  free(handle->path);
  free(handle->options);
  free(handle);
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends `name` to the growing array unless it is invalid. Returns 0 or -1 on OOM. */
static int add_name(char ***names, size_t *count, size_t *capacity, const char *name) {
  if (!tp_name_is_valid(name))
    return 0;
  if (*count + 1 >= *capacity) {
    size_t grown_capacity = *capacity == 0 ? 16 : *capacity * 2;
    char **grown = realloc(*names, grown_capacity * sizeof *grown);
    if (grown == NULL)
      return -1;
    *names = grown;
    *capacity = grown_capacity;
  }
  if (((*names)[*count] = strdup(name)) == NULL)
    return -1;
  (*count)++;
  (*names)[*count] = NULL;
  return 0;
}

/* Adds every <dir>/<name>.so and <dir>/<name>/<name>.so. Returns 0 or -1 on OOM. */
static int scan_dir(const char *dir, char ***names, size_t *count, size_t *capacity) {
  DIR *stream = opendir(dir);
  char candidate[PATH_MAX];
  int status = 0;
  if (stream == NULL)
    return 0; /* a missing folder on the path is not an error */
  for (struct dirent *entry = readdir(stream); entry != NULL && status == 0;
       entry = readdir(stream)) {
    char *stem = name_from_file(entry->d_name);
    if (stem != NULL) {
      tp_format(candidate, sizeof candidate, "%s/%s", dir, entry->d_name);
      if (is_file(candidate))
        status = add_name(names, count, capacity, stem);
    } else if (tp_name_is_valid(entry->d_name)) {
      tp_format(candidate, sizeof candidate, "%s/%s/%s.so", dir, entry->d_name, entry->d_name);
      if (is_file(candidate))
        status = add_name(names, count, capacity, entry->d_name);
    }
    free(stem);
  }
  closedir(stream);
  return status;
}

int tp_plugin_names(const tp_loader_options *options, char ***names) {
  char **dirs = search_dirs(options);
  char **list = NULL;
  size_t count = 0;
  size_t capacity = 0;
  if (dirs == NULL)
    return -1;
  capacity = 16;
  list = calloc(capacity, sizeof *list);
  int status = list != NULL ? 0 : -1;
  for (size_t i = 0; dirs[i] != NULL && status == 0; i++)
    status = scan_dir(dirs[i], &list, &count, &capacity);
  tp_plugin_names_free(dirs);
  if (status != 0) {
    tp_plugin_names_free(list);
    return -1;
  }
  qsort(list, count, sizeof *list, compare_names);
  size_t unique = 0;
  for (size_t i = 0; i < count; i++) {
    if (unique > 0 && strcmp(list[unique - 1], list[i]) == 0)
      free(list[i]);
    else
      list[unique++] = list[i];
  }
  list[unique] = NULL;
  *names = list;
  return 0;
}

void tp_plugin_names_free(char **names) {
  for (size_t i = 0; names != NULL && names[i] != NULL; i++)
    free(names[i]);
  free(names);
}
