/* core/report/report_html_sections.c - the HTML of the built-in analyses' report sections.
 *
 * Renders the sections written by the sentiment, theme and summary plugins (shapes in
 * docs/report-format.md). The theme and sentiment sections name records by id only; the
 * texts come from summary sections (digest, theme sentences, positive/negative), looked up
 * with tp__report_record_text(). Ids without a known text are listed, not invented.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_charts.h"
#include "report_html_internal.h"

/* A quoted record text, cut at the quote budget. */
static void quote(tp_html *html, const char *text) {
  tp_html_raw(html, "<blockquote>");
  tp_html_text(html, text, strlen(text), TP__REPORT_QUOTE_BYTES);
  tp_html_raw(html, "</blockquote>\n");
}

static void label_legend(tp_html *html, const cJSON *labels) {
  static const char *const names[] = {"positive", "neutral", "negative"};
  double counts[3], total = 0;
  for (int label = 0; label < 3; label++) {
    if (!tp__report_number(labels, names[label], &counts[label]) || counts[label] < 0)
      counts[label] = 0;
    total += counts[label];
  }
  if (total <= 0)
    return;
  tp_html_raw(html, "<ul class=\"legend\">");
  for (int label = 0; label < 3; label++) {
    tp_html_rawf(html, "<li><span class=\"swatch %s\"></span>%s ", names[label], names[label]);
    tp__report_count(html, counts[label]);
    tp_html_rawf(html, " (%.1f%%)</li>", 100 * counts[label] / total);
  }
  tp_html_raw(html, "</ul>\n");
}

/* Most positive / most negative records: [{"id", "compound"}...], quoted with the record's
 * sentence from the summary's list of the same polarity (`quotes`: "positive" or "negative")
 * when it has one; any other sentence of the record could say the opposite. */
static void extremes(tp__report_page *page, const cJSON *list, const char *title,
                     const char *quotes) {
  if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
    return;
  tp_html *html = page->html;
  tp_html_rawf(html, "<div class=\"card\"><h3>%s</h3>\n", title);
  /* Records whose text the report holds are quoted; the others are listed compactly. */
  for (int quoted = 1; quoted >= 0; quoted--) {
    int shown = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, list) {
      const cJSON *id = tp__report_member(item, "id");
      const char *text = tp__report_record_text_in(page, id, quotes);
      if ((text != NULL) != quoted)
        continue;
      if (shown++ == 0)
        tp_html_raw(html, quoted ? "<ul class=\"quotes\">\n" : "<p class=\"bare\">");
      char id_text[128];
      tp__report_id_text(id, id_text, sizeof id_text);
      double compound;
      tp_html_raw(html, quoted ? "<li>" : "<span>");
      if (tp__report_number(item, "compound", &compound))
        tp__report_sentiment_chip(html, compound);
      tp_html_raw(html, " <span class=\"figures\">record ");
      tp_html_string(html, id_text);
      tp_html_raw(html, "</span>");
      if (quoted)
        quote(html, text);
      tp_html_raw(html, quoted ? "</li>\n" : "</span>");
    }
    if (shown > 0)
      tp_html_raw(html, quoted ? "</ul>\n" : "</p>\n");
  }
  tp_html_raw(html, "</div>\n");
}

/* "hour", "6 hours", "day", "7 days", ... for a bucket width in seconds. Static buffer. */
static const char *bucket_span(const cJSON *seconds_item) {
  static const struct {
    double seconds;
    const char *name;
  } units[] = {{86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}};
  static char text[48];
  double seconds = cJSON_IsNumber(seconds_item) ? seconds_item->valuedouble : 0;
  snprintf(text, sizeof text, "bucket");
  for (size_t index = 0; seconds > 0 && index < sizeof units / sizeof units[0]; index++) {
    double count = seconds / units[index].seconds;
    if (count >= 1 && count == (double)(long long)count) {
      if (count == 1)
        snprintf(text, sizeof text, "%s", units[index].name);
      else
        snprintf(text, sizeof text, "%.0f %ss", count, units[index].name);
      break;
    }
  }
  return text;
}

