// The RSP client against a scripted fake gdbstub on the other end of a
// socketpair. The stub runs in a thread and records the first deviation from
// its script; every test checks both the client's view and the stub's.
#include "cm.h"

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rsp.h"

enum op {
  PKT,       // read a packet, compare its payload with s, acknowledge it (ack mode)
  PKT_NACK,  // read a packet, compare, answer '-'
  PKT_QUIET, // read a packet, compare, do not acknowledge (yet)
  SEND,      // write s verbatim
  SEND_PKT,  // write s framed as a packet with a correct checksum
  SPLIT,     // write s one byte at a time, 1 ms apart
  ACK,       // read '+'
  NACK,      // read '-'
  BREAK,     // read the raw Ctrl-C byte
  NOACK,     // from now on neither side acknowledges
  CLOSE,     // close the connection
  SILENCE,   // wait for the client to give up (it closes its end)
};

struct step {
  enum op op;
  const char *s;
};

struct stub {
  int fd;
  const struct step *steps;
  bool noack;
  char failure[512];
  pthread_t thread;
};

static int stub_byte(struct stub *st) {
  struct pollfd p = {.fd = st->fd, .events = POLLIN};
  if (poll(&p, 1, 3000) <= 0)
    return -1;
  unsigned char c;
  return read(st->fd, &c, 1) == 1 ? c : -1;
}

static unsigned checksum(const char *s, size_t n) {
  unsigned sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += (unsigned char)s[i];
  return sum & 0xff;
}

// Reads one client packet and decodes its escapes; NULL (with failure) on error.
static char *stub_packet(struct stub *st) {
  static char out[1 << 16];
  char raw[1 << 16];
  size_t n = 0, k = 0;
  int c;
  while ((c = stub_byte(st)) != '$')
    if (c < 0) {
      snprintf(st->failure, sizeof st->failure, "no packet from the client");
      return NULL;
    }
  while ((c = stub_byte(st)) >= 0 && c != '#' && n < sizeof raw)
    raw[n++] = (char)c;
  char cs[3] = {(char)stub_byte(st), (char)stub_byte(st), 0};
  if (strtoul(cs, NULL, 16) != checksum(raw, n)) {
    snprintf(st->failure, sizeof st->failure, "client packet with a bad checksum %s", cs);
    return NULL;
  }
  for (size_t i = 0; i < n; i++)
    out[k++] = raw[i] == '}' ? (char)(raw[++i] ^ 0x20) : raw[i];
  out[k] = 0;
  return out;
}

static void stub_write(struct stub *st, const char *s, size_t n, bool slow) {
  for (size_t i = 0; i < n;) {
    ssize_t w = write(st->fd, s + i, slow ? 1 : n - i);
    if (w <= 0)
      return;
    i += (size_t)w;
    if (slow)
      nanosleep(&(struct timespec){0, 1000000}, NULL);
  }
}

static void stub_send_pkt(struct stub *st, const char *payload) {
  size_t n = strlen(payload);
  char *buf = malloc(n + 5);
  sprintf(buf, "$%s#%02x", payload, checksum(payload, n));
  stub_write(st, buf, n + 4, false);
  free(buf);
}

static bool stub_step(struct stub *st, const struct step *s) {
  int c;
  char *p;
  switch (s->op) {
  case PKT:
  case PKT_NACK:
  case PKT_QUIET:
    if (!(p = stub_packet(st)))
      return false;
    if (strcmp(p, s->s)) {
      snprintf(st->failure, sizeof st->failure, "expected packet '%s', got '%.100s'", s->s, p);
      return false;
    }
    if (s->op == PKT_NACK)
      stub_write(st, "-", 1, false);
    else if (!st->noack && s->op == PKT)
      stub_write(st, "+", 1, false);
    return true;
  case SEND:
    stub_write(st, s->s, strlen(s->s), false);
    return true;
  case SEND_PKT:
    stub_send_pkt(st, s->s);
    return true;
  case SPLIT:
    stub_write(st, s->s, strlen(s->s), true);
    return true;
  case ACK:
  case NACK:
  case BREAK:
    c = stub_byte(st);
    if (c != (s->op == ACK ? '+' : s->op == NACK ? '-' : 3)) {
      snprintf(st->failure, sizeof st->failure, "expected %s, got %d",
               s->op == ACK    ? "+"
               : s->op == NACK ? "-"
                               : "^C",
               c);
      return false;
    }
    return true;
  case NOACK:
    st->noack = true;
    return true;
  case CLOSE:
    close(st->fd);
    return true;
  case SILENCE:
    while (stub_byte(st) >= 0) {
    }
    return true;
  }
  return false;
}

