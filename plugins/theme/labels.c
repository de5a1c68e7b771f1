/* plugins/theme/labels.c - keyphrases and labels of discovered themes (see labels.h): counts
 * each phrase and word sub-run per theme and over all clustered records, filters by minimum
 * use, lift and weak words, and picks the best non-redundant ones. */
#include "labels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "extract.h"

#define MIN_USES     3    /* records of the theme that must use a keyphrase */
#define MIN_USE_ROOT 0.5  /* ... or this x the square root of the theme's records, when more */
#define MIN_LIFT     1.5  /* share in the theme / share in all records */
#define LONGER_KEEPS 0.25 /* a longer phrase needs this share of its sub-phrase's uses */
#define REPEAT_SHARE 1.25 /* a sub-phrase used at most this x its kept phrase repeats it */
#define WORD_BONUS   0.25 /* score bonus per extra word */

/* One use of a phrase (or a sub-run of one) by one record. */
typedef struct phrase_use {
  uint32_t hash;
  int32_t theme;
  uint32_t record;
  uint32_t words;
  const char *text; /* `length` bytes, not NUL-terminated */
  size_t length;
  uint32_t total; /* records using it, over all themes */
} phrase_use;

/* A distinct phrase of one theme. */
typedef struct candidate {
  th_keyphrase phrase;
  uint32_t words, uses, total;
  int tier; /* the first of the fallback tiers at which it may be chosen (see pick) */
} candidate;

static int compare_text(const char *a, size_t a_length, const char *b, size_t b_length) {
  int order = memcmp(a, b, a_length < b_length ? a_length : b_length);
  if (order)
    return order;
  return (a_length > b_length) - (a_length < b_length);
}

static int compare_use_text(const void *left, const void *right) {
  const phrase_use *a = left, *b = right;
  if (a->hash != b->hash)
    return (a->hash > b->hash) - (a->hash < b->hash);
  int order = compare_text(a->text, a->length, b->text, b->length);
  if (order)
    return order;
  return (a->record > b->record) - (a->record < b->record);
}

static int compare_keyphrases(const th_keyphrase *a, const th_keyphrase *b) {
  if (a->score != b->score)
    return a->score < b->score ? 1 : -1;
  return compare_text(a->text, a->length, b->text, b->length);
}

static int compare_candidates(const void *left, const void *right) {
  return compare_keyphrases(&((const candidate *)left)->phrase,
                            &((const candidate *)right)->phrase);
}

/* Adds to `table` (when not NULL) every run of 1.. words of `phrase`; returns how many. */
static size_t phrase_parts(const char *phrase, int32_t theme, uint32_t record, phrase_use *table) {
  const char *starts[TH_PHRASE_WORDS + 1];
  size_t words = 0, added = 0;
  for (const char *p = phrase; *p && words < TH_PHRASE_WORDS; p++)
    if (p == phrase || p[-1] == ' ')
      starts[words++] = p;
  starts[words] = phrase + strlen(phrase) + 1; /* one past the end, as if a space followed */
  for (size_t from = 0; from < words; from++) {
    for (size_t to = from + 1; to <= words; to++) {
      if (table) {
        const char *text = starts[from];
        size_t length = (size_t)(starts[to] - 1 - text);
        table[added] = (phrase_use){th_hash_mix(th_hash_bytes(TH_HASH_START, text, length)),
                                    theme,
                                    record,
                                    (uint32_t)(to - from),
                                    text,
                                    length,
                                    0};
      }
      added++;
    }
  }
  return added;
}

/* Nonzero when `inner` occurs in `outer` as whole words (outer != inner). */
static int contains_words(const th_keyphrase *outer, const th_keyphrase *inner) {
  if (inner->length >= outer->length)
    return 0;
  for (size_t at = 0; at + inner->length <= outer->length; at++) {
    if (memcmp(outer->text + at, inner->text, inner->length) != 0)
      continue;
    size_t end = at + inner->length;
    if ((at == 0 || outer->text[at - 1] == ' ') &&
        (end == outer->length || outer->text[end] == ' '))
      return 1;
  }
  return 0;
}

