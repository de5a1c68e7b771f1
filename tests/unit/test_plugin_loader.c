/* tests/unit/test_plugin_loader.c - the loader against every fixture plugin. */
#include <check.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check_main.h"
#include "config_support.h"
#include "plugin_loader.h"

#pragma GCC diagnostic ignored "-Wformat-truncation" /* short test paths */

typedef struct refusal_case {
  const char *name;
  const char *reason; /* expected message after "<fixture dir>/<name>.so: " */
} refusal_case;

static const refusal_case refusals[] = {
    {"abi-major", "plugin ABI 3.0 is incompatible with textpipe's ABI 2.4 (the major versions "
                  "differ); rebuild the plugin against this textpipe"},
    {"abi-minor", "plugin needs ABI 2.5 but this textpipe provides ABI 2.4; upgrade textpipe or "
                  "rebuild the plugin against this one"},
    {"no-entry", "not a textpipe plugin (no tp_plugin_entry() symbol; define it with "
                 "TP_PLUGIN_DEFINE)"},
    {"no-process", "invalid plugin: it has no process() callback"},
    {"no-merge", "invalid plugin: it keeps partials but has no merge() callback"},
    {"half-overlap", "invalid plugin: it has only one of batch_submit() and batch_collect()"},
    {"overlap-alone", "invalid plugin: it has batch_submit() but no process_batch()"},
    {"bad-default", "invalid plugin: option \"limit\" has a bad default 500: expected an "
                    "integer from 1 to 100, got 500"},
};

START_TEST(test_refused_fixtures) {
  const refusal_case *c = &refusals[_i];
  tp_loader_options options = support_options();
  tp_plugin_handle *handle = NULL;
  tp_error err = {{0}};
  char file[PATH_MAX]; /* messages name the file as the search path found it */
  snprintf(file, sizeof file, "%s/%s.so", options.env_path, c->name);
  ck_assert_int_eq(tp_plugin_open(c->name, NULL, &options, &handle, &err), -1);
  ck_assert_ptr_null(handle);
  ck_assert_int_eq(strncmp(err.message, file, strlen(file)), 0);
  ck_assert_str_eq(support_after_prefix(err.message, file), c->reason);
}
END_TEST

static const char *const loadable[] = {"echo",       "flaky",     "create-fails",
                                       "needs-echo", "serial",    "needs-missing",
                                       "frozen-2-0", "uses-echo", "short-descriptor"};

START_TEST(test_good_fixtures_load) {
  tp_loader_options options = support_options();
  tp_plugin_handle *handle = NULL;
  tp_error err = {{0}};
  ck_assert_msg(tp_plugin_open(loadable[_i], NULL, &options, &handle, &err) == 0, "%s",
                err.message);
  ck_assert_str_eq(handle->plugin->name, loadable[_i]);
  ck_assert_ptr_nonnull(handle->dl);
  ck_assert_ptr_nonnull(strstr(handle->path, "/tests/fixtures/plugins/"));
  ck_assert_int_eq(handle->path[0], '/');
  tp_plugin_close(handle);
}
END_TEST

START_TEST(test_open_by_path) {
  tp_loader_options options = support_options();
  char file[PATH_MAX];
  tp_plugin_handle *handle = NULL;
  tp_error err = {{0}};
  snprintf(file, sizeof file, "%s/echo.so", options.env_path);
  ck_assert_int_eq(tp_plugin_open(NULL, file, &options, &handle, &err), 0);
  ck_assert_str_eq(handle->plugin->name, "echo");
  ck_assert_str_eq(handle->plugin->version, "1.2.3");
  ck_assert_uint_eq(handle->plugin->flags & TP_PLUGIN_CONCURRENT, TP_PLUGIN_CONCURRENT);
  tp_plugin_close(handle);
  snprintf(file, sizeof file, "%s/absent.so", options.env_path);
  ck_assert_int_eq(tp_plugin_open(NULL, file, &options, &handle, &err), -1);
  ck_assert_ptr_nonnull(strstr(err.message, "absent.so: cannot open plugin: No such file"));
}
END_TEST

typedef struct name_case {
  const char *name;
  const char *message_start;
} name_case;

static const name_case bad_names[] = {
    {"../echo", "invalid plugin name \"../echo\" (use only a-z, 0-9, '_' and '-'"},
    {"Echo", "invalid plugin name \"Echo\""},
    {"", "invalid plugin name \"\""},
    {"echo.so", "invalid plugin name \"echo.so\""},
    {"ecko", "unknown plugin \"ecko\" (did you mean \"echo\"?); available: "},
    {"serail", "unknown plugin \"serail\" (did you mean \"serial\"?); available: "},
    {"zzzzzzzzzz", "unknown plugin \"zzzzzzzzzz\"; available: "},
};

