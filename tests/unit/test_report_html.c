/* tests/unit/test_report_html.c - the HTML report: escaping, sections present and absent,
 * nothing external, well-formed markup, malformed members skipped. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

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
    {{"sections", "sentiment"}, "<h2>Sentiment</h2>"},
    {{"sections", "theme"}, "<h2>Themes</h2>"},
    {{"sections", "summary"}, "<h2>Digest</h2>"},
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
  ck_assert_ptr_nonnull(strstr(page, "Taxonomy themes"));
  ck_assert_ptr_nonnull(strstr(page, "Discovered themes"));
  ck_assert_ptr_nonnull(strstr(page, "Delivery &amp; implementation"));
  ck_assert_ptr_nonnull(strstr(page, "<li>fiscal devolution</li>"));
  ck_assert_ptr_nonnull(strstr(page, "Along the stream"));
  ck_assert_ptr_nonnull(strstr(page, "50 buckets of 25 lines"));
  /* 20 histogram bars and 50 timeline points. */
  ck_assert_int_eq(occurrences(page, "<rect class=\"bin\""), 20);
  ck_assert_int_eq(occurrences(page, "<line class=\"point\""), 50);
  /* A representative without a text in the summary is listed by id. */
  ck_assert_ptr_nonnull(strstr(page, "<p class=\"ids\">record 311</p>"));
  /* Summary theme sentences are quoted once in their theme card, not again by id. */
  ck_assert_int_eq(occurrences(page, "The boards met, wrote minutes"), 1);
  free(page);
  cJSON_Delete(report);
}
END_TEST