static int is_weak(const candidate *c) {
  return th_weak_phrase(c->phrase.text, c->phrase.length);
}

/* Picks up to TH_THEME_KEYPHRASES of the theme's candidates into slots, among those whose
 * tier is at most `tier`, in order: the first `sorted` are sorted best first (sort_best).
 * Returns how many, or -1 when it needs a candidate after the sorted ones (slots then hold
 * the first picks of the full order). */
static int pick(const candidate *list, size_t count, size_t sorted, int tier, th_keyphrase *slots) {
  int kept = 0;
  const candidate *chosen[TH_THEME_KEYPHRASES];
  for (size_t c = 0; c < count && kept < TH_THEME_KEYPHRASES; c++) {
    if (c == sorted)
      return -1;
    const candidate *at = &list[c];
    if (at->tier > tier)
      continue;
    int skip = 0;
    for (int k = 0; k < kept && !skip; k++) /* only repeats a kept longer phrase */
      skip = contains_words(&chosen[k]->phrase, &at->phrase) &&
             at->uses <= REPEAT_SHARE * chosen[k]->uses;
    for (size_t s = 0; s < count && !skip && at->words > 1; s++) /* a rare longer phrase */
      skip = list[s].tier <= tier && contains_words(&at->phrase, &list[s].phrase) &&
             at->uses < LONGER_KEEPS * list[s].uses;
    if (skip)
      continue;
    chosen[kept] = at;
    slots[kept++] = at->phrase;
  }
  return kept;
}

/* Candidates sort_best sorts at first: picks seldom look further (they need 5 of them). */
#define SORTED_FIRST 64

/* Moves the `top` best candidates (compare_candidates, a total order: a theme's candidates have
 * distinct texts) to the front of the list, sorted, the others after them in no particular
 * order; all of them when there are few. Returns how many are sorted. One pass keeps the best
 * `top` in an insertion-sorted index (most candidates lose one comparison to the last of them):
 * qsort of a theme's thousands of candidates was most of the labels' cost, for the few that
 * pick reads. */
static size_t sort_best(candidate *list, size_t count, size_t top) {
  if (count <= 2 * top) {
    qsort(list, count, sizeof(candidate), compare_candidates);
    return count;
  }
  size_t best[SORTED_FIRST], kept = 0;
  for (size_t i = 0; i < count; i++) {
    if (kept == top && compare_candidates(&list[i], &list[best[top - 1]]) >= 0)
      continue;
    size_t at = kept < top ? kept++ : top - 1;
    while (at > 0 && compare_candidates(&list[i], &list[best[at - 1]]) < 0) {
      best[at] = best[at - 1];
      at--;
    }
    best[at] = i;
  }
  /* swap them to the front in order; a swap moves the candidate at `place` to best[place], so a
   * later entry naming `place` follows it there */
  for (size_t place = 0; place < kept; place++) {
    size_t from = best[place];
    candidate swap = list[place];
    list[place] = list[from];
    list[from] = swap;
    for (size_t later = place + 1; later < kept; later++)
      if (best[later] == place)
        best[later] = from;
  }
  return kept;
}

/* pick from the list sort_best left (`*sorted` sorted), sorting the whole list and picking
 * again when pick needs more: the same picks as from a list sorted whole. */
static int pick_sorted(candidate *list, size_t count, size_t *sorted, int tier,
                       th_keyphrase *slots) {
  int kept = pick(list, count, *sorted, tier, slots);
  if (kept >= 0)
    return kept;
  qsort(list, count, sizeof(candidate), compare_candidates);
  *sorted = count;
  return pick(list, count, count, tier, slots);
}

