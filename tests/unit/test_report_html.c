/* tests/unit/test_report_html.c - the HTML report: escaping, sections present and absent,
 * nothing external, well-formed markup, each block type drawn (and hostile blocks: wrong
 * types, empty arrays, NaN and infinities, huge counts, too many items) shown with a clear
 * note instead of breaking the page, sections without blocks shown as data. */
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "check_main.h"
#include "harness.h"
#include "html.h"
#include "report_charts.h"
#include "report_html.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static char *escape(const char *text, size_t length, size_t budget) {
  tp_html html;
  tp_html_init(&html);
  tp_html_text(&html, text, length, budget);
  char *out = tp_html_take(&html, NULL);
  ck_assert_ptr_nonnull(out);
  return out;
}

static cJSON *load_fixture(void) {
  const char *root = getenv("TEXTPIPE_SOURCE_ROOT");
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/fixtures/report/hand-written-report.json",
           root != NULL ? root : ".");
  FILE *file = fopen(path, "rb");
  ck_assert_msg(file != NULL, "cannot open %s", path);
  static char text[1 << 20];
  size_t length = fread(text, 1, sizeof text - 1, file);
  fclose(file);
  text[length] = '\0';
  cJSON *report = cJSON_Parse(text);
  ck_assert_ptr_nonnull(report);
  return report;
}

static char *render(const cJSON *report) {
  char err[256] = "";
  size_t length = 0;
  char *page = tp_report_html_render(report, &length, err, sizeof err);
  ck_assert_msg(page != NULL, "render failed: %s", err);
  ck_assert_uint_eq(length, strlen(page));
  return page;
}

static int occurrences(const char *haystack, const char *needle) {
  int count = 0;
  for (const char *at = strstr(haystack, needle); at != NULL; at = strstr(at + 1, needle))
    count++;
  return count;
}

/* Checks that tags nest and close, attributes are quoted and every '&' starts a known
 * entity. Returns NULL when well formed, else a static description of the first problem. */
static const char *markup_problem(const char *page) {
  static char problem[256];
  static const char *const void_elements[] = {"meta", "br", NULL};
  static const char *const entities[] = {"&amp;", "&lt;",     "&gt;", "&quot;",
                                         "&#39;", "&middot;", NULL};
  char stack[64][32];
  int depth = 0;
  for (const char *at = page; *at != '\0'; at++) {
    if (*at == '&') {
      bool known = false;
      for (int index = 0; entities[index] != NULL; index++)
        known = known || strncmp(at, entities[index], strlen(entities[index])) == 0;
      if (!known) {
        snprintf(problem, sizeof problem, "bare '&' at: %.30s", at);
        return problem;
      }
      continue;
    }
    if (*at == '>') {
      snprintf(problem, sizeof problem, "bare '>' at: %.30s", at);
      return problem;
    }
    if (*at != '<')
      continue;
    if (strncmp(at, "<!DOCTYPE html>", 15) == 0) {
      at += 14;
      continue;
    }
    bool closing = at[1] == '/';
    const char *name = at + (closing ? 2 : 1);
    size_t name_length = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789");
    if (name_length == 0 || name_length >= sizeof stack[0]) {
      snprintf(problem, sizeof problem, "bad tag at: %.30s", at);
      return problem;
    }
    /* Attributes: name="value" pairs; values may not hold '<' or '"'. */
    const char *end = name + name_length;
    bool quoted = false;
    while (*end != '\0' && (quoted || *end != '>')) {
      if (*end == '"')
        quoted = !quoted;
      else if (*end == '<')
        break;
      else if (!quoted && *end == '=' && end[1] != '"') {
        snprintf(problem, sizeof problem, "unquoted attribute at: %.30s", end);
        return problem;
      }
      end++;
    }
    if (*end != '>') {
      snprintf(problem, sizeof problem, "unterminated tag at: %.30s", at);
      return problem;
    }
    bool self_closing = end[-1] == '/';
    bool is_void = false;
    for (int index = 0; void_elements[index] != NULL; index++)
      is_void = is_void || (strlen(void_elements[index]) == name_length &&
                            strncmp(name, void_elements[index], name_length) == 0);
    if (closing) {
      if (depth == 0 || strlen(stack[depth - 1]) != name_length ||
          strncmp(stack[depth - 1], name, name_length) != 0) {
        snprintf(problem, sizeof problem, "</%.*s> closes <%s>", (int)name_length, name,
                 depth > 0 ? stack[depth - 1] : "(nothing)");
        return problem;
      }
      depth--;
    } else if (!self_closing && !is_void) {
      if (depth == 64)
        return "nesting deeper than 64";
      memcpy(stack[depth], name, name_length);
      stack[depth++][name_length] = '\0';
    }
    at = end;
  }
  if (depth != 0) {
    snprintf(problem, sizeof problem, "<%s> never closed", stack[depth - 1]);
    return problem;
  }
  return NULL;
}

/* ---- escaping ----------------------------------------------------------------------------- */

