/* tests/unit/test_pipeline.h - hand-built pipelines over in-process plugin descriptors, so the
 * stream core can be tested without the loader, and the plugins the tests use. */
#ifndef TP_TEST_PIPELINE_H
#define TP_TEST_PIPELINE_H

#include "pipeline.h"

/* A pipeline of `count` stages running `plugins[i]` (ids "s0", "s1", ... unless the plugin
 * name is unique: then its name). create() is called with an empty config. Aborts the test
 * on failure. Free with test_pipeline_free (not tp_pipeline_free: nothing was dlopen'ed). */
tp_pipeline *test_pipeline_new(const tp_plugin *const *plugins, size_t count,
                               tp_input_format format, const char *text_field);
void test_pipeline_free(tp_pipeline *pipeline);

/* Test plugins (test_plugins.c):
 *  count:  concurrent; provides "count"; sets {"count": <records seen by this partial>} and
 *          its partial keeps the number of records and the sum of line numbers; merge adds;
 *          finish writes {"records", "line_sum", "workers_merged"}.
 *  filter: concurrent; drops records whose text starts with "drop", errors on "fail", else
 *          sets "filter": true; no partials.
 *  thief:  concurrent; provides "thief", "tokens", "text"; tries to set "count" (not its
 *          key), attaches "tokens" (its own) and "other" (not), sets "text" (its key, but the
 *          text field), and records the four results as "thief": [...]. Its finish() copies
 *          "records" of stage "count0"'s section as "seen" (null if not there yet). */
extern const tp_plugin test_plugin_count;
extern const tp_plugin test_plugin_filter;
extern const tp_plugin test_plugin_thief;

#endif
