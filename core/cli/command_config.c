/* core/cli/command_config.c - `textpipe check` and `textpipe plugins`: the configuration commands.
 *
 * check loads a pipeline exactly as `run` would (plugins opened, configs validated, every
 * stage created) and reports the first problem. plugins describes what is on the search path,
 * from the same option tables the validation uses, so the documentation cannot drift.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config_schema.h"
#include "host.h"
#include "log.h"
#include "pipeline.h"
#include "plugin_loader.h"
#include "tp_config.h"

static const char check_usage[] = "usage: textpipe check PIPELINE";
static const char plugins_usage[] = "usage: textpipe plugins [NAME] [--json]";

/* Prints "textpipe: error: <command>: <problem>[ '<argument>'] (<usage>; see textpipe
 * --help)" and returns the usage exit status. `argument` may be NULL. */
static int usage_error(const char *command, const char *problem, const char *argument,
                       const char *usage) {
  tp_log(TP_LOG_ERROR, command, "%s%s%s%s (%s; see textpipe --help)", problem,
         argument != NULL ? " '" : "", argument != NULL ? argument : "",
         argument != NULL ? "'" : "", usage);
  return TP_EXIT_USAGE;
}

/* Flushes stdout; a failed write (full disk, closed pipe) is a runtime failure. */
static int finish_output(int status) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    tp_log(TP_LOG_ERROR, NULL, "cannot write to stdout: %s", strerror(errno));
    return TP_EXIT_RUNTIME;
  }
  return status;
}

static tp_loader_options loader_options(void) {
  tp_loader_options options = {getenv("TEXTPIPE_PLUGIN_PATH"), tp_host_api()};
  return options;
}

int tp_command_check(int argc, char **argv) {
  const char *file = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      printf("%s\nLoads PIPELINE exactly as `textpipe run` would (plugins, configs, stage "
             "creation) and reports the first problem.\nExit status: 0 valid, 2 invalid.\n",
             check_usage);
      return finish_output(TP_EXIT_OK);
    }
    if (argv[i][0] == '-' && argv[i][1] != '\0')
      return usage_error("check", "unknown option", argv[i], check_usage);
    if (file != NULL)
      return usage_error("check", "expected one pipeline file, got another:", argv[i], check_usage);
    file = argv[i];
  }
  if (file == NULL)
    return usage_error("check", "missing the pipeline file", NULL, check_usage);
  tp_loader_options options = loader_options();
  tp_pipeline *pipeline = NULL;
  tp_error err;
  if (tp_pipeline_load(file, &options, &pipeline, &err) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "%s", err.message);
    return TP_EXIT_USAGE;
  }
  printf("%s: ok (%zu stage%s%s", file, pipeline->stage_count,
         pipeline->stage_count == 1 ? "" : "s", pipeline->stage_count > 0 ? ": " : "");
  for (size_t s = 0; s < pipeline->stage_count; s++)
    printf("%s%s", s > 0 ? " -> " : "", pipeline->stages[s].id);
  printf(")\n");
  tp_pipeline_free(pipeline);
  return finish_output(TP_EXIT_OK);
}

/* ---- textpipe plugins ---------------------------------------------------------------------- */

static void print_keys(const char *label, const char *const *keys) {
  printf("%-12s", label);
  if (keys == NULL || keys[0] == NULL)
    printf("(none)");
  for (size_t i = 0; keys != NULL && keys[i] != NULL; i++)
    printf("%s%s", i > 0 ? ", " : "", keys[i]);
  printf("\n");
}

/* "scores.mean (optional), group_id (optional, report section)": each use, with its flags. */
static void print_uses(const tp_key_use *uses) {
  printf("%-12s", "uses:");
  if (uses == NULL || uses[0].key == NULL)
    printf("(none)");
  for (size_t i = 0; uses != NULL && uses[i].key != NULL; i++)
    printf("%s%s (%s%s)", i > 0 ? ", " : "", uses[i].key,
           uses[i].flags & TP_USE_OPTIONAL ? "optional" : "required",
           uses[i].flags & TP_USE_REPORT_SECTION ? ", report section" : "");
  printf("\n");
}

static void print_option(const tp_option *option, size_t name_width) {
  char expected[700];
  printf("  %-*s  %-11s  ", (int)name_width, option->name, tp_option_type_name(option->type));
  if (option->required)
    printf("required");
  else if (option->default_json != NULL)
    printf("default %s", option->default_json);
  else
    printf("no default");
  if (option->type == TP_OPTION_ENUM ||
      ((option->type == TP_OPTION_INT || option->type == TP_OPTION_NUMBER) &&
       tp_option_has_range(option)))
    printf("; %s", tp_option_expectation(option, expected, sizeof expected));
  printf("\n      %s\n", option->description != NULL ? option->description : "");
}

