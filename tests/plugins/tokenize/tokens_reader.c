/* tests/plugins/tokenize/tokens_reader.c - a test plugin standing in for the stages that read
 * tokenize's attachment (sentiment, theme, summary): it requires "tokens", reads the tp_text
 * through host->record_attachment, and writes what it saw under "tokens_seen":
 * {"tokens": n, "sentences": m, "language": "...", "words": "norm/stem/flags ..."}.
 * Built as tokens-reader.so next to this test; found through TEXTPIPE_PLUGIN_PATH.
 */
#include <stdio.h>
#include <string.h>

#include "textpipe/plugin.h"
#include "textpipe/text.h"

static const char *const requires_keys[] = {TP_TEXT_KEY, NULL};
static const char *const provides_keys[] = {"tokens_seen", NULL};

static int create(const tp_host *host, const tp_stage *stage, const cJSON *config, void **instance,
                  char *err, size_t err_size) {
  (void)stage, (void)config, (void)err, (void)err_size;
  *instance = (void *)host;
  return 0;
}

static tp_result process(void *instance, void *partial, tp_record *record, char *err,
                         size_t err_size) {
  (void)partial;
  const tp_host *host = instance;
  const tp_text *text = host->record_attachment(record, TP_TEXT_KEY);
  if (!text || text->struct_size < sizeof(tp_text)) {
    snprintf(err, err_size, "no tp_text attached under \"%s\"", TP_TEXT_KEY);
    return TP_ERROR;
  }
  char words[4096] = "";
  size_t used = 0;
  for (size_t index = 0; index < text->token_count && used < sizeof words - 256; index++) {
    const tp_token *token = &text->tokens[index];
    if (token->type != TP_TOKEN_WORD) {
      continue;
    }
    used += (size_t)snprintf(words + used, sizeof words - used, "%s%s/%s/%x", used ? " " : "",
                             token->norm, token->stem, token->flags);
  }
  cJSON *seen = cJSON_CreateObject();
  cJSON_AddNumberToObject(seen, "tokens", (double)text->token_count);
  cJSON_AddNumberToObject(seen, "sentences", (double)text->sentence_count);
  cJSON_AddStringToObject(seen, "language", text->language);
  cJSON_AddStringToObject(seen, "words", words);
  return host->record_set(record, "tokens_seen", seen) == 0 ? TP_KEEP : TP_ERROR;
}

static const tp_plugin descriptor = {
    TP_PLUGIN_ABI, /* the ABI version and struct sizes it is built with */
    .name = "tokens-reader",
    .version = "0.0.1",
    .description = "test plugin: reports the tokens attachment it reads",
    .requires_keys = requires_keys,
    .provides_keys = provides_keys,
    .flags = TP_PLUGIN_CONCURRENT,
    .create = create,
    .process = process,
};

TP_PLUGIN_DEFINE(descriptor)
