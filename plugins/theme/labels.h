/* plugins/theme/labels.h - keyphrases and labels of discovered themes.
 *
 * Each clustered record brings its few best keyphrases (per-record scores, extract.h); a
 * theme's keyphrases are chosen among those phrases and their word sub-runs ("battery life"
 * in "battery life is short") by how many of the theme's records use them and how specific
 * they are to the theme:
 *   - a phrase must be used by at least max(3, sqrt(theme's records) / 2) of them (a phrase
 *     of two or three records says nothing of a theme of hundreds; records keep only a few
 *     phrases each, so a fixed share would leave large themes nothing), and its share of the
 *     theme's records must be at least 1.5 times its share of all records (less for a theme
 *     that is most of the stream), and a single word must not be a weak one ("may", "way");
 *   - score = uses in the theme x (1 + ln lift), lift being its share of the theme's records
 *     over its share of all records (used by many of them, and distinctive of them), x (1 +
 *     0.25 per extra word);
 *   - a longer phrase used by fewer than half the records of a shorter phrase inside it gives
 *     way to the shorter one, and a phrase inside a kept longer one is dropped when it is used
 *     barely more often (it only repeats it).
 * When no phrase passes, the lift is dropped first; then the phrases used by the most records
 * are taken (weak words last), never the rarest: among as used, the one more records of the
 * whole stream use (not a one-off word or a misspelling).
 * A record's uses count once per phrase. Deterministic: ties break on the text.
 */
#ifndef THEME_LABELS_H
#define THEME_LABELS_H

#include <stddef.h>
#include <stdint.h>

#define TH_THEME_KEYPHRASES 5
#define TH_LABEL_WORDS      4 /* most words in a label */
#define TH_LABEL_PHRASES    3 /* most keyphrases joined in a label */

/* A theme keyphrase: `length` bytes of `text` (pointing into the caller's phrase lists). */
typedef struct th_keyphrase {
  double score;
  const char *text; /* NULL: no phrase in this slot */
  size_t length;
} th_keyphrase;

/* Chooses up to TH_THEME_KEYPHRASES keyphrases per theme, best first, into
 * best[theme * TH_THEME_KEYPHRASES ...] (empty slots have text NULL). phrases[i] is record i's
 * list of NUL-terminated phrases (words separated by single spaces) ended by an empty string,
 * or NULL for a record that does not take part; labels[i] its theme (0..themes-1, or < 0 for
 * none). The texts point into `phrases`. Returns 0, or -1 on OOM. */
int th_theme_keyphrases(const char *const *phrases, const int32_t *labels, size_t count,
                        uint32_t themes, th_keyphrase *best);

/* Writes the label of a theme from its keyphrases (`mine`, TH_THEME_KEYPHRASES slots) into
 * label[size]: the best one, then (" / " between) the next best ones that neither contain nor
 * are contained in a chosen one nor share a word with it but for a plural ending ("room" and
 * "rooms"), within TH_LABEL_WORDS words: two keyphrases, or three when two make one word
 * only; "" without keyphrases. When the first two are both words of one of its keyphrases
 * ("opera", "soap" and "soap opera"), the label is that keyphrase. */
void th_theme_label(const th_keyphrase *mine, char *label, size_t size);

/* Whether `length` bytes at `text` are a single word too vague to name a theme or to stand as
 * a record's keyphrase ("may", "way", "get", "mean"...), a reporting verb ("said", "told",
 * "according") or a title ("mr", "dr"). */
int th_weak_word(const char *text, size_t length);

/* Whether a keyphrase (words separated by single spaces) cannot name a theme: a weak word
 * alone, or a phrase that ends with a weak word (vague word, reporting verb or title) or
 * begins with one that is not a title ("yay parking", "said mr", "blair said", "minister mr";
 * "mr blair" names someone). */
int th_weak_phrase(const char *text, size_t length);

/* Reporting verbs and titles, the two lists th_weak_word adds to the vague words. */
int th_reporting_word(const char *text, size_t length);
int th_title_word(const char *text, size_t length);

/* The lists behind th_weak_word and its filter (weak_words.c): th_weak_word_listed is
 * th_weak_word without the filter (a scan of the three lists), th_weak_word_at the index-th
 * listed word (vague words, then reporting verbs, then titles), NULL past the last. */
int th_weak_word_listed(const char *text, size_t length);
const char *th_weak_word_at(size_t index);

#endif /* THEME_LABELS_H */