static void *stub_main(void *arg) {
  struct stub *st = arg;
  for (const struct step *s = st->steps; s->s || s->op != SEND; s++)
    if (!stub_step(st, s))
      break;
  return NULL;
}

#define END                                                                                        \
  { SEND, NULL }

static struct mh_rsp *start(struct stub *st, const struct step *steps, int timeout_ms) {
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  memset(st, 0, sizeof *st);
  st->fd = sv[1];
  st->steps = steps;
  pthread_create(&st->thread, NULL, stub_main, st);
  return mh_rsp_open_fd(sv[0], timeout_ms);
}

static void finish(struct stub *st, struct mh_rsp *r) {
  mh_rsp_close(r); // unblocks a SILENCE step
  pthread_join(st->thread, NULL);
  if (st->failure[0])
    fail_msg("stub: %s", st->failure);
}

// ---- tests ----

static void handshake_switches_to_noack_and_reads_packet_size(void **state) {
  (void)state;
  static const struct step s[] = {
      {PKT, "qSupported:swbreak+;hwbreak+"},
      {SEND_PKT, "PacketSize=1000;QStartNoAckMode+;qXfer:features:read+"},
      {ACK, ""},
      {PKT, "QStartNoAckMode"},
      {SEND_PKT, "OK"},
      {ACK, ""},
      {NOACK, ""},
      {PKT, "m1000,4"},
      {SEND_PKT, "deadbeef"},
      END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 2000);
  assert_int_equal(mh_rsp_handshake(r, true), 0);
  assert_true(mh_rsp_noack(r));
  assert_int_equal(mh_rsp_packet_size(r), 0x1000);
  uint8_t b[4];
  assert_int_equal(mh_rsp_read_memory(r, 0x1000, b, 4), 0);
  assert_int_equal(b[0], 0xde);
  assert_int_equal(b[3], 0xef);
  finish(&st, r);
}

static void stop_sent_unasked_on_attach_is_kept_for_the_interrupt(void **state) {
  (void)state;
  // QEMU stops a running guest when a debugger attaches and says so first.
  static char early[32];
  snprintf(early, sizeof early, "$T02thread:01;#%02x", checksum("T02thread:01;", 13));
  const struct step s[] = {{PKT_QUIET, "qSupported:swbreak+;hwbreak+"},
                           {SEND, early},
                           {ACK, ""},
                           {SEND, "+"},
                           {SEND_PKT, "PacketSize=1000"},
                           {ACK, ""},
                           {PKT, "m0,1"},
                           {SEND_PKT, "2a"},
                           {ACK, ""},
                           END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 2000);
  assert_int_equal(mh_rsp_handshake(r, true), 0);
  uint8_t b;
  assert_int_equal(mh_rsp_read_memory(r, 0, &b, 1), 0);
  assert_int_equal(b, 0x2a);
  struct mh_rsp_stop stop;
  assert_int_equal(mh_rsp_interrupt(r, &stop), 0); // no ^C sent: the stub has none scripted
  assert_int_equal(stop.kind, 'T');
  assert_int_equal(stop.signal, 2);
  finish(&st, r);
}