void tp__report_sentiment(tp__report_page *page, const char *stage_id, const cJSON *section) {
  tp_html *html = page->html;
  tp__report_section_open(html, "sentiment", "Sentiment", stage_id, "sentiment");
  double number;
  tp_html_raw(html, "<div class=\"cards\">\n<div class=\"card\"><h3>Overall</h3>\n");
  const cJSON *labels = tp__report_member(section, "labels");
  if (cJSON_IsObject(labels)) {
    tp_report_chart_labels(html, labels);
    label_legend(html, labels);
  }
  tp_html_raw(html, "<div class=\"stats\">");
  if (tp__report_number(section, "records", &number)) {
    tp_html_raw(html, "<span>");
    tp__report_count(html, number);
    tp_html_raw(html, " records scored</span>");
  }
  double records = 1;
  tp__report_number(section, "records", &records);
  if (records > 0 && tp__report_number(section, "mean_compound", &number)) {
    tp_html_raw(html, "<span>mean ");
    tp__report_sentiment_chip(html, number);
    tp_html_raw(html, "</span>");
  }
  if (records > 0 && tp__report_number(section, "median_compound", &number)) {
    tp_html_raw(html, "<span>median ");
    tp__report_sentiment_chip(html, number);
    tp_html_raw(html, "</span>");
  }
  tp_html_raw(html, "</div>\n<p class=\"note\">Compound scores run from -1 (most negative) to "
                    "+1 (most positive).</p></div>\n");
  const cJSON *histogram = tp__report_member(section, "histogram");
  if (cJSON_IsArray(tp__report_member(histogram, "counts"))) {
    tp_html_raw(html, "<div class=\"card\"><h3>Compound score distribution</h3>\n");
    tp_report_chart_histogram(html, histogram);
    tp_html_raw(html, "</div>\n");
  }
  const cJSON *timeline = tp__report_member(section, "timeline");
  const cJSON *means = tp__report_member(timeline, "means");
  if (cJSON_IsArray(means) && cJSON_GetArraySize(means) > 0) {
    tp_html_raw(html, "</div>\n<div class=\"cards\"><div class=\"card wide\"><h3>Along the "
                      "stream</h3>\n");
    tp_report_chart_timeline(html, timeline);
    tp_html_rawf(html,
                 "<p class=\"note\">Mean compound score of consecutive input lines, in "
                 "input order (%d buckets",
                 cJSON_GetArraySize(means));
    if (tp__report_number(timeline, "bucket_records", &number))
      tp_html_rawf(html, " of %.0f line%s", number, number == 1 ? "" : "s");
    tp_html_raw(html, "); the grey strip shows how many records each bucket holds.</p></div>\n");
  }
  const cJSON *over_time = tp__report_member(section, "time_timeline");
  means = tp__report_member(over_time, "means");
  if (cJSON_IsArray(means) && cJSON_GetArraySize(means) > 0) {
    const char *field = cJSON_GetStringValue(tp__report_member(over_time, "field"));
    tp_html_raw(html, "</div>\n<div class=\"cards\"><div class=\"card wide\"><h3>Over time</h3>\n");
    tp_report_chart_timeline(html, over_time);
    tp_html_rawf(html, "<p class=\"note\">Mean compound score per %s (UTC) by the records' ",
                 bucket_span(tp__report_member(over_time, "bucket_seconds")));
    tp_html_raw(html, "<code>");
    tp_html_string(html, field != NULL ? field : "time");
    tp_html_raw(html, "</code> field");
    if (tp__report_number(over_time, "untimed", &number) && number > 0)
      tp_html_rawf(html, "; %.0f record%s without a readable time %s left out", number,
                   number == 1 ? "" : "s", number == 1 ? "is" : "are");
    tp_html_raw(html, ".</p></div>\n");
  }
  tp_html_raw(html, "</div>\n<div class=\"cards\">\n");
  extremes(page, tp__report_member(section, "most_positive"), "Most positive", "positive");
  extremes(page, tp__report_member(section, "most_negative"), "Most negative", "negative");
  tp_html_raw(html, "</div></section>\n");
}

