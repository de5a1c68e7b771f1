/* plugins/theme/report_blocks.c - what the HTML report draws for the theme section (its
 * "blocks", docs/report-format.md): the taxonomy themes and the discovered themes as bars,
 * each with its record count, share and mean sentiment (the bar's colour), discovered themes
 * with their keyphrases. Read from the members report.c has just written, so both agree. The
 * theme stage keeps no record texts: the summary stage quotes each discovered theme.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plugin.h"
#include "textpipe/blocks.h"

/* "5 records · 71.4% of records · mean sentiment +0.20 · keyphrases: a, b" for one theme
 * (its count under `count_key`) into `note`. */
static void theme_note(const cJSON *theme, const char *count_key, char *note, size_t size) {
  const cJSON *share = cJSON_GetObjectItemCaseSensitive(theme, "share");
  const cJSON *mean = cJSON_GetObjectItemCaseSensitive(theme, "mean_sentiment");
  const cJSON *phrases = cJSON_GetObjectItemCaseSensitive(theme, "keyphrases");
  size_t used = 0;
  note[0] = '\0';
#define APPEND(...)                                                                                \
  do {                                                                                             \
    int written = snprintf(note + used, size - used, __VA_ARGS__);                                 \
    if (written > 0)                                                                               \
      used = used + (size_t)written < size ? used + (size_t)written : size - 1;                    \
  } while (0)
  const cJSON *count = cJSON_GetObjectItemCaseSensitive(theme, count_key);
  if (cJSON_IsNumber(count))
    APPEND("%.0f record%s", count->valuedouble, count->valuedouble == 1 ? "" : "s");
  if (cJSON_IsNumber(share))
    APPEND("%s%.1f%% of the stream", used > 0 ? " \u00b7 " : "", 100 * share->valuedouble);
  if (cJSON_IsNumber(mean)) /* rounded first, so that -0.001 reads +0.00 */
    APPEND("%smean sentiment %+.2f", used > 0 ? " \u00b7 " : "",
           round(mean->valuedouble * 100) / 100 + 0.0);
  const cJSON *phrase;
  int listed = 0;
  cJSON_ArrayForEach(phrase, phrases) {
    if (cJSON_IsString(phrase))
      APPEND("%s%s", listed++ == 0 ? (used > 0 ? " \u00b7 keyphrases: " : "keyphrases: ") : ", ",
             phrase->valuestring);
  }
#undef APPEND
}

/* A bars block of `themes` (the section's "taxonomy" or "discovered"): label from
 * `label_key`, length from `count_key`. 0, or -1 on OOM. */
static int theme_bars(cJSON *section, const cJSON *themes, const char *title, const char *label_key,
                      const char *count_key) {
  if (cJSON_GetArraySize(themes) == 0)
    return 0;
  cJSON *block = tp_block_add(section, "bars", title);
  if (block == NULL ||
      cJSON_AddStringToObject(block, "note",
                              "Bars are relative to the largest theme and coloured by the "
                              "theme's mean sentiment (red negative, green positive).") == NULL)
    return -1;
  const cJSON *theme;
  cJSON_ArrayForEach(theme, themes) {
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(theme, label_key);
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(theme, count_key);
    const cJSON *mean = cJSON_GetObjectItemCaseSensitive(theme, "mean_sentiment");
    char note[512];
    theme_note(theme, count_key, note, sizeof note);
    cJSON *item = tp_block_item(block, "items");
    if (item == NULL ||
        cJSON_AddStringToObject(item, "label", cJSON_IsString(label) ? label->valuestring : "") ==
            NULL ||
        cJSON_AddNumberToObject(item, "value", cJSON_IsNumber(count) ? count->valuedouble : 0) ==
            NULL ||
        (cJSON_IsNumber(mean) &&
         cJSON_AddNumberToObject(item, "tone", mean->valuedouble) == NULL) ||
        (note[0] != '\0' && cJSON_AddStringToObject(item, "note", note) == NULL))
      return -1;
  }
  return 0;
}

int th_report_blocks(cJSON *section) {
  if (theme_bars(section, cJSON_GetObjectItemCaseSensitive(section, "taxonomy"), "Taxonomy themes",
                 "name", "count") != 0 ||
      theme_bars(section, cJSON_GetObjectItemCaseSensitive(section, "discovered"),
                 "Discovered themes", "label", "size") != 0)
    return -1;
  /* a section with neither list still says what it counted */
  if (cJSON_GetObjectItemCaseSensitive(section, "blocks") == NULL) {
    cJSON *block = tp_block_add(section, "tiles", NULL);
    cJSON *item = tp_block_item(block, "items");
    const cJSON *records = cJSON_GetObjectItemCaseSensitive(section, "records");
    if (item == NULL || cJSON_AddStringToObject(item, "label", "records") == NULL ||
        cJSON_AddNumberToObject(item, "value",
                                cJSON_IsNumber(records) ? records->valuedouble : 0) == NULL)
      return -1;
  }
  return 0;
}