static void stop_reply_in_place_of_the_first_answer_is_kept_too(void **state) {
  (void)state;
  static const struct step s[] = {{PKT, "qSupported:swbreak+;hwbreak+"},
                                  {SEND_PKT, "T05thread:01;"},
                                  {ACK, ""},
                                  {SEND_PKT, "PacketSize=1000"},
                                  {ACK, ""},
                                  END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 2000);
  assert_int_equal(mh_rsp_handshake(r, false), 0);
  assert_int_equal(mh_rsp_packet_size(r), 0x1000);
  struct mh_rsp_stop stop;
  assert_int_equal(mh_rsp_wait_stop(r, 100, &stop), 0);
  assert_int_equal(stop.signal, 5);
  finish(&st, r);
}

// Watchpoint stops name the kind of access and the address (activation.h).
static void watchpoint_stops_say_read_or_write(void **state) {
  (void)state;
  static const struct step s[] = {{PKT, "Z2,80100040,1"},
                                  {SEND_PKT, "OK"},
                                  {ACK, ""},
                                  {PKT, "?"},
                                  {SEND_PKT, "T05rwatch:80100040;thread:01;"},
                                  {ACK, ""},
                                  {PKT, "?"},
                                  {SEND_PKT, "T05thread:01;watch:00004008;"},
                                  {ACK, ""},
                                  {PKT, "?"},
                                  {SEND_PKT, "T05thread:01;"},
                                  {ACK, ""},
                                  END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 2000);
  struct mh_rsp_stop stop;
  assert_int_equal(mh_rsp_watchpoint(r, 2, true, 0x80100040, 1), 0);
  assert_int_equal(mh_rsp_halt_reason(r, &stop), 0);
  assert_int_equal(stop.watch, 'r');
  assert_int_equal(stop.watch_addr, 0x80100040);
  assert_int_equal(mh_rsp_halt_reason(r, &stop), 0);
  assert_int_equal(stop.watch, 'w');
  assert_int_equal(stop.watch_addr, 0x4008);
  assert_int_equal(mh_rsp_halt_reason(r, &stop), 0);
  assert_int_equal(stop.watch, 0);
  assert_int_equal(mh_rsp_watchpoint(r, 1, true, 0x10, 1), MH_RSP_EPROTO);
  finish(&st, r);
}

static void handshake_stays_in_ack_mode_when_not_offered(void **state) {
  (void)state;
  static const struct step s[] = {
      {PKT, "qSupported:swbreak+;hwbreak+"}, {SEND_PKT, "PacketSize=200"}, {ACK, ""}, END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 2000);
  assert_int_equal(mh_rsp_handshake(r, true), 0);
  assert_false(mh_rsp_noack(r));
  finish(&st, r);
}

static void corrupt_reply_is_nacked_and_the_resend_accepted(void **state) {
  (void)state;
  static const struct step s[] = {{PKT, "m10,2"},     {SEND, "$abcd#00"}, {NACK, ""},
                                  {SEND_PKT, "abcd"}, {ACK, ""},          END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 2000);
  uint8_t b[2];
  assert_int_equal(mh_rsp_read_memory(r, 0x10, b, 2), 0);
  assert_int_equal(b[0], 0xab);
  assert_int_equal(b[1], 0xcd);
  finish(&st, r);
}

static void rejected_request_is_retransmitted(void **state) {
  (void)state;
  static const struct step s[] = {{PKT_NACK, "?"}, {PKT, "?"}, {SEND_PKT, "S05"}, {ACK, ""}, END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 2000);
  struct mh_rsp_stop stop;
  assert_int_equal(mh_rsp_halt_reason(r, &stop), 0);
  assert_int_equal(stop.kind, 'S');
  assert_int_equal(stop.signal, 5);
  finish(&st, r);
}

static void persistent_corruption_gives_up(void **state) {
  (void)state;
  static const struct step s[] = {
      {PKT, "?"},        {SEND, "$S05#00"}, {NACK, ""},        {SEND, "$S05#00"}, {NACK, ""},
      {SEND, "$S05#00"}, {NACK, ""},        {SEND, "$S05#00"}, {NACK, ""},        END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 2000);
  assert_int_equal(mh_rsp_halt_reason(r, NULL), MH_RSP_EPROTO);
  assert_non_null(strstr(mh_rsp_error(r), "bad checksum"));
  finish(&st, r);
}

