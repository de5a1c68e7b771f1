/* core/report/report_blocks.c - draws a report section's blocks (docs/report-format.md).
 *
 * A block is a JSON object {"type", "title"?, "note"?, "wide"?, ...}; this file knows the six
 * types (tiles, histogram, timeline, quotes, bars, table) and nothing of the plugin that wrote
 * them. Blocks sit in a grid of cards: charts, quotes and bars take half the width on a
 * desktop, timelines and tables the whole width, tiles stand on their own. Whatever a block
 * holds, it never breaks the page: an item of the wrong shape is left out and counted in a
 * note under the block, a block that cannot be drawn at all (its array missing) or of an
 * unknown type is shown as data with a note saying why, and every text is escaped and cut.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_charts.h"
#include "report_html_internal.h"

/* Opens a block's card (or, for tiles, its bare wrapper) with its title. */
static void block_open(tp_html *html, const cJSON *block, const char *css_class, bool wide) {
  const cJSON *wide_item = tp__report_member(block, "wide");
  if (cJSON_IsBool(wide_item))
    wide = cJSON_IsTrue(wide_item);
  tp_html_rawf(html, "<div class=\"%s%s\">", css_class, wide ? " wide" : "");
  const char *title = tp__report_string(block, "title");
  if (title != NULL && title[0] != '\0') {
    tp_html_raw(html, "<h3>");
    tp__report_label(html, title);
    tp_html_raw(html, "</h3>");
  }
  tp_html_raw(html, "\n");
}

/* Closes a block: its own note, then a note on items left out, if any. */
static void block_close(tp_html *html, const cJSON *block, const char *type, int skipped, int total,
                        int limit) {
  const char *note = tp__report_string(block, "note");
  if (note != NULL && note[0] != '\0') {
    tp_html_raw(html, "<p class=\"note\">");
    tp_html_text(html, note, strlen(note), TP__REPORT_QUOTE_BYTES);
    tp_html_raw(html, "</p>\n");
  }
  if (skipped > 0)
    tp_html_rawf(html,
                 "<p class=\"note problem\">%d item%s of this %s block %s not of the documented "
                 "shape and %s left out.</p>\n",
                 skipped, skipped == 1 ? "" : "s", type, skipped == 1 ? "was" : "were",
                 skipped == 1 ? "is" : "are");
  if (total > limit)
    tp_html_rawf(html, "<p class=\"note\">The first %d of %d items are shown.</p>\n", limit, total);
  tp_html_raw(html, "</div>\n");
}

/* A block that cannot be drawn: its title, why, and its members as data. */
static void fallback(tp_html *html, const cJSON *block, const char *reason) {
  block_open(html, block, "card", true);
  tp_html_raw(html, "<p class=\"note problem\">");
  tp_html_string(html, reason);
  tp_html_raw(html, "; its data follows.</p>\n");
  tp__report_dump(html, block);
  tp_html_raw(html, "</div>\n");
}

/* The array block[key] and its size, or NULL when it is not an array. */
static const cJSON *items_of(const cJSON *block, const char *key, int *total) {
  const cJSON *items = tp__report_member(block, key);
  *total = cJSON_IsArray(items) ? cJSON_GetArraySize(items) : 0;
  return cJSON_IsArray(items) ? items : NULL;
}

/* The item's tone when it has a finite one, else NaN. */
static double tone_of(const cJSON *item) {
  double tone;
  return tp__report_number(item, "tone", &tone) ? tone : NAN;
}