/* Scores the candidates of one theme (`records` of its records take part, `all_records`
 * over every theme), sorts them and fills its slots. */
static void theme_keyphrases(candidate *list, size_t count, size_t records, size_t all_records,
                             th_keyphrase *slots) {
  double min_uses = ceil(MIN_USE_ROOT * sqrt((double)records));
  if (min_uses < MIN_USES)
    min_uses = MIN_USES;
  double share = all_records ? (double)records / (double)all_records : 1;
  /* a theme that is most of the stream cannot reach the full lift */
  double min_lift = share > 0 ? 0.5 + 0.5 / share : MIN_LIFT;
  if (min_lift > MIN_LIFT)
    min_lift = MIN_LIFT;
  for (size_t c = 0; c < count; c++) {
    candidate *at = &list[c];
    double lift = ((double)at->uses / (double)records) / ((double)at->total / (double)all_records);
    /* 0: every rule; 1: without the lift; 2: used by two records; 3: any phrase but a weak
     * word; 4: any phrase */
    int weak = is_weak(at);
    at->tier = weak ? 4 : at->uses < 2 ? 3 : at->uses < min_uses ? 2 : lift < min_lift ? 1 : 0;
    /* used by many of the theme's records x how much likelier in the theme than in the stream
     * (1 + ln lift: uses alone when the theme is the whole stream) */
    at->phrase.score = (double)at->uses * (1.0 + log(lift)) * (1.0 + WORD_BONUS * (at->words - 1));
  }
  size_t sorted = sort_best(list, count, SORTED_FIRST);
  if (pick_sorted(list, count, &sorted, 0, slots) || pick_sorted(list, count, &sorted, 1, slots))
    return;
  /* no phrase is used by enough records: the most used ones, not the most specific (which
   * would be a rare phrase of two records); among as used, the one more records of the stream
   * use (a word people use, not a one-off or a misspelling) */
  for (size_t c = 0; c < count; c++)
    list[c].phrase.score = list[c].uses + (double)list[c].total / (double)(all_records + 1);
  sorted = sort_best(list, count, SORTED_FIRST);
  for (int tier = 2; tier <= 4 && pick_sorted(list, count, &sorted, tier, slots) == 0; tier++)
    ;
}

/* Sorts the uses by compare_use_text as a stable sort would: by (hash, record) with
 * th_keyed_sort, which orders each hash's uses by record; a hash shared by different texts (a
 * collision, rare) has its uses sorted again by the whole comparison, stably. *table is
 * replaced. 0, or -1 on OOM. */
static int sort_uses(phrase_use **table, size_t uses) {
  th_keyed *keys = th_alloc((uses + 1) * sizeof(th_keyed));
  th_keyed *scratch = th_alloc((uses + 1) * sizeof(th_keyed));
  phrase_use *sorted = th_alloc((uses + 1) * sizeof(phrase_use));
  if (!keys || !scratch || !sorted) {
    th_free(keys);
    th_free(scratch);
    th_free(sorted);
    return -1;
  }
  for (size_t u = 0; u < uses; u++)
    keys[u] = (th_keyed){(uint64_t)(*table)[u].hash << 32 | (*table)[u].record, u};
  th_keyed_sort(keys, uses, scratch);
  for (size_t u = 0; u < uses; u++)
    sorted[u] = (*table)[keys[u].index];
  th_free(keys);
  th_free(scratch);
  for (size_t start = 0; start < uses;) {
    size_t end = start + 1, texts = 1;
    for (; end < uses && sorted[end].hash == sorted[start].hash; end++)
      texts += compare_text(sorted[end].text, sorted[end].length, sorted[start].text,
                            sorted[start].length) != 0;
    if (texts > 1)
      qsort(sorted + start, end - start, sizeof(phrase_use), compare_use_text);
    start = end;
  }
  th_free(*table);
  *table = sorted;
  return 0;
}