/* Largest "share" in a list of themes (0 when none). */
static double largest_share(const cJSON *themes) {
  double largest = 0, share;
  const cJSON *theme;
  cJSON_ArrayForEach(theme, themes) {
    if (tp__report_number(theme, "share", &share) && share > largest)
      largest = share;
  }
  return largest;
}

/* "12 records · 23.5% · mean +0.21" and the bar under it. */
static void theme_figures(tp_html *html, const cJSON *theme, const char *count_key,
                          double largest) {
  double count, share = NAN, mean = NAN;
  tp_html_raw(html, "<span class=\"figures\">");
  const char *separator = "";
  if (tp__report_number(theme, count_key, &count)) {
    tp__report_count(html, count);
    tp_html_rawf(html, " record%s", count == 1 ? "" : "s");
    separator = " &middot; ";
  }
  if (tp__report_number(theme, "share", &share)) {
    tp_html_rawf(html, "%s%.1f%%", separator, 100 * share);
    separator = " &middot; ";
  }
  if (tp__report_number(theme, "mean_sentiment", &mean)) {
    tp_html_rawf(html, "%smean ", separator);
    tp__report_sentiment_chip(html, mean);
  }
  tp_html_raw(html, "</span></div>\n");
  if (!isnan(share) && largest > 0)
    tp_report_chart_bar(html, share / largest, mean);
}

/* True when `id` is the id of an item of `sentences` ([{"id", "text"}...]). */
static bool among(const cJSON *sentences, const cJSON *id) {
  char wanted[128];
  tp__report_id_text(id, wanted, sizeof wanted);
  const cJSON *sentence;
  cJSON_ArrayForEach(sentence, sentences) {
    char other[128];
    tp__report_id_text(tp__report_member(sentence, "id"), other, sizeof other);
    if (wanted[0] != '\0' && strcmp(wanted, other) == 0)
      return true;
  }
  return false;
}

/* Quotes for the records in `ids` whose text is known and that are not among the `quoted`
 * sentences already shown (at most the quote budget in all), then the other ids as a list. */
static void theme_records(tp__report_page *page, const cJSON *ids, const cJSON *quoted_sentences,
                          int already) {
  tp_html *html = page->html;
  int quoted = already, listed = 0, unlisted = 0;
  const cJSON *id;
  cJSON_ArrayForEach(id, ids) {
    const char *text = tp__report_record_text(page, id);
    if (text != NULL && quoted < TP__REPORT_QUOTES && !among(quoted_sentences, id)) {
      quote(html, text);
      quoted++;
    }
  }
  int listable = 0; /* ids without a text, to say "record" or "records" */
  cJSON_ArrayForEach(id, ids) {
    char id_text[128];
    tp__report_id_text(id, id_text, sizeof id_text);
    listable += tp__report_record_text(page, id) == NULL && id_text[0] != '\0';
  }
  cJSON_ArrayForEach(id, ids) {
    if (tp__report_record_text(page, id) != NULL)
      continue;
    char id_text[128];
    tp__report_id_text(id, id_text, sizeof id_text);
    if (id_text[0] == '\0')
      continue;
    if (listed == TP__REPORT_LISTED_IDS) {
      unlisted++;
      continue;
    }
    if (listed == 0)
      tp_html_raw(html, listable == 1 ? "<p class=\"ids\">record " : "<p class=\"ids\">records ");
    else
      tp_html_raw(html, ", ");
    tp_html_string(html, id_text);
    listed++;
  }
  if (unlisted > 0)
    tp_html_rawf(html, " and %d more", unlisted);
  if (listed > 0)
    tp_html_raw(html, "</p>\n");
}

