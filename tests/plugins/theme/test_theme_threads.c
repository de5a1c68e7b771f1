/* tests/plugins/theme/test_theme_threads.c - the threaded finish (restarts.c, smooth.c,
 * parallel.c): th_refine with 2, 3 and 4 threads gives the same model, labels, similarities
 * and modularity curve, bit for bit, as with 1 (the serial path); threads are really created
 * for it; and when thread creation fails the jobs run on the calling thread with the same
 * result. */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "common.h"
#include "extract.h"
#include "parallel.h"
#include "kmeans.h"
#include "refine.h"

/* Enough records that smoothing splits its rows (256 a range) over 4 threads. */
#define RECORDS 1300
#define TOPICS  7
#define TERMS   12

/* RECORDS records drawn from TOPICS topics of 40 terms each (mostly their own, sometimes any
 * topic's), with every 50th record empty; their document frequencies in *sketch. */
typedef struct corpus {
  th_term docs[RECORDS][TERMS];
  uint32_t counts[RECORDS];
  const th_term *terms[RECORDS];
  th_sketch sketch;
} corpus;

static void corpus_build(corpus *c, uint64_t seed) {
  uint64_t random = seed;
  ck_assert_int_eq(th_sketch_init(&c->sketch, 4096, 4), 0);
  for (size_t i = 0; i < RECORDS; i++) {
    uint32_t topic = (uint32_t)(th_random_next(&random) % TOPICS), used = 0;
    uint32_t wanted = i % 50 == 7 ? 0 : 3 + (uint32_t)(th_random_next(&random) % (TERMS - 3));
    for (uint32_t attempt = 0; used < wanted && attempt < 4 * TERMS; attempt++) {
      uint32_t from =
          th_random_next(&random) % 6 == 0 ? (uint32_t)(th_random_next(&random) % TOPICS) : topic;
      uint32_t hash = 1000 + from * 40 + (uint32_t)(th_random_next(&random) % 40);
      int seen = 0;
      for (uint32_t u = 0; u < used; u++)
        seen |= c->docs[i][u].hash == hash;
      if (!seen)
        c->docs[i][used++] = (th_term){hash, 1 + (uint32_t)(th_random_next(&random) % 3)};
    }
    c->counts[i] = used;
    c->terms[i] = c->docs[i];
    for (uint32_t u = 0; u < used; u++)
      th_sketch_add(&c->sketch, c->docs[i][u].hash);
    c->sketch.documents++;
  }
}

/* One th_refine result. */
typedef struct outcome {
  th_model model;
  int32_t labels[RECORDS];
  float similarity[RECORDS];
} outcome;

static void refine(const corpus *c, uint32_t themes, int choose, uint32_t threads, outcome *out) {
  th_refine_options options = th_refine_defaults(themes, 42);
  options.choose = choose;
  options.restarts = 5; /* an odd count: the last batch of two threads holds one restart */
  options.threads = threads;
  ck_assert_int_eq(th_refine(c->terms, c->counts, RECORDS, &c->sketch, &options, &out->model,
                             out->labels, out->similarity),
                   0);
}

static void assert_same(const outcome *a, const outcome *b) {
  ck_assert_uint_eq(a->model.themes, b->model.themes);
  ck_assert_uint_eq(a->model.vocabulary, b->model.vocabulary);
  ck_assert_mem_eq(a->labels, b->labels, sizeof a->labels);
  ck_assert_mem_eq(a->similarity, b->similarity, sizeof a->similarity);
  ck_assert_mem_eq(a->model.centroids, b->model.centroids,
                   (size_t)a->model.themes * a->model.vocabulary * sizeof(float));
  ck_assert_uint_eq(a->model.quality_count, b->model.quality_count);
  if (a->model.quality_count) /* NAN entries compare equal as bytes */
    ck_assert_mem_eq(a->model.quality, b->model.quality, a->model.quality_count * sizeof(double));
}

static int created;
static int counting_create(pthread_t *thread, const pthread_attr_t *attributes,
                           void *(*start)(void *), void *arg) {
  __atomic_add_fetch(&created, 1, __ATOMIC_SEQ_CST);
  return pthread_create(thread, attributes, start, arg);
}
static int failing_create(pthread_t *thread, const pthread_attr_t *attributes,
                          void *(*start)(void *), void *arg) {
  (void)thread, (void)attributes, (void)start, (void)arg;
  __atomic_add_fetch(&created, 1, __ATOMIC_SEQ_CST);
  return 11; /* EAGAIN */
}