/* Puts the uses, sorted by compare_use_text and distinct under it, in order of theme, keeping
 * their order within a theme (a stable counting sort; the order is strict, so it is the one a sort
 * by theme, then compare_use_text, gives). Every use's theme is below `themes`. *table is
 * replaced. 0, or -1 on OOM. */
static int order_by_theme(phrase_use **table, size_t uses, uint32_t themes) {
  size_t *next = th_calloc((size_t)themes + 1, sizeof(size_t));
  phrase_use *sorted = th_alloc((uses + 1) * sizeof(phrase_use));
  if (!next || !sorted) {
    th_free(next);
    th_free(sorted);
    return -1;
  }
  for (size_t u = 0; u < uses; u++)
    next[(*table)[u].theme + 1]++;
  for (uint32_t t = 0; t < themes; t++)
    next[t + 1] += next[t];
  for (size_t u = 0; u < uses; u++)
    sorted[next[(*table)[u].theme]++] = (*table)[u];
  th_free(next);
  th_free(*table);
  *table = sorted;
  return 0;
}

int th_theme_keyphrases(const char *const *phrases, const int32_t *labels, size_t count,
                        uint32_t themes, th_keyphrase *best) {
  for (size_t i = 0; i < (size_t)themes * TH_THEME_KEYPHRASES; i++)
    best[i] = (th_keyphrase){-1, NULL, 0};
  size_t uses = 0, all_records = 0;
  size_t *records = th_calloc((size_t)themes + 1, sizeof(size_t));
  if (!records)
    return -1;
  for (size_t i = 0; i < count; i++) {
    if (!phrases[i] || labels[i] < 0 || (uint32_t)labels[i] >= themes)
      continue;
    records[labels[i]]++;
    all_records++;
    for (const char *p = phrases[i]; *p; p += strlen(p) + 1)
      uses += phrase_parts(p, labels[i], (uint32_t)i, NULL);
  }
  phrase_use *table = th_alloc((uses + 1) * sizeof(phrase_use));
  candidate *list = th_alloc((uses + 1) * sizeof(candidate));
  if (!table || !list) {
    th_free(records);
    th_free(table);
    th_free(list);
    return -1;
  }
  size_t at = 0;
  for (size_t i = 0; i < count; i++) {
    if (!phrases[i] || labels[i] < 0 || (uint32_t)labels[i] >= themes)
      continue;
    for (const char *p = phrases[i]; *p; p += strlen(p) + 1)
      at += phrase_parts(p, labels[i], (uint32_t)i, table + at);
  }
  /* one use per record and phrase; then each phrase's records over all themes */
  if (sort_uses(&table, uses)) {
    th_free(records);
    th_free(table);
    th_free(list);
    return -1;
  }
  size_t kept = 0;
  for (size_t u = 0; u < uses; u++)
    if (kept == 0 || compare_use_text(&table[u], &table[kept - 1]) != 0)
      table[kept++] = table[u];
  uses = kept;
  for (size_t start = 0; start < uses;) {
    size_t end = start + 1;
    while (end < uses && compare_text(table[end].text, table[end].length, table[start].text,
                                      table[start].length) == 0)
      end++;
    for (size_t u = start; u < end; u++)
      table[u].total = (uint32_t)(end - start);
    start = end;
  }
  if (order_by_theme(&table, uses, themes)) {
    th_free(records);
    th_free(table);
    th_free(list);
    return -1;
  }
  size_t distinct = 0, theme_start = 0;
  for (size_t start = 0; start < uses;) {
    size_t end = start + 1;
    while (end < uses && table[end].theme == table[start].theme &&
           compare_text(table[end].text, table[end].length, table[start].text,
                        table[start].length) == 0)
      end++;
    list[distinct++] = (candidate){{0, table[start].text, table[start].length},
                                   table[start].words,
                                   (uint32_t)(end - start),
                                   table[start].total,
                                   0};
    int32_t theme = table[start].theme;
    if (end == uses || table[end].theme != theme) { /* the theme's candidates are complete */
      theme_keyphrases(list + theme_start, distinct - theme_start, records[theme], all_records,
                       best + (size_t)theme * TH_THEME_KEYPHRASES);
      theme_start = distinct;
    }
    start = end;
  }
  th_free(records);
  th_free(table);
  th_free(list);
  return 0;
}

