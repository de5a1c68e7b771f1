/* tests/e2e/test_merge.c - `textpipe run --partial` on shards of an input and `textpipe merge`
 * give the report one run over the whole input gives: the same counts, the same sentiment
 * section and the same theme taxonomy counts; 64-bit ids keep every digit through partials;
 * partials of another pipeline are refused, naming the stage. Runs the built binary on the
 * default pipeline (pipelines/comments.json) over a generated corpus. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "check_main.h"
#include "e2e_process.h"

#define RECORDS 3000
#define SHARDS  3

static const char *const sentences[] = {
    "The delivery was fast and the staff were wonderful.",
    "Terrible service, I waited three weeks and nobody answered.",
    "The film was a beautiful, moving story with great acting.",
    "Taxes went up again and the economy is not getting any better.",
    "The battery died after two days, a complete waste of money.",
    "I love how simple the new app is to use.",
    "The council meeting discussed the budget for the new school.",
    "Prices at the shop are outrageous this year.",
    "The camera takes sharp pictures even at night.",
    "Honestly the plot made no sense and the ending was awful.",
    "Our train was late every single morning this week.",
    "The soup was delicious and the bread was fresh.",
    "Interest rates and inflation worry every family I know.",
    "The headphones are comfortable but the sound is thin.",
    "What a fantastic concert, the band played for three hours!",
    "The hospital staff were kind, though the wait was long.",
};

typedef struct paths {
  char folder[64], whole[96], pipeline[512], binary[512];
} paths;

static void setup_paths(paths *p) {
  snprintf(p->folder, sizeof p->folder, "/tmp/textpipe-merge-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(p->folder));
  snprintf(p->whole, sizeof p->whole, "%s/whole.ndjson", p->folder);
  const char *source = getenv("TEXTPIPE_SOURCE_ROOT");
  const char *binary = getenv("TEXTPIPE_BINARY");
  ck_assert_msg(source != NULL && binary != NULL, "TEXTPIPE_SOURCE_ROOT/BINARY not set");
  snprintf(p->pipeline, sizeof p->pipeline, "%s/pipelines/comments.json", source);
  snprintf(p->binary, sizeof p->binary, "%s", binary);
}

/* Writes the corpus: ids from `first_id` on (0: small ids), RECORDS records of 1-3 sentences;
 * shard files hold consecutive thirds. */
static void write_corpus(const paths *p, unsigned long long first_id) {
  FILE *whole = fopen(p->whole, "w");
  FILE *shard = NULL;
  ck_assert_ptr_nonnull(whole);
  unsigned int state = 12345;
  size_t count = sizeof sentences / sizeof *sentences;
  for (int n = 0; n < RECORDS; n++) {
    if (n % (RECORDS / SHARDS) == 0) {
      if (shard != NULL)
        fclose(shard);
      char name[128];
      snprintf(name, sizeof name, "%s/shard%d.ndjson", p->folder, n / (RECORDS / SHARDS));
      shard = fopen(name, "w");
      ck_assert_ptr_nonnull(shard);
    }
    char text[1024] = "";
    int parts = 1 + (int)((state = state * 1103515245u + 12345u) >> 16) % 3;
    for (int s = 0; s < parts; s++) {
      state = state * 1103515245u + 12345u;
      strcat(text, sentences[(state >> 16) % count]);
      strcat(text, " ");
    }
    char line[1200];
    if (first_id > 0)
      snprintf(line, sizeof line, "{\"id\":%llu,\"text\":\"%s\"}\n", first_id + (unsigned)n * 7,
               text);
    else
      snprintf(line, sizeof line, "{\"id\":%d,\"text\":\"%s\"}\n", n + 1, text);
    fputs(line, whole);
    fputs(line, shard);
  }
  fclose(shard);
  fclose(whole);
}

/* Runs the binary with `arguments` (NULL-terminated) to its end (at most 120 s). Returns its
 * exit status. */
static int run_binary(const paths *p, const char *const *arguments) {
  return e2e_wait(e2e_spawn(p->binary, arguments, NULL), 120);
}

