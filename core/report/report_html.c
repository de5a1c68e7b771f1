/* core/report/report_html.c - the end-of-stream report as one self-contained HTML page.
 *
 * The page is a single document with inline CSS and SVG (see report_charts.c): no script, no
 * font file, no image, no URL. A Content-Security-Policy meta tag forbids loading anything
 * but the inline styles, so even a mistake here cannot reach the network. The layout is a
 * single column of cards on a phone and a two-column grid on a desktop, by CSS alone.
 *
 * Stage sections follow in pipeline order, each drawn from its "blocks" (report_blocks.c,
 * docs/report-format.md), whoever wrote it: the renderer never looks at plugin names. A
 * section without blocks is shown as readable data (report_dump.c), so nothing in the report
 * is hidden.
 */
#include "report_html.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report.h"
#include "report_charts.h"
#include "report_html_internal.h"

static const char page_style[] =
    ":root{--bg:#f5f6f8;--card:#fff;--ink:#1c2230;--muted:#5d6878;--line:#e1e5ea;"
    "--neg:#c0392b;--accent:#3558c8}"
    "@media (prefers-color-scheme:dark){:root{--bg:#13161b;--card:#1c2027;--ink:#e5e8ed;"
    "--muted:#9ba5b3;--line:#2d333c;--accent:#7d9cf0}}"
    "*{box-sizing:border-box}"
    "body{margin:0;background:var(--bg);color:var(--ink);"
    "font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}"
    "main{max-width:1120px;margin:0 auto;padding:24px 16px 40px}"
    "h1{font-size:1.55rem;margin:0 0 4px;overflow-wrap:anywhere}"
    "h2{font-size:1.2rem;margin:0 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line);"
    "overflow-wrap:anywhere}"
    "section.stage-section h2::first-letter{text-transform:uppercase}"
    "h3{font-size:1rem;margin:0 0 10px;overflow-wrap:anywhere}"
    "h4{font-size:.95rem;margin:12px 0 6px;overflow-wrap:anywhere}"
    "section{margin-top:28px}"
    ".meta,.note,.figures,.axis-name{color:var(--muted);font-size:.87rem}"
    ".note{margin:8px 0 0}.problem{color:var(--neg)}"
    ".axis-name{margin:2px 0 0;text-align:center}"
    ".stage{font-weight:400;color:var(--muted);font-size:.85rem;margin-left:8px}"
    ".tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:10px}"
    ".tile,.card{background:var(--card);border:1px solid var(--line);border-radius:10px;"
    "padding:12px 16px;min-width:0}"
    ".tile .value{display:block;font-size:1.55rem;font-weight:650;overflow-wrap:anywhere;"
    "font-variant-numeric:tabular-nums}"
    ".tile .value small{font-size:.9rem;font-weight:400;margin-left:3px}"
    ".tile .name{display:block;color:var(--muted);font-size:.85rem;overflow-wrap:anywhere}"
    ".tile .figures{display:block;font-size:.8rem}"
    ".tile.alert{border-color:var(--neg)}.tile.alert .value{color:var(--neg)}"
    ".tile-block h3{margin:4px 0 8px}"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,420px),1fr));"
    "align-items:start;"
    "gap:14px}"
    ".wide{grid-column:1/-1}"
    ".plot{display:grid;grid-template-columns:auto 1fr;grid-template-rows:170px auto;"
    "column-gap:8px;font-size:.78rem;color:var(--muted);font-variant-numeric:tabular-nums}"
    ".wide .plot{grid-template-rows:210px auto}"
    ".yaxis{position:relative;min-width:2.6em}"
    ".yaxis span{position:absolute;right:0;transform:translateY(-50%);white-space:nowrap}"
    ".area svg{display:block;width:100%;height:100%;overflow:visible}"
    ".xaxis{grid-column:2;position:relative;height:1.6em;margin-top:4px}"
    ".xaxis span{position:absolute;top:0;white-space:nowrap}"
    ".gridline{stroke:var(--line);stroke-width:1}"
    ".zero{stroke:var(--muted);stroke-width:1;stroke-dasharray:4 3}"
    ".trend{fill:none;stroke:var(--accent);stroke-width:2;stroke-linejoin:round}"
    ".point{stroke-linecap:round;stroke:var(--accent)}"
    ".bin{fill:var(--accent)}.strip{fill:var(--line)}"
    "svg.bar{display:block;width:100%;height:10px;margin:4px 0;border-radius:3px}"
    "svg.bar .track{fill:var(--line)}svg.bar .fill{fill:var(--accent)}"
    ".bars{list-style:none;padding:0;margin:0}"
    ".bars li{margin:0 0 12px}"
    ".bar-head{display:flex;justify-content:space-between;align-items:baseline;gap:2px 12px}"
    ".bar-label{font-weight:600;overflow-wrap:anywhere;min-width:0}"
    ".bar-head .figures{white-space:nowrap;font-variant-numeric:tabular-nums}"
    ".chip{display:inline-block;padding:0 8px;border-radius:999px;color:#fff;font-weight:600;"
    "font-size:.85rem;font-variant-numeric:tabular-nums}"
    "blockquote{margin:4px 0 0;padding:4px 12px;border-left:3px solid var(--line);"
    "white-space:pre-line;overflow-wrap:anywhere}"
    "ol.quotes{list-style:none;padding:0;margin:0}"
    "ol.quotes li{margin:0 0 14px}"
    ".list{overflow-wrap:anywhere}"
    ".dump{margin-top:12px}"
    ".table-wrap{overflow-x:auto}"
    "table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:.92rem}"
    "th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:right;"
    "white-space:nowrap}"
    "th{color:var(--muted);font-weight:600}"
    "th:first-child,td:first-child{text-align:left}"
    "table.data th,table.data td{text-align:left;white-space:normal;overflow-wrap:anywhere;"
    "min-width:4em}"
    "table.data td.number{text-align:right;white-space:nowrap}"
    "td.share{width:28%;min-width:90px}"
    "pre{overflow-x:auto;background:var(--card);border:1px solid var(--line);padding:12px;"
    "border-radius:8px;font-size:.8rem;white-space:pre-wrap;overflow-wrap:anywhere}"
    "footer{margin-top:36px;color:var(--muted);font-size:.8rem}"
    "@media (max-width:600px){.minor{display:none}main{padding:16px 12px 32px}"
    ".card{padding:10px 12px}}";

