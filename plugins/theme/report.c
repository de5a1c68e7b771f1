/* plugins/theme/report.c - finish(): the theme plugin's report section.
 *
 *   {"records": N,
 *    "taxonomy": [{"name", "count", "share", "mean_sentiment"?, "examples": [ids]}],
 *    "discovered": [{"id", "label", "size", "share", "mean_sentiment"?, "keyphrases",
 *                    "representatives": [ids], "members": [ids]?, "online_ids": [...]}]}
 * Discovered themes come from re-clustering the retained records (refine.h) with the final
 * document frequencies; each online theme then goes to the discovered theme most of its
 * retained records were assigned to, and every record to the theme of its online theme, so
 * that a record's theme_id, the themes' online_ids and members agree. Themes are numbered
 * 1.. by size; when only a sample was retained, sizes are the sample's shares scaled to the
 * stream. Keyphrases and labels: labels.h.
 * When the run discards the section (host->report_wanted is 0) only "records" is written,
 * and discovery still runs when model_out asks for the model file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "parallel.h"
#include "extract.h"
#include "labels.h"
#include "plugin.h"
#include "refine.h"

#define TH_CLUSTER_LIMIT 8192 /* records clustered at finish; the others are assigned */

static int compare_doc_lines(const void *left, const void *right) {
  const th_doc *a = *(th_doc *const *)left, *b = *(th_doc *const *)right;
  return (a->line > b->line) - (a->line < b->line);
}

static int taxonomy_section(const th_instance *instance, const th_partial *partial,
                            cJSON *section) {
  cJSON *list = cJSON_AddArrayToObject(section, "taxonomy");
  if (!list)
    return -1;
  size_t themes = th_taxonomy_theme_count(instance->taxonomy);
  size_t *order = th_alloc((themes + 1) * sizeof(size_t));
  if (!order)
    return -1;
  for (size_t t = 0; t < themes; t++)
    order[t] = t;
  for (size_t i = 1; i < themes; i++) { /* insertion sort: count desc, then file order */
    size_t current = order[i], j = i;
    while (j > 0 && partial->tax[order[j - 1]].count < partial->tax[current].count) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = current;
  }
  int status = 0;
  for (size_t i = 0; i < themes && status == 0; i++) {
    const th_tax_stats *stats = &partial->tax[order[i]];
    cJSON *item = cJSON_CreateObject();
    cJSON *examples = cJSON_CreateArray();
    status |= th_json_add(list, NULL, item) |
              th_json_add(item, "name",
                          cJSON_CreateString(th_taxonomy_theme_name(instance->taxonomy, order[i])));
    if (status) {
      cJSON_Delete(examples);
      break;
    }
    status |= th_json_add(item, "count", cJSON_CreateNumber((double)stats->count));
    status |=
        th_json_add(item, "share",
                    cJSON_CreateNumber(
                        partial->records ? th_round4((double)stats->count / partial->records) : 0));
    if (stats->sentiment_count)
      status |=
          th_json_add(item, "mean_sentiment",
                      cJSON_CreateNumber(th_round4(stats->sentiment_sum / stats->sentiment_count)));
    status |= th_json_add(item, "examples", examples);
    for (uint32_t e = 0; e < stats->example_count && status == 0; e++)
      status |= th_json_add(examples, NULL,
                            th_id_json(stats->examples[e].id, stats->examples[e].id_is_string));
  }
  th_free(order);
  return status;
}

/* A JSON string of `length` bytes of `text`; NULL on OOM. */
static cJSON *string_of(const char *text, size_t length) {
  char buffer[256];
  if (length >= sizeof buffer)
    length = sizeof buffer - 1;
  memcpy(buffer, text, length);
  buffer[length] = '\0';
  return cJSON_CreateString(buffer);
}

typedef struct online_pair {
  uint64_t online;
  int32_t theme;
} online_pair;

static int compare_pairs(const void *left, const void *right) {
  const online_pair *a = left, *b = right;
  if (a->online != b->online)
    return (a->online > b->online) - (a->online < b->online);
  return (a->theme > b->theme) - (a->theme < b->theme);
}

/* The position of `online` in the sorted pairs, or -1. */
static int64_t find_online(const online_pair *pairs, size_t count, uint64_t online) {
  size_t low = 0, high = count;
  while (low < high) {
    size_t middle = (low + high) / 2;
    if (pairs[middle].online < online)
      low = middle + 1;
    else
      high = middle;
  }
  return low < count && pairs[low].online == online ? (int64_t)low : -1;
}

