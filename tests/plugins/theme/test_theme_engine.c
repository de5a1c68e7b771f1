/* tests/plugins/theme/test_theme_engine.c - the theme plugin's engine without the core:
 * taxonomy matching and theme file errors, online clustering and its merge, and the
 * end-of-stream clustering (terms, keyphrases, the sketch: test_theme_extract.c). Token arrays
 * come from tokens_helper.c. */
#include <check.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "check_main.h"
#include "common.h"
#include "extract.h"
#include "online.h"
#include "plugin.h"
#include "refine.h"
#include "taxonomy.h"
#include "tokens_helper.h"

static tp_text *tokenize(const char *text) {
  return theme_test_tokenize(text, strlen(text));
}

/* ---- taxonomy ---- */

static const char taxonomy_json[] =
    "{\"themes\": ["
    " {\"name\": \"Tax\", \"keywords\": [\"taxes\", {\"term\": \"vat\", \"weight\": 3}, \"tax\"],"
    "  \"phrases\": [\"council tax\"], \"exclude\": [\"taxi\"]},"
    " {\"name\": \"Civil service\", \"keywords\": [\"whitehall\"],"
    "  \"phrases\": [\"civil service\", \"speed of delivery\"]},"
    " {\"name\": \"Elections\", \"weight\": 0.5, \"keywords\": [\"vote\", \"election\"]},"
    " {\"name\": \"Power\", \"keywords\": [\"2024\"], \"phrases\": [\"in charge\", \"a lot\"]}]}";

static th_taxonomy *load_taxonomy(const char *json_text) {
  cJSON *json = cJSON_Parse(json_text);
  ck_assert_ptr_nonnull(json);
  char err[256] = "";
  th_taxonomy *taxonomy = th_taxonomy_from_json(json, "t.json", err, sizeof err);
  cJSON_Delete(json);
  ck_assert_msg(taxonomy != NULL, "%s", err);
  return taxonomy;
}

typedef struct match_case {
  const char *text;
  const char *expected; /* "name:score:matched|matched;..." best first, "" for none */
} match_case;

static const match_case match_cases[] = {
    /* a keyword matches the stem of a token ("taxes" -> stem "tax" = token stem); "tax" in
     * the file has the same stem, so it is the same term and counts once */
    {"I pay tax.", "Tax:0.5:taxes"},
    /* found through its stem alone: no term's first word has the norm's length and first
     * letter (the taxonomy's shape filter must not pass over it) */
    {"no taxing here", "Tax:0.5:taxes"},
    /* weights: vat counts 3 -> 3/4 */
    {"VAT again", "Tax:0.75:vat"},
    /* a phrase across tokens (weight 2); its "tax" also counts for the keyword, which so
     * occurs twice: raw 2 + (1 + ln 2) = 3.69 */
    {"council tax and taxes", "Tax:0.7869:council tax|taxes"},
    /* punctuation breaks a phrase */
    {"civil, service", ""},
    {"The civil service is slow", "Civil service:0.6667:civil service"},
    /* a phrase with a stopword inside */
    {"speed of delivery matters", "Civil service:0.6667:speed of delivery"},
    /* an exclusion removes its theme from the record */
    {"tax on every taxi", ""},
    /* a theme weight: one keyword x 0.5 -> 1/3, under the 0.5 threshold */
    {"vote now", ""},
    {"vote in the election", "Elections:0.5:vote|election"},
    /* ranking: higher score first */
    {"whitehall and the civil service, the election", "Civil service:0.75:whitehall|civil "
                                                      "service"},
    /* terms whose first word is no content word for extraction (a stopword, a number, a
     * word of one letter): the tokens it lists for the matcher must include them (a keyword
     * and a phrase: raw 1 + 2 = 3 -> 0.75) */
    {"Who is in charge?", "Power:0.6667:in charge"},
    {"since 2024 and a lot", "Power:0.75:2024|a lot"},
    /* the matcher's pair filter (a phrase's first two words' shapes) must let through a
     * phrase whose second word matches by its stem alone ("taxes": stem "tax")... */
    {"council taxes rise", "Tax:0.75:council tax|taxes"},
    /* ...and one whose first word does ("speeds": stem "speed") */
    {"speeds of delivery", "Civil service:0.6667:speed of delivery"},
    /* a phrase's first word at the end of the record starts nothing */
    {"the civil", ""},
};

/* How a test reaches the matcher: th_taxonomy_match's own walk over the tokens, or the tokens
 * th_features_extract lists for th_taxonomy_match_at (the plugin's way), which must give the
 * same hits. */
enum { WALKED, EXTRACTED };

/* The themes `text` matches at threshold 0.5, as match_case.expected writes them, found `how`. */
static void describe_matches(const th_taxonomy *taxonomy, const tp_text *text,
                             th_tax_scratch *scratch, int how, char *got, size_t size) {
  int hits;
  if (how == EXTRACTED) {
    th_scratch features = {.tax_shapes = th_taxonomy_shapes(taxonomy)};
    ck_assert_int_eq(th_features_extract(text, 1, 1, &features), 0);
    hits = th_taxonomy_match_at(taxonomy, text, features.tax_starts, features.tax_start_count, 0.5,
                                scratch);
    th_scratch_release(&features);
  } else {
    hits = th_taxonomy_match(taxonomy, text, 0.5, scratch);
  }
  got[0] = '\0';
  for (int h = 0; h < hits; h++) {
    const th_tax_hit *hit = &scratch->hits[h];
    size_t used = strlen(got);
    snprintf(got + used, size - used, "%s%s:%.4g:", h ? ";" : "",
             th_taxonomy_theme_name(taxonomy, hit->theme), hit->score);
    for (uint32_t m = 0; m < hit->matched_count; m++) {
      used = strlen(got);
      snprintf(got + used, size - used, "%s%s", m ? "|" : "", hit->matched[m]);
    }
  }
}

