/* tests/plugins/theme/theme_tokens.c - the "theme-tokens" fixture plugin: attaches the
 * tokens_helper.c tokenization under "tokens", standing in for tokenize in theme tests. */
#include <textpipe/plugin.h>

#include "tokens_helper.h"

static const char *const provides[] = {TP_TEXT_KEY, NULL};

static int create(const tp_host *host, const tp_stage *stage, const cJSON *config, void **instance,
                  char *err, size_t err_size) {
  (void)stage;
  (void)config;
  (void)err;
  (void)err_size;
  *instance = (void *)host;
  return 0;
}

static tp_result process(void *instance, void *partial, tp_record *record, char *err,
                         size_t err_size) {
  (void)partial;
  (void)err;
  (void)err_size;
  const tp_host *host = instance;
  size_t length = 0;
  const char *text = host->record_text(record, &length);
  tp_text *tokens = theme_test_tokenize(text, length);
  if (host->record_attach(record, TP_TEXT_KEY, tokens, theme_test_text_free))
    return TP_ERROR;
  return TP_KEEP;
}

static const tp_plugin plugin = {
    TP_PLUGIN_ABI, /* the ABI version and struct sizes it is built with */
    .name = "theme-tokens",
    .version = "0.0.1",
    .description = "test stand-in for tokenize (ASCII words, crude stems)",
    .provides_keys = provides,
    .flags = TP_PLUGIN_CONCURRENT,
    .create = create,
    .process = process,
};

TP_PLUGIN_DEFINE(plugin)