/* The theme with most votes in row[0..themes-1], or -1 when none has any; ties go to the one
 * with most votes in `tie` (when not NULL), then to the lower. */
static int32_t most_voted(const uint32_t *row, const uint32_t *tie, uint32_t themes) {
  int32_t best = -1;
  for (uint32_t j = 0; j < themes; j++)
    if (row[j] > 0 &&
        (best < 0 || row[j] > row[best] || (row[j] == row[best] && tie && tie[j] > tie[best])))
      best = (int32_t)j;
  return best;
}

typedef struct {
  int64_t loss; /* the id's votes for its theme minus its votes for the empty theme */
  uint32_t theme;
  size_t pair;
} id_move;

static int compare_moves(const void *left, const void *right) {
  const id_move *a = left, *b = right;
  if (a->loss != b->loss)
    return (a->loss > b->loss) - (a->loss < b->loss);
  if (a->theme != b->theme)
    return (a->theme > b->theme) - (a->theme < b->theme);
  return (a->pair > b->pair) - (a->pair < b->pair);
}

/* So that the number of themes asked for is honoured: while a theme holds no online id that a
 * retained record carries, it takes, among the ids of themes holding two or more such ids and
 * with a vote for it, the id whose move loses least agreement with the k-means labels (its
 * votes for its current theme minus those for the empty theme, least first over all empty
 * themes; ties: lower theme, then lower id). Records keep their id; only its theme changes.
 * A move's loss never changes and a move that became impossible (its theme filled, its donor
 * down to one id) stays so, so one pass over the moves sorted by loss is that greedy. */
static void give_every_theme_an_id(online_pair *pairs, size_t count, const uint32_t *votes,
                                   uint32_t themes) {
  uint32_t *held = th_calloc(themes + 1, sizeof(uint32_t));
  size_t move_count = 0;
  for (size_t p = 0; p < count; p++) {
    uint32_t total = 0;
    for (uint32_t j = 0; j < themes; j++)
      total += votes[p * themes + j];
    if (held)
      held[pairs[p].theme] += total > 0;
  }
  for (size_t p = 0; held && p < count; p++)
    for (uint32_t j = 0; j < themes; j++)
      move_count += !held[j] && votes[p * themes + j] > 0;
  id_move *moves = held && move_count ? th_alloc(move_count * sizeof(id_move)) : NULL;
  if (moves) { /* else (none, or OOM) the majority mapping stands */
    size_t at = 0;
    for (size_t p = 0; p < count; p++)
      for (uint32_t j = 0; j < themes; j++)
        if (!held[j] && votes[p * themes + j] > 0)
          moves[at++] =
              (id_move){(int64_t)votes[p * themes + pairs[p].theme] - votes[p * themes + j], j, p};
    qsort(moves, move_count, sizeof(id_move), compare_moves);
    for (size_t m = 0; m < move_count; m++) {
      online_pair *pair = &pairs[moves[m].pair];
      if (held[moves[m].theme] || held[pair->theme] < 2)
        continue;
      held[pair->theme]--;
      held[moves[m].theme]++;
      pair->theme = (int32_t)moves[m].theme;
    }
  }
  th_free(moves);
  th_free(held);
}

/* Maps every online id to one discovered theme: the theme that most of its retained records
 * (those whose theme_id is that id) were assigned to; when none was retained, the theme most
 * of the retained records of the online theme now holding the id went to; else the theme of
 * the nearest centroid to that online theme, else theme `fallback`. Ids are the finest unit:
 * an online theme that merge() folded together from several workers' keeps each worker's id.
 * Returns the pairs sorted by online id (*pair_count of them), or NULL on OOM. */