START_TEST(test_bad_and_unknown_names) {
  const name_case *c = &bad_names[_i];
  tp_loader_options options = support_options();
  tp_plugin_handle *handle = NULL;
  tp_error err = {{0}};
  ck_assert_int_eq(tp_plugin_open(c->name, NULL, &options, &handle, &err), -1);
  ck_assert_msg(strncmp(err.message, c->message_start, strlen(c->message_start)) == 0, "got: %s",
                err.message);
  if (strncmp(c->message_start, "unknown", 7) == 0)
    ck_assert_ptr_nonnull(
        strstr(err.message, " abi-major, abi-minor, bad-default, create-fails, echo,"));
}
END_TEST

START_TEST(test_names_listed_sorted_and_unique) {
  /* The fixture folder twice on the path: every name still appears once. */
  char path[PATH_MAX * 2 + 2];
  snprintf(path, sizeof path, "%s::%s", support_fixture_dir(), support_fixture_dir());
  tp_loader_options options = {path, &support_host};
  char **names = NULL;
  ck_assert_int_eq(tp_plugin_names(&options, &names), 0);
  const char *expected[] = {"abi-major", "abi-minor", "bad-default", "create-fails",
                            "echo",      "flaky",     "needs-echo",  "needs-missing",
                            "no-entry",  "no-merge",  "no-process",  "serial"};
  size_t found = 0;
  for (size_t i = 0; names[i] != NULL; i++) {
    if (i > 0)
      ck_assert_int_lt(strcmp(names[i - 1], names[i]), 0);
    for (size_t e = 0; e < sizeof expected / sizeof expected[0]; e++)
      found += strcmp(names[i], expected[e]) == 0;
  }
  ck_assert_uint_eq(found, sizeof expected / sizeof expected[0]);
  tp_plugin_names_free(names);
}
END_TEST

/* Makes a temporary folder `dir` holding a copy of the echo fixture as <as>.so (mode 0644);
 * its path goes to `to`. */
static void copy_echo(char *dir, size_t dir_size, const char *as, char *to, size_t to_size) {
  char from[PATH_MAX];
  support_temp_dir(dir, dir_size);
  snprintf(from, sizeof from, "%s/echo.so", support_fixture_dir());
  snprintf(to, to_size, "%s/%s.so", dir, as);
  support_copy(from, to);
  ck_assert_int_eq(chmod(to, 0644), 0);
}

/* mode: 0 file group-writable, 1 folder group-writable, 2 folder sticky and world-writable */
START_TEST(test_writable_plugins_refused) {
  char dir[PATH_MAX];
  char to[PATH_MAX];
  copy_echo(dir, sizeof dir, "echo", to, sizeof to);
  ck_assert_int_eq(chmod(to, _i == 0 ? 0664 : 0644), 0);
  ck_assert_int_eq(chmod(dir, _i == 1 ? 0775 : _i == 2 ? 01777 : 0755), 0);
  tp_loader_options options = {dir, &support_host};
  tp_plugin_handle *handle = NULL;
  tp_error err = {{0}};
  char resolved[PATH_MAX];
  ck_assert_ptr_nonnull(realpath(to, resolved));
  char found[PATH_MAX]; /* the file as the search path names it */
  snprintf(found, sizeof found, "%s/echo.so", dir);
  int status = tp_plugin_open("echo", NULL, &options, &handle, &err);
  if (_i == 2) {
    ck_assert_msg(status == 0, "%s", err.message);
    ck_assert_str_eq(handle->path, resolved);
    tp_plugin_close(handle);
  } else {
    ck_assert_int_eq(status, -1);
    ck_assert_ptr_nonnull(strstr(err.message, "group or others can write (chmod go-w it)"));
    ck_assert_int_eq(strncmp(err.message, found, strlen(found)), 0);
  }
  support_remove_tree(dir);
}
END_TEST

START_TEST(test_plugin_must_match_its_file_name) {
  char dir[PATH_MAX];
  char to[PATH_MAX];
  copy_echo(dir, sizeof dir, "renamed", to, sizeof to);
  tp_loader_options options = {dir, &support_host};
  tp_plugin_handle *handle = NULL;
  tp_error err = {{0}};
  ck_assert_int_eq(tp_plugin_open("renamed", NULL, &options, &handle, &err), -1);
  ck_assert_ptr_nonnull(
      strstr(err.message, ": invalid plugin: it is named \"echo\" but the file is renamed.so"));
  support_remove_tree(dir);
}
END_TEST