static void tiles(tp_html *html, const cJSON *block) {
  int total, skipped = 0, index = 0;
  const cJSON *items = items_of(block, "items", &total);
  if (items == NULL) {
    fallback(html, block, "This tiles block has no \"items\" array");
    return;
  }
  block_open(html, block, "tile-block", true);
  tp_html_raw(html, "<div class=\"tiles\">\n");
  const cJSON *item;
  cJSON_ArrayForEach(item, items) {
    if (index++ == TP__REPORT_MAX_ITEMS)
      break;
    const char *label = tp__report_string(item, "label");
    const cJSON *value = tp__report_member(item, "value");
    if (label == NULL || !(tp__report_finite(value) || cJSON_IsString(value))) {
      skipped++;
      continue;
    }
    double tone = tone_of(item);
    tp_html_raw(html, "<div class=\"tile\"><span class=\"value\"");
    if (!isnan(tone)) {
      char colour[8];
      tp_html_rawf(html, " style=\"color:%s\"", tp_report_tone_colour(tone, colour));
    }
    tp_html_raw(html, ">");
    if (cJSON_IsString(value))
      tp_html_text(html, value->valuestring, strlen(value->valuestring), 60);
    else
      tp__report_value(html, value->valuedouble,
                       !isnan(tone) && value->valuedouble != floor(value->valuedouble));
    const char *unit = tp__report_string(item, "unit");
    if (unit != NULL) {
      tp_html_raw(html, "<small>");
      tp_html_text(html, unit, strlen(unit), 24);
      tp_html_raw(html, "</small>");
    }
    tp_html_raw(html, "</span><span class=\"name\">");
    tp__report_label(html, label);
    tp_html_raw(html, "</span>");
    const char *note = tp__report_string(item, "note");
    if (note != NULL) {
      tp_html_raw(html, "<span class=\"figures\">");
      tp__report_label(html, note);
      tp_html_raw(html, "</span>");
    }
    tp_html_raw(html, "</div>\n");
  }
  tp_html_raw(html, "</div>\n");
  block_close(html, block, "tiles", skipped, total, TP__REPORT_MAX_ITEMS);
}

typedef int (*chart_function)(tp_html *html, const cJSON *array, bool diverging, int limit);

/* A histogram or timeline block: its `key` array drawn by `draw`, then the axis names
 * ("y_label by x_label"). */
static void chart(tp_html *html, const cJSON *block, const char *type, const char *key,
                  chart_function draw, bool wide) {
  int total;
  const cJSON *array = items_of(block, key, &total);
  if (total == 0) {
    char reason[96];
    snprintf(reason, sizeof reason,
             array == NULL ? "This %s block has no \"%s\" array" : "This %s block has no %s", type,
             key);
    fallback(html, block, reason);
    return;
  }
  block_open(html, block, "card", wide);
  int skipped =
      draw(html, array, cJSON_IsTrue(tp__report_member(block, "diverging")), TP__REPORT_MAX_ITEMS);
  const char *axes[2] = {tp__report_string(block, "x_label"), tp__report_string(block, "y_label")};
  if (axes[0] != NULL || axes[1] != NULL) {
    tp_html_raw(html, "<p class=\"axis-name\">");
    if (axes[1] != NULL) {
      tp__report_label(html, axes[1]);
      tp_html_raw(html, axes[0] != NULL ? " by " : "");
    }
    tp__report_label(html, axes[0]);
    tp_html_raw(html, "</p>\n");
  }
  block_close(html, block, type, skipped, total, TP__REPORT_MAX_ITEMS);
}

/* Whether the record `id` was quoted earlier on the page. */
static bool already_quoted(const tp__report_page *page, const char *id) {
  for (size_t index = 0; index < page->quoted_count; index++) {
    if (strcmp(page->quoted[index], id) == 0)
      return true;
  }
  return false;
}

/* Whether a quote item can be drawn (and, with `skip_quoted`, was not quoted before). */
static bool quote_shown(const tp__report_page *page, const cJSON *item, bool skip_quoted) {
  if (tp__report_string(item, "text") == NULL)
    return false;
  char id[TP__REPORT_ID_BYTES];
  tp__report_id_text(tp__report_member(item, "record"), id, sizeof id);
  return !(skip_quoted && id[0] != '\0' && already_quoted(page, id));
}