/* The summary's sentences for discovered theme `theme_id`, or NULL. */
static const cJSON *summary_sentences(const tp__report_page *page, const cJSON *theme_id) {
  char wanted[128];
  tp__report_id_text(theme_id, wanted, sizeof wanted);
  if (wanted[0] == '\0')
    return NULL;
  for (int index = 0; index < page->summary_count; index++) {
    const cJSON *theme;
    cJSON_ArrayForEach(theme, tp__report_member(page->summaries[index], "themes")) {
      char id[128];
      tp__report_id_text(tp__report_member(theme, "theme_id"), id, sizeof id);
      if (strcmp(id, wanted) == 0)
        return tp__report_member(theme, "sentences");
    }
  }
  return NULL;
}

static void taxonomy_theme(tp__report_page *page, const cJSON *theme, double largest) {
  tp_html *html = page->html;
  tp_html_raw(html, "<article class=\"card\"><div class=\"theme-head\"><h4>");
  tp_html_string(html, tp__report_string(theme, "name"));
  tp_html_raw(html, "</h4>");
  theme_figures(html, theme, "count", largest);
  theme_records(page, tp__report_member(theme, "examples"), NULL, 0);
  tp_html_raw(html, "</article>\n");
}

static void discovered_theme(tp__report_page *page, const cJSON *theme, double largest) {
  tp_html *html = page->html;
  tp_html_raw(html, "<article class=\"card\"><div class=\"theme-head\"><h4>");
  const char *label = tp__report_string(theme, "label");
  if (label != NULL && label[0] != '\0') {
    tp_html_string(html, label);
  } else {
    char id[128];
    tp__report_id_text(tp__report_member(theme, "id"), id, sizeof id);
    tp_html_raw(html, "theme ");
    tp_html_string(html, id);
  }
  tp_html_raw(html, "</h4>");
  theme_figures(html, theme, "size", largest);
  const cJSON *phrases = tp__report_member(theme, "keyphrases");
  if (cJSON_IsArray(phrases) && cJSON_GetArraySize(phrases) > 0) {
    tp_html_raw(html, "<ul class=\"phrases\">");
    const cJSON *phrase;
    cJSON_ArrayForEach(phrase, phrases) {
      if (!cJSON_IsString(phrase))
        continue;
      tp_html_raw(html, "<li>");
      tp_html_string(html, phrase->valuestring);
      tp_html_raw(html, "</li>");
    }
    tp_html_raw(html, "</ul>\n");
  }
  /* The summary's sentences for this theme first, then representatives by id. */
  int quoted = 0;
  const cJSON *sentences = summary_sentences(page, tp__report_member(theme, "id"));
  const cJSON *sentence;
  cJSON_ArrayForEach(sentence, sentences) {
    const char *text = tp__report_string(sentence, "text");
    if (text != NULL && quoted < TP__REPORT_QUOTES) {
      quote(html, text);
      quoted++;
    }
  }
  theme_records(page, tp__report_member(theme, "representatives"), sentences, quoted);
  tp_html_raw(html, "</article>\n");
}

void tp__report_themes(tp__report_page *page, const char *stage_id, const cJSON *section) {
  tp_html *html = page->html;
  tp__report_section_open(html, "themes", "Themes", stage_id, "theme");
  const cJSON *taxonomy = tp__report_member(section, "taxonomy");
  const cJSON *theme;
  if (cJSON_IsArray(taxonomy) && cJSON_GetArraySize(taxonomy) > 0) {
    tp_html_raw(html, "<h3>Taxonomy themes</h3><div class=\"cards\">\n");
    double largest = largest_share(taxonomy);
    cJSON_ArrayForEach(theme, taxonomy) taxonomy_theme(page, theme, largest);
    tp_html_raw(html, "</div>\n");
  }
  const cJSON *discovered = tp__report_member(section, "discovered");
  if (cJSON_IsArray(discovered) && cJSON_GetArraySize(discovered) > 0) {
    tp_html_raw(html,
                "<h3 style=\"margin-top:20px\">Discovered themes</h3><div class=\"cards\">\n");
    double largest = largest_share(discovered);
    cJSON_ArrayForEach(theme, discovered) discovered_theme(page, theme, largest);
    tp_html_raw(html, "</div>\n");
  }
  tp_html_raw(html, "<p class=\"note\">Bars are relative to the largest theme in each list and "
                    "coloured by the theme's mean sentiment.</p></section>\n");
}