/* Reports with members of the wrong type, or none: rendered, well formed, never fatal. */
static const char *const odd_reports[] = {
    "{}",
    "{\"counts\": \"many\", \"stages\": {}, \"sections\": []}",
    "{\"sections\": {\"sentiment\": {\"histogram\": {\"counts\": \"no\"}, \"labels\": [1],"
    " \"timeline\": {\"means\": [null, \"a\", 0.5, 1e308, -3], \"counts\": [1]},"
    " \"most_positive\": [{\"id\": null}, 3]}}}",
    "{\"sections\": {\"sentiment\": {\"histogram\": {\"min\": 1, \"max\": -1,"
    " \"counts\": [0, 0, -4]}, \"timeline\": {\"means\": [], \"bucket_records\": 0}}}}",
    "{\"sections\": {\"sentiment\": {\"time_timeline\": {\"means\": [1, null], \"field\": 3,"
    " \"start\": \"x\", \"end\": 5, \"bucket_seconds\": -2, \"untimed\": \"many\"}}}}",
    "{\"sections\": {\"theme\": {\"taxonomy\": [{}, 1, {\"name\": 5, \"share\": \"x\"}],"
    " \"discovered\": [{\"keyphrases\": [1, null], \"representatives\": {\"a\": 1}}]}}}",
    "{\"sections\": {\"summary\": {\"digest\": [{\"text\": 1}, {\"id\": 2}],"
    " \"themes\": [{\"sentences\": 4}], \"positive\": [{}]}, \"x\": 3, \"y\": [1, {\"z\": 2}]}}",
    "{\"pipeline\": 12, \"input\": [], \"workers\": \"two\", \"seconds\": -1,"
    " \"stages\": [1, {\"id\": 3, \"seconds\": \"x\"}, {\"id\": \"a\", \"seconds\": 0}]}",
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

/* Sentiment over a time field: its own card, dates on the axis, the bucket span and the
 * records left out. */
START_TEST(test_time_timeline_card) {
  cJSON *report = cJSON_Parse(
      "{\"sections\": {\"sentiment\": {\"records\": 3, \"time_timeline\": {\"field\": "
      "\"created<at>\", \"bucket_seconds\": 21600, \"start\": \"2024-05-01T00:00:00Z\", "
      "\"end\": \"2024-05-02T06:00:00Z\", \"means\": [0.5, null, null, null, -0.25], "
      "\"counts\": [2, 0, 0, 0, 1], \"untimed\": 1}}}}");
  ck_assert_ptr_nonnull(report);
  char *page = render(report);
  ck_assert_ptr_nonnull(strstr(page, "<h3>Over time</h3>"));
  ck_assert_ptr_nonnull(strstr(page, ">2024-05-01</span>"));
  ck_assert_ptr_nonnull(strstr(page, ">2024-05-02 06:00</span>"));
  ck_assert_ptr_nonnull(strstr(page, "per 6 hours (UTC)"));
  ck_assert_ptr_nonnull(strstr(page, "<code>created&lt;at&gt;</code>"));
  ck_assert_ptr_nonnull(strstr(page, "1 record without a readable time is left out"));
  ck_assert_int_eq(occurrences(page, "<line class=\"point\""), 2);
  const char *problem = markup_problem(page);
  ck_assert_msg(problem == NULL, "%s", problem);
  free(page);
  cJSON_Delete(report);
}
END_TEST

/* The most positive record is quoted with its sentence from the summary's positive points,
 * never with another of its sentences (here a negative one, first in the digest); a record
 * with no sentence of that polarity is listed by id. */
START_TEST(test_extremes_quote_their_polarity) {
  cJSON *report = cJSON_Parse(
      "{\"sections\": {\"sentiment\": {\"most_positive\": [{\"id\": 3, \"compound\": 0.3}],"
      " \"most_negative\": [{\"id\": 7, \"compound\": -0.6}]},"
      " \"summary\": {\"digest\": [{\"id\": 3, \"text\": \"The state is weak.\"},"
      " {\"id\": 7, \"text\": \"Rishi tried.\"}],"
      " \"positive\": [{\"id\": 3, \"text\": \"Compare it with Denmark, a fine example.\"}],"
      " \"negative\": []}}}");
  ck_assert_ptr_nonnull(report);
  char *page = render(report);
  const char *positive = strstr(page, "<h3>Most positive</h3>");
  const char *negative = strstr(page, "<h3>Most negative</h3>");
  ck_assert_ptr_nonnull(positive);
  ck_assert_ptr_nonnull(negative);
  const char *fine = strstr(positive, "a fine example");
  ck_assert(fine != NULL && fine < negative);
  const char *weak = strstr(positive, "The state is weak.");
  ck_assert(weak == NULL || weak > negative);
  const char *card_end = strstr(negative, "</div>");
  const char *rishi = strstr(negative, "Rishi tried.");
  ck_assert(rishi == NULL || rishi > card_end); /* not quoted in its card */
  const char *listed = strstr(negative, "record 7");
  ck_assert(listed != NULL && listed < card_end);
  free(page);
  cJSON_Delete(report);
}
END_TEST

/* An empty stream: no mean or median of nothing, and the digest says why it is empty. */
START_TEST(test_empty_stream) {
  cJSON *report =
      cJSON_Parse("{\"sections\": {\"sentiment\": {\"records\": 0, \"mean_compound\": 0,"
                  " \"median_compound\": 0}, \"summary\": {\"digest\": []}}}");
  char *page = render(report);
  ck_assert_ptr_null(strstr(page, "<span>mean "));
  ck_assert_ptr_null(strstr(page, "<span>median "));
  ck_assert_ptr_nonnull(strstr(page, "No digest: the stream had no sentences"));
  free(page);
  cJSON_Delete(report);
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

START_TEST(test_unknown_section_shown_as_json) {
  cJSON *report = cJSON_Parse("{\"sections\": {\"lang\": {\"english\": 12, \"by\": [\"<b>\"]}}}");
  char *page = render(report);
  ck_assert_ptr_nonnull(strstr(page, "<h2>lang<span class=\"stage\">stage section</span></h2>"));
  ck_assert_ptr_nonnull(strstr(page, "<pre>{\n\t&quot;english&quot;:\t12,"));
  ck_assert_ptr_nonnull(strstr(page, "&quot;&lt;b&gt;&quot;"));
  free(page);
  cJSON_Delete(report);
}
END_TEST

/* Extremes without a text in the report are listed compactly; a theme without a label is
 * named by its id. */
START_TEST(test_ids_without_text) {
  cJSON *report =
      cJSON_Parse("{\"sections\": {\"s\": {\"most_positive\": [{\"id\": 9, \"compound\": 0.9}]},"
                  " \"t\": {\"discovered\": [{\"id\": 2, \"label\": \"\", \"share\": 0.5}]}}}");
  char *page = render(report);
  ck_assert_ptr_nonnull(strstr(page, "<p class=\"bare\"><span><span class=\"chip\""));
  ck_assert_ptr_nonnull(strstr(page, "record 9</span></span></p>"));
  ck_assert_ptr_null(strstr(page, "<ul class=\"quotes\">"));
  ck_assert_ptr_nonnull(strstr(page, "<h4>theme 2</h4>"));
  const char *problem = markup_problem(page);
  ck_assert_msg(problem == NULL, "%s", problem);
  free(page);
  cJSON_Delete(report);
}
END_TEST

/* A flat unknown section (numbers, strings, booleans) is shown as tiles. */
START_TEST(test_flat_unknown_section_as_tiles) {
  cJSON *report = cJSON_Parse("{\"sections\": {\"tokenize\": {\"language\": \"<en>\","
                              " \"tokens\": 208378, \"ratio\": 0.51234, \"stemmed\": true}}}");
  char *page = render(report);
  ck_assert_ptr_nonnull(strstr(page, "<span class=\"value\">&lt;en&gt;</span><span "
                                     "class=\"name\">language</span>"));
  ck_assert_ptr_nonnull(strstr(page, "<span class=\"value\">208,378</span>"));
  ck_assert_ptr_nonnull(strstr(page, "<span class=\"value\">0.5123</span>"));
  ck_assert_ptr_nonnull(strstr(page, "<span class=\"value\">yes</span>"));
  ck_assert_ptr_null(strstr(page, "<pre>"));
  free(page);
  cJSON_Delete(report);
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

START_TEST(test_sentiment_colours) {
  char colour[8];
  ck_assert_str_eq(tp_report_sentiment_colour(-1, colour), "#c0392b");
  ck_assert_str_eq(tp_report_sentiment_colour(0, colour), "#9aa0a6");
  ck_assert_str_eq(tp_report_sentiment_colour(1, colour), "#2e8b57");
  ck_assert_str_eq(tp_report_sentiment_colour(7, colour), "#2e8b57");
  ck_assert_str_eq(tp_report_sentiment_colour(0.0 / 0.0, colour), "#9aa0a6");
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
  tcase_add_test(sections, test_time_timeline_card);
  tcase_add_test(sections, test_extremes_quote_their_polarity);
  tcase_add_test(sections, test_empty_stream);
  tcase_add_test(sections, test_unknown_section_shown_as_json);
  tcase_add_test(sections, test_flat_unknown_section_as_tiles);
  tcase_add_test(sections, test_ids_without_text);
  suite_add_tcase(suite, sections);

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
  tcase_add_test(colours, test_sentiment_colours);
  suite_add_tcase(suite, colours);
  return suite;
}

int main(void) {
  SRunner *runner = srunner_create(report_html_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