static const struct {
  const char *input;
  size_t budget;
  const char *expected;
} escape_cases[] = {
    {"plain text", 0, "plain text"},
    {"<script>alert(1)</script>", 0, "&lt;script&gt;alert(1)&lt;/script&gt;"},
    {"a & b \"c\" 'd'", 0, "a &amp; b &quot;c&quot; &#39;d&#39;"},
    {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 0, "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
    {"bad \xFF byte", 0, "bad \xEF\xBF\xBD byte"},
    {"overlong \xC0\xAF", 0, "overlong \xEF\xBF\xBD\xEF\xBF\xBD"},
    {"surrogate \xED\xA0\x80!", 0, "surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD!"},
    {"cut \xE2\x82", 0, "cut \xEF\xBF\xBD\xEF\xBF\xBD"},
    {"line\r\nbreak\ttab\x01\x7F", 0, "line\nbreak\ttab"},
    {"h\xC3\xA9llo", 2, "h\xE2\x80\xA6"},
    {"h\xC3\xA9llo", 3, "h\xC3\xA9\xE2\x80\xA6"},
    {"<<<<", 2, "&lt;&lt;\xE2\x80\xA6"},
    {"short", 10, "short"},
};

START_TEST(test_escape_table) {
  const char *input = escape_cases[_i].input;
  char *out = escape(input, strlen(input), escape_cases[_i].budget);
  ck_assert_str_eq(out, escape_cases[_i].expected);
  free(out);
}
END_TEST

START_TEST(test_escape_embedded_nul) {
  char *out = escape("a\0<b", 4, 0);
  ck_assert_str_eq(out, "a&lt;b");
  free(out);
}
END_TEST

START_TEST(test_buffer_grows_and_formats) {
  tp_html html;
  tp_html_init(&html);
  for (int index = 0; index < 5000; index++)
    tp_html_rawf(&html, "<i>%d</i>", index);
  size_t length = 0;
  char *out = tp_html_take(&html, &length);
  ck_assert_ptr_nonnull(out);
  ck_assert_uint_eq(length, strlen(out));
  ck_assert(strncmp(out, "<i>0</i><i>1</i>", 16) == 0);
  ck_assert_ptr_nonnull(strstr(out, "<i>4999</i>"));
  free(out);
  tp_html_free(&html); /* taken: a no-op */
}
END_TEST

/* ---- whole pages -------------------------------------------------------------------------- */

static const char *const hostile =
    "{\"pipeline\": \"<script>alert('p')</script>\","
    " \"input\": {\"format\": \"csv\", \"source\": \"a&b<c>.csv\", \"bytes\": 10},"
    " \"counts\": {\"in\": 2, \"out\": 2, \"dropped\": 0, \"dead_letter\": 0},"
    " \"stages\": [{\"id\": \"<b>x</b>\", \"plugin\": \"theme\", \"version\": \"\\\"1\\\"\","
    "   \"seconds\": 0.5, \"records\": 2}],"
    " \"sections\": {"
    "  \"<b>x</b>\": {\"discovered\": [{\"id\": 7, \"label\": \"<img src=x onerror=alert(1)>\","
    "     \"size\": 2, \"share\": 1, \"keyphrases\": [\"</ul><script>\"],"
    "     \"representatives\": [\"r<1>\", 2]}]},"
    "  \"summary\": {\"digest\": [{\"id\": \"r<1>\", \"text\": \"I love <script>alert(1)</script>"
    " & https://example.com/x\", \"score\": 1}]},"
    "  \"odd\": {\"note\": \"</pre><script>\"}}}";

START_TEST(test_comment_text_is_escaped) {
  cJSON *report = cJSON_Parse(hostile);
  ck_assert_ptr_nonnull(report);
  char *page = render(report);
  ck_assert_ptr_null(strcasestr(page, "<script"));
  ck_assert_ptr_null(strcasestr(page, "<img"));
  ck_assert_ptr_nonnull(strstr(page, "I love &lt;script&gt;alert(1)&lt;/script&gt; &amp; "));
  ck_assert_ptr_nonnull(strstr(page, "&lt;img src=x onerror=alert(1)&gt;"));
  ck_assert_ptr_nonnull(strstr(page, "&lt;/ul&gt;&lt;script&gt;"));
  ck_assert_ptr_nonnull(strstr(page, "a&amp;b&lt;c&gt;.csv"));
  const char *problem = markup_problem(page);
  ck_assert_msg(problem == NULL, "%s", problem);
  free(page);
  cJSON_Delete(report);
}
END_TEST

/* No attribute or CSS that could load anything, whatever the text holds. */
static void assert_nothing_external(const char *page) {
  static const char *const forbidden[] = {"src=",  "href=",   "url(",    "@import",
                                          "<link", "<iframe", "<object", "<embed",
                                          "<img",  "<script", "://",     NULL};
  for (int index = 0; forbidden[index] != NULL; index++)
    ck_assert_msg(strcasestr(page, forbidden[index]) == NULL, "page holds %s", forbidden[index]);
  /* The one "http" is the Content-Security-Policy meta tag that forbids loading anything. */
  ck_assert_int_eq(occurrences(page, "http"), 1);
  ck_assert_ptr_nonnull(strstr(page, "<meta http-equiv=\"Content-Security-Policy\" "
                                     "content=\"default-src 'none'; style-src 'unsafe-inline'\">"));
}

START_TEST(test_fixture_is_self_contained) {
  cJSON *report = load_fixture();
  char *page = render(report);
  assert_nothing_external(page);
  const char *problem = markup_problem(page);
  ck_assert_msg(problem == NULL, "%s", problem);
  ck_assert(strncmp(page, "<!DOCTYPE html>\n<html lang=\"en\">", 31) == 0);
  ck_assert_ptr_nonnull(strstr(page, "<meta name=\"viewport\""));
  ck_assert_ptr_nonnull(strstr(page, "</body>\n</html>\n"));
  free(page);
  cJSON_Delete(report);
}
END_TEST

START_TEST(test_url_in_text_is_only_text) {
  cJSON *report = cJSON_Parse(hostile);
  char *page = render(report);
  /* The comment's URL is shown as text, never as a link or a resource. */
  ck_assert_ptr_nonnull(strstr(page, "https://example.com/x"));
  ck_assert_ptr_null(strcasestr(page, "href="));
  ck_assert_ptr_null(strcasestr(page, "src=\""));
  free(page);
  cJSON_Delete(report);
}
END_TEST

/* What each part of the fixture shows, and a marker only that part writes. */
static const struct {
  const char *path[2]; /* member to delete: report[path0] or report[path0][path1] */
  const char *marker;
} parts[] = {
    {{"counts", NULL}, "<h2>Records</h2>"},
    {{"stages", NULL}, "<h2>Stages</h2>"},
    {{"sections", "sentiment"}, "<h2>sentiment</h2>"},
    {{"sections", "theme"}, "<h2>theme</h2>"},
    {{"sections", "summary"}, "<h2>summary</h2>"},
};
enum { PART_COUNT = sizeof parts / sizeof parts[0] };

START_TEST(test_section_present_and_absent) {
  cJSON *report = load_fixture();
  char *whole = render(report);
  for (int part = 0; part < PART_COUNT; part++)
    ck_assert_msg(strstr(whole, parts[part].marker) != NULL, "missing %s", parts[part].marker);
  free(whole);

  cJSON *parent = parts[_i].path[1] == NULL
                      ? report
                      : cJSON_GetObjectItemCaseSensitive(report, parts[_i].path[0]);
  cJSON_DeleteItemFromObjectCaseSensitive(parent, parts[_i].path[1] == NULL ? parts[_i].path[0]
                                                                            : parts[_i].path[1]);
  char *page = render(report);
  ck_assert_msg(strstr(page, parts[_i].marker) == NULL, "%s still there", parts[_i].marker);
  for (int part = 0; part < PART_COUNT; part++) {
    if (part != _i)
      ck_assert_msg(strstr(page, parts[part].marker) != NULL, "lost %s", parts[part].marker);
  }
  const char *problem = markup_problem(page);
  ck_assert_msg(problem == NULL, "%s", problem);
  free(page);
  cJSON_Delete(report);
}
END_TEST

START_TEST(test_fixture_content) {
  cJSON *report = load_fixture();
  char *page = render(report);
  ck_assert_ptr_nonnull(strstr(page, "<title>textpipe report: comments</title>"));
  ck_assert_ptr_nonnull(strstr(page, "<span class=\"value\">1,250</span>"));
  ck_assert_ptr_nonnull(strstr(page, "<div class=\"tile alert\"><span class=\"value\">7</span>"));
  ck_assert_ptr_nonnull(strstr(page, "<h3>Taxonomy themes</h3>"));
  ck_assert_ptr_nonnull(strstr(page, "<h3>Discovered themes</h3>"));
  ck_assert_ptr_nonnull(strstr(page, "Delivery &amp; implementation"));
  ck_assert_ptr_nonnull(strstr(page, "fiscal devolution"));
  ck_assert_ptr_nonnull(strstr(page, "<h3>Along the stream</h3>"));
  ck_assert_ptr_nonnull(strstr(page, "50 buckets of 25 lines"));
  /* 20 histogram bars and 50 timeline points. */
  ck_assert_int_eq(occurrences(page, "<rect class=\"bin\""), 20);
  ck_assert_int_eq(occurrences(page, "<line class=\"point\""), 50);
  /* The sections' own data members are not drawn when the section has blocks. */
  ck_assert_ptr_null(strstr(page, "online_ids"));
  ck_assert_ptr_null(strstr(page, "<pre>"));
  free(page);
  cJSON_Delete(report);
}
END_TEST

/* Reports with members of the wrong type, or none: rendered, well formed, never fatal. */
static const char *const odd_reports[] = {
    "{}",
    "{\"counts\": \"many\", \"stages\": {}, \"sections\": []}",
    "{\"sections\": {\"a\": {\"blocks\": 5}, \"b\": {\"blocks\": [1, null, \"x\", [], {}]},"
    " \"c\": 7, \"d\": [1, 2], \"e\": null}}",
    "{\"sections\": {\"a\": {\"blocks\": [{\"type\": \"histogram\", \"bins\": [1, {}, "
    "{\"count\": \"9\"}, {\"from\": 1, \"to\": 0, \"count\": -4}, {\"count\": 1e308}]}]}}}",
    "{\"sections\": {\"a\": {\"blocks\": [{\"type\": \"timeline\", \"points\": [{}, 3, "
    "{\"x\": [], \"y\": \"a\"}, {\"x\": \"2024-05-01T10:00:00Z\", \"y\": 1e308, \"count\": -1}, "
    "{\"y\": -1e308}]}]}}}",
    "{\"sections\": {\"a\": {\"blocks\": [{\"type\": \"tiles\", \"items\": [1, {\"label\": 2}, "
    "{\"label\": \"x\", \"value\": {}}, {\"label\": \"y\", \"value\": -0.0, \"tone\": \"z\"}]},"
    " {\"type\": \"bars\", \"items\": [{\"label\": \"a\", \"value\": -5}, {\"value\": 1}]},"
    " {\"type\": \"quotes\", \"items\": [{\"text\": 3}, {\"text\": \"t\", \"record\": {}}]},"
    " {\"type\": \"table\", \"columns\": [1, \"a\"], \"rows\": [3, [[1]], [null, true]]}]}}}",
    "{\"pipeline\": 12, \"input\": [], \"workers\": \"two\", \"seconds\": -1,"
    " \"stages\": [1, {\"id\": 3, \"seconds\": \"x\"}, {\"id\": \"a\", \"seconds\": 0}]}",
    "{\"sections\": {\"deep\": {\"a\": {\"b\": {\"c\": {\"d\": [1, {\"e\": [2]}]}}},"
    " \"list\": [[1, 2], {\"x\": 1}], \"objects\": [{\"x\": {\"y\": 1}}, {\"z\": [1]}]}}}",
};

START_TEST(test_odd_reports_render) {
  cJSON *report = cJSON_Parse(odd_reports[_i]);
  ck_assert_ptr_nonnull(report);
  char *page = render(report);
  const char *problem = markup_problem(page);
  ck_assert_msg(problem == NULL, "%s", problem);
  assert_nothing_external(page);
  free(page);
  cJSON_Delete(report);
}
END_TEST

/* ---- the block renderers ------------------------------------------------------------------ */

/* Renders a report whose one section "s" has `blocks` (JSON text). */
static char *render_blocks(const char *blocks) {
  char text[8192];
  snprintf(text, sizeof text, "{\"sections\": {\"s\": {\"blocks\": %s}}}", blocks);
  cJSON *report = cJSON_Parse(text);
  ck_assert_msg(report != NULL, "bad test JSON: %s", blocks);
  char *page = render(report);
  cJSON_Delete(report);
  const char *problem = markup_problem(page);
  ck_assert_msg(problem == NULL, "%s", problem);
  assert_nothing_external(page);
  return page;
}

/* Each block, and what its HTML must hold (up to three markers) or must not (one). */
static const struct {
  const char *blocks;
  const char *present[3];
  const char *absent;
} block_cases[] = {
    /* tiles: numbers with separators, signed and coloured by tone, strings, units, notes */
    {"[{\"type\": \"tiles\", \"title\": \"T\", \"items\": [{\"label\": \"n\", \"value\": 1234567},"
     " {\"label\": \"m\", \"value\": 0.0857, \"tone\": 0.0857},"
     " {\"label\": \"s\", \"value\": \"en\", \"unit\": \"%\", \"note\": \"nb\"}]}]",
     {"<span class=\"value\">1,234,567</span>", "color:#", ">+0.09</span>"},
     "problem"},
    {"[{\"type\": \"tiles\", \"items\": [{\"label\": \"s\", \"value\": \"en\", \"unit\": \"%\","
     " \"note\": \"nb\"}, {\"label\": \"huge\", \"value\": 1e300}]}]",
     {"en<small>%</small>", "<span class=\"figures\">nb</span>", ">1e+300</span>"},
     "problem"},
    /* a histogram: one bar per bin, tooltips, axis from the first bin to the last */
    {"[{\"type\": \"histogram\", \"title\": \"H\", \"x_label\": \"score\", \"bins\": ["
     "{\"from\": 0, \"to\": 0.5, \"count\": 3}, {\"from\": 0.5, \"to\": 1, \"count\": 9}]}]",
     {"<title>0 to 0.50: 3</title>", "<title>0.50 to 1: 9</title>", "<p class=\"axis-name\">score"},
     "style=\"fill:#"},
    {"[{\"type\": \"histogram\", \"diverging\": true, \"bins\": [{\"from\": -1, \"to\": -0.5,"
     " \"count\": 2}, {\"from\": 0.5, \"to\": 1, \"count\": 1e300}]}]",
     {"style=\"fill:#b7534a\"", "<title>0.50 to 1: 1e+300</title>", "<rect class=\"bin\""},
     "problem"},
    /* a timeline: a line with a gap at null, numbers or times on the axis */
    {"[{\"type\": \"timeline\", \"x_label\": \"line\", \"y_label\": \"mean\", \"points\": ["
     "{\"x\": 1, \"y\": 5, \"count\": 2}, {\"x\": 2, \"y\": null}, {\"x\": 3, \"y\": 7}]}]",
     {"<p class=\"axis-name\">mean by line</p>", "<title>3: 7</title>", ">1</span>"},
     "problem"},
    {"[{\"type\": \"timeline\", \"diverging\": true, \"points\": ["
     "{\"x\": \"2024-05-01T00:00:00Z\", \"y\": 0.5}, {\"x\": \"2024-05-02T06:00:00Z\","
     " \"y\": -0.25}]}]",
     {">2024-05-01</span>", ">2024-05-02 06:00</span>", ">+0.50</span>"},
     "problem"},
    /* quotes: score chip coloured by tone, record and line, text escaped */
    {"[{\"type\": \"quotes\", \"title\": \"Q\", \"items\": [{\"text\": \"a <b> & c\","
     " \"score\": 0.5, \"tone\": 0.5, \"record\": 12, \"line\": 1300}]}]",
     {"<span class=\"chip\" style=\"background:#", "record 12 &middot; line 1,300",
      "<blockquote>a &lt;b&gt; &amp; c</blockquote>"},
     "<b>"},
    {"[{\"type\": \"quotes\", \"items\": [{\"text\": \"t\", \"score\": 0.25, \"note\": \"n\"}]}]",
     {"score 0.25 &middot; n", "<blockquote>t</blockquote>", "<ol class=\"quotes\">"},
     "chip"},
    /* bars: relative to the largest, coloured by tone, with value, unit and note */
    {"[{\"type\": \"bars\", \"unit\": \"records\", \"items\": [{\"label\": \"a\", \"value\": 10,"
     " \"tone\": -1, \"note\": \"n\"}, {\"label\": \"b\", \"value\": 5}]}]",
     {"width=\"100.000\" height=\"6\" style=\"fill:#c0392b\"", "width=\"50.000\" height=\"6\"/>",
      "10 records"},
     "problem"},
    /* a table: header, cells of each type, numbers right-aligned */
    {"[{\"type\": \"table\", \"columns\": [\"name\", \"n\", \"ok\"], \"rows\": ["
     "[\"x<y\", 1234, true], [null, 0.5, false]]}]",
     {"<th>name</th><th>n</th><th>ok</th>",
      "<td>x&lt;y</td><td class=\"number\">1,234</td>"
      "<td>yes</td>",
      "<td></td><td class=\"number\">0.50</td><td>no</td>"},
     "problem"},
    /* empty arrays: said so, never a broken chart */
    {"[{\"type\": \"histogram\", \"bins\": []}]", {"has no bins", NULL, NULL}, "<svg"},
    {"[{\"type\": \"timeline\", \"points\": []}]", {"has no points", NULL, NULL}, "<svg"},
    {"[{\"type\": \"quotes\", \"items\": []}]", {"Nothing to quote.", NULL, NULL}, "<blockquote"},
    {"[{\"type\": \"bars\", \"items\": []}]", {"No bars.", NULL, NULL}, "<svg"},
    {"[{\"type\": \"table\", \"columns\": [\"a\"], \"rows\": []}]",
     {"<th>a</th>", NULL, NULL},
     "<td"},
    /* wrong types: a clear note and the block's data, never a crash */
    {"[{\"type\": \"histogram\", \"title\": \"H\", \"bins\": \"many\"}]",
     {"<p class=\"note problem\">This histogram block has no &quot;bins&quot; array; its data "
      "follows.</p>",
      "<span class=\"value\">many</span><span class=\"name\">bins</span>", "<h3>H</h3>"},
     "<svg"},
    {"[{\"type\": \"tiles\", \"items\": 3}]",
     {"no &quot;items&quot; array", NULL, NULL},
     "tile-block"},
    {"[{\"type\": \"timeline\", \"points\": {\"x\": 1}}]",
     {"no &quot;points&quot; array", NULL, NULL},
     "<svg"},
    {"[{\"type\": \"tiles\", \"items\": [{\"label\": \"a\", \"value\": [1]}, {\"value\": 2},"
     " {\"label\": \"ok\", \"value\": 3}]}]",
     {"2 items of this tiles block were not of the documented shape", "<span class=\"name\">ok",
      NULL},
     NULL},
    {"[{\"type\": \"bars\", \"items\": [{\"label\": \"a\", \"value\": \"1\"}]}]",
     {"1 item of this bars block was not of the documented shape and is left out", NULL, NULL},
     NULL},
    {"[{\"type\": \"table\", \"columns\": [\"a\"], \"rows\": [[{\"x\": 1}], 7]}]",
     {"2 items of this table block were not", NULL, NULL},
     NULL},
    {"[{\"type\": \"table\", \"rows\": []}]",
     {"lacks its &quot;columns&quot; or &quot;rows&quot; array", NULL, NULL},
     "<table"},
    {"[{\"type\": \"sankey<x>\", \"title\": \"S\", \"flows\": [{\"from\": \"a\", \"n\": 2}]}]",
     {"type &quot;sankey&lt;x&gt;&quot; is not one textpipe draws", "<th>from</th><th>n</th>",
      "<h3>S</h3>"},
     "<sankey"},
    {"[{\"title\": \"no type\"}, 5]",
     {"This block has no &quot;type&quot;", "A block that is not a JSON object", NULL},
     NULL},
};

START_TEST(test_block) {
  char *page = render_blocks(block_cases[_i].blocks);
  for (int index = 0; index < 3; index++) {
    const char *marker = block_cases[_i].present[index];
    ck_assert_msg(marker == NULL || strstr(page, marker) != NULL, "case %d: missing %s", _i,
                  marker);
  }
  const char *absent = block_cases[_i].absent;
  /* the page's own CSS names classes such as "problem": look only after the style sheet */
  const char *body = strstr(page, "<body>");
  ck_assert_msg(absent == NULL || strstr(body, absent) == NULL, "case %d: holds %s", _i, absent);
  free(page);
}
END_TEST

/* NaN and infinities (which a plugin can put into its section in memory) are never drawn or
 * printed as numbers: items holding them are counted as left out. */
START_TEST(test_blocks_not_finite) {
  cJSON *report = cJSON_CreateObject();
  cJSON *section = cJSON_AddObjectToObject(cJSON_AddObjectToObject(report, "sections"), "s");
  cJSON *blocks = cJSON_AddArrayToObject(section, "blocks");
  static const char *const types[] = {"tiles", "histogram", "timeline", "bars"};
  static const char *const arrays[] = {"items", "bins", "points", "items"};
  static const char *const values[] = {"value", "count", "y", "value"};
  for (int type = 0; type < 4; type++) {
    cJSON *block = cJSON_CreateObject();
    cJSON_AddItemToArray(blocks, block);
    cJSON_AddStringToObject(block, "type", types[type]);
    cJSON *items = cJSON_AddArrayToObject(block, arrays[type]);
    double hostile[] = {NAN, INFINITY, -INFINITY, 2};
    for (int index = 0; index < 4; index++) {
      cJSON *item = cJSON_CreateObject();
      cJSON_AddItemToArray(items, item);
      cJSON_AddStringToObject(item, "label", "x");
      cJSON_AddNumberToObject(item, "from", hostile[index]);
      cJSON_AddNumberToObject(item, "to", 1);
      cJSON_AddNumberToObject(item, "x", hostile[index]);
      cJSON_AddNumberToObject(item, "tone", hostile[index]);
      cJSON_AddNumberToObject(item, values[type], hostile[index]);
    }
  }
  char *page = render(report);
  const char *body = strstr(page, "<body>");
  ck_assert_ptr_null(strcasestr(body, "nan"));
  ck_assert_ptr_null(strcasestr(body, "inf"));
  ck_assert_int_eq(occurrences(body, "3 items of this"), 4);
  ck_assert_int_eq(occurrences(body, "<rect class=\"bin\""), 4);
  ck_assert_int_eq(occurrences(body, "<line class=\"point\""), 1);
  const char *problem = markup_problem(page);
  ck_assert_msg(problem == NULL, "%s", problem);
  free(page);
  cJSON_Delete(report);
}
END_TEST

/* A block of more items than the renderer draws says how many it shows. */
START_TEST(test_blocks_limit) {
  cJSON *report = cJSON_CreateObject();
  cJSON *section = cJSON_AddObjectToObject(cJSON_AddObjectToObject(report, "sections"), "s");
  cJSON *block = cJSON_CreateObject();
  cJSON_AddItemToArray(cJSON_AddArrayToObject(section, "blocks"), block);
  cJSON_AddStringToObject(block, "type", "histogram");
  cJSON *bins = cJSON_AddArrayToObject(block, "bins");
  for (int index = 0; index < 1500; index++) {
    cJSON *bin = cJSON_CreateObject();
    cJSON_AddItemToArray(bins, bin);
    cJSON_AddNumberToObject(bin, "from", index);
    cJSON_AddNumberToObject(bin, "to", index + 1);
    cJSON_AddNumberToObject(bin, "count", index % 7);
  }
  char *page = render(report);
  ck_assert_int_eq(occurrences(page, "<rect class=\"bin\""), 1000);
  ck_assert_ptr_nonnull(strstr(page, "The first 1000 of 1500 items are shown."));
  free(page);
  cJSON_Delete(report);
}
END_TEST

/* "skip_quoted": a record quoted by an earlier block is not quoted again, and a block left
 * with nothing new is not drawn; without it, quotes repeat. */
START_TEST(test_skip_quoted) {
  char *page = render_blocks(
      "[{\"type\": \"quotes\", \"title\": \"First\", \"items\": [{\"text\": \"one\", \"record\": "
      "1}]},"
      " {\"type\": \"quotes\", \"title\": \"Again\", \"items\": [{\"text\": \"uno\", \"record\": "
      "1}]},"
      " {\"type\": \"quotes\", \"title\": \"Fresh\", \"skip_quoted\": true,"
      "  \"items\": [{\"text\": \"eins\", \"record\": 1}, {\"text\": \"two\", \"record\": \"2\"}]},"
      " {\"type\": \"quotes\", \"title\": \"Stale\", \"skip_quoted\": true,"
      "  \"items\": [{\"text\": \"zwei\", \"record\": 2}]}]");
  ck_assert_ptr_nonnull(strstr(page, "<blockquote>uno</blockquote>"));
  ck_assert_ptr_null(strstr(page, "eins"));
  ck_assert_ptr_nonnull(strstr(page, "<blockquote>two</blockquote>"));
  ck_assert_ptr_null(strstr(page, "Stale"));
  free(page);
}
END_TEST

/* A section without blocks: scalars as tiles, arrays of objects as tables, lists, nested
 * objects, all escaped; the plugin's name is shown beside a differing stage id. */
START_TEST(test_section_without_blocks) {
  cJSON *report = cJSON_Parse(
      "{\"stages\": [{\"id\": \"lang\", \"plugin\": \"detect<x>\"}],"
      " \"sections\": {\"lang\": {\"language\": \"<en>\", \"tokens\": 208378, \"ratio\": 0.51234,"
      " \"stemmed\": true, \"by\": [\"<b>\", 2], \"top\": [{\"word\": \"a\", \"n\": 3},"
      " {\"word\": \"b\", \"extra\": null}], \"more\": {\"k\": 1}}}}");
  char *page = render(report);
  ck_assert_ptr_nonnull(strstr(page, "<h2>lang<span class=\"stage\">detect&lt;x&gt;</span></h2>"));
  ck_assert_ptr_nonnull(strstr(page, "<span class=\"value\">&lt;en&gt;</span><span "
                                     "class=\"name\">language</span>"));
  ck_assert_ptr_nonnull(strstr(page, "<span class=\"value\">208,378</span>"));
  ck_assert_ptr_nonnull(strstr(page, "<span class=\"value\">0.51</span>"));
  ck_assert_ptr_nonnull(strstr(page, "<span class=\"value\">yes</span>"));
  ck_assert_ptr_nonnull(strstr(page, "<p class=\"list\">&lt;b&gt;, 2</p>"));
  ck_assert_ptr_nonnull(strstr(page, "<th>word</th><th>n</th><th>extra</th>"));
  ck_assert_ptr_nonnull(strstr(page, "<span class=\"name\">k</span>"));
  const char *problem = markup_problem(page);
  ck_assert_msg(problem == NULL, "%s", problem);
  free(page);
  cJSON_Delete(report);
}
END_TEST

/* A plugin from outside (tests/fixtures/plugins/lengths.c, built against the public headers
 * only) run through the real loader: its histogram block becomes an SVG histogram. */
START_TEST(test_outside_plugin_histogram) {
  const char *build = getenv("TEXTPIPE_BUILD_ROOT");
  char folder[] = "/tmp/textpipe-blocks-XXXXXX", pipeline[4200];
  ck_assert_ptr_nonnull(mkdtemp(folder));
  snprintf(pipeline, sizeof pipeline, "%s/pipeline.json", folder);
  FILE *file = fopen(pipeline, "w");
  ck_assert_ptr_nonnull(file);
  fprintf(file,
          "{\"name\": \"outside\", \"stages\": [{\"path\": "
          "\"%s/tests/fixtures/plugins/lengths.so\"}]}\n",
          build != NULL ? build : "build");
  fclose(file);
  tp_harness *harness = NULL;
  tp_error err = {{0}};
  ck_assert_msg(tp_harness_open(pipeline, &harness, &err) == 0, "%s", err.message);
  static const char *const lines[] = {"{\"text\": \"short\"}", "{\"text\": \"tiny\"}",
                                      "{\"text\": \"a text of some thirty bytes....\"}"};
  for (size_t index = 0; index < 3; index++) {
    char *output = NULL;
    ck_assert_int_eq(tp_harness_process_line(harness, lines[index], &output, &err), TP_HARNESS_OUT);
    free(output);
  }
  cJSON *report = tp_harness_finish(harness, &err);
  ck_assert_ptr_nonnull(report);
  char *page = render(report);
  ck_assert_ptr_nonnull(strstr(page, "<h2>lengths</h2>"));
  ck_assert_ptr_nonnull(strstr(page, "<h3>Text lengths</h3>"));
  ck_assert_int_eq(occurrences(page, "<rect class=\"bin\""), 8);
  ck_assert_ptr_nonnull(strstr(page, "<title>0 to 20: 2</title>"));
  ck_assert_ptr_nonnull(strstr(page, "<title>20 to 40: 1</title>"));
  ck_assert_ptr_nonnull(strstr(page, "<p class=\"axis-name\">bytes of text</p>"));
  const char *problem = markup_problem(page);
  ck_assert_msg(problem == NULL, "%s", problem);
  free(page);
  cJSON_Delete(report);
  tp_harness_close(harness);
  unlink(pipeline);
  rmdir(folder);
}
END_TEST

START_TEST(test_not_an_object_is_refused) {
  cJSON *array = cJSON_Parse("[1, 2]");
  char err[128] = "";
  ck_assert_ptr_null(tp_report_html_render(array, NULL, err, sizeof err));
  ck_assert_str_eq(err, "the report is not a JSON object");
  ck_assert_ptr_null(tp_report_html_render(NULL, NULL, err, sizeof err));
  cJSON_Delete(array);
}
END_TEST

/* ---- choosing and writing the HTML report ------------------------------------------------ */

static const struct {
  const char *path, *format;
  bool html;
} wanted_cases[] = {
    {"report.html", NULL, true},    {"out/REPORT.HTM", NULL, true},
    {"report.json", NULL, false},   {"html", NULL, false},
    {"report.html", "json", false}, {"report.json", "html", true},
    {".htm", NULL, true},           {NULL, NULL, false},
};

START_TEST(test_html_wanted) {
  ck_assert(tp_report_html_wanted(wanted_cases[_i].path, wanted_cases[_i].format) ==
            wanted_cases[_i].html);
}
END_TEST

START_TEST(test_html_write) {
  char path[] = "/tmp/textpipe-report-XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  cJSON *report = load_fixture();
  char err[256] = "";
  ck_assert_msg(tp_report_html_write(report, path, err, sizeof err) == 0, "%s", err);
  char *page = render(report);
  FILE *file = fopen(path, "rb");
  static char written[1 << 20];
  size_t length = fread(written, 1, sizeof written - 1, file);
  fclose(file);
  written[length] = '\0';
  ck_assert_str_eq(written, page); /* the file is the rendered page, whole */
  unlink(path);
  ck_assert_int_eq(tp_report_html_write(report, "/nonexistent/dir/r.html", err, sizeof err), -1);
  ck_assert_str_eq(err, "/nonexistent/dir/r.html: cannot write the report: No such file or "
                        "directory");
  free(page);
  cJSON_Delete(report);
}
END_TEST

/* ---- colours ------------------------------------------------------------------------------ */

START_TEST(test_tone_colours) {
  char colour[8];
  ck_assert_str_eq(tp_report_tone_colour(-1, colour), "#c0392b");
  ck_assert_str_eq(tp_report_tone_colour(0, colour), "#9aa0a6");
  ck_assert_str_eq(tp_report_tone_colour(1, colour), "#2e8b57");
  ck_assert_str_eq(tp_report_tone_colour(7, colour), "#2e8b57");
  ck_assert_str_eq(tp_report_tone_colour(0.0 / 0.0, colour), "#9aa0a6");
}
END_TEST

static Suite *report_html_suite(void) {
  Suite *suite = suite_create("report_html");
  TCase *escaping = tcase_create("escaping");
  tcase_add_loop_test(escaping, test_escape_table, 0, sizeof escape_cases / sizeof escape_cases[0]);
  tcase_add_test(escaping, test_escape_embedded_nul);
  tcase_add_test(escaping, test_buffer_grows_and_formats);
  tcase_add_test(escaping, test_comment_text_is_escaped);
  suite_add_tcase(suite, escaping);

  TCase *external = tcase_create("self_contained");
  tcase_add_test(external, test_fixture_is_self_contained);
  tcase_add_test(external, test_url_in_text_is_only_text);
  suite_add_tcase(suite, external);

  TCase *sections = tcase_create("sections");
  tcase_add_loop_test(sections, test_section_present_and_absent, 0, PART_COUNT);
  tcase_add_test(sections, test_fixture_content);
  tcase_add_test(sections, test_section_without_blocks);
  suite_add_tcase(suite, sections);

  TCase *blocks = tcase_create("blocks");
  tcase_add_loop_test(blocks, test_block, 0, sizeof block_cases / sizeof block_cases[0]);
  tcase_add_test(blocks, test_blocks_not_finite);
  tcase_add_test(blocks, test_blocks_limit);
  tcase_add_test(blocks, test_skip_quoted);
  tcase_add_test(blocks, test_outside_plugin_histogram);
  suite_add_tcase(suite, blocks);

  TCase *malformed = tcase_create("malformed");
  tcase_add_loop_test(malformed, test_odd_reports_render, 0,
                      sizeof odd_reports / sizeof odd_reports[0]);
  tcase_add_test(malformed, test_not_an_object_is_refused);
  suite_add_tcase(suite, malformed);

  TCase *writing = tcase_create("writing");
  tcase_add_loop_test(writing, test_html_wanted, 0, sizeof wanted_cases / sizeof wanted_cases[0]);
  tcase_add_test(writing, test_html_write);
  suite_add_tcase(suite, writing);

  TCase *colours = tcase_create("colours");
  tcase_add_test(colours, test_tone_colours);
  suite_add_tcase(suite, colours);
  return suite;
}

int main(void) {
  return tp_check_run(report_html_suite());
}