const cJSON *tp__report_member(const cJSON *object, const char *key) {
  if (!cJSON_IsObject(object))
    return NULL;
  return cJSON_GetObjectItemCaseSensitive(object, key);
}

bool tp__report_number(const cJSON *object, const char *key, double *value) {
  const cJSON *item = tp__report_member(object, key);
  if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
    return false;
  *value = item->valuedouble;
  return true;
}

const char *tp__report_string(const cJSON *object, const char *key) {
  const cJSON *item = tp__report_member(object, key);
  return cJSON_IsString(item) ? item->valuestring : NULL;
}

void tp__report_id_text(const cJSON *id, char *text, size_t size) {
  text[0] = '\0';
  if ((cJSON_IsNumber(id) || cJSON_IsRaw(id)) && id->valuestring != NULL) {
    snprintf(text, size, "%s", id->valuestring); /* a 64-bit id, as written */
  } else if (cJSON_IsNumber(id) && isfinite(id->valuedouble)) {
    if (id->valuedouble == floor(id->valuedouble) && fabs(id->valuedouble) < 1e15)
      snprintf(text, size, "%.0f", id->valuedouble);
    else
      snprintf(text, size, "%g", id->valuedouble);
  } else if (cJSON_IsString(id)) {
    snprintf(text, size, "%s", id->valuestring);
  }
}

bool tp__report_finite(const cJSON *item) {
  return cJSON_IsNumber(item) && isfinite(item->valuedouble);
}

void tp__report_count(tp_html *html, double count) {
  if (!isfinite(count) || fabs(count) >= 1e15) {
    tp_html_rawf(html, "%.3g", count);
    return;
  }
  char digits[40];
  snprintf(digits, sizeof digits, "%.0f", fabs(count));
  size_t length = strlen(digits);
  if (count <= -0.5)
    tp_html_raw(html, "-");
  for (size_t index = 0; index < length; index++) {
    if (index > 0 && (length - index) % 3 == 0)
      tp_html_raw(html, ",");
    tp_html_rawf(html, "%c", digits[index]);
  }
}