/* Built against the frozen 2.0 headers: its descriptor and option table are read at their
 * own sizes and come out at this host's, nothing lost. */
START_TEST(test_frozen_2_0_fixture) {
  tp_loader_options options = support_options();
  tp_plugin_handle *handle = NULL;
  tp_error err = {{0}};
  ck_assert_msg(tp_plugin_open("frozen-2-0", NULL, &options, &handle, &err) == 0, "%s",
                err.message);
  const tp_plugin *plugin = handle->plugin;
  ck_assert_uint_eq(plugin->abi_major, 2);
  ck_assert_uint_eq(plugin->abi_minor, 0);
  ck_assert_uint_le(plugin->abi_minor, TP_ABI_MINOR);
  ck_assert_uint_eq(plugin->struct_size, sizeof(tp_plugin));
  ck_assert_uint_eq(plugin->option_size, sizeof(tp_option));
  ck_assert_str_eq(plugin->options[0].name, "label");
  ck_assert_str_eq(plugin->options[0].default_json, "\"two-oh\"");
  ck_assert_ptr_null(plugin->options[1].name);
  ck_assert_str_eq(plugin->provides_keys[0], "frozen");
  ck_assert_str_eq(plugin->uses[0].key, "tokens");
  ck_assert_uint_eq(plugin->uses[0].flags, TP_USE_OPTIONAL);
  ck_assert_ptr_nonnull(plugin->process);
  tp_plugin_close(handle);
}
END_TEST

/* struct_size ends before finish(): the members past it are set in the file but read as
 * absent (their set values would be refused as inconsistent if they were read). */
START_TEST(test_short_descriptor_reads_later_members_as_absent) {
  tp_loader_options options = support_options();
  tp_plugin_handle *handle = NULL;
  tp_error err = {{0}};
  ck_assert_msg(tp_plugin_open("short-descriptor", NULL, &options, &handle, &err) == 0, "%s",
                err.message);
  ck_assert_ptr_nonnull(handle->plugin->process);
  ck_assert_ptr_null(handle->plugin->finish);
  ck_assert_ptr_null(handle->plugin->partial_export);
  ck_assert_ptr_null(handle->plugin->partial_import);
  tp_plugin_close(handle);
}
END_TEST

START_TEST(test_tiny_descriptor_refused) {
  tp_loader_options options = support_options();
  tp_plugin_handle *handle = NULL;
  tp_error err = {{0}};
  char expected[256];
  snprintf(expected, sizeof expected,
           "tiny-descriptor.so: plugin descriptor is %zu bytes, ABI 2.0 needs at least %zu (set "
           "it with TP_PLUGIN_ABI)",
           offsetof(tp_plugin, name), offsetof(tp_plugin, process) + sizeof(void (*)(void)));
  ck_assert_int_eq(tp_plugin_open("tiny-descriptor", NULL, &options, &handle, &err), -1);
  ck_assert_msg(strstr(err.message, expected) != NULL, "got: %s", err.message);
}
END_TEST

static Suite *plugin_loader_suite(void) {
  Suite *suite = suite_create("plugin_loader");
  TCase *fixtures = tcase_create("fixture plugins");
  tcase_add_loop_test(fixtures, test_refused_fixtures, 0,
                      (int)(sizeof refusals / sizeof refusals[0]));
  tcase_add_loop_test(fixtures, test_good_fixtures_load, 0,
                      (int)(sizeof loadable / sizeof loadable[0]));
  tcase_add_test(fixtures, test_open_by_path);
  tcase_add_test(fixtures, test_frozen_2_0_fixture);
  tcase_add_test(fixtures, test_short_descriptor_reads_later_members_as_absent);
  tcase_add_test(fixtures, test_tiny_descriptor_refused);
  suite_add_tcase(suite, fixtures);
  TCase *names = tcase_create("names and search path");
  tcase_add_loop_test(names, test_bad_and_unknown_names, 0,
                      (int)(sizeof bad_names / sizeof bad_names[0]));
  tcase_add_test(names, test_names_listed_sorted_and_unique);
  tcase_add_test(names, test_plugin_must_match_its_file_name);
  suite_add_tcase(suite, names);
  TCase *permissions = tcase_create("permissions");
  tcase_add_loop_test(permissions, test_writable_plugins_refused, 0, 3);
  suite_add_tcase(suite, permissions);
  return suite;
}

int main(void) {
  return tp_check_run(plugin_loader_suite());
}