static online_pair *map_online(const th_online *online, const th_model *model, th_doc **docs,
                               const int32_t *labels, size_t count, uint32_t themes,
                               int32_t fallback, size_t *pair_count) {
  size_t total = 0;
  for (size_t m = 0; m < online->count; m++)
    total += online->micros[m].id_count;
  online_pair *pairs = th_alloc((total + 1) * sizeof(online_pair));
  uint32_t *votes = th_calloc(total * themes + 1, sizeof(uint32_t));
  uint32_t *micro_votes = th_calloc(online->count * themes + 1, sizeof(uint32_t));
  uint32_t *hashes = th_alloc((TH_ONLINE_VOCABULARY + 1) * sizeof(uint32_t));
  float *weights = th_alloc((TH_ONLINE_VOCABULARY + 1) * sizeof(float));
  if (!pairs || !votes || !micro_votes || !hashes || !weights) {
    th_free(pairs);
    pairs = NULL;
    goto done;
  }
  /* first every online id with the index of the online theme that holds it */
  size_t at = 0;
  for (size_t m = 0; m < online->count; m++)
    for (size_t i = 0; i < online->micros[m].id_count; i++)
      pairs[at++] = (online_pair){online->micros[m].ids[i], (int32_t)m};
  qsort(pairs, at, sizeof(online_pair), compare_pairs);
  for (size_t i = 0; i < count; i++) {
    int64_t position = docs[i]->online ? find_online(pairs, at, docs[i]->online) : -1;
    if (position < 0 || labels[i] < 0)
      continue;
    votes[(size_t)position * themes + (size_t)labels[i]]++;
    micro_votes[(size_t)pairs[position].theme * themes + (size_t)labels[i]]++;
  }
  for (size_t p = 0; p < at; p++) {
    size_t micro = (size_t)pairs[p].theme;
    /* an id split evenly between themes goes where more of its online theme went */
    int32_t best = most_voted(votes + p * themes, micro_votes + micro * themes, themes);
    if (best < 0)
      best = most_voted(micro_votes + micro * themes, NULL, themes);
    if (best < 0) {
      size_t terms = th_online_terms(online, micro, hashes, weights, TH_ONLINE_VOCABULARY);
      best = th_model_nearest(model, hashes, weights, terms, NULL);
    }
    pairs[p].theme = best >= 0 ? best : fallback;
  }
  give_every_theme_an_id(pairs, at, votes, themes);
  *pair_count = at;
done:
  th_free(votes);
  th_free(micro_votes);
  th_free(hashes);
  th_free(weights);
  return pairs;
}

/* The most themes chosen among when the configuration leaves the number open: max_themes, and
 * at most about sqrt(records / 2) (at least 2), so that a handful of records is not cut into
 * as many themes. */
static uint32_t chosen_bound(size_t records, uint32_t max_themes) {
  uint32_t k = (uint32_t)lround(sqrt((double)records / 2.0));
  if (k < 2)
    k = 2;
  return k > max_themes ? max_themes : k;
}

/* "chosen": how the number of themes was chosen (themes 0): the criterion, the bound and the
 * modularity at each count measured. 0, or -1 on OOM. */
static int chosen_section(const th_model *model, uint32_t maximum, uint32_t max_themes,
                          cJSON *section) {
  cJSON *chosen = cJSON_CreateObject(), *values = cJSON_CreateObject();
  int status = th_json_add(section, "chosen", chosen);
  if (status) {
    cJSON_Delete(values);
    return -1;
  }
  status |= th_json_add(chosen, "themes", cJSON_CreateNumber(model->themes));
  status |= th_json_add(chosen, "max_themes", cJSON_CreateNumber(max_themes));
  status |= th_json_add(chosen, "bound", cJSON_CreateNumber(maximum)); /* with sqrt(records/2) */
  status |= th_json_add(
      chosen, "criterion",
      cJSON_CreateString(model->quality_count
                             ? "the most themes within 2% of the highest modularity of the "
                               "records' similarity graph, merging over-clustered k-means clusters"
                             : "too few records to over-cluster: the bound"));
  status |= th_json_add(chosen, "modularity", values);
  for (uint32_t c = 2; c < model->quality_count && c <= maximum && status == 0; c++) {
    if (isnan(model->quality[c]))
      continue;
    char key[16];
    snprintf(key, sizeof key, "%u", c);
    status |= th_json_add(values, key, cJSON_CreateNumber(th_round4(model->quality[c])));
  }
  return status;
}

typedef struct theme_totals {
  size_t count;
  double sentiment_sum;
  size_t sentiment_count;
  uint32_t index;
} theme_totals;

static int compare_totals(const void *left, const void *right) {
  const theme_totals *a = left, *b = right;
  if (a->count != b->count)
    return a->count < b->count ? 1 : -1;
  return (a->index > b->index) - (a->index < b->index);
}

