/* plugins/summary/summary_blocks.c - what the HTML report draws for the summary section (its
 * "blocks", docs/report-format.md): the digest, each discovered theme's sentences, and the
 * positive and negative points, all as quotes naming their record. Read from the members
 * summary_partial_report() has just written, so both agree. The points leave out records an
 * earlier block of the page already quoted ("skip_quoted"), such as the sentiment stage's most
 * positive and most negative records.
 */
#include <stdio.h>
#include <string.h>

#include "summary_partial.h"
#include "textpipe/blocks.h"

/* A quotes block of `sentences` ([{"id", "text", "score"?}...]). 0, or -1 on OOM. */
static int sentence_quotes(cJSON *section, const cJSON *sentences, const char *title,
                           int skip_quoted, int wide) {
  cJSON *block = tp_block_add(section, "quotes", title);
  if (block == NULL || (skip_quoted && cJSON_AddTrueToObject(block, "skip_quoted") == NULL) ||
      (wide && cJSON_AddTrueToObject(block, "wide") == NULL))
    return -1;
  if (cJSON_GetArraySize(sentences) == 0 && cJSON_AddArrayToObject(block, "items") == NULL)
    return -1;
  const cJSON *sentence;
  cJSON_ArrayForEach(sentence, sentences) {
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(sentence, "text");
    const cJSON *score = cJSON_GetObjectItemCaseSensitive(sentence, "score");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(sentence, "id");
    if (!cJSON_IsString(text))
      continue;
    cJSON *item = tp_block_item(block, "items");
    if (item == NULL || cJSON_AddStringToObject(item, "text", text->valuestring) == NULL ||
        (cJSON_IsNumber(score) &&
         cJSON_AddNumberToObject(item, "score", score->valuedouble) == NULL) ||
        (id != NULL && !cJSON_AddItemToObject(item, "record", cJSON_Duplicate(id, 1))))
      return -1;
  }
  return 0;
}

int summary_report_blocks(cJSON *section) {
  const cJSON *digest = cJSON_GetObjectItemCaseSensitive(section, "digest");
  if (sentence_quotes(section, digest, "The stream in a few sentences", 0, 1) != 0)
    return -1;
  if (cJSON_GetArraySize(digest) == 0) {
    cJSON *blocks = cJSON_GetObjectItemCaseSensitive(section, "blocks");
    cJSON *block = cJSON_GetArrayItem(blocks, cJSON_GetArraySize(blocks) - 1);
    if (cJSON_AddStringToObject(block, "note",
                                "No digest: the stream had no sentences to choose from.") == NULL)
      return -1;
  }
  const cJSON *theme;
  cJSON_ArrayForEach(theme, cJSON_GetObjectItemCaseSensitive(section, "themes")) {
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(theme, "label");
    const cJSON *sentences = cJSON_GetObjectItemCaseSensitive(theme, "sentences");
    if (cJSON_GetArraySize(sentences) == 0)
      continue;
    char title[300];
    snprintf(title, sizeof title, "Theme: %s",
             cJSON_IsString(label) && label->valuestring[0] != '\0' ? label->valuestring
                                                                    : "(unlabelled)");
    if (sentence_quotes(section, sentences, title, 0, 0) != 0)
      return -1;
  }
  static const char *const sides[][2] = {{"positive", "Positive voices"},
                                         {"negative", "Critical voices"}};
  for (int side = 0; side < 2; side++) {
    const cJSON *points = cJSON_GetObjectItemCaseSensitive(section, sides[side][0]);
    if (cJSON_GetArraySize(points) > 0 &&
        sentence_quotes(section, points, sides[side][1], 1, 0) != 0)
      return -1;
  }
  return 0;
}