static cJSON *load_json(const char *path) {
  FILE *file = fopen(path, "rb");
  ck_assert_ptr_nonnull(file);
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  rewind(file);
  char *text = malloc((size_t)size + 1);
  ck_assert_uint_eq(fread(text, 1, (size_t)size, file), (size_t)size);
  text[size] = '\0';
  fclose(file);
  cJSON *json = cJSON_Parse(text);
  free(text);
  ck_assert_ptr_nonnull(json);
  return json;
}

/* Whole run, three shard runs with --partial, merge. Leaves whole.json and merged.json. */
static void run_and_merge(const paths *p) {
  char report[128], merged[128];
  snprintf(report, sizeof report, "%s/whole.json", p->folder);
  snprintf(merged, sizeof merged, "%s/merged.json", p->folder);
  const char *whole_run[] = {"run",       p->pipeline, "-i",   p->whole, "-o",
                             "/dev/null", "--report",  report, "-q",     NULL};
  ck_assert_int_eq(run_binary(p, whole_run), 0);
  char shard[SHARDS][128], partial[SHARDS][128], offset[SHARDS][32];
  for (int s = 0; s < SHARDS; s++) {
    snprintf(shard[s], sizeof shard[s], "%s/shard%d.ndjson", p->folder, s);
    snprintf(partial[s], sizeof partial[s], "%s/part%d.json", p->folder, s);
    snprintf(offset[s], sizeof offset[s], "%d", s * (RECORDS / SHARDS));
    const char *shard_run[] = {"run",       p->pipeline, "-i",       shard[s],        "-o",
                               "/dev/null", "--partial", partial[s], "--line-offset", offset[s],
                               "-q",        NULL};
    ck_assert_int_eq(run_binary(p, shard_run), 0);
  }
  const char *merge[] = {"merge", partial[0], partial[1], partial[2], "--report", merged, NULL};
  ck_assert_int_eq(run_binary(p, merge), 0);
}

/* Equal, except that a mean (a float sum divided) may differ in its last printed digit: sums
 * added in another order round differently, as with another worker count. */
static int json_close(const cJSON *a, const cJSON *b) {
  if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
    return fabs(a->valuedouble - b->valuedouble) <= 1.01e-4;
  if ((a->type & 0xFF) != (b->type & 0xFF))
    return 0;
  if (cJSON_IsArray(a) || cJSON_IsObject(a)) {
    const cJSON *x = a->child, *y = b->child;
    for (; x != NULL && y != NULL; x = x->next, y = y->next)
      if ((x->string != NULL && strcmp(x->string, y->string) != 0) || !json_close(x, y))
        return 0;
    return x == NULL && y == NULL;
  }
  return cJSON_Compare(a, b, 1);
}

static const cJSON *section(const cJSON *report, const char *stage, const char *key) {
  const cJSON *sections = cJSON_GetObjectItemCaseSensitive(report, "sections");
  const cJSON *found =
      cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sections, stage), key);
  ck_assert_msg(found != NULL, "no sections.%s.%s", stage, key);
  return found;
}

static void remove_folder(const paths *p) {
  char command[128];
  snprintf(command, sizeof command, "rm -rf '%s'", p->folder);
  ck_assert_int_eq(system(command), 0);
}

START_TEST(shards_merge_into_the_whole_report) {
  paths p;
  setup_paths(&p);
  write_corpus(&p, 0);
  run_and_merge(&p);
  char path[128];
  snprintf(path, sizeof path, "%s/whole.json", p.folder);
  cJSON *whole = load_json(path);
  snprintf(path, sizeof path, "%s/merged.json", p.folder);
  cJSON *merged = load_json(path);
  const cJSON *counts = cJSON_GetObjectItemCaseSensitive(merged, "counts");
  ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(counts, "in")->valueint, RECORDS);
  ck_assert(cJSON_Compare(counts, cJSON_GetObjectItemCaseSensitive(whole, "counts"), 1));
  const cJSON *sentiment_whole = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(whole, "sections"), "sentiment");
  const cJSON *sentiment_merged = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(merged, "sections"), "sentiment");
  ck_assert_ptr_nonnull(sentiment_whole);
  ck_assert_msg(json_close(sentiment_whole, sentiment_merged), "sentiment sections differ");
  const cJSON *taxonomy_whole = section(whole, "theme", "taxonomy");
  const cJSON *taxonomy_merged = section(merged, "theme", "taxonomy");
  ck_assert_int_eq(cJSON_GetArraySize(taxonomy_whole), cJSON_GetArraySize(taxonomy_merged));
  ck_assert_int_gt(cJSON_GetArraySize(taxonomy_whole), 0);
  for (int i = 0; i < cJSON_GetArraySize(taxonomy_whole); i++) {
    const cJSON *a = cJSON_GetArrayItem(taxonomy_whole, i);
    const cJSON *b = cJSON_GetArrayItem(taxonomy_merged, i);
    ck_assert_str_eq(cJSON_GetObjectItem(a, "name")->valuestring,
                     cJSON_GetObjectItem(b, "name")->valuestring);
    ck_assert_int_eq(cJSON_GetObjectItem(a, "count")->valueint,
                     cJSON_GetObjectItem(b, "count")->valueint);
  }
  cJSON_Delete(whole);
  cJSON_Delete(merged);
  remove_folder(&p);
}
END_TEST