/* Writes one discovered theme (totals of theme `j`, numbered `rank` + 1). */
static int write_theme(const th_instance *instance, const th_partial *partial, cJSON *list,
                       th_doc **docs, const int32_t *labels, const float *similarity, size_t count,
                       const theme_totals *totals, size_t rank, const th_keyphrase *phrases,
                       const online_pair *pairs, size_t pair_count) {
  uint32_t j = totals->index;
  int all = count == partial->records;
  double size = all ? (double)totals->count
                    : round((double)totals->count * (double)partial->records / (double)count);
  cJSON *item = cJSON_CreateObject();
  if (th_json_add(list, NULL, item))
    return -1;
  const th_keyphrase *mine = phrases + (size_t)j * TH_THEME_KEYPHRASES;
  char label[256];
  th_theme_label(mine, label, sizeof label);
  int status = th_json_add(item, "id", cJSON_CreateNumber((double)(rank + 1)));
  status |= th_json_add(item, "label", cJSON_CreateString(label));
  status |= th_json_add(item, "size", cJSON_CreateNumber(size));
  status |= th_json_add(
      item, "share",
      cJSON_CreateNumber(th_round4(partial->records ? size / (double)partial->records : 0)));
  if (totals->sentiment_count)
    status |=
        th_json_add(item, "mean_sentiment",
                    cJSON_CreateNumber(th_round4(totals->sentiment_sum / totals->sentiment_count)));
  cJSON *keyphrases = cJSON_CreateArray();
  status |= th_json_add(item, "keyphrases", keyphrases);
  for (int p = 0; status == 0 && p < TH_THEME_KEYPHRASES && mine[p].text; p++)
    status |= th_json_add(keyphrases, NULL, string_of(mine[p].text, mine[p].length));
  cJSON *representatives = cJSON_CreateArray();
  status |= th_json_add(item, "representatives", representatives);
  size_t previous = SIZE_MAX;
  for (uint32_t r = 0; status == 0 && r < instance->representatives; r++) {
    /* the next most similar member, in (similarity desc, line asc) order */
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < count; i++) {
      if (labels[i] != (int32_t)j || docs[i]->term_count == 0)
        continue; /* a record without terms represents nothing */
      if (previous != SIZE_MAX && (similarity[i] > similarity[previous] ||
                                   (similarity[i] == similarity[previous] && i <= previous)))
        continue;
      if (best == SIZE_MAX || similarity[i] > similarity[best])
        best = i;
    }
    if (best == SIZE_MAX)
      break;
    status |=
        th_json_add(representatives, NULL, th_id_json(docs[best]->id, docs[best]->id_is_string));
    previous = best;
  }
  if (instance->members && status == 0) {
    cJSON *members = cJSON_CreateArray();
    status |= th_json_add(item, "members", members);
    for (size_t i = 0; i < count && status == 0; i++)
      if (labels[i] == (int32_t)j)
        status |= th_json_add(members, NULL, th_id_json(docs[i]->id, docs[i]->id_is_string));
  }
  cJSON *online = cJSON_CreateArray();
  status |= th_json_add(item, "online_ids", online);
  for (size_t p = 0; p < pair_count && status == 0; p++)
    if (pairs[p].theme == (int32_t)j)
      status |= th_json_add(online, NULL, cJSON_CreateNumber((double)pairs[p].online));
  return status;
}

static int compare_doc_priorities(const void *left, const void *right) {
  const th_doc *a = *(th_doc *const *)left, *b = *(th_doc *const *)right;
  if (a->priority != b->priority)
    return (a->priority > b->priority) - (a->priority < b->priority);
  return (a->line > b->line) - (a->line < b->line);
}

/* Clusters the docs (in line order) into *model, filling labels and similarity for every doc.
 * At most TH_CLUSTER_LIMIT of them (with members, all records are kept) take part in the
 * clustering itself: the bottom of the sampling order, in line order, so the cost of finish
 * stays bounded; the others are assigned to their nearest final centroid. terms and
 * term_counts are scratch arrays of `count` entries. *priority_limit is set to the largest
 * sampling priority clustered. 0, or -1 on OOM. */