/* Runs match case `c`, reaching the matcher `how`; with `stems_in_norms`, the tokens' stems
 * point into their norms wherever the stem is the norm or a prefix of it, as tokenize stores
 * them ("tax" of "taxing"), which the taxonomy's shape filter must not mistake for the norm
 * itself. */
static void check_match_case(const match_case *c, int stems_in_norms, int how) {
  th_taxonomy *taxonomy = load_taxonomy(taxonomy_json);
  th_tax_scratch scratch = {0};
  tp_text *text = tokenize(c->text);
  for (size_t i = 0; stems_in_norms && i < text->token_count; i++) {
    tp_token *token = (tp_token *)TP_TEXT_TOKEN(text, i);
    if (token->stem_length <= token->norm_length &&
        memcmp(token->stem, token->norm, token->stem_length) == 0)
      token->stem = token->norm;
  }
  char got[512];
  describe_matches(taxonomy, text, &scratch, how, got, sizeof got);
  ck_assert_str_eq(got, c->expected);
  theme_test_text_free(text);
  th_tax_scratch_release(&scratch);
  th_taxonomy_free(taxonomy);
}

START_TEST(taxonomy_matches) {
  check_match_case(&match_cases[_i], 0, WALKED);
}
END_TEST

START_TEST(taxonomy_matches_stems_inside_norms) {
  check_match_case(&match_cases[_i], 1, WALKED);
}
END_TEST

/* The same cases through the tokens extraction lists for the matcher (theme.c's way). */
START_TEST(taxonomy_matches_extracted_starts) {
  check_match_case(&match_cases[_i / 2], _i % 2, EXTRACTED);
}
END_TEST

START_TEST(taxonomy_ranks_by_score) {
  th_taxonomy *taxonomy = load_taxonomy(taxonomy_json);
  th_tax_scratch scratch = {0};
  tp_text *text = tokenize("VAT, whitehall");
  ck_assert_int_eq(th_taxonomy_match(taxonomy, text, 0.0, &scratch), 2);
  ck_assert_str_eq(th_taxonomy_theme_name(taxonomy, scratch.hits[0].theme), "Tax");
  ck_assert_str_eq(th_taxonomy_theme_name(taxonomy, scratch.hits[1].theme), "Civil service");
  ck_assert_int_eq(th_taxonomy_match(taxonomy, text, 0.7, &scratch), 1);
  theme_test_text_free(text);
  th_tax_scratch_release(&scratch);
  th_taxonomy_free(taxonomy);
}
END_TEST

/* A theme file of 300 terms: their first words' hashes share slots of the taxonomy's hash
 * index (open addressing, a quarter full), and three phrases share the first word
 * "council". Every term must be found, whatever slot its first word landed in. */
START_TEST(taxonomy_index_finds_every_term) {
  enum { WORDS = 300 };
  char word[WORDS][8];
  size_t size = 64 + WORDS * 16, used = 0;
  char *json_text = malloc(size);
  ck_assert_ptr_nonnull(json_text);
  used += (size_t)snprintf(json_text, size,
                           "{\"themes\": [{\"name\": \"Council\", \"phrases\": [\"council tax\", "
                           "\"council housing\", \"council budget\"]}, {\"name\": \"Words\", "
                           "\"keywords\": [");
  for (int w = 0; w < WORDS; w++) { /* "zqaam", "zqabm", ...: distinct, letters only */
    snprintf(word[w], sizeof word[w], "zq%c%cm", 'a' + w / 26, 'a' + w % 26);
    used += (size_t)snprintf(json_text + used, size - used, "%s\"%s\"", w ? ", " : "", word[w]);
  }
  snprintf(json_text + used, size - used, "]}]}");
  th_taxonomy *taxonomy = load_taxonomy(json_text);
  free(json_text);
  th_tax_scratch scratch = {0};
  char got[512], expected[64];
  for (int w = 0; w < WORDS; w++) {
    tp_text *text = tokenize(word[w]);
    snprintf(expected, sizeof expected, "Words:0.5:%s", word[w]);
    for (int how = WALKED; how <= EXTRACTED; how++) {
      describe_matches(taxonomy, text, &scratch, how, got, sizeof got);
      ck_assert_str_eq(got, expected);
    }
    theme_test_text_free(text);
  }
  const char *const council[] = {"council tax", "council housing", "council budget"};
  for (int c = 0; c < 3; c++) {
    tp_text *text = tokenize(council[c]);
    snprintf(expected, sizeof expected, "Council:0.6667:%s", council[c]);
    for (int how = WALKED; how <= EXTRACTED; how++) {
      describe_matches(taxonomy, text, &scratch, how, got, sizeof got);
      ck_assert_str_eq(got, expected);
    }
    theme_test_text_free(text);
  }
  tp_text *text = tokenize("zqzz council meeting"); /* no term starts with either */
  for (int how = WALKED; how <= EXTRACTED; how++) {
    describe_matches(taxonomy, text, &scratch, how, got, sizeof got);
    ck_assert_str_eq(got, "");
  }
  theme_test_text_free(text);
  th_tax_scratch_release(&scratch);
  th_taxonomy_free(taxonomy);
}
END_TEST

typedef struct error_case {
  const char *json;
  const char *message;
} error_case;