/* Ids from 1234567890123456789 on: every id the merged report names is one of the input's, to
 * the last digit (partials print such ids raw; the host keeps their text when reading back). */
START_TEST(big_ids_keep_their_digits) {
  paths p;
  setup_paths(&p);
  const unsigned long long first = 1234567890123456789ull;
  write_corpus(&p, first);
  run_and_merge(&p);
  char path[128];
  snprintf(path, sizeof path, "%s/merged.json", p.folder);
  FILE *file = fopen(path, "r");
  ck_assert_ptr_nonnull(file);
  char word[64];
  int seen = 0, c, length = 0;
  while ((c = fgetc(file)) != EOF) {
    if (c >= '0' && c <= '9' && length < 63) {
      word[length++] = (char)c;
      continue;
    }
    word[length] = '\0';
    if (length == 19) { /* an id: first + 7k for some k < RECORDS */
      unsigned long long id = strtoull(word, NULL, 10);
      ck_assert_msg(id >= first && (id - first) % 7 == 0 && (id - first) / 7 < RECORDS,
                    "id %s is not an input id", word);
      seen++;
    }
    ck_assert_msg(!(c == 'e' && length > 0 && fgetc(file) == '+'), "an id printed as a float");
    length = 0;
  }
  fclose(file);
  ck_assert_int_gt(seen, 10);
  remove_folder(&p);
}
END_TEST

/* A partial of another pipeline (other stages) is refused, naming where it differs. */
START_TEST(partials_of_another_pipeline_are_refused) {
  paths p;
  setup_paths(&p);
  write_corpus(&p, 0);
  char partial[128], other[128], pipeline[600];
  snprintf(partial, sizeof partial, "%s/tokenize.json", p.folder);
  snprintf(other, sizeof other, "%s/full.json", p.folder);
  snprintf(pipeline, sizeof pipeline, "%s/../tokenize-only.json", p.pipeline);
  char *slash = strrchr(p.pipeline, '/');
  snprintf(pipeline, sizeof pipeline, "%.*s/tokenize-only.json", (int)(slash - p.pipeline),
           p.pipeline);
  const char *first[] = {"run",       pipeline,    "-i",    p.whole, "-o",
                         "/dev/null", "--partial", partial, "-q",    NULL};
  ck_assert_int_eq(run_binary(&p, first), 0);
  const char *second[] = {"run",       p.pipeline,  "-i",  p.whole, "-o",
                          "/dev/null", "--partial", other, "-q",    NULL};
  ck_assert_int_eq(run_binary(&p, second), 0);
  const char *merge[] = {"merge", other, partial, NULL};
  ck_assert_int_eq(run_binary(&p, merge), 2);
  remove_folder(&p);
}
END_TEST

static Suite *merge_suite(void) {
  Suite *suite = suite_create("merge");
  TCase *shards = tcase_create("shards");
  tcase_set_timeout(shards, 120);
  tcase_add_test(shards, shards_merge_into_the_whole_report);
  tcase_add_test(shards, big_ids_keep_their_digits);
  tcase_add_test(shards, partials_of_another_pipeline_are_refused);
  suite_add_tcase(suite, shards);
  return suite;
}

int main(void) {
  return tp_check_run(merge_suite());
}
