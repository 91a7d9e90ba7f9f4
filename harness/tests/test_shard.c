// The shard rule (shard.c): K/N parsing with errors that say what to type,
// and ownership that splits any set of trial seeds into N disjoint shares of
// about equal size, decided by the seed alone.
#include "cm.h"

#include <string.h>

#include "fault.h"
#include "shard.h"

static void parses_k_of_n(void **state) {
  (void)state;
  struct mh_shard s;
  struct mh_err e;
  assert_int_equal(mh_shard_parse("0/4", &s, &e), 0);
  assert_int_equal(s.k, 0);
  assert_int_equal(s.n, 4);
  assert_int_equal(mh_shard_parse("15/16", &s, &e), 0);
  assert_int_equal(s.k, 15);
  assert_int_equal(s.n, 16);
  assert_int_equal(mh_shard_parse("0/1", &s, &e), 0);
  assert_int_equal(s.n, 1);
}

static void refuses_bad_shards_saying_why(void **state) {
  (void)state;
  static const char *const bad[] = {"4/4", "1",    "a/4",  "-1/4", "1/0",   "1/ 4",
                                    "",    " 1/4", "1/4x", "1/-4", "0/4/2", "/4"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    struct mh_shard s = {99, 99};
    struct mh_err e = {""};
    if (mh_shard_parse(bad[i], &s, &e) != -1)
      fail_msg("'%s' was accepted as shard %u/%u", bad[i], s.k, s.n);
    assert_non_null(strstr(e.msg, "--shard"));
  }
  struct mh_err e;
  struct mh_shard s;
  mh_shard_parse("4/4", &s, &e);
  assert_non_null(strstr(e.msg, "K must be below N"));
  mh_shard_parse("1/0", &s, &e);
  assert_non_null(strstr(e.msg, "N must be from 1"));
}

// Every trial of a campaign is in exactly one shard, for any N.
static void every_seed_in_exactly_one_shard(void **state) {
  (void)state;
  static const unsigned ns[] = {1, 2, 3, 4, 7, 16, 100};
  for (size_t j = 0; j < sizeof ns / sizeof *ns; j++)
    for (int t = 0; t < 5000; t++) {
      uint64_t seed = mh_trial_seed(13, t);
      int owners = 0;
      for (unsigned k = 0; k < ns[j]; k++)
        owners += mh_shard_owns(seed, k, ns[j]);
      if (owners != 1)
        fail_msg("trial %d (seed %llx) has %d owners among %u shards", t, (unsigned long long)seed,
                 owners, ns[j]);
    }
}

// Shards get about equal shares, also for consecutive seeds (a campaign
// with "seed" chosen by hand may use any value).
static void shares_are_balanced(void **state) {
  (void)state;
  enum { T = 20000, N = 4 };
  int count[N] = {0}, plain[N] = {0};
  for (int t = 0; t < T; t++) {
    for (unsigned k = 0; k < N; k++) {
      count[k] += mh_shard_owns(mh_trial_seed(1, t), k, N);
      plain[k] += mh_shard_owns((uint64_t)t * 4, k, N); // low bits all zero
    }
  }
  for (int k = 0; k < N; k++) {
    assert_in_range(count[k], T / N * 95 / 100, T / N * 105 / 100);
    assert_in_range(plain[k], T / N * 95 / 100, T / N * 105 / 100);
  }
}

// The answer depends on the seed only: asking in another order, or again,
// gives the same shard (no state, no clock, no counter).
static void ownership_is_a_function_of_the_seed(void **state) {
  (void)state;
  unsigned first[64];
  for (int t = 0; t < 64; t++)
    for (unsigned k = 0; k < 5; k++)
      if (mh_shard_owns(mh_trial_seed(7, t), k, 5))
        first[t] = k;
  for (int t = 63; t >= 0; t--)
    assert_true(mh_shard_owns(mh_trial_seed(7, t), first[t], 5));
}

static void results_member_round_trips(void **state) {
  (void)state;
  struct mh_shard s = {2, 4}, back;
  struct mh_err e;
  json_object *doc = json_object_new_object();
  assert_int_equal(mh_shard_from_json(doc, &back, &e), 0);
  assert_int_equal(back.k, 0); // no member: the whole campaign
  assert_int_equal(back.n, 1);
  json_object_object_add(doc, "shard", mh_shard_json(&s));
  assert_int_equal(mh_shard_from_json(doc, &back, &e), 0);
  assert_int_equal(back.k, 2);
  assert_int_equal(back.n, 4);
  json_object_object_add(doc, "shard", json_object_new_string("2/4"));
  assert_int_equal(mh_shard_from_json(doc, &back, &e), -1);
  assert_non_null(strstr(e.msg, "$.shard"));
  json_object_put(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(parses_k_of_n),
      cmocka_unit_test(refuses_bad_shards_saying_why),
      cmocka_unit_test(every_seed_in_exactly_one_shard),
      cmocka_unit_test(shares_are_balanced),
      cmocka_unit_test(ownership_is_a_function_of_the_seed),
      cmocka_unit_test(results_member_round_trips),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