static const error_case error_cases[] = {
    {"{}", "t.json: themes: expected a non-empty array of theme objects"},
    {"{\"themes\": [{\"keywords\": [\"a\"]}]}",
     "t.json: themes[0].name: expected a non-empty string"},
    {"{\"themes\": [{\"name\": \"A\", \"keywords\": [\"a\"]}, {\"name\": \"A\", \"keywords\": "
     "[\"b\"]}]}",
     "t.json: themes[1].name: \"A\" is already themes[0]"},
    {"{\"themes\": [{\"name\": \"A\", \"keywords\": [{\"term\": \"a\", \"weight\": -1}]}]}",
     "t.json: themes[0].keywords[0].weight: expected a number above 0, at most 100"},
    {"{\"themes\": [{\"name\": \"A\", \"keywords\": [3]}]}",
     "t.json: themes[0].keywords[0]: expected a non-empty string or {\"term\": string, "
     "\"weight\": number}"},
    {"{\"themes\": [{\"name\": \"A\", \"exclude\": [\"a\"]}]}",
     "t.json: themes[0]: needs at least one keyword or phrase"},
    {"{\"themes\": [{\"name\": \"A\", \"phrases\": \"a b\"}]}",
     "t.json: themes[0].phrases: expected an array"},
    {"{\"language\": \"klingon\", \"themes\": [{\"name\": \"A\", \"keywords\": [\"a\"]}]}",
     "t.json: language: \"klingon\" is not a Snowball language"},
    {"{\"themes\": [{\"name\": \"A\", \"weight\": 0, \"keywords\": [\"a\"]}]}",
     "t.json: themes[0].weight: expected a number above 0"},
    {"{\"themes\": [{\"name\": \"A\", \"keyword\": [\"a\"]}]}",
     "t.json: themes[0].keyword: unknown key; allowed keys: name, description, weight, "
     "keywords, phrases, exclude"},
    {"{\"theme\": [], \"themes\": [{\"name\": \"A\", \"keywords\": [\"a\"]}]}",
     "t.json: theme: unknown key; allowed keys: name, description, language, themes"},
};

START_TEST(taxonomy_errors_name_the_path) {
  cJSON *json = cJSON_Parse(error_cases[_i].json);
  ck_assert_ptr_nonnull(json);
  char err[256] = "";
  ck_assert_ptr_null(th_taxonomy_from_json(json, "t.json", err, sizeof err));
  ck_assert_str_eq(err, error_cases[_i].message);
  cJSON_Delete(json);
}
END_TEST