/* [{"id", "text", "score"?}...] as a numbered list; with `page`, records already quoted as
 * sentiment extremes are left out. */
static void sentence_list(tp_html *html, const cJSON *sentences, const tp__report_page *page) {
  tp_html_raw(html, "<ol class=\"digest\">\n");
  const cJSON *sentence;
  cJSON_ArrayForEach(sentence, sentences) {
    const char *text = tp__report_string(sentence, "text");
    if (text == NULL ||
        (page != NULL && tp__report_is_extreme(page, tp__report_member(sentence, "id"))))
      continue;
    tp_html_raw(html, "<li>");
    tp_html_text(html, text, strlen(text), 4 * TP__REPORT_QUOTE_BYTES);
    char id[128];
    tp__report_id_text(tp__report_member(sentence, "id"), id, sizeof id);
    double score;
    bool scored = tp__report_number(sentence, "score", &score);
    if (id[0] != '\0' || scored) {
      tp_html_raw(html, "<br><span class=\"figures\">");
      if (id[0] != '\0') {
        tp_html_raw(html, "record ");
        tp_html_string(html, id);
      }
      if (scored)
        tp_html_rawf(html, "%sscore %.3f", id[0] != '\0' ? " &middot; " : "", score);
      tp_html_raw(html, "</span>");
    }
    tp_html_raw(html, "</li>\n");
  }
  tp_html_raw(html, "</ol>\n");
}

void tp__report_summary(tp__report_page *page, const char *stage_id, const cJSON *section) {
  tp_html *html = page->html;
  tp__report_section_open(html, "summary", "Digest", stage_id, "summary");
  tp_html_raw(html, "<div class=\"cards\">\n");
  const cJSON *digest = tp__report_member(section, "digest");
  if (cJSON_IsArray(digest) && cJSON_GetArraySize(digest) > 0) {
    tp_html_raw(html, "<div class=\"card wide\"><h3>The stream in a few sentences</h3>\n");
    sentence_list(html, digest, NULL);
    tp_html_raw(html, "</div>\n");
  } else {
    tp_html_raw(html, "<div class=\"card wide\"><p class=\"note\">No digest: the stream had no "
                      "sentences to choose from.</p></div>\n");
  }
  /* Theme sentences are shown in the theme cards when there is a theme section. */
  const cJSON *themes = page->has_theme_section ? NULL : tp__report_member(section, "themes");
  const cJSON *theme;
  cJSON_ArrayForEach(theme, themes) {
    tp_html_raw(html, "<div class=\"card\"><h3>");
    const char *label = tp__report_string(theme, "label");
    tp_html_string(html, label != NULL && label[0] != '\0' ? label : "theme");
    tp_html_raw(html, "</h3>\n");
    sentence_list(html, tp__report_member(theme, "sentences"), NULL);
    tp_html_raw(html, "</div>\n");
  }
  /* Positive/negative texts not already quoted as sentiment extremes. */
  static const char *const sides[][2] = {{"positive", "Positive voices"},
                                         {"negative", "Critical voices"}};
  for (int side = 0; side < 2; side++) {
    const cJSON *list = tp__report_member(section, sides[side][0]);
    int fresh = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, list) {
      if (tp__report_string(item, "text") != NULL &&
          !tp__report_is_extreme(page, tp__report_member(item, "id")))
        fresh++;
    }
    if (fresh == 0)
      continue;
    tp_html_rawf(html, "<div class=\"card\"><h3>%s</h3>\n", sides[side][1]);
    sentence_list(html, list, page);
    tp_html_raw(html, "</div>\n");
  }
  tp_html_raw(html, "</div></section>\n");
}