static void print_detail(const tp_plugin_handle *handle) {
  const tp_plugin *plugin = handle->plugin;
  printf("%s %s\n%s\n\n", plugin->name, plugin->version, plugin->description);
  printf("%-12s%s\n", "file:", handle->path);
  printf("%-12s%u.%u\n", "abi:", plugin->abi_major, plugin->abi_minor);
  printf("%-12s%s\n", "concurrent:", plugin->flags & TP_PLUGIN_CONCURRENT ? "yes" : "no");
  print_keys("requires:", plugin->requires_keys);
  print_uses(plugin->uses);
  print_keys("provides:", plugin->provides_keys);
  size_t width = 0;
  for (size_t i = 0; plugin->options != NULL && plugin->options[i].name != NULL; i++) {
    if (strlen(plugin->options[i].name) > width)
      width = strlen(plugin->options[i].name);
  }
  printf("options:%s\n", width == 0 ? "    (none)" : "");
  for (size_t i = 0; plugin->options != NULL && plugin->options[i].name != NULL; i++)
    print_option(&plugin->options[i], width);
}

static cJSON *key_array(const char *const *keys) {
  cJSON *array = cJSON_CreateArray();
  for (size_t i = 0; array != NULL && keys != NULL && keys[i] != NULL; i++)
    cJSON_AddItemToArray(array, cJSON_CreateString(keys[i]));
  return array;
}

/* The plugin as JSON (what --json prints). Returns a new object, or NULL on OOM. */
static cJSON *plugin_json(const tp_plugin_handle *handle) {
  const tp_plugin *plugin = handle->plugin;
  char abi[32];
  cJSON *object = cJSON_CreateObject();
  cJSON *options = cJSON_CreateArray();
  snprintf(abi, sizeof abi, "%u.%u", plugin->abi_major, plugin->abi_minor);
  cJSON_AddStringToObject(object, "name", plugin->name);
  cJSON_AddStringToObject(object, "version", plugin->version);
  cJSON_AddStringToObject(object, "description", plugin->description);
  cJSON_AddStringToObject(object, "abi", abi);
  cJSON_AddStringToObject(object, "file", handle->path);
  cJSON_AddBoolToObject(object, "concurrent", (plugin->flags & TP_PLUGIN_CONCURRENT) != 0);
  cJSON_AddItemToObject(object, "requires", key_array(plugin->requires_keys));
  cJSON *uses = cJSON_AddArrayToObject(object, "uses");
  for (size_t i = 0; uses != NULL && plugin->uses != NULL && plugin->uses[i].key != NULL; i++) {
    cJSON *use = cJSON_CreateObject();
    cJSON_AddStringToObject(use, "key", plugin->uses[i].key);
    cJSON_AddBoolToObject(use, "optional", (plugin->uses[i].flags & TP_USE_OPTIONAL) != 0);
    cJSON_AddBoolToObject(use, "report_section",
                          (plugin->uses[i].flags & TP_USE_REPORT_SECTION) != 0);
    cJSON_AddItemToArray(uses, use);
  }
  cJSON_AddItemToObject(object, "provides", key_array(plugin->provides_keys));
  for (size_t i = 0; plugin->options != NULL && plugin->options[i].name != NULL; i++) {
    const tp_option *option = &plugin->options[i];
    cJSON *entry = cJSON_CreateObject();
    cJSON_AddStringToObject(entry, "name", option->name);
    cJSON_AddStringToObject(entry, "type", tp_option_type_name(option->type));
    cJSON *fallback = option->default_json != NULL ? cJSON_Parse(option->default_json) : NULL;
    cJSON_AddItemToObject(entry, "default", fallback != NULL ? fallback : cJSON_CreateNull());
    cJSON_AddBoolToObject(entry, "required", option->required != 0);
    if ((option->type == TP_OPTION_INT || option->type == TP_OPTION_NUMBER) &&
        tp_option_has_range(option)) {
      cJSON_AddNumberToObject(entry, "min", option->min);
      cJSON_AddNumberToObject(entry, "max", option->max);
    }
    if (option->type == TP_OPTION_ENUM)
      cJSON_AddItemToObject(entry, "choices", key_array(option->choices));
    cJSON_AddStringToObject(entry, "description",
                            option->description != NULL ? option->description : "");
    cJSON_AddItemToArray(options, entry);
  }
  cJSON_AddItemToObject(object, "options", options);
  return object;
}