START_TEST(taxonomy_file_syntax_error_has_line_and_column) {
  char path[] = "/tmp/theme-taxonomy-XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  const char text[] = "{\n  \"themes\": [\n    {\"name\" 1}\n  ]\n}\n";
  ck_assert_int_eq(write(fd, text, sizeof text - 1), (int)(sizeof text - 1));
  close(fd);
  char err[512] = "", expected[512];
  ck_assert_ptr_null(th_taxonomy_load(path, err, sizeof err));
  snprintf(expected, sizeof expected, "%s:3:13: invalid JSON", path);
  ck_assert_str_eq(err, expected);
  unlink(path);
  ck_assert_ptr_null(th_taxonomy_load(path, err, sizeof err));
  snprintf(expected, sizeof expected, "%s: cannot open: No such file or directory", path);
  ck_assert_str_eq(err, expected);
}
END_TEST

/* ---- online clustering ---- */

static void unit_vector(size_t count, float *weights) {
  for (size_t i = 0; i < count; i++)
    weights[i] = (float)(1.0 / sqrt((double)count));
}

START_TEST(online_joins_similar_and_founds_new) {
  th_online online;
  th_online_init(&online, 8, 0.3);
  uint32_t a[] = {10, 20, 30}, b[] = {10, 20, 40}, c[] = {500, 600};
  float weights[3];
  uint64_t id = 0;
  unit_vector(3, weights);
  ck_assert_int_eq(th_online_assign(&online, a, weights, 3, 5, 0.5, &id), 0);
  ck_assert_uint_eq(id, 5); /* founded by line 5 */
  ck_assert_int_eq(th_online_assign(&online, b, weights, 3, 6, NAN, &id), 0);
  ck_assert_uint_eq(id, 5); /* joined */
  unit_vector(2, weights);
  ck_assert_int_eq(th_online_assign(&online, c, weights, 2, 9, -1.0, &id), 0);
  ck_assert_uint_eq(id, 9);
  ck_assert_int_eq(th_online_assign(&online, c, weights, 0, 10, NAN, &id), 0);
  ck_assert_uint_eq(id, 0); /* no terms: no theme */
  ck_assert_uint_eq(online.count, 2);
  ck_assert_uint_eq(online.micros[0].count, 2);
  ck_assert_uint_eq(online.micros[0].sentiment_count, 1);
  ck_assert_double_eq(online.micros[1].sentiment_sum, -1.0);
  th_online_release(&online);
}
END_TEST

START_TEST(online_limit_forces_joining) {
  th_online online;
  th_online_init(&online, 2, 0.9);
  float one = 1;
  uint64_t id = 0;
  for (uint32_t term = 1; term <= 5; term++)
    ck_assert_int_eq(th_online_assign(&online, &term, &one, 1, term, NAN, &id), 0);
  ck_assert_uint_eq(online.count, 2);
  ck_assert_uint_eq(online.micros[0].count + online.micros[1].count, 5);
  th_online_release(&online);
}
END_TEST

/* The online table is allocated without clearing it and a new row clears only the columns of
 * the themes in use (online.c): over memory full of non-zero bytes, a theme founded after some
 * rows exist, and rows taken again after a prune, still hold only the weights added to them. */
static void *dirty_alloc(size_t size) {
  void *memory = malloc(size);
  if (memory)
    memset(memory, 0xa5, size); /* each float reads about -2.9e-16: not zero */
  return memory;
}

static void expect_only_unit_weights(const th_online *online, size_t theme, size_t expected) {
  static uint32_t hashes[TH_ONLINE_VOCABULARY];
  static float weights[TH_ONLINE_VOCABULARY];
  size_t found = th_online_terms(online, theme, hashes, weights, TH_ONLINE_VOCABULARY);
  ck_assert_uint_eq(found, expected);
  for (size_t i = 0; i < found; i++)
    ck_assert_float_eq(weights[i], 1.0f);
}

START_TEST(online_cells_start_empty_over_dirty_memory) {
  th_memory_use(dirty_alloc, realloc, free);
  th_online online;
  th_online_init(&online, 2, 0.9);
  float one = 1;
  uint64_t id = 0;
  uint32_t first = 1, second = 2;
  ck_assert_int_eq(th_online_assign(&online, &first, &one, 1, 1, NAN, &id), 0);
  ck_assert_int_eq(th_online_assign(&online, &second, &one, 1, 2, NAN, &id), 0);
  ck_assert_uint_eq(online.count, 2);
  expect_only_unit_weights(&online, 0, 1); /* theme 1's column was added after row 0 existed */
  expect_only_unit_weights(&online, 1, 1);
  /* every later record (one new term, cosine 0 to both) joins theme 0; past
   * TH_ONLINE_VOCABULARY terms the table is pruned to a quarter and rows are taken again */
  uint32_t terms = TH_ONLINE_VOCABULARY + 100;
  for (uint32_t term = 3; term <= terms; term++)
    ck_assert_int_eq(th_online_assign(&online, &term, &one, 1, term, NAN, &id), 0);
  ck_assert_uint_eq(online.live, TH_ONLINE_VOCABULARY / 4 + 100);
  size_t theme_1 = th_online_terms(&online, 1, (uint32_t[1]){0}, (float[1]){0}, 1);
  expect_only_unit_weights(&online, 0, online.live - theme_1);
  expect_only_unit_weights(&online, 1, theme_1);
  th_online_release(&online);
  th_memory_use(malloc, realloc, free);
}
END_TEST

/* Every live row of the term table is found by probing from its hash's home slot, and only
 * live rows are in the table. */
static void expect_table_finds_every_row(const th_online *online) {
  uint32_t mask = online->table_size - 1, filled = 0;
  for (uint32_t slot = 0; slot < online->table_size; slot++)
    filled += (uint32_t)online->slots[slot] != 0;
  ck_assert_uint_eq(filled, online->live);
  for (uint32_t row = 0; row < online->live; row++) {
    uint32_t hash = online->row_hash[row], slot = th_hash_slot(hash) & mask;
    while ((uint32_t)online->slots[slot] != hash + 1u) {
      ck_assert_uint_ne((uint32_t)online->slots[slot], 0); /* an empty slot ends the probe */
      slot = (slot + 1) & mask;
    }
    ck_assert_uint_eq(online->slots[slot] >> 32, row);
  }
}

/* th_online_assign inserts a record's new terms from where their lookup's probe stopped, and
 * probes from the home slot again once a prune (in the middle of a record here: 40 terms a
 * record, a quarter of them seen a little earlier, over 3 x TH_ONLINE_VOCABULARY distinct
 * terms) emptied the table. The terms' home slots are all among the table's first 1024, so
 * their probes run long and stop far from home. */
START_TEST(online_table_finds_every_row_across_prunes) {
  th_online online;
  th_online_init(&online, 4, 0.2);
  enum { RECENT = 512 };
  uint32_t hashes[40], recent[RECENT], state = 7u, random = 11u, fresh = 0;
  float weights[40];
  uint64_t id = 0;
  int prunes = 0;
  for (uint64_t line = 1; fresh < 2 * TH_ONLINE_VOCABULARY; line++) {
    for (size_t i = 0; i < 40; i++) {
      random = random * 1103515245u + 12345u;
      if ((random >> 30) == 0 && fresh > RECENT) {
        hashes[i] = recent[(random >> 16) % RECENT];
      } else {
        do /* the next hash (distinct: the generator's period is 2^32) with a low home slot */
          state = state * 1664525u + 1013904223u;
        while ((th_hash_slot(state) & (2 * TH_ONLINE_VOCABULARY - 1)) >= 4096);
        hashes[i] = recent[fresh++ % RECENT] = state;
      }
      for (size_t j = 0; j < i; j++) /* a record's terms are distinct */
        if (hashes[j] == hashes[i]) {
          hashes[i--] = 0;
          break;
        }
      weights[i] = 1.0f / (1.0f + (float)i);
    }
    uint32_t live = online.live;
    ck_assert_int_eq(th_online_assign(&online, hashes, weights, 40, line, NAN, &id), 0);
    if (online.live < live) { /* pruned (checking every record would take minutes) */
      prunes++;
      expect_table_finds_every_row(&online);
    }
  }
  expect_table_finds_every_row(&online);
  ck_assert_int_ge(prunes, 2);
  th_online_release(&online);
}
END_TEST

/* Leaders (leaders.c): inside one online theme, a record near a leader takes its id, one far
 * from every leader founds its own while the theme has room, then joins the nearest; a leader
 * is its record's TH_LEADER_TERMS heaviest terms. */
START_TEST(online_leaders_give_finer_ids) {
  th_online online;
  th_online_init(&online, 1, 0.9); /* one online theme: every record joins it */
  uint32_t a[] = {1, 2, 3, 4}, b[] = {1, 2, 3, 5}, c[] = {1, 6, 7, 8};
  float weights[TH_LEADER_TERMS + 8];
  uint64_t id = 0;
  unit_vector(4, weights);
  ck_assert_int_eq(th_online_assign(&online, a, weights, 4, 1, NAN, &id), 0);
  ck_assert_uint_eq(id, 1);
  ck_assert_int_eq(th_online_assign(&online, b, weights, 4, 2, NAN, &id), 0);
  ck_assert_uint_eq(id, 1); /* cosine 0.75 to the leader of line 1 */
  ck_assert_int_eq(th_online_assign(&online, c, weights, 4, 3, NAN, &id), 0);
  ck_assert_uint_eq(id, 3); /* cosine 0.25: an id of its own, in the same online theme */
  /* a long record: 8 lighter terms, then TH_LEADER_TERMS heavier ones; its leader keeps these */
  uint32_t long_terms[TH_LEADER_TERMS + 8];
  double norm = 0;
  for (uint32_t i = 0; i < TH_LEADER_TERMS + 8; i++) {
    long_terms[i] = 100 + i;
    weights[i] = i < 8 ? 0.9f : 1.0f;
    norm += (double)weights[i] * weights[i];
  }
  for (uint32_t i = 0; i < TH_LEADER_TERMS + 8; i++)
    weights[i] = (float)(weights[i] / sqrt(norm));
  ck_assert_int_eq(th_online_assign(&online, long_terms, weights, TH_LEADER_TERMS + 8, 4, NAN, &id),
                   0);
  ck_assert_uint_eq(id, 4);
  unit_vector(TH_LEADER_TERMS, weights);
  ck_assert_int_eq(th_online_assign(&online, long_terms + 8, weights, TH_LEADER_TERMS, 5, NAN, &id),
                   0);
  ck_assert_uint_eq(id, 4); /* the heavy terms: cosine 1 to the leader */
  unit_vector(8, weights);
  ck_assert_int_eq(th_online_assign(&online, long_terms, weights, 8, 6, NAN, &id), 0);
  ck_assert_uint_eq(id,
                    6); /* the lighter terms: cosine 0.54 to the whole record, 0 to its leader */
  /* records of terms of their own found ids until the theme holds TH_LEADERS_MAX */
  uint32_t leaders = 4;
  for (uint32_t line = 10; leaders < TH_LEADERS_MAX; line++, leaders++) {
    uint32_t own = 1000 + line;
    float one = 1;
    ck_assert_int_eq(th_online_assign(&online, &own, &one, 1, line, NAN, &id), 0);
    ck_assert_uint_eq(id, line);
  }
  ck_assert_uint_eq(online.micros[0].id_count, TH_LEADERS_MAX);
  unit_vector(4, weights);
  ck_assert_int_eq(th_online_assign(&online, b, weights, 4, 999, NAN, &id), 0);
  ck_assert_uint_eq(id, 1); /* full: the nearest leader's id */
  uint32_t lone = 5000;
  float one = 1;
  ck_assert_int_eq(th_online_assign(&online, &lone, &one, 1, 1000, NAN, &id), 0);
  ck_assert_uint_ne(id, 1000); /* full: no new id, even for a record far from all */
  ck_assert_uint_eq(online.micros[0].id_count, TH_LEADERS_MAX);
  ck_assert_uint_eq(online.count, 1);
  th_online_release(&online);
}
END_TEST

/* The leader index (leaders.c) keeps each term's postings contiguous and lays them out again
 * whenever a leader is added: over records drawn from a small vocabulary (so that many leaders
 * share terms and a term's postings move at every rebuild), each record's id is the one a plain
 * cosine to every leader gives: the nearest leader's when it reaches TH_LEADER_SIMILARITY or
 * the theme is full, else the record's own line, which makes it a leader. */
typedef struct plain_leader {
  uint64_t id;
  uint32_t count;
  uint32_t hashes[TH_LEADER_TERMS];
  float weights[TH_LEADER_TERMS];
} plain_leader;

static uint64_t plain_leader_choose(plain_leader *leaders, uint32_t *leader_count,
                                    const uint32_t *hashes, const float *weights, uint32_t count,
                                    uint64_t line) {
  uint32_t best = 0;
  double best_similarity = 0;
  for (uint32_t l = 0; l < *leader_count; l++) {
    double similarity = 0; /* the record's terms in order, as leaders.c sums them */
    for (uint32_t i = 0; i < count; i++)
      for (uint32_t k = 0; k < leaders[l].count; k++)
        if (leaders[l].hashes[k] == hashes[i])
          similarity += (double)weights[i] * leaders[l].weights[k];
    if (l == 0 || similarity > best_similarity) {
      best = l;
      best_similarity = similarity;
    }
  }
  if (*leader_count && (best_similarity >= TH_LEADER_SIMILARITY || *leader_count >= TH_LEADERS_MAX))
    return leaders[best].id;
  plain_leader *leader = &leaders[(*leader_count)++];
  th_ranked order[64]; /* the tests' records have fewer terms */
  for (uint32_t i = 0; i < count; i++)
    order[i] = (th_ranked){i, weights[i]};
  th_select_top(order, count, TH_LEADER_TERMS);
  leader->id = line;
  leader->count = count < TH_LEADER_TERMS ? count : TH_LEADER_TERMS;
  double norm = 0;
  for (uint32_t k = 0; k < leader->count; k++)
    norm += (double)order[k].weight * order[k].weight;
  for (uint32_t k = 0; k < leader->count; k++) {
    leader->hashes[k] = hashes[order[k].index];
    leader->weights[k] = (float)(order[k].weight / sqrt(norm));
  }
  return line;
}

/* Vocabularies: a small one, where the leaders hold most terms, and a large one, where most of
 * a record's terms are in no leader (leaders.c's filter passes them over). */
static const uint32_t leader_vocabularies[] = {60, 5000};

START_TEST(online_leaders_match_plain_cosines) {
  uint32_t vocabulary = leader_vocabularies[_i];
  th_online online;
  th_online_init(&online, 1, 0.9); /* one online theme: every record joins it */
  plain_leader leaders[TH_LEADERS_MAX];
  uint32_t leader_count = 0, founded = 0;
  uint64_t random = 7;
  for (uint64_t line = 1; line <= 3000; line++) {
    uint32_t count = 1 + (uint32_t)(th_random_next(&random) % 24), hashes[24];
    float weights[24];
    double norm = 0;
    for (uint32_t i = 0; i < count; i++) {
      uint32_t hash;
      int repeated;
      do { /* distinct terms from the vocabulary */
        hash = 1 + (uint32_t)(th_random_next(&random) % vocabulary);
        repeated = 0;
        for (uint32_t j = 0; j < i; j++)
          repeated |= hashes[j] == hash;
      } while (repeated);
      hashes[i] = hash;
      weights[i] = (float)(0.1 + th_random_unit(&random));
      norm += (double)weights[i] * weights[i];
    }
    for (uint32_t i = 0; i < count; i++)
      weights[i] = (float)(weights[i] / sqrt(norm));
    uint64_t id = 0;
    uint64_t expected = plain_leader_choose(leaders, &leader_count, hashes, weights, count, line);
    ck_assert_int_eq(th_online_assign(&online, hashes, weights, count, line, NAN, &id), 0);
    ck_assert_uint_eq(id, expected);
    founded += expected == line;
  }
  ck_assert_uint_eq(founded, TH_LEADERS_MAX); /* the theme filled up: every rebuild was used */
  th_online_release(&online);
}
END_TEST

/* A record joining a theme adds its weights to the theme's cells: a new term's row starts at
 * its weight (online.c writes it without reading the cell back), a known term's cell grows by
 * it, and the theme's squared length follows each change; the cells start on a cache line. */
START_TEST(online_cells_sum_the_weights_added) {
  th_online online;
  th_online_init(&online, 1, 0.9); /* one online theme: every record joins it */
  enum { VOCABULARY = 500 };
  static float expected[VOCABULARY + 1];
  double norm2 = 0;
  uint64_t random = 11;
  for (uint64_t line = 1; line <= 400; line++) {
    uint32_t count = 1 + (uint32_t)(th_random_next(&random) % 40), hashes[40];
    float weights[40];
    uint32_t start = 1 + (uint32_t)(th_random_next(&random) % (VOCABULARY - 40));
    for (uint32_t i = 0; i < count; i++) { /* distinct: consecutive from a random start */
      hashes[i] = start + i;
      weights[i] = (float)th_random_unit(&random);
    }
    for (uint32_t i = 0; i < count; i++) {
      double old = expected[hashes[i]];
      expected[hashes[i]] += weights[i];
      norm2 += (double)expected[hashes[i]] * expected[hashes[i]] - old * old;
    }
    uint64_t id = 0;
    ck_assert_int_eq(th_online_assign(&online, hashes, weights, count, line, NAN, &id), 0);
  }
  ck_assert_uint_eq((uintptr_t)online.weights % TH_CACHE_LINE, 0);
  static uint32_t hashes[VOCABULARY];
  static float weights[VOCABULARY];
  size_t found = th_online_terms(&online, 0, hashes, weights, VOCABULARY);
  size_t nonzero = 0;
  for (uint32_t hash = 1; hash <= VOCABULARY; hash++)
    nonzero += expected[hash] != 0;
  ck_assert_uint_eq(found, nonzero);
  for (size_t i = 0; i < found; i++)
    ck_assert_float_eq(weights[i], expected[hashes[i]]);
  ck_assert_double_eq(online.micros[0].norm2, norm2);
  th_online_release(&online);
}
END_TEST

/* Fills `online` with three themes from lines base+1.. over disjoint term ranges. */
static void three_themes(th_online *online, uint32_t base, uint32_t term_base) {
  th_online_init(online, 3, 0.5);
  for (uint32_t theme = 0; theme < 3; theme++) {
    uint32_t terms[2] = {term_base + theme * 2, term_base + theme * 2 + 1};
    float weights[2];
    unit_vector(2, weights);
    uint64_t id = 0;
    ck_assert_int_eq(th_online_assign(online, terms, weights, 2, base + theme + 1, NAN, &id), 0);
  }
}

START_TEST(online_merge_folds_down_to_limit) {
  th_online into, from;
  three_themes(&into, 0, 100);
  three_themes(&from, 10, 102); /* its first two themes equal into's last two */
  into.limit = 4;
  ck_assert_int_eq(th_online_merge(&into, &from), 0);
  ck_assert_uint_eq(from.count, 0);
  ck_assert_uint_eq(into.count, 4);
  /* lines 2 and 11 had the same terms (102, 103), so did 3 and 12 */
  uint64_t total = 0;
  size_t ids = 0;
  for (size_t m = 0; m < into.count; m++) {
    total += into.micros[m].count;
    ids += into.micros[m].id_count;
  }
  ck_assert_uint_eq(total, 6);
  ck_assert_uint_eq(ids, 6);
  ck_assert_uint_eq(into.micros[1].ids[0], 2);
  ck_assert_uint_eq(into.micros[1].ids[1], 11);
  ck_assert_uint_eq(into.micros[2].ids[0], 3);
  ck_assert_uint_eq(into.micros[2].ids[1], 12);
  th_online_release(&into);
}
END_TEST

/* ---- end-of-stream clustering ---- */

#define GROUP_DOCS 30

/* 3 groups of GROUP_DOCS records over their own 6 terms (3 each, varying), plus a shared
 * term in all of them, and one record without terms. */
static void grouped_docs(th_term docs[][4], uint32_t *counts, size_t *count, th_sketch *sketch) {
  uint64_t random = 7;
  size_t n = 0;
  ck_assert_int_eq(th_sketch_init(sketch, 4096, 4), 0);
  for (int round = 0; round < GROUP_DOCS; round++) {
    for (uint32_t group = 0; group < 3; group++) {
      uint32_t used = 0;
      docs[n][used++] = (th_term){2000, 1}; /* shared by everyone */
      while (used < 4) {
        uint32_t hash = 100 * (group + 1) + (uint32_t)(th_random_next(&random) % 6) * 2;
        int seen = 0;
        for (uint32_t u = 0; u < used; u++)
          seen |= docs[n][u].hash == hash;
        if (!seen)
          docs[n][used++] = (th_term){hash, 1};
      }
      counts[n] = used;
      for (uint32_t u = 0; u < used; u++)
        th_sketch_add(sketch, docs[n][u].hash);
      sketch->documents++;
      n++;
    }
  }
  counts[n++] = 0; /* a record without terms */
  sketch->documents++;
  *count = n;
}

/* grouped_docs' records with the term pointers th_refine takes. */
typedef struct grouped {
  th_term docs[3 * GROUP_DOCS + 1][4];
  uint32_t counts[3 * GROUP_DOCS + 1];
  const th_term *terms[3 * GROUP_DOCS + 1];
  size_t count;
  th_sketch sketch;
} grouped;

static void grouped_build(grouped *g) {
  grouped_docs(g->docs, g->counts, &g->count, &g->sketch);
  for (size_t i = 0; i < g->count; i++)
    g->terms[i] = g->docs[i];
}

START_TEST(refine_separates_groups_deterministically) {
  static grouped g;
  grouped_build(&g);
  const th_term *const *terms = g.terms;
  const uint32_t *counts = g.counts;
  size_t count = g.count;
  th_sketch sketch = g.sketch;
  int32_t labels[2][3 * GROUP_DOCS + 1];
  float similarity[3 * GROUP_DOCS + 1];
  for (int run = 0; run < 2; run++) {
    th_refine_options options = th_refine_defaults(3, 11);
    th_model model;
    ck_assert_int_eq(
        th_refine(terms, counts, count, &sketch, &options, &model, labels[run], similarity), 0);
    ck_assert_uint_eq(model.themes, 3);
    /* a record of group g must be with the other records of group g and no other */
    for (size_t i = 0; i < count - 1; i++) {
      ck_assert_int_ge(labels[run][i], 0);
      ck_assert_int_eq(labels[run][i] == labels[run][i % 3], 1);
      ck_assert_int_ne(labels[run][i], labels[run][(i + 1) % 3]);
    }
    ck_assert_int_eq(labels[run][count - 1], -1);
    /* assigning a record to the model agrees with the clustering */
    for (size_t i = 0; i < count - 1; i++) {
      float assigned_similarity = 0;
      ck_assert_int_eq(th_model_assign(&model, terms[i], counts[i], &assigned_similarity),
                       labels[run][i]);
      ck_assert_float_gt(assigned_similarity, 0);
    }
    float none = 1;
    ck_assert_int_eq(th_model_assign(&model, terms[count - 1], 0, &none), -1);
    ck_assert_float_eq(none, 0);
    /* the model maps a group's terms to that group's theme */
    uint32_t probe[] = {100, 102};
    float weights[] = {0.7f, 0.7f};
    ck_assert_int_eq(th_model_nearest(&model, probe, weights, 2, NULL), labels[run][0]);
    th_model_release(&model);
  }
  ck_assert_mem_eq(labels[0], labels[1], sizeof labels[0]);
  th_sketch_release(&sketch);
}
END_TEST

/* The column-major copy (th_model_by_column) changes how the centroids are read, not what is
 * summed: every record, and every mix of two records' terms with repeated counts, gets the
 * same theme and the same similarity, bit for bit, as from the row-major centroids. */
START_TEST(model_by_column_assigns_the_same) {
  static grouped g;
  grouped_build(&g);
  int32_t labels[3 * GROUP_DOCS + 1];
  float similarity[3 * GROUP_DOCS + 1];
  th_refine_options options = th_refine_defaults(3, 5);
  th_model model;
  ck_assert_int_eq(
      th_refine(g.terms, g.counts, g.count, &g.sketch, &options, &model, labels, similarity), 0);
  ck_assert_ptr_null(model.by_column);
  enum { MIXES = 3 * GROUP_DOCS };
  th_term mixes[MIXES][8];
  uint32_t mix_counts[MIXES];
  int32_t row_major[MIXES + 3 * GROUP_DOCS];
  float row_similarity[MIXES + 3 * GROUP_DOCS];
  for (size_t i = 0; i < MIXES; i++) {
    size_t other = (i * 7 + 1) % (g.count - 1), used = 0;
    for (uint32_t t = 0; t < g.counts[i]; t++)
      mixes[i][used++] = (th_term){g.docs[i][t].hash, 1 + (uint32_t)(i % 3)};
    for (uint32_t t = 0; t < g.counts[other] && t < 2; t++)
      mixes[i][used++] = g.docs[other][t];
    mix_counts[i] = (uint32_t)used;
  }
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1)
      ck_assert_int_eq(th_model_by_column(&model), 0);
    for (size_t i = 0; i < MIXES + g.count - 1; i++) {
      const th_term *probe = i < MIXES ? mixes[i] : g.terms[i - MIXES];
      size_t probe_count = i < MIXES ? mix_counts[i] : g.counts[i - MIXES];
      float assigned = 0;
      int32_t theme = th_model_assign(&model, probe, probe_count, &assigned);
      if (pass == 0) {
        row_major[i] = theme;
        row_similarity[i] = assigned;
      } else {
        ck_assert_int_eq(theme, row_major[i]);
        ck_assert_mem_eq(&assigned, &row_similarity[i], sizeof assigned);
      }
    }
  }
  ck_assert_ptr_nonnull(model.by_column);
  th_model_release(&model);
  ck_assert_ptr_null(model.by_column);
  th_sketch_release(&g.sketch);
}
END_TEST