static void split_packets_run_lengths_and_escapes_decode(void **state) {
  (void)state;
  // "0*," is '0' and 15 more: 16 zero digits. "12*!34" is 1 2 2222 34.
  // "a}\x03b" is a, escaped '#', b. Checksums cover the bytes as sent.
  static char rle[32], mixed[32], esc[32];
  snprintf(rle, sizeof rle, "$0*,#%02x", checksum("0*,", 3));
  snprintf(mixed, sizeof mixed, "$12*!34#%02x", checksum("12*!34", 6));
  snprintf(esc, sizeof esc,
           "$a}\x03"
           "b#%02x",
           checksum("a}\x03"
                    "b",
                    4));
  const struct step s[] = {{PKT, "m0,8"},  {SPLIT, rle}, {ACK, ""},      {PKT, "m8,4"},
                           {SPLIT, mixed}, {ACK, ""},    {PKT, "X$#}*"}, {SEND, esc},
                           {ACK, ""},      END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 2000);
  uint8_t b[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  assert_int_equal(mh_rsp_read_memory(r, 0, b, 8), 0);
  for (int i = 0; i < 8; i++)
    assert_int_equal(b[i], 0);
  assert_int_equal(mh_rsp_read_memory(r, 8, b, 4), 0);
  assert_int_equal(b[0], 0x12);
  assert_int_equal(b[1], 0x22);
  assert_int_equal(b[2], 0x22);
  assert_int_equal(b[3], 0x34);
  const char *rep;
  size_t len;
  assert_int_equal(mh_rsp_request(r, "X$#}*", &rep, &len), 0);
  assert_int_equal(len, 3);
  assert_string_equal(rep, "a#b");
  finish(&st, r);
}

static void huge_reply_arrives_whole(void **state) {
  (void)state;
  size_t n = 3u << 20;
  char *big = malloc(n + 1);
  for (size_t i = 0; i < n; i++)
    big[i] = "0123456789abcdef"[i % 16];
  big[n] = 0;
  const struct step s[] = {{PKT, "qHuge"}, {SEND_PKT, big}, {ACK, ""}, END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 5000);
  const char *rep;
  size_t len;
  assert_int_equal(mh_rsp_request(r, "qHuge", &rep, &len), 0);
  assert_int_equal(len, n);
  assert_memory_equal(rep, big, n);
  finish(&st, r);
  free(big);
}

static void error_and_empty_replies_are_distinct(void **state) {
  (void)state;
  static const struct step s[] = {
      {PKT, "m0,4"},  {SEND_PKT, "E14"}, {ACK, ""}, {PKT, "vMustReplyEmpty"},
      {SEND_PKT, ""}, {ACK, ""},         END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 2000);
  uint8_t b[4];
  assert_int_equal(mh_rsp_read_memory(r, 0, b, 4), MH_RSP_EREMOTE);
  assert_non_null(strstr(mh_rsp_error(r), "E14"));
  assert_non_null(strstr(mh_rsp_error(r), "m0,4"));
  assert_int_equal(mh_rsp_request(r, "vMustReplyEmpty", NULL, NULL), MH_RSP_EUNSUPPORTED);
  finish(&st, r);
}

static void empty_first_reply_is_unsupported_not_a_crash(void **state) {
  (void)state;
  static const struct step s[] = {{PKT, "vMustReplyEmpty"}, {SEND_PKT, ""}, {ACK, ""}, END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 2000);
  assert_int_equal(mh_rsp_request(r, "vMustReplyEmpty", NULL, NULL), MH_RSP_EUNSUPPORTED);
  finish(&st, r);
}

static void silence_times_out_promptly(void **state) {
  (void)state;
  static const struct step s[] = {{PKT, "g"}, {SILENCE, ""}, END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 200);
  uint8_t regs[64];
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  assert_int_equal(mh_rsp_read_registers(r, regs, sizeof regs, NULL), MH_RSP_ETIMEOUT);
  clock_gettime(CLOCK_MONOTONIC, &b);
  double el = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
  assert_true(el >= 0.19 && el < 1.0);
  finish(&st, r);
}

static void closed_connection_is_reported(void **state) {
  (void)state;
  static const struct step s[] = {{PKT, "?"}, {CLOSE, ""}, END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 2000);
  assert_int_equal(mh_rsp_halt_reason(r, NULL), MH_RSP_ECLOSED);
  finish(&st, r);
}

static void monitor_output_is_collected_from_O_packets(void **state) {
  (void)state;
  // "info mce" hex-encoded; the output "bank 1\n" comes in two O packets.
  static const struct step s[] = {{PKT, "qRcmd,696e666f206d6365"},
                                  {SEND_PKT, "O62616e6b2031"},
                                  {ACK, ""},
                                  {SEND_PKT, "O0a"},
                                  {ACK, ""},
                                  {SEND_PKT, "OK"},
                                  {ACK, ""},
                                  {PKT, "qRcmd,6d6365"},
                                  {SEND_PKT, "E01"},
                                  {ACK, ""},
                                  END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 2000);
  char out[64];
  assert_int_equal(mh_rsp_monitor(r, "info mce", out, sizeof out), 0);
  assert_string_equal(out, "bank 1\n");
  assert_int_equal(mh_rsp_monitor(r, "mce", out, sizeof out), MH_RSP_EREMOTE);
  finish(&st, r);
}

static void continue_interrupt_and_stop_reply(void **state) {
  (void)state;
  static const struct step s[] = {
      {PKT, "c"}, {BREAK, ""}, {SEND_PKT, "O6869"}, {ACK, ""}, {SEND_PKT, "T02thread:01;"},
      {ACK, ""},  END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 2000);
  struct mh_rsp_stop stop;
  assert_int_equal(mh_rsp_continue(r), 0);
  assert_int_equal(mh_rsp_interrupt(r, &stop), 0);
  assert_int_equal(stop.kind, 'T');
  assert_int_equal(stop.signal, 2);
  finish(&st, r);
}

static void breakpoints_step_and_registers(void **state) {
  (void)state;
  static const struct step s[] = {{PKT, "Z0,100010,1"},
                                  {SEND_PKT, "OK"},
                                  {ACK, ""},
                                  {PKT, "s"},
                                  {SEND_PKT, "S05"},
                                  {ACK, ""},
                                  {PKT, "z1,100010,1"},
                                  {SEND_PKT, "OK"},
                                  {ACK, ""},
                                  {PKT, "g"},
                                  {SEND_PKT, "01000000xxxxxxxx10001000"},
                                  {ACK, ""},
                                  END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 2000);
  struct mh_rsp_stop stop;
  assert_int_equal(mh_rsp_breakpoint(r, 0, true, 0x100010, 1), 0);
  assert_int_equal(mh_rsp_step(r, &stop), 0);
  assert_int_equal(stop.signal, 5);
  assert_int_equal(mh_rsp_breakpoint(r, 1, false, 0x100010, 1), 0);
  uint8_t regs[16];
  size_t n;
  assert_int_equal(mh_rsp_read_registers(r, regs, sizeof regs, &n), 0);
  assert_int_equal(n, 12);
  assert_int_equal(regs[0], 1);
  assert_int_equal(regs[4], 0); // 'x' (unavailable) reads as zero
  assert_int_equal(regs[9], 0x00);
  assert_int_equal(regs[10], 0x10);
  assert_int_equal(mh_rsp_breakpoint(r, 2, true, 0, 4), MH_RSP_EPROTO); // refused locally
  finish(&st, r);
}

static void bad_checksum_in_noack_mode_is_an_error(void **state) {
  (void)state;
  static const struct step s[] = {{PKT, "qSupported:swbreak+;hwbreak+"},
                                  {SEND_PKT, "QStartNoAckMode+"},
                                  {ACK, ""},
                                  {PKT, "QStartNoAckMode"},
                                  {SEND_PKT, "OK"},
                                  {ACK, ""},
                                  {NOACK, ""},
                                  {PKT, "?"},
                                  {SEND, "$S05#ff"},
                                  END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 2000);
  assert_int_equal(mh_rsp_handshake(r, true), 0);
  assert_int_equal(mh_rsp_halt_reason(r, NULL), MH_RSP_EPROTO);
  assert_non_null(strstr(mh_rsp_error(r), "no-ack"));
  finish(&st, r);
}

static void writes_are_chunked_and_verified(void **state) {
  (void)state;
  // PacketSize 0x50 (80) leaves 20 data bytes per packet.
  static const struct step s[] = {{PKT, "qSupported:swbreak+;hwbreak+"},
                                  {SEND_PKT, "PacketSize=50"},
                                  {ACK, ""},
                                  {PKT, "Qqemu.PhyMemMode:1"},
                                  {SEND_PKT, "OK"},
                                  {ACK, ""},
                                  {PKT, "M2000,14:000102030405060708090a0b0c0d0e0f10111213"},
                                  {SEND_PKT, "OK"},
                                  {ACK, ""},
                                  {PKT, "M2014,2:1415"},
                                  {SEND_PKT, "OK"},
                                  {ACK, ""},
                                  {PKT, "M9000000,2:abcd"},
                                  {SEND_PKT, "OK"},
                                  {ACK, ""},
                                  {PKT, "m9000000,2"},
                                  {SEND_PKT, "0000"}, // QEMU says OK, but nothing is there
                                  {ACK, ""},
                                  END};
  struct stub st;
  struct mh_rsp *r = start(&st, s, 2000);
  assert_int_equal(mh_rsp_handshake(r, false), 0);
  assert_int_equal(mh_rsp_phys_mode(r, true), 0);
  uint8_t data[22];
  for (int i = 0; i < 22; i++)
    data[i] = (uint8_t)i;
  assert_int_equal(mh_rsp_write_memory(r, 0x2000, data, sizeof data), 0);
  uint8_t ab[2] = {0xab, 0xcd};
  assert_int_equal(mh_rsp_write_verified(r, 0x9000000, ab, 2), MH_RSP_EPROTO);
  assert_non_null(strstr(mh_rsp_error(r), "did not stick"));
  finish(&st, r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(handshake_switches_to_noack_and_reads_packet_size),
      cmocka_unit_test(handshake_stays_in_ack_mode_when_not_offered),
      cmocka_unit_test(watchpoint_stops_say_read_or_write),
      cmocka_unit_test(stop_sent_unasked_on_attach_is_kept_for_the_interrupt),
      cmocka_unit_test(stop_reply_in_place_of_the_first_answer_is_kept_too),
      cmocka_unit_test(corrupt_reply_is_nacked_and_the_resend_accepted),
      cmocka_unit_test(rejected_request_is_retransmitted),
      cmocka_unit_test(persistent_corruption_gives_up),
      cmocka_unit_test(split_packets_run_lengths_and_escapes_decode),
      cmocka_unit_test(huge_reply_arrives_whole),
      cmocka_unit_test(error_and_empty_replies_are_distinct),
      cmocka_unit_test(empty_first_reply_is_unsupported_not_a_crash),
      cmocka_unit_test(silence_times_out_promptly),
      cmocka_unit_test(closed_connection_is_reported),
      cmocka_unit_test(monitor_output_is_collected_from_O_packets),
      cmocka_unit_test(continue_interrupt_and_stop_reply),
      cmocka_unit_test(breakpoints_step_and_registers),
      cmocka_unit_test(bad_checksum_in_noack_mode_is_an_error),
      cmocka_unit_test(writes_are_chunked_and_verified),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