/* Prints `json` (formatted) and deletes it. 0, or -1 on OOM. */
static int print_json(cJSON *json) {
  char *text = json != NULL ? cJSON_Print(json) : NULL;
  cJSON_Delete(json);
  if (text == NULL)
    return -1;
  printf("%s\n", text);
  free(text);
  return 0;
}

static int describe_one(const char *name, int as_json, const tp_loader_options *options) {
  tp_plugin_handle *handle = NULL;
  tp_error err;
  if (tp_plugin_open(name, NULL, options, &handle, &err) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "%s", err.message);
    return TP_EXIT_USAGE;
  }
  int status = TP_EXIT_OK;
  if (as_json)
    status = print_json(plugin_json(handle)) == 0 ? TP_EXIT_OK : TP_EXIT_RUNTIME;
  else
    print_detail(handle);
  tp_plugin_close(handle);
  return status;
}

static int list_all(int as_json, const tp_loader_options *options) {
  char **names = NULL;
  if (tp_plugin_names(options, &names) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "out of memory");
    return TP_EXIT_RUNTIME;
  }
  size_t count = 0;
  while (names[count] != NULL)
    count++;
  char searched[2 * PATH_MAX];
  tp_plugin_searched(searched, sizeof searched);
  if (count == 0)
    tp_log(TP_LOG_WARN, NULL, "no plugins found (searched %s)", searched);
  tp_plugin_handle **handles = calloc(count + 1, sizeof *handles);
  cJSON *array = as_json ? cJSON_CreateArray() : NULL;
  size_t name_width = 4;
  size_t version_width = 7;
  int status = handles != NULL && (!as_json || array != NULL) ? TP_EXIT_OK : TP_EXIT_RUNTIME;
  /* Open everything first: broken plugins are reported on stderr and left out of the list. */
  for (size_t i = 0; i < count && status == TP_EXIT_OK; i++) {
    tp_error err;
    if (tp_plugin_open(names[i], NULL, options, &handles[i], &err) != 0) {
      tp_log(TP_LOG_WARN, NULL, "%s", err.message);
      continue;
    }
    const tp_plugin *plugin = handles[i]->plugin;
    if (strlen(plugin->name) > name_width)
      name_width = strlen(plugin->name);
    if (strlen(plugin->version) > version_width)
      version_width = strlen(plugin->version);
    if (as_json)
      cJSON_AddItemToArray(array, plugin_json(handles[i]));
  }
  if (status == TP_EXIT_OK && as_json) {
    status = print_json(array) == 0 ? TP_EXIT_OK : TP_EXIT_RUNTIME;
    array = NULL;
  } else if (status == TP_EXIT_OK) {
    printf("%-*s  %-*s  %s\n", (int)name_width, "NAME", (int)version_width, "VERSION",
           "DESCRIPTION (FILE)");
    for (size_t i = 0; i < count; i++) {
      if (handles[i] != NULL)
        printf("%-*s  %-*s  %s (%s)\n", (int)name_width, handles[i]->plugin->name,
               (int)version_width, handles[i]->plugin->version, handles[i]->plugin->description,
               handles[i]->path);
    }
  }
  for (size_t i = 0; handles != NULL && i < count; i++)
    tp_plugin_close(handles[i]);
  free(handles);
  cJSON_Delete(array);
  tp_plugin_names_free(names);
  return status;
}

int tp_command_plugins(int argc, char **argv) {
  const char *name = NULL;
  int as_json = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) {
      as_json = 1;
    } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      printf("%s\nLists the plugins on the search path ($TEXTPIPE_PLUGIN_PATH, the build tree, "
             "the install dir);\nwith NAME, describes one plugin: requires/uses/provides and every "
             "option.\n",
             plugins_usage);
      return finish_output(TP_EXIT_OK);
    } else if (argv[i][0] == '-') {
      return usage_error("plugins", "unknown option", argv[i], plugins_usage);
    } else if (name != NULL) {
      return usage_error("plugins", "expected at most one plugin name, got another:", argv[i],
                         plugins_usage);
    } else {
      name = argv[i];
    }
  }
  tp_loader_options options = loader_options();
  int status = name != NULL ? describe_one(name, as_json, &options) : list_all(as_json, &options);
  return finish_output(status);
}
