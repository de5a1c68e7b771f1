/* core/config/plugin_loader.h - finding, opening and version-checking plugin shared objects.
 *
 * Search order for a plugin NAME ([a-z0-9_-]+ only, so a name can never be a path): each
 * directory of options->env_path (colon-separated), then the build tree (TP_BUILD_PLUGIN_DIR,
 * as <dir>/<name>/<name>.so and <dir>/<name>.so) but only for a program run from the build
 * tree (tp_plugin_build_dir), then the install dir (TP_INSTALL_PLUGIN_DIR). An installed
 * textpipe never looks into the tree it was built in.
 * Files are opened with dlopen(RTLD_NOW | RTLD_LOCAL) and must export tp_plugin_entry().
 */
#ifndef TP_CORE_PLUGIN_LOADER_H
#define TP_CORE_PLUGIN_LOADER_H

#include "pipeline.h"

/* Opens plugin `name` from the search path, or the file `path` when `path` is non-NULL
 * (then `name` may be NULL). Checks the entry symbol, ABI major/minor and struct size.
 * Returns 0 and sets *out (close with tp_plugin_close), or -1 with err filled: the message
 * names the file and, for a version mismatch, both versions; for an unknown name, the
 * available plugins and the nearest name. */
int tp_plugin_open(const char *name, const char *path, const tp_loader_options *options,
                   tp_plugin_handle **out, tp_error *err);

/* TP_BUILD_PLUGIN_DIR when the running program (/proc/self/exe) lies inside the build tree
 * it was built in (the textpipe binary, the tests), else NULL. */
const char *tp_plugin_build_dir(void);

/* Writes the searched folders for messages ("$TEXTPIPE_PLUGIN_PATH, <build>, <install>")
 * into `out`; returns the length (tp_format). */
size_t tp_plugin_searched(char *out, size_t size);

/* dlclose()s and frees a handle. NULL is a no-op. */
void tp_plugin_close(tp_plugin_handle *handle);

/* The names of all plugins on the search path, sorted and unique. Returns 0 and sets *names
 * (a NULL-terminated array; free with tp_plugin_names_free) or -1 on OOM. */
int tp_plugin_names(const tp_loader_options *options, char ***names);
void tp_plugin_names_free(char **names);

#endif /* TP_CORE_PLUGIN_LOADER_H */
