/* core/report/report_dump.c - any JSON object as readable data (see tp__report_dump).
 *
 * Used for a section that has no "blocks" and for a block the renderer cannot draw, so that
 * nothing a stage reports is hidden: scalar members become tiles, an array of objects a table
 * with one column per member (first rows only), an array of scalars a list, a nested object a
 * card of its own (one level deep), and anything deeper escaped JSON cut at a budget.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_html_internal.h"

enum {
  DUMP_ROWS = 50,            /* rows of a table, items of a list */
  DUMP_JSON_BYTES = 8 * 1024 /* escaped JSON shown for deeper data */
};

static bool scalar(const cJSON *item) {
  return cJSON_IsNumber(item) || cJSON_IsString(item) || cJSON_IsBool(item) || cJSON_IsNull(item);
}

/* A scalar as text; compact JSON (cut) for anything else. */
static void scalar_text(tp_html *html, const cJSON *item) {
  if (cJSON_IsString(item)) {
    tp__report_label(html, item->valuestring);
  } else if (cJSON_IsNumber(item) && item->valuestring != NULL) {
    tp_html_string(html, item->valuestring); /* a number kept as written (a 64-bit id) */
  } else if (tp__report_finite(item)) {
    tp__report_value(html, item->valuedouble, false);
  } else if (cJSON_IsNumber(item)) {
    tp_html_raw(html, "not a number");
  } else if (cJSON_IsBool(item)) {
    tp_html_raw(html, cJSON_IsTrue(item) ? "yes" : "no");
  } else if (cJSON_IsNull(item)) {
    tp_html_raw(html, "\xE2\x80\x93"); /* an en dash */
  } else {
    char *json = cJSON_PrintUnformatted(item);
    if (json != NULL)
      tp_html_text(html, json, strlen(json), 120);
    cJSON_free(json);
  }
}

static void member_title(tp_html *html, const char *name) {
  tp_html_raw(html, "<h4>");
  tp__report_label(html, name != NULL ? name : "");
  tp_html_raw(html, "</h4>\n");
}

/* An array of objects as a table: one column per member name met in the first rows. */
static void object_table(tp_html *html, const cJSON *array) {
  const char *columns[24];
  int column_count = 0, row = 0;
  const cJSON *item, *member;
  cJSON_ArrayForEach(item, array) {
    if (row++ == DUMP_ROWS)
      break;
    cJSON_ArrayForEach(member, item) {
      bool known = false;
      for (int index = 0; index < column_count && !known; index++)
        known = member->string != NULL && strcmp(columns[index], member->string) == 0;
      if (!known && member->string != NULL && column_count < 24)
        columns[column_count++] = member->string;
    }
  }
  tp_html_raw(html, "<div class=\"table-wrap\"><table class=\"data\"><thead><tr>");
  for (int index = 0; index < column_count; index++) {
    tp_html_raw(html, "<th>");
    tp__report_label(html, columns[index]);
    tp_html_raw(html, "</th>");
  }
  tp_html_raw(html, "</tr></thead>\n<tbody>\n");
  row = 0;
  cJSON_ArrayForEach(item, array) {
    if (row++ == DUMP_ROWS)
      break;
    tp_html_raw(html, "<tr>");
    for (int index = 0; index < column_count; index++) {
      const cJSON *value = cJSON_GetObjectItemCaseSensitive(item, columns[index]);
      tp_html_raw(html, tp__report_finite(value) ? "<td class=\"number\">" : "<td>");
      if (value != NULL)
        scalar_text(html, value);
      tp_html_raw(html, "</td>");
    }
    tp_html_raw(html, "</tr>\n");
  }
  tp_html_raw(html, "</tbody></table></div>\n");
}

static void array_data(tp_html *html, const cJSON *array) {
  int size = cJSON_GetArraySize(array), objects = 0, row = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, array) objects += cJSON_IsObject(item);
  if (size == 0) {
    tp_html_raw(html, "<p class=\"note\">(empty)</p>\n");
    return;
  }
  if (objects == size) {
    object_table(html, array);
  } else {
    tp_html_raw(html, "<p class=\"list\">");
    cJSON_ArrayForEach(item, array) {
      if (row++ == DUMP_ROWS)
        break;
      if (row > 1)
        tp_html_raw(html, ", ");
      scalar_text(html, item);
    }
    tp_html_raw(html, "</p>\n");
  }
  if (size > DUMP_ROWS)
    tp_html_rawf(html, "<p class=\"note\">The first %d of %d items are shown.</p>\n", DUMP_ROWS,
                 size);
}

static void json_text(tp_html *html, const cJSON *item) {
  char *json = cJSON_Print(item);
  tp_html_raw(html, "<pre>");
  if (json != NULL)
    tp_html_text(html, json, strlen(json), DUMP_JSON_BYTES);
  tp_html_raw(html, "</pre>\n");
  cJSON_free(json);
}

static void dump(tp_html *html, const cJSON *object, int depth) {
  int scalars = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, object) scalars += scalar(item);
  if (scalars > 0) {
    tp_html_raw(html, "<div class=\"tiles\">\n");
    cJSON_ArrayForEach(item, object) {
      if (!scalar(item))
        continue;
      tp_html_raw(html, "<div class=\"tile\"><span class=\"value\">");
      if (cJSON_IsString(item))
        tp_html_text(html, item->valuestring, strlen(item->valuestring), 60);
      else
        scalar_text(html, item);
      tp_html_raw(html, "</span><span class=\"name\">");
      tp__report_label(html, item->string);
      tp_html_raw(html, "</span></div>\n");
    }
    tp_html_raw(html, "</div>\n");
  }
  cJSON_ArrayForEach(item, object) {
    if (scalar(item))
      continue;
    tp_html_raw(html, "<div class=\"dump\">");
    member_title(html, item->string);
    if (cJSON_IsArray(item) && depth < 2)
      array_data(html, item);
    else if (cJSON_IsObject(item) && depth < 1)
      dump(html, item, depth + 1);
    else
      json_text(html, item);
    tp_html_raw(html, "</div>\n");
  }
}

void tp__report_dump(tp_html *html, const cJSON *object) {
  if (!cJSON_IsObject(object)) {
    json_text(html, object);
    return;
  }
  dump(html, object, 0);
}