void tp__report_value_text(double value, bool sign, char *text, size_t size) {
  const char *plus = sign && value > 0 ? "+" : "";
  double magnitude = fabs(value);
  if (!isfinite(value))
    snprintf(text, size, "%s", isnan(value) ? "NaN" : value > 0 ? "infinity" : "-infinity");
  else if (magnitude >= 1e15 || (magnitude < 0.01 && magnitude > 0))
    snprintf(text, size, "%s%.2g", plus, value);
  else if (value == floor(value))
    snprintf(text, size, "%s%.0f", plus, value);
  else if (magnitude >= 100)
    snprintf(text, size, "%s%.1f", plus, value);
  else
    snprintf(text, size, "%s%.2f", plus, value);
}

void tp__report_value(tp_html *html, double value, bool sign) {
  if (isfinite(value) && value == floor(value) && fabs(value) < 1e15) {
    if (sign && value > 0)
      tp_html_raw(html, "+");
    tp__report_count(html, value);
    return;
  }
  char text[48];
  tp__report_value_text(value, sign, text, sizeof text);
  tp_html_string(html, text);
}

void tp__report_label(tp_html *html, const char *text) {
  if (text != NULL)
    tp_html_text(html, text, strlen(text), TP__REPORT_LABEL_BYTES);
}

void tp__report_tone_chip(tp_html *html, double value, double tone) {
  char colour[8];
  tp_html_rawf(html, "<span class=\"chip\" style=\"background:%s\">",
               tp_report_tone_colour(tone, colour));
  tp__report_value(html, value, true);
  tp_html_raw(html, "</span>");
}