/* th_model_sums_by_column (8 lanes wide on AVX2) against one theme at a time from the
 * row-major centroids, bit for bit: theme counts that fill whole vectors and leave every
 * remainder, terms outside the vocabulary, repeated counts, more terms than a block of 16. */
START_TEST(model_sums_equal_one_theme_at_a_time) {
  enum { COLUMNS = 40, TERMS = 37 };
  uint32_t themes = 1 + (uint32_t)_i;
  uint64_t random = 17 + (uint64_t)_i;
  th_model model = {.themes = themes, .vocabulary = COLUMNS, .table_size = 128};
  model.table_keys = th_calloc(model.table_size, sizeof(uint32_t));
  model.table_index = th_calloc(model.table_size, sizeof(uint32_t));
  model.idf = th_alloc(COLUMNS * sizeof(float));
  model.centroids = th_alloc((size_t)themes * COLUMNS * sizeof(float));
  ck_assert_ptr_nonnull(model.centroids);
  uint32_t hashes[2 * COLUMNS]; /* the first COLUMNS are the vocabulary's, the rest unknown */
  for (uint32_t c = 0; c < 2 * COLUMNS; c++)
    hashes[c] = th_hash_mix(1000 + c);
  for (uint32_t c = 0; c < COLUMNS; c++) {
    uint32_t slot = th_hash_slot(hashes[c]) & (model.table_size - 1);
    while (model.table_keys[slot])
      slot = (slot + 1) & (model.table_size - 1);
    model.table_keys[slot] = hashes[c] + 1;
    model.table_index[slot] = c;
    model.idf[c] = (float)(1 + 3 * th_random_unit(&random));
  }
  for (size_t cell = 0; cell < (size_t)themes * COLUMNS; cell++)
    model.centroids[cell] = (float)(th_random_unit(&random) - 0.3);
  ck_assert_int_eq(th_model_by_column(&model), 0);
  th_term terms[TERMS];
  for (size_t i = 0; i < TERMS; i++)
    terms[i] = (th_term){hashes[th_random_next(&random) % (2 * COLUMNS)],
                         1 + (uint32_t)(th_random_next(&random) % 3)};
  float sums[themes + 1], plain[themes + 1];
  for (uint32_t j = 0; j <= themes; j++)
    sums[j] = plain[j] = 0.5f * (float)j; /* the sums are added to; past the last: untouched */
  double norm = 0, plain_norm = 0;
  th_model_sums_by_column(&model, terms, TERMS, sums, &norm);
  for (size_t i = 0; i < TERMS; i++) {
    int64_t column = th_model_column(&model, terms[i].hash);
    if (column < 0)
      continue;
    double weight =
        (terms[i].count == 1 ? 1.0 : 1.0 + log((double)terms[i].count)) * model.idf[column];
    plain_norm += weight * weight;
    for (uint32_t j = 0; j < themes; j++)
      plain[j] += (float)(weight * model.centroids[(size_t)j * COLUMNS + (size_t)column]);
  }
  ck_assert_mem_eq(sums, plain, (themes + 1) * sizeof(float));
  ck_assert_mem_eq(&norm, &plain_norm, sizeof norm);
  th_model_release(&model);
}
END_TEST

