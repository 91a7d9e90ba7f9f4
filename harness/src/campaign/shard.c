#include "shard.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

// Trial seeds already come out of a generator, but they are only as uniform
// as that generator's low bits; a murmur-style finalizer mixes every bit of
// the seed into the residue, so shards get equal shares for any N.
static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

bool mh_shard_owns(uint64_t trial_seed, unsigned k, unsigned n) {
  return n <= 1 || mix(trial_seed) % n == k;
}

// A decimal number without sign, spaces or trailing junk.
static int parse_uint(const char *s, size_t len, unsigned long *out) {
  if (len == 0 || len > 9)
    return -1;
  for (size_t i = 0; i < len; i++)
    if (!isdigit((unsigned char)s[i]))
      return -1;
  *out = strtoul(s, NULL, 10);
  return 0;
}

int mh_shard_parse(const char *text, struct mh_shard *out, struct mh_err *e) {
  const char *slash = text ? strchr(text, '/') : NULL;
  unsigned long k, n;
  if (!slash || parse_uint(text, (size_t)(slash - text), &k) < 0 ||
      parse_uint(slash + 1, strlen(slash + 1), &n) < 0)
    return mh_fail(e, "--shard wants K/N, two whole numbers like 0/4 (shard 0 of 4), got '%s'",
                   text ? text : "");
  if (n < 1 || n > MH_SHARD_MAX)
    return mh_fail(e, "--shard %s: N must be from 1 to %d", text, MH_SHARD_MAX);
  if (k >= n)
    return mh_fail(e,
                   "--shard %s: K must be below N (shards count from 0, like "
                   "SLURM_ARRAY_TASK_ID: 0/%lu … %lu/%lu)",
                   text, n, n - 1, n);
  out->k = (unsigned)k;
  out->n = (unsigned)n;
  return 0;
}

json_object *mh_shard_json(const struct mh_shard *s) {
  json_object *o = json_object_new_object();
  json_object_object_add(o, "k", json_object_new_int((int)s->k));
  json_object_object_add(o, "n", json_object_new_int((int)s->n));
  json_object_object_add(o, "rule", json_object_new_string("mix64(trial seed) mod n == k"));
  return o;
}

int mh_shard_from_json(json_object *doc, struct mh_shard *out, struct mh_err *e) {
  json_object *s, *k, *n;
  *out = (struct mh_shard){0, 1};
  if (!json_object_object_get_ex(doc, "shard", &s) || !s)
    return 0;
  if (!json_object_object_get_ex(s, "k", &k) || !json_object_object_get_ex(s, "n", &n) ||
      !json_object_is_type(k, json_type_int) || !json_object_is_type(n, json_type_int))
    return mh_fail(e, "$.shard: expected {\"k\": K, \"n\": N}");
  int64_t kk = json_object_get_int64(k), nn = json_object_get_int64(n);
  if (nn < 1 || nn > MH_SHARD_MAX || kk < 0 || kk >= nn)
    return mh_fail(e, "$.shard: k=%lld n=%lld is not a shard (0 <= k < n <= %d)", (long long)kk,
                   (long long)nn, MH_SHARD_MAX);
  out->k = (unsigned)kk;
  out->n = (unsigned)nn;
  return 0;
}
