// tests/cpp/plugin_cpp20.cpp - a plugin written in C++20 against the public headers.
//
// Compiled by tests/cpp/compile-headers.sh with g++ -std=c++20 -Wall -Wextra -Werror -pedantic:
// plugin.h, text.h and keys.h must stay valid C++ (no member named `requires`, C linkage for
// the entry point, designated initializers in declaration order) and use every macro a plugin
// author meets.
#include <textpipe/blocks.h> // report blocks: compiled as C++20 too
#include <textpipe/keys.h>
#include <textpipe/plugin.h>
#include <textpipe/text.h>

#include <cstdio>

namespace {

// The stage's options, written by the host (ABI 2.1: TP_OPTION_FIELD, host->stage_config).
struct words_config {
  int32_t minimum;
};

const char *const requires_keys[] = {TP_KEY_TOKENS, nullptr};
const char *const provides_keys[] = {"words_cpp", nullptr};
const tp_key_use uses[] = {{TP_KEY_SENTIMENT_COMPOUND, TP_USE_OPTIONAL}, {nullptr, 0}};
const tp_option options[] = {
    {.name = "minimum",
     .type = TP_OPTION_INT,
     .default_json = "1",
     .min = 1,
     .max = 9,
     .choices = nullptr,
     .description = "shortest word counted",
     .required = 0,
     TP_OPTION_FIELD(words_config, minimum)},
    {},
};

int create(const tp_host *host, const tp_stage *stage, const cJSON *, void **instance, char *err,
           size_t err_size) {
  if (!TP_HOST_HAS(host, stage_config)) {
    std::snprintf(err, err_size, "host too old");
    return -1;
  }
  const words_config *config = static_cast<const words_config *>(host->stage_config(stage));
  if (config->minimum != 1) {
    std::snprintf(err, err_size, "minimum: expected the default 1, got %d", config->minimum);
    return -1;
  }
  *instance = const_cast<tp_host *>(host);
  return 0;
}

// Sets "words_cpp" to {"words": <word tokens>, "sentences": <sentences holding a token>}.
tp_result process(void *instance, void *, tp_record *record, char *, size_t) {
  const tp_host *host = static_cast<const tp_host *>(instance);
  const tp_text *text = static_cast<const tp_text *>(host->record_attachment(record, TP_TEXT_KEY));
  if (text == nullptr || !TP_TOKEN_HAS(text, flags))
    return TP_ERROR;
  double words = 0, sentences = 0;
  for (size_t i = 0; i < text->token_count; i++)
    words += TP_TEXT_TOKEN(text, i)->type == TP_TOKEN_WORD ? 1 : 0;
  for (size_t i = 0; i < text->sentence_count; i++)
    sentences += TP_TEXT_SENTENCE(text, i)->token_count > 0 ? 1 : 0;
  cJSON *value = cJSON_CreateObject();
  cJSON_AddNumberToObject(value, "words", words);
  cJSON_AddNumberToObject(value, "sentences", sentences);
  return host->record_set(record, "words_cpp", value) == 0 ? TP_KEEP : TP_ERROR;
}

const tp_plugin descriptor = {
    TP_PLUGIN_ABI, /* the ABI version and struct sizes it is built with */
    .flags = TP_PLUGIN_CONCURRENT,
    .name = "words-cpp",
    .version = "1.0.0",
    .description = "counts words (C++20)",
    .options = options,
    .requires_keys = requires_keys,
    .provides_keys = provides_keys,
    .uses = uses,
    .create = create,
    .destroy = nullptr,
    .partial_create = nullptr,
    .partial_destroy = nullptr,
    .merge = nullptr,
    .process = process,
    .finish = nullptr,
    .partial_export = nullptr,
    .partial_import = nullptr,
    .config_size = sizeof(words_config),
    .stage_keys = nullptr,
    .process_batch = nullptr,
    .batch_submit = nullptr,
    .batch_collect = nullptr,
};

} // namespace

TP_PLUGIN_DEFINE(descriptor)