/* ---- the retained sample ---- */

/* Without `members`, a partial keeps the `sample` records of lowest priority (a hash of the
 * seed and the input line; ties: the lower line), whatever order they come in: a max-heap whose
 * keys (partial.c) must move with its docs. */
START_TEST(sample_keeps_the_lowest_priorities) {
  enum { SAMPLE = 37, LINES = 3000 };
  th_instance instance = {.seed = 5, .vocabulary = 1024, .sample = SAMPLE, .online_limit = 4};
  th_partial *partial = th_partial_new(&instance);
  ck_assert_ptr_nonnull(partial);
  static uint64_t priorities[LINES];
  for (uint64_t line = 1; line <= LINES; line++) {
    uint64_t priority = th_doc_priority(instance.seed, line);
    priorities[line - 1] = priority;
    if (!th_partial_wants(&instance, partial, priority, line))
      continue;
    th_doc *doc = th_doc_new(0, 0, 0);
    ck_assert_ptr_nonnull(doc);
    doc->line = line;
    doc->priority = priority;
    ck_assert_int_eq(th_partial_keep(&instance, partial, doc), 0);
  }
  ck_assert_uint_eq(partial->doc_count, SAMPLE);
  /* the SAMPLE-th lowest priority: every kept doc is at or below it, and none repeats */
  uint64_t sorted[LINES];
  memcpy(sorted, priorities, sizeof sorted);
  for (size_t i = 1; i < LINES; i++) /* insertion sort: a test, a few thousand items */
    for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
      uint64_t swap = sorted[j];
      sorted[j] = sorted[j - 1];
      sorted[j - 1] = swap;
    }
  ck_assert_uint_lt(sorted[SAMPLE - 1], sorted[SAMPLE]); /* no tie at the boundary */
  for (size_t i = 0; i < SAMPLE; i++) {
    const th_doc *doc = partial->docs[i];
    ck_assert_uint_eq(doc->priority, priorities[doc->line - 1]);
    ck_assert_uint_le(doc->priority, sorted[SAMPLE - 1]);
    for (size_t j = 0; j < i; j++)
      ck_assert_uint_ne(partial->docs[j]->line, doc->line);
  }
  th_partial_free(&instance, partial);
}
END_TEST