static int cluster(th_doc **docs, size_t count, const th_sketch *sketch,
                   const th_refine_options *options, const th_term **terms, uint32_t *term_counts,
                   th_model *model, int32_t *labels, float *similarity, uint64_t *priority_limit) {
  *priority_limit = UINT64_MAX;
  if (count <= TH_CLUSTER_LIMIT) {
    for (size_t i = 0; i < count; i++) {
      terms[i] = docs[i]->terms;
      term_counts[i] = docs[i]->term_count;
    }
    return th_refine(terms, term_counts, count, sketch, options, model, labels, similarity);
  }
  th_doc **chosen = th_alloc(count * sizeof(th_doc *));
  int32_t *chosen_labels = th_alloc(TH_CLUSTER_LIMIT * sizeof(int32_t));
  float *chosen_similarity = th_alloc(TH_CLUSTER_LIMIT * sizeof(float));
  int status = -1;
  if (!chosen || !chosen_labels || !chosen_similarity)
    goto done;
  memcpy(chosen, docs, count * sizeof(th_doc *));
  qsort(chosen, count, sizeof(th_doc *), compare_doc_priorities);
  *priority_limit = chosen[TH_CLUSTER_LIMIT - 1]->priority;
  qsort(chosen, TH_CLUSTER_LIMIT, sizeof(th_doc *), compare_doc_lines);
  for (size_t i = 0; i < TH_CLUSTER_LIMIT; i++) {
    terms[i] = chosen[i]->terms;
    term_counts[i] = chosen[i]->term_count;
  }
  if (th_refine(terms, term_counts, TH_CLUSTER_LIMIT, sketch, options, model, chosen_labels,
                chosen_similarity))
    goto done;
  /* both lists are in line order: walk them together */
  size_t next = 0;
  for (size_t i = 0; i < count; i++) {
    if (next < TH_CLUSTER_LIMIT && chosen[next] == docs[i]) {
      labels[i] = chosen_labels[next];
      similarity[i] = chosen_similarity[next++];
    } else {
      labels[i] = th_model_assign(model, docs[i]->terms, docs[i]->term_count, &similarity[i]);
    }
  }
  status = 0;
done:
  th_free(chosen);
  th_free(chosen_labels);
  th_free(chosen_similarity);
  return status;
}