/* _i: 0 given themes, 1 chosen (over-clustered, merged down measuring modularity). */
START_TEST(threads_give_the_serial_result) {
  static corpus c;
  static outcome serial, threaded;
  corpus_build(&c, 3 + (uint64_t)_i);
  created = 0;
  th_thread_create = counting_create;
  refine(&c, 6, _i, 1, &serial);
  ck_assert_int_eq(created, 0); /* one thread: no thread is created */
  for (uint32_t threads = 2; threads <= 4; threads++) {
    created = 0;
    refine(&c, 6, _i, threads, &threaded);
    /* restarts in batches of `threads`, plus threads - 1 for the smoothing's row ranges */
    ck_assert_int_ge(created, (int)(threads - 1) * 2);
    assert_same(&serial, &threaded);
    th_model_release(&threaded.model);
  }
  th_thread_create = pthread_create;
  th_model_release(&serial.model);
  th_sketch_release(&c.sketch);
}
END_TEST

START_TEST(failed_thread_creation_runs_the_jobs_serially) {
  static corpus c;
  static outcome serial, fallback;
  corpus_build(&c, 9);
  refine(&c, 5, 1, 1, &serial);
  created = 0;
  th_thread_create = failing_create;
  refine(&c, 5, 1, 3, &fallback);
  th_thread_create = pthread_create;
  ck_assert_int_gt(created, 0); /* creation was tried, failed, and the result still came */
  assert_same(&serial, &fallback);
  th_model_release(&serial.model);
  th_model_release(&fallback.model);
  th_sketch_release(&c.sketch);
}
END_TEST

/* th_best_of_restarts seeds a batch's restarts at once, guessing that each earlier one seeds
 * all k centroids. _i: 0 a matrix of many distinct rows (the guess holds), 1 one of 3 distinct
 * rows for k = 5 (it fails: the batch is seeded again in order). Either way the result and the
 * generator state left are those of one thread. */
START_TEST(restart_batches_give_the_serial_draws) {
  enum { ROWS = 60, COLUMNS = 16, K = 5, RESTARTS = 7 };
  static size_t offsets[ROWS + 1];
  static uint32_t cols[ROWS * 3];
  static float values[ROWS * 3];
  size_t at = 0;
  for (size_t r = 0; r < ROWS; r++) {
    offsets[r] = at;
    if (r % 9 == 4)
      continue; /* an empty row */
    uint32_t base = _i ? (uint32_t)(r % 3) * 3 : (uint32_t)(r * 7 % COLUMNS);
    for (uint32_t t = 0; t < 3; t++) {
      cols[at] = (base + t * (_i ? 1 : 5)) % COLUMNS;
      values[at++] = t == 0 ? 0.8f : 0.42426407f;
    }
    if (!_i) /* distinct directions */
      values[at - 1] = 0.1f + (float)(r % 11) * 0.05f;
    th_normalize(values + offsets[r], 3);
  }
  offsets[ROWS] = at;
  th_matrix m = {
      .rows = ROWS, .columns = COLUMNS, .offsets = offsets, .cols = cols, .values = values};
  static float centroids[2][COLUMNS * K], similarity[2][ROWS];
  static int32_t labels[2][ROWS];
  uint64_t random[2] = {11, 11};
  for (uint32_t run = 0; run < 2; run++)
    ck_assert_int_eq(th_best_of_restarts(&m, K, RESTARTS, 25, run ? 3 : 1, &random[run],
                                         centroids[run], labels[run], similarity[run]),
                     0);
  ck_assert_uint_eq(random[0], random[1]);
  ck_assert_uint_ne(random[0], 11); /* it drew */
  if (_i) /* 3 distinct rows: fewer draws than the guess of K per restart */
    ck_assert_uint_lt((random[0] - 11) / 0x9e3779b97f4a7c15ull, (uint64_t)K * RESTARTS);
  ck_assert_mem_eq(centroids[0], centroids[1], sizeof centroids[0]);
  ck_assert_mem_eq(labels[0], labels[1], sizeof labels[0]);
  ck_assert_mem_eq(similarity[0], similarity[1], sizeof similarity[0]);
}
END_TEST

static Suite *theme_threads_suite(void) {
  Suite *suite = suite_create("theme-threads");
  TCase *finish = tcase_create("threaded finish");
  tcase_set_timeout(finish, 60);
  tcase_add_loop_test(finish, threads_give_the_serial_result, 0, 2);
  tcase_add_test(finish, failed_thread_creation_runs_the_jobs_serially);
  tcase_add_loop_test(finish, restart_batches_give_the_serial_draws, 0, 2);
  suite_add_tcase(suite, finish);
  return suite;
}

int main(void) {
  return tp_check_run(theme_threads_suite());
}
