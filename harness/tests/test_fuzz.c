// Seeded random mutations of every parser's input: campaign JSON, serial
// streams and gdbstub replies. Nothing may crash, hang or accept garbage
// silently; failures must come with a message.
#include "cm.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "campaign.h"
#include "rsp.h"
#include "serial.h"
#include "stats.h"

static const char campaign_text[] =
    "{\"schema\": 1, \"name\": \"f\", \"variants\": [\"native\", \"memv6\"], \"workloads\": "
    "[{\"name\": \"w\", \"program\": \"usertests\", \"args\": [\"a\"], \"expect\": {\"status\": 0, "
    "\"tests\": 1, \"output\": [\"x\"]}}], \"timing\": [\"icount\", \"wall\"], \"jobs\": 2, "
    "\"timeouts\": {\"run_s\": 5}, \"thresholds\": {\"geomean_max\": 1.1}, \"faults\": "
    "{\"trials\": "
    "3, \"target\": {\"kind\": \"native\", \"region\": \"heap\"}, \"when\": {\"icount\": [1, 2]}}}";

static const char serial_text[] = "@boot variant=native mem=1 cmdline=\"usertests a\"\n"
                                  "@test name=a status=ok cycles=123\n"
                                  "@usertests passed=1 failed=0\n@exit status=0\n";

static void mutate(struct mh_rng *r, char *buf, size_t *len, size_t cap) {
  static const char alphabet[] = "{}[]\":,@= \n\\0123456789abcdefxyz$#*}-+";
  int edits = 1 + (int)mh_rng_below(r, 4);
  for (int i = 0; i<edits && * len> 1; i++) {
    size_t at = mh_rng_below(r, *len);
    switch (mh_rng_below(r, 3)) {
    case 0:
      buf[at] = alphabet[mh_rng_below(r, sizeof alphabet - 1)];
      break;
    case 1: // delete
      memmove(buf + at, buf + at + 1, *len - at - 1);
      (*len)--;
      break;
    default: // duplicate a slice
      if (*len + 16 < cap) {
        size_t n = 1 + mh_rng_below(r, 15);
        if (at + n > *len)
          n = *len - at;
        memmove(buf + at + n, buf + at, *len - at);
        *len += n;
      }
    }
  }
  buf[*len] = 0;
}

static void campaign_parser_survives_mutations(void **state) {
  (void)state;
  struct mh_rng r;
  mh_rng_seed(&r, 12345);
  int accepted = 0;
  for (int i = 0; i < 3000; i++) {
    char buf[2048];
    size_t len = strlen(campaign_text);
    memcpy(buf, campaign_text, len + 1);
    mutate(&r, buf, &len, sizeof buf - 1);
    struct mh_campaign c;
    struct mh_err e = {{0}};
    if (mh_campaign_parse(buf, &c, &e) == 0) {
      accepted++;
      assert_non_null(c.name);
      assert_true(c.nworkloads >= 1 && c.nvariants >= 1);
      mh_campaign_free(&c);
    } else {
      assert_true(e.msg[0] != 0);
    }
  }
  assert_true(accepted > 0 && accepted < 3000);
}

static void serial_parser_survives_mutations(void **state) {
  (void)state;
  struct mh_rng r;
  mh_rng_seed(&r, 777);
  for (int i = 0; i < 3000; i++) {
    char buf[1024];
    size_t len = strlen(serial_text);
    memcpy(buf, serial_text, len + 1);
    mutate(&r, buf, &len, sizeof buf - 1);
    struct mh_serial s;
    mh_serial_init(&s, NULL, 0);
    for (size_t at = 0; at < len;) {
      size_t n = 1 + mh_rng_below(&r, 20);
      n = n > len - at ? len - at : n;
      mh_serial_feed(&s, buf + at, n, 0);
      at += n;
    }
    mh_serial_finish(&s, 0);
    for (size_t k = 0; k < s.ntests; k++)
      assert_true(strlen(s.tests[k].name) > 0);
    char tail[256];
    mh_serial_tail(&s, tail, sizeof tail);
    mh_serial_free(&s);
  }
}

struct junk {
  int fd;
  char *bytes;
  size_t len;
};

static void *send_junk(void *arg) {
  struct junk *j = arg;
  char drain[256];
  // Swallow the request, answer with junk, then close.
  ssize_t n = read(j->fd, drain, sizeof drain);
  (void)n;
  n = write(j->fd, j->bytes, j->len);
  (void)n;
  close(j->fd);
  return NULL;
}

static void rsp_client_survives_junk_replies(void **state) {
  (void)state;
  static const char *const seeds[] = {
      "+$OK#9a",   "+$0*,#xx", "+$E01#a6", "+$O6869#00$OK#9a", "+$T05thread:01;#07",
      "+$}}}}#00", "+$*#00"};
  struct mh_rng r;
  mh_rng_seed(&r, 4242);
  for (int i = 0; i < 400; i++) {
    char buf[256];
    const char *seed = seeds[mh_rng_below(&r, sizeof seeds / sizeof *seeds)];
    size_t len = strlen(seed);
    memcpy(buf, seed, len + 1);
    mutate(&r, buf, &len, sizeof buf - 1);
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct junk j = {sv[1], buf, len};
    pthread_t t;
    pthread_create(&t, NULL, send_junk, &j);
    struct mh_rsp *c = mh_rsp_open_fd(sv[0], 200);
    uint8_t out[8];
    int rc = mh_rsp_read_memory(c, 0, out, 8);
    if (rc < 0)
      assert_true(mh_rsp_error(c)[0] != 0);
    pthread_join(t, NULL);
    mh_rsp_close(c);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(campaign_parser_survives_mutations),
      cmocka_unit_test(serial_parser_survives_mutations),
      cmocka_unit_test(rsp_client_survives_junk_replies),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