/* The number of words of a keyphrase. */
static size_t word_count(const th_keyphrase *phrase) {
  size_t words = 1;
  for (size_t at = 0; at < phrase->length; at++)
    words += phrase->text[at] == ' ';
  return words;
}

/* Nonzero when a word of `a` and a word of `b` are the same but for a plural ending ("room",
 * "rooms"; "battery", "batteries"): a label naming it twice says it once. */
static int share_word(const th_keyphrase *a, const th_keyphrase *b) {
  for (size_t i = 0; i < a->length;) {
    size_t i_end = i;
    while (i_end < a->length && a->text[i_end] != ' ')
      i_end++;
    for (size_t j = 0; j < b->length;) {
      size_t j_end = j;
      while (j_end < b->length && b->text[j_end] != ' ')
        j_end++;
      const char *x = a->text + i, *y = b->text + j;
      size_t x_length = i_end - i, y_length = j_end - j;
      if (x_length > y_length) { /* x the shorter */
        const char *swap = x;
        x = y;
        y = swap;
        size_t swap_length = x_length;
        x_length = y_length;
        y_length = swap_length;
      }
      size_t stem = x_length;
      if (x_length >= 4 && x[x_length - 1] == 'y') /* battery / batteries */
        stem--;
      if (y_length - stem <= 3 && memcmp(x, y, stem) == 0 &&
          (y_length == x_length || y[stem] == 's' || y[stem] == 'e' || y[stem] == 'i'))
        return 1;
      j = j_end + 1;
    }
    i = i_end + 1;
  }
  return 0;
}

void th_theme_label(const th_keyphrase *mine, char *label, size_t size) {
  if (size == 0)
    return;
  label[0] = '\0';
  if (!mine[0].text)
    return;
  /* the best keyphrase, then the next ones that neither contain a chosen one nor share a word
   * with it, while the label stays within TH_LABEL_WORDS words; at most TH_LABEL_PHRASES */
  const th_keyphrase *chosen[TH_LABEL_PHRASES] = {&mine[0]};
  size_t kept = 1, words = word_count(&mine[0]);
  for (int p = 1; p < TH_THEME_KEYPHRASES && mine[p].text && kept < TH_LABEL_PHRASES; p++) {
    size_t more = word_count(&mine[p]);
    int fits = words + more <= TH_LABEL_WORDS;
    for (size_t k = 0; k < kept && fits; k++)
      fits = !contains_words(chosen[k], &mine[p]) && !contains_words(&mine[p], chosen[k]) &&
             !share_word(chosen[k], &mine[p]);
    if (!fits)
      continue;
    if (kept == 2 && words >= 2) /* a third phrase only to reach two words */
      break;
    chosen[kept++] = &mine[p];
    words += more;
  }
  /* two words of one keyphrase ("opera / soap" of "soap opera") are that keyphrase */
  for (int p = 1; p < TH_THEME_KEYPHRASES && mine[p].text && kept >= 2; p++)
    if (contains_words(&mine[p], chosen[0]) && contains_words(&mine[p], chosen[1]) &&
        word_count(&mine[p]) <= TH_LABEL_WORDS) {
      chosen[0] = &mine[p];
      kept = 1;
    }
  size_t used = 0;
  for (size_t k = 0; k < kept && used < size; k++) {
    snprintf(label + used, size - used, "%s%.*s", k ? " / " : "", (int)chosen[k]->length,
             chosen[k]->text);
    used += strlen(label + used);
  }
}