/* Appends a byte count as "812 B", "6.4 KB", "50.2 MB", "1.3 GB". */
static void byte_size(tp_html *html, double bytes) {
  static const char *const units[] = {"B", "KB", "MB", "GB", "TB"};
  int unit = 0;
  while (bytes >= 1000 && unit < 4)
    bytes /= 1000, unit++;
  tp_html_rawf(html, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
}

static void page_header(tp_html *html, const cJSON *report) {
  const char *pipeline = tp__report_string(report, "pipeline");
  tp_html_raw(html, "<header><h1>textpipe report");
  if (pipeline != NULL) {
    tp_html_raw(html, ": ");
    tp_html_string(html, pipeline);
  }
  tp_html_raw(html, "</h1>\n<p class=\"meta\">");
  const cJSON *input = tp__report_member(report, "input");
  const char *format = tp__report_string(input, "format");
  const char *source = tp__report_string(input, "source");
  double number;
  const char *separator = "";
  if (format != NULL || source != NULL) {
    tp_html_raw(html, "input ");
    tp_html_string(html, format);
    if (source != NULL) {
      tp_html_raw(html, format != NULL ? " from " : "");
      tp_html_string(html, source);
    }
    separator = " &middot; ";
  }
  if (tp__report_number(input, "bytes", &number)) {
    tp_html_raw(html, separator);
    byte_size(html, number);
    separator = " &middot; ";
  }
  if (tp__report_number(report, "workers", &number)) {
    tp_html_rawf(html, "%s%.0f worker%s", separator, number, number == 1 ? "" : "s");
    separator = " &middot; ";
  }
  if (tp__report_number(report, "seconds", &number)) {
    tp_html_rawf(html, "%s%.3f s", separator, number);
    separator = " &middot; ";
  }
  const char *version = tp__report_string(report, "textpipe");
  if (version != NULL) {
    tp_html_rawf(html, "%stextpipe ", separator);
    tp_html_string(html, version);
  }
  tp_html_raw(html, "</p></header>\n");
}

static void count_tile(tp_html *html, const cJSON *counts, const char *key, const char *name) {
  double count;
  if (!tp__report_number(counts, key, &count))
    return;
  bool alert = (strcmp(key, "dead_letter") == 0 || strcmp(key, "not_written") == 0 ||
                strcmp(key, "unfinished") == 0) &&
               count > 0;
  tp_html_rawf(html, "<div class=\"tile%s\"><span class=\"value\">", alert ? " alert" : "");
  tp__report_count(html, count);
  tp_html_rawf(html, "</span><span class=\"name\">%s</span></div>\n", name);
}

static void overview(tp_html *html, const cJSON *report) {
  const cJSON *counts = tp__report_member(report, "counts");
  if (!cJSON_IsObject(counts))
    return;
  tp_html_raw(html, "<section class=\"overview\"><h2>Records</h2>\n<div class=\"tiles\">\n");
  count_tile(html, counts, "in", "read");
  count_tile(html, counts, "out", "written");
  count_tile(html, counts, "dropped", "dropped");
  count_tile(html, counts, "dead_letter", "dead-lettered");
  double not_written;
  if (tp__report_number(counts, "not_written", &not_written) && not_written > 0)
    count_tile(html, counts, "not_written", "not written (output failed)");
  double unfinished;
  if (tp__report_number(counts, "unfinished", &unfinished) && unfinished > 0)
    count_tile(html, counts, "unfinished", "unfinished (stopped at once)");
  count_tile(html, counts, "skipped_empty", "skipped (empty)");
  tp_html_raw(html, "</div>\n");
  double in, dead, seconds, bytes;
  if (tp__report_number(counts, "in", &in) && tp__report_number(counts, "dead_letter", &dead) &&
      dead > 0 && in > 0) {
    tp_html_rawf(html,
                 "<p class=\"note\">%.1f%% of the records were dead-lettered: their errors "
                 "went to stderr (or the dead-letter output) with their input line numbers.</p>\n",
                 100 * dead / in);
  }
  if (tp__report_number(report, "seconds", &seconds) && seconds > 0 &&
      tp__report_number(counts, "in", &in)) {
    tp_html_raw(html, "<p class=\"note\">");
    tp__report_count(html, in / seconds);
    tp_html_raw(html, " records/s");
    if (tp__report_number(tp__report_member(report, "input"), "bytes", &bytes)) {
      tp_html_raw(html, " &middot; ");
      byte_size(html, bytes / seconds);
      tp_html_raw(html, "/s");
    }
    tp_html_raw(html, "</p>\n");
  }
  tp_html_raw(html, "</section>\n");
}

static void stage_timings(tp_html *html, const cJSON *report) {
  const cJSON *stages = tp__report_member(report, "stages");
  if (!cJSON_IsArray(stages) || cJSON_GetArraySize(stages) == 0)
    return;
  double slowest = 0, seconds;
  const cJSON *stage;
  cJSON_ArrayForEach(stage, stages) {
    if (tp__report_number(stage, "seconds", &seconds) && seconds > slowest)
      slowest = seconds;
  }
  tp_html_raw(html, "<section class=\"stages\"><h2>Stages</h2>\n<div class=\"table-wrap\"><table>"
                    "<thead><tr><th>stage</th><th class=\"minor\">plugin</th><th>records</th>"
                    "<th class=\"minor\">dropped</th><th class=\"minor\">errors</th>"
                    "<th>seconds</th><th>time</th></tr></thead>\n<tbody>\n");
  static const char *const counts[] = {"records", "dropped", "errors"};
  cJSON_ArrayForEach(stage, stages) {
    tp_html_raw(html, "<tr><td>");
    tp_html_string(html, tp__report_string(stage, "id"));
    tp_html_raw(html, "</td><td class=\"minor\">");
    tp_html_string(html, tp__report_string(stage, "plugin"));
    const char *version = tp__report_string(stage, "version");
    if (version != NULL) {
      tp_html_raw(html, " ");
      tp_html_string(html, version);
    }
    tp_html_raw(html, "</td>");
    for (size_t index = 0; index < sizeof counts / sizeof counts[0]; index++) {
      double count;
      tp_html_raw(html, index == 0 ? "<td>" : "<td class=\"minor\">");
      if (tp__report_number(stage, counts[index], &count))
        tp__report_count(html, count);
      tp_html_raw(html, "</td>");
    }
    bool timed = tp__report_number(stage, "seconds", &seconds);
    if (timed)
      tp_html_rawf(html, "<td>%.3f</td><td class=\"share\">", seconds);
    else
      tp_html_raw(html, "<td></td><td class=\"share\">");
    if (timed && slowest > 0)
      tp_report_chart_bar(html, seconds / slowest, "#9aa0a6");
    tp_html_raw(html, "</td></tr>\n");
  }
  tp_html_raw(html, "</tbody></table></div>\n<p class=\"note\">Seconds are each stage's own time "
                    "summed over workers; bars are relative to the slowest stage.</p></section>\n");
}

/* The plugin that wrote stage `stage_id`'s section, from the report's "stages", or NULL. */
static const cJSON *stage_of(const cJSON *report, const char *stage_id) {
  const cJSON *stage;
  cJSON_ArrayForEach(stage, tp__report_member(report, "stages")) {
    const char *id = tp__report_string(stage, "id");
    if (id != NULL && stage_id != NULL && strcmp(id, stage_id) == 0)
      return stage;
  }
  return NULL;
}

/* One stage's section: its heading (the stage id, with the plugin beside it when the names
 * differ), then its blocks, or its data when it has none. */
static void stage_section(tp__report_page *page, const char *stage_id, const cJSON *section) {
  tp_html *html = page->html;
  tp_html_raw(html, "<section class=\"stage-section\"><h2>");
  tp__report_label(html, stage_id);
  const char *plugin = tp__report_string(stage_of(page->report, stage_id), "plugin");
  if (plugin != NULL && stage_id != NULL && strcmp(plugin, stage_id) != 0) {
    tp_html_raw(html, "<span class=\"stage\">");
    tp__report_label(html, plugin);
    tp_html_raw(html, "</span>");
  }
  tp_html_raw(html, "</h2>\n");
  const cJSON *blocks = tp__report_member(section, "blocks");
  if (cJSON_IsArray(blocks)) {
    tp__report_blocks(page, blocks);
    if (cJSON_GetArraySize(blocks) == 0)
      tp_html_raw(html, "<p class=\"note\">This stage reported nothing to show.</p>\n");
  } else {
    if (blocks != NULL)
      tp_html_raw(html, "<p class=\"note problem\">This section's \"blocks\" is not an array; "
                        "its data follows.</p>\n");
    tp__report_dump(html, section);
  }
  tp_html_raw(html, "</section>\n");
}

char *tp_report_html_render(const cJSON *report, size_t *length, char *err, size_t err_size) {
  if (!cJSON_IsObject(report)) {
    snprintf(err, err_size, "the report is not a JSON object");
    return NULL;
  }
  tp_html html;
  tp_html_init(&html);
  tp__report_page *page = calloc(1, sizeof *page);
  if (page == NULL) {
    snprintf(err, err_size, "out of memory while rendering the HTML report");
    return NULL;
  }
  page->html = &html;
  page->report = report;

  tp_html_raw(&html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                     "style-src 'unsafe-inline'\">\n<title>textpipe report");
  const char *pipeline = tp__report_string(report, "pipeline");
  if (pipeline != NULL) {
    tp_html_raw(&html, ": ");
    tp__report_label(&html, pipeline);
  }
  tp_html_rawf(&html, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", page_style);
  page_header(&html, report);
  overview(&html, report);
  const cJSON *sections = tp__report_member(report, "sections"), *section;
  if (cJSON_IsObject(sections)) {
    cJSON_ArrayForEach(section, sections) {
      stage_section(page, section->string, section);
    }
  }
  stage_timings(&html, report);
  tp_html_raw(&html, "<footer>Rendered by textpipe from its JSON report. This page is "
                     "self-contained: no scripts, fonts, images or network requests.</footer>\n"
                     "</main>\n</body>\n</html>\n");
  free(page);
  char *document = tp_html_take(&html, length);
  if (document == NULL)
    snprintf(err, err_size, "out of memory while rendering the HTML report");
  return document;
}

bool tp_report_html_wanted(const char *path, const char *format) {
  if (format != NULL)
    return strcmp(format, "html") == 0;
  size_t length = path != NULL ? strlen(path) : 0;
  return (length >= 5 && strcasecmp(path + length - 5, ".html") == 0) ||
         (length >= 4 && strcasecmp(path + length - 4, ".htm") == 0);
}

int tp_report_html_write(const cJSON *report, const char *path, char *err, size_t err_size) {
  size_t length = 0;
  char render_err[128];
  char *page = tp_report_html_render(report, &length, render_err, sizeof render_err);
  if (page == NULL) {
    snprintf(err, err_size, "%s: %s", path, render_err);
    return -1;
  }
  bool to_stdout = strcmp(path, "-") == 0;
  FILE *file = to_stdout ? stdout : fopen(path, "wb");
  if (file == NULL) {
    snprintf(err, err_size, "%s: cannot write the report: %s", path, strerror(errno));
    free(page);
    return -1;
  }
  bool written = fwrite(page, 1, length, file) == length;
  int saved = errno;
  bool closed = to_stdout ? fflush(file) == 0 : fclose(file) == 0;
  if (written && !closed)
    saved = errno;
  free(page);
  if (!written || !closed) {
    snprintf(err, err_size, "%s: cannot write the report: %s", path, strerror(saved));
    return -1;
  }
  return 0;
}

int tp_report_save(const cJSON *report, const char *path, const char *format, tp_error *err) {
  if (tp_report_html_wanted(path, format))
    return tp_report_html_write(report, path, err->message, sizeof err->message);
  return tp_report_write(report, path, err);
}