static void quotes(tp__report_page *page, const cJSON *block) {
  tp_html *html = page->html;
  int total, skipped = 0, shown = 0, index = 0;
  const cJSON *items = items_of(block, "items", &total);
  if (items == NULL) {
    fallback(html, block, "This quotes block has no \"items\" array");
    return;
  }
  bool skip_quoted = cJSON_IsTrue(tp__report_member(block, "skip_quoted"));
  const cJSON *item;
  cJSON_ArrayForEach(item, items) {
    shown += quote_shown(page, item, skip_quoted);
  }
  if (shown == 0 && total > 0 && skip_quoted)
    return; /* everything was quoted above */
  block_open(html, block, "card", false);
  tp_html_raw(html, "<ol class=\"quotes\">\n");
  cJSON_ArrayForEach(item, items) {
    if (index++ == TP__REPORT_MAX_ITEMS)
      break;
    if (tp__report_string(item, "text") == NULL) {
      skipped++;
      continue;
    }
    if (!quote_shown(page, item, skip_quoted))
      continue;
    char id[TP__REPORT_ID_BYTES];
    tp__report_id_text(tp__report_member(item, "record"), id, sizeof id);
    if (id[0] != '\0' && !already_quoted(page, id) && page->quoted_count < TP__REPORT_QUOTED_IDS)
      snprintf(page->quoted[page->quoted_count++], TP__REPORT_ID_BYTES, "%s", id);
    double score, line, tone = tone_of(item);
    bool scored = tp__report_number(item, "score", &score);
    bool lined = tp__report_number(item, "line", &line);
    const char *note = tp__report_string(item, "note");
    tp_html_raw(html, "<li>");
    if (scored || id[0] != '\0' || lined || note != NULL) {
      tp_html_raw(html, "<span class=\"figures\">");
      const char *separator = "";
      if (scored && !isnan(tone)) {
        tp__report_tone_chip(html, score, tone);
        separator = " ";
      } else if (scored) {
        tp_html_raw(html, "score ");
        tp__report_value(html, score, false);
        separator = " &middot; ";
      }
      if (id[0] != '\0') {
        tp_html_rawf(html, "%srecord ", separator);
        tp_html_string(html, id);
        separator = " &middot; ";
      }
      if (lined) {
        tp_html_rawf(html, "%sline ", separator);
        tp__report_count(html, line);
        separator = " &middot; ";
      }
      if (note != NULL) {
        tp_html_raw(html, separator);
        tp__report_label(html, note);
      }
      tp_html_raw(html, "</span>");
    }
    const char *text = tp__report_string(item, "text");
    tp_html_raw(html, "<blockquote>");
    tp_html_text(html, text, strlen(text), TP__REPORT_QUOTE_BYTES);
    tp_html_raw(html, "</blockquote></li>\n");
  }
  tp_html_raw(html, "</ol>\n");
  if (total == 0 && tp__report_string(block, "note") == NULL)
    tp_html_raw(html, "<p class=\"note\">Nothing to quote.</p>\n");
  block_close(html, block, "quotes", skipped, total, TP__REPORT_MAX_ITEMS);
}

static void bars(tp_html *html, const cJSON *block) {
  int total, skipped = 0, index = 0;
  const cJSON *items = items_of(block, "items", &total);
  if (items == NULL) {
    fallback(html, block, "This bars block has no \"items\" array");
    return;
  }
  double largest = 0, value;
  const cJSON *item;
  cJSON_ArrayForEach(item, items) {
    if (index++ == TP__REPORT_MAX_ITEMS)
      break;
    if (tp__report_number(item, "value", &value) && value > largest)
      largest = value;
  }
  const char *unit = tp__report_string(block, "unit");
  block_open(html, block, "card", false);
  tp_html_raw(html, "<ul class=\"bars\">\n");
  index = 0;
  cJSON_ArrayForEach(item, items) {
    if (index++ == TP__REPORT_MAX_ITEMS)
      break;
    const char *label = tp__report_string(item, "label");
    if (label == NULL || !tp__report_number(item, "value", &value)) {
      skipped++;
      continue;
    }
    double tone = tone_of(item);
    tp_html_raw(html, "<li><div class=\"bar-head\"><span class=\"bar-label\">");
    tp__report_label(html, label);
    tp_html_raw(html, "</span><span class=\"figures\">");
    tp__report_value(html, value, false);
    if (unit != NULL) {
      tp_html_raw(html, " ");
      tp__report_label(html, unit);
    }
    tp_html_raw(html, "</span></div>");
    char fill[8];
    tp_report_chart_bar(html, largest > 0 ? value / largest : 0,
                        isnan(tone) ? NULL : tp_report_tone_colour(tone, fill));
    const char *note = tp__report_string(item, "note");
    if (note != NULL) {
      tp_html_raw(html, "<span class=\"figures\">");
      tp__report_label(html, note);
      tp_html_raw(html, "</span>");
    }
    tp_html_raw(html, "</li>\n");
  }
  tp_html_raw(html, "</ul>\n");
  if (total == 0)
    tp_html_raw(html, "<p class=\"note\">No bars.</p>\n");
  block_close(html, block, "bars", skipped, total, TP__REPORT_MAX_ITEMS);
}