static int discovered_section(const th_instance *instance, th_partial *partial, cJSON *section,
                              char *err, size_t err_size) {
  cJSON *list = cJSON_AddArrayToObject(section, "discovered");
  if (!list)
    return -1;
  size_t count = partial->doc_count, nonempty = 0;
  th_doc **docs = partial->docs;
  /* in place: finish() is the partial's last use, so the sample's heap order (and its keys,
   * th_partial.keys) need not survive it */
  if (count)
    qsort(docs, count, sizeof(th_doc *), compare_doc_lines);
  for (size_t i = 0; i < count; i++)
    nonempty += docs[i]->term_count > 0;
  if (nonempty == 0)
    return 0;
  uint32_t k = instance->themes ? instance->themes : chosen_bound(nonempty, instance->max_themes);
  if (k > nonempty)
    k = (uint32_t)nonempty;
  th_refine_options options = th_refine_defaults(k, instance->seed);
  options.vocabulary = instance->vocabulary;
  options.rarity = th_rarity(partial);
  options.choose = instance->themes == 0;
  /* the workers that fed the stream are idle now: one thread each for the restarts and the
   * smoothing (the same result with any number) */
  options.threads = partial->sources < TH_THREADS_MAX ? partial->sources : TH_THREADS_MAX;
  const th_term **terms = th_alloc(count * sizeof(th_term *));
  uint32_t *term_counts = th_alloc(count * sizeof(uint32_t));
  int32_t *labels = th_alloc(count * sizeof(int32_t));
  float *similarity = th_alloc(count * sizeof(float));
  theme_totals *totals = NULL;
  th_keyphrase *phrases = NULL;
  const char **record_phrases = th_alloc((count + 1) * sizeof(char *));
  online_pair *pairs = NULL;
  size_t pair_count = 0;
  th_model model = {0};
  int status = -1;
  if (!terms || !term_counts || !labels || !similarity || !record_phrases)
    goto done;
  uint64_t priority_limit = UINT64_MAX;
  if (cluster(docs, count, &partial->sketch, &options, terms, term_counts, &model, labels,
              similarity, &priority_limit))
    goto done;
  k = model.themes; /* chosen when the configuration leaves it open */
  totals = th_calloc(k, sizeof(theme_totals));
  phrases = th_alloc((size_t)k * TH_THEME_KEYPHRASES * sizeof(th_keyphrase));
  if (!totals || !phrases ||
      (options.choose && chosen_section(&model, options.themes, instance->max_themes, section)))
    goto done;
  for (uint32_t j = 0; j < k; j++)
    totals[j].index = j;
  uint32_t largest = 0;
  for (size_t i = 0; i < count; i++)
    if (labels[i] >= 0)
      totals[labels[i]].count++;
  for (uint32_t j = 1; j < k; j++)
    if (totals[j].count > totals[largest].count)
      largest = j;
  pairs =
      map_online(&partial->online, &model, docs, labels, count, k, (int32_t)largest, &pair_count);
  if (!pairs)
    goto done;
  /* A record's theme is the one its online theme maps to, so that its theme_id, the
   * online_ids and the members agree; records without a known term follow it too. */
  for (size_t i = 0; i < count; i++) {
    if (!docs[i]->online)
      continue;
    int64_t position = find_online(pairs, pair_count, docs[i]->online);
    int32_t theme = position >= 0 ? pairs[position].theme : -1;
    if (theme >= 0 && theme != labels[i]) {
      if (labels[i] >= 0)
        totals[labels[i]].count--;
      labels[i] = theme;
      totals[theme].count++;
      similarity[i] = th_model_similarity(&model, docs[i]->terms, docs[i]->term_count, theme);
    }
  }
  for (size_t i = 0; i < count; i++) { /* and the rest joins the largest theme */
    if (labels[i] < 0) {               /* no term, no online theme: the largest theme */
      labels[i] = (int32_t)largest;
      similarity[i] = 0;
      totals[largest].count++;
    }
    if (!isnan(docs[i]->sentiment)) {
      totals[labels[i]].sentiment_sum += docs[i]->sentiment;
      totals[labels[i]].sentiment_count++;
    }
  }
  /* only records that were clustered (sampling priority up to the limit) bring phrases,
   * which bounds the work */
  for (size_t i = 0; i < count; i++)
    record_phrases[i] = docs[i]->priority <= priority_limit ? docs[i]->phrases : NULL;
  if (th_theme_keyphrases(record_phrases, labels, count, k, phrases))
    goto done;
  qsort(totals, k, sizeof(theme_totals), compare_totals);
  if (instance->model_out) {
    uint32_t ranked[k], ranked_count = 0;
    while (ranked_count < k && totals[ranked_count].count > 0) {
      ranked[ranked_count] = totals[ranked_count].index;
      ranked_count++;
    }
    if (th_save_model(instance, partial, &model, docs, labels, count, ranked, ranked_count, phrases,
                      err, err_size))
      goto done;
  }
  status = 0;
  for (uint32_t rank = 0; rank < k && status == 0; rank++) {
    if (totals[rank].count == 0)
      continue;
    status = write_theme(instance, partial, list, docs, labels, similarity, count, &totals[rank],
                         rank, phrases, pairs, pair_count);
  }
done:
  th_model_release(&model);
  th_free(terms);
  th_free(term_counts);
  th_free(labels);
  th_free(similarity);
  th_free(totals);
  th_free(phrases);
  th_free(record_phrases);
  th_free(pairs);
  return status;
}

int th_report(void *instance_pointer, void *partial_pointer, cJSON *section, char *err,
              size_t err_size) {
  const th_instance *instance = instance_pointer;
  th_partial *partial = partial_pointer;
  if (err_size)
    err[0] = '\0';
  int status = th_json_add(section, "records", cJSON_CreateNumber((double)partial->records));
  /* Nobody reads the section (`run` without --report, host->report_wanted): only "records"
   * is written, and the clustering runs only when model_out needs its model. */
  int wanted = instance->host->report_wanted(instance->stage);
  if (status == 0 && wanted && instance->taxonomy)
    status = taxonomy_section(instance, partial, section);
  if (instance->saved) {
    if (status == 0 && wanted)
      status = th_apply_section(instance, partial, section);
  } else if (status == 0 && instance->discover && (wanted || instance->model_out)) {
    status = discovered_section(instance, partial, section, err, err_size);
  }
  if (status == 0 && wanted)
    status = th_report_blocks(section);
  if (status && !err[0])
    snprintf(err, err_size, "out of memory while writing the report");
  return status;
}
