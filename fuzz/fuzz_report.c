/* fuzz/fuzz_report.c - the HTML report renderer: arbitrary bytes read as a JSON report (blocks
 * of any shape, members of any type, NaN-free but huge numbers, broken UTF-8 in strings) and
 * rendered to a page, as `textpipe report` does with a saved report.
 *
 * Checks: a JSON object always renders; the page is valid UTF-8 of the length reported, holds
 * no "<script" nor any other tag the input could smuggle in unescaped (every '<' of the page
 * starts one of the renderer's own tags), and ends with the closing tags. Anything else is
 * refused with a message, never a crash.
 */
#include "fuzz_support.h"
#include "report_html.h"

/* The renderer's own tags (the SVG ones included): a '<' followed by anything else would be
 * text that escaped escaping. */
static const char *const known_tags[] = {
    "!DOCTYPE", "html",       "head",  "meta",  "title", "style", "body",    "main",
    "header",   "h1",         "h2",    "h3",    "h4",    "p",     "section", "div",
    "span",     "small",      "svg",   "rect",  "line",  "path",  "ol",      "ul",
    "li",       "blockquote", "table", "thead", "tbody", "tr",    "th",      "td",
    "pre",      "footer",     "br",    "code",  NULL};

static void check_tags(const char *page) {
  for (const char *at = strchr(page, '<'); at != NULL; at = strchr(at + 1, '<')) {
    const char *name = at + 1 + (at[1] == '/');
    size_t length = strspn(name, "!DOCTYPEabcdefghijklmnopqrstuvwxyz0123456789");
    int known = 0;
    for (int index = 0; known_tags[index] != NULL && !known; index++)
      known = strlen(known_tags[index]) == length && strncmp(name, known_tags[index], length) == 0;
    FUZZ_CHECK(known, "unexpected tag at: %.40s", at);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cJSON *report = cJSON_ParseWithLength((const char *)data, size);
  char err[256] = "";
  size_t length = 0;
  char *page = tp_report_html_render(report, &length, err, sizeof err);
  if (cJSON_IsObject(report)) {
    FUZZ_CHECK(page != NULL, "an object did not render: %s", err);
    FUZZ_CHECK(strlen(page) == length, "length %zu, strlen %zu", length, strlen(page));
    FUZZ_CHECK(tp_utf8_valid_prefix(page, length) == length, "the page is not valid UTF-8");
    FUZZ_CHECK(strstr(page, "<script") == NULL, "a script tag");
    check_tags(page);
    FUZZ_CHECK(length > 16 && strcmp(page + length - 16, "</body>\n</html>\n") == 0,
               "the page does not end with its closing tags");
  } else {
    FUZZ_CHECK(page == NULL && err[0] != '\0', "a non-object rendered");
  }
  free(page);
  cJSON_Delete(report);
  return 0;
}