/* One table cell: a string, a number, a boolean or null (empty); anything else is a problem
 * (returns false and leaves the cell empty). */
static bool cell(tp_html *html, const cJSON *value) {
  bool number = tp__report_finite(value);
  tp_html_raw(html, number ? "<td class=\"number\">" : "<td>");
  bool ok = true;
  if (cJSON_IsString(value))
    tp__report_label(html, value->valuestring);
  else if (number)
    tp__report_value(html, value->valuedouble, false);
  else if (cJSON_IsBool(value))
    tp_html_raw(html, cJSON_IsTrue(value) ? "yes" : "no");
  else
    ok = value == NULL || cJSON_IsNull(value);
  tp_html_raw(html, "</td>");
  return ok;
}

static void table(tp_html *html, const cJSON *block) {
  int column_total, total, skipped = 0, index = 0;
  const cJSON *columns = items_of(block, "columns", &column_total);
  const cJSON *rows = items_of(block, "rows", &total);
  if (columns == NULL || rows == NULL) {
    fallback(html, block, "This table block lacks its \"columns\" or \"rows\" array");
    return;
  }
  int width = column_total < TP__REPORT_MAX_COLUMNS ? column_total : TP__REPORT_MAX_COLUMNS;
  block_open(html, block, "card", true);
  tp_html_raw(html, "<div class=\"table-wrap\"><table class=\"data\"><thead><tr>");
  const cJSON *column;
  cJSON_ArrayForEach(column, columns) {
    if (index++ == width)
      break;
    tp_html_raw(html, "<th>");
    if (cJSON_IsString(column))
      tp__report_label(html, column->valuestring);
    else
      skipped++;
    tp_html_raw(html, "</th>");
  }
  tp_html_raw(html, "</tr></thead>\n<tbody>\n");
  const cJSON *row;
  int row_index = 0;
  cJSON_ArrayForEach(row, rows) {
    if (row_index++ == TP__REPORT_MAX_ITEMS)
      break;
    if (!cJSON_IsArray(row)) {
      skipped++;
      continue;
    }
    tp_html_raw(html, "<tr>");
    bool ok = true;
    for (int position = 0; position < width; position++)
      ok = cell(html, cJSON_GetArrayItem(row, position)) && ok;
    skipped += !ok;
    tp_html_raw(html, "</tr>\n");
  }
  tp_html_raw(html, "</tbody></table></div>\n");
  if (column_total > width)
    tp_html_rawf(html, "<p class=\"note\">The first %d of %d columns are shown.</p>\n", width,
                 column_total);
  block_close(html, block, "table", skipped, total, TP__REPORT_MAX_ITEMS);
}

void tp__report_blocks(tp__report_page *page, const cJSON *blocks) {
  tp_html *html = page->html;
  tp_html_raw(html, "<div class=\"cards\">\n");
  int index = 0;
  const cJSON *block;
  cJSON_ArrayForEach(block, blocks) {
    if (index++ == TP__REPORT_MAX_BLOCKS) {
      tp_html_rawf(html,
                   "<p class=\"note wide\">The first %d of %d blocks of this section are "
                   "shown.</p>\n",
                   TP__REPORT_MAX_BLOCKS, cJSON_GetArraySize(blocks));
      break;
    }
    const char *type = tp__report_string(block, "type");
    if (!cJSON_IsObject(block)) {
      tp_html_raw(html, "<div class=\"card wide\"><p class=\"note problem\">A block that is not "
                        "a JSON object is left out.</p></div>\n");
    } else if (type == NULL) {
      fallback(html, block, "This block has no \"type\"");
    } else if (strcmp(type, "tiles") == 0) {
      tiles(html, block);
    } else if (strcmp(type, "histogram") == 0) {
      chart(html, block, "histogram", "bins", tp_report_chart_histogram, false);
    } else if (strcmp(type, "timeline") == 0) {
      chart(html, block, "timeline", "points", tp_report_chart_timeline, true);
    } else if (strcmp(type, "quotes") == 0) {
      quotes(page, block);
    } else if (strcmp(type, "bars") == 0) {
      bars(html, block);
    } else if (strcmp(type, "table") == 0) {
      table(html, block);
    } else {
      char reason[96];
      snprintf(reason, sizeof reason, "This block's type \"%.40s\" is not one textpipe draws",
               type);
      fallback(html, block, reason);
    }
  }
  tp_html_raw(html, "</div>\n");
}