static Suite *theme_engine_suite(void) {
  Suite *suite = suite_create("theme-engine");
  TCase *taxonomy = tcase_create("taxonomy");
  tcase_add_loop_test(taxonomy, taxonomy_matches, 0,
                      (int)(sizeof match_cases / sizeof match_cases[0]));
  tcase_add_loop_test(taxonomy, taxonomy_matches_stems_inside_norms, 0,
                      sizeof match_cases / sizeof match_cases[0]);
  tcase_add_loop_test(taxonomy, taxonomy_matches_extracted_starts, 0,
                      (int)(2 * sizeof match_cases / sizeof match_cases[0]));
  tcase_add_test(taxonomy, taxonomy_ranks_by_score);
  tcase_add_test(taxonomy, taxonomy_index_finds_every_term);
  tcase_add_loop_test(taxonomy, taxonomy_errors_name_the_path, 0,
                      (int)(sizeof error_cases / sizeof error_cases[0]));
  tcase_add_test(taxonomy, taxonomy_file_syntax_error_has_line_and_column);
  suite_add_tcase(suite, taxonomy);
  TCase *online = tcase_create("online clustering");
  tcase_add_test(online, online_joins_similar_and_founds_new);
  tcase_add_test(online, online_limit_forces_joining);
  tcase_add_test(online, online_cells_start_empty_over_dirty_memory);
  tcase_add_test(online, online_table_finds_every_row_across_prunes);
  tcase_add_test(online, online_leaders_give_finer_ids);
  tcase_add_loop_test(online, online_leaders_match_plain_cosines, 0,
                      sizeof leader_vocabularies / sizeof leader_vocabularies[0]);
  tcase_add_test(online, online_cells_sum_the_weights_added);
  tcase_add_test(online, online_merge_folds_down_to_limit);
  suite_add_tcase(suite, online);
  TCase *refine = tcase_create("end-of-stream clustering");
  tcase_add_test(refine, refine_separates_groups_deterministically);
  tcase_add_test(refine, model_by_column_assigns_the_same);
  tcase_add_loop_test(refine, model_sums_equal_one_theme_at_a_time, 0, 24);
  suite_add_tcase(suite, refine);
  TCase *sample = tcase_create("retained sample");
  tcase_add_test(sample, sample_keeps_the_lowest_priorities);
  suite_add_tcase(suite, sample);
  return suite;
}

int main(void) {
  return tp_check_run(theme_engine_suite());
}
