#include "rsp.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

#define MAX_PACKET (16u << 20) // refuse replies beyond this: a runaway stub
#define MAX_RETRIES 4

struct mh_rsp {
  int fd;
  int timeout_ms;
  bool noack;
  size_t packet_size;
  // Raw bytes from the socket not yet consumed.
  char rx[65536];
  size_t rx_pos, rx_len;
  // The last packet, decoded (escapes and run lengths undone), NUL-terminated.
  char *pkt;
  size_t pkt_len, pkt_cap;
  // The packet being sent, encoded; kept for retransmission.
  char *tx;
  size_t tx_len, tx_cap;
  char err[512];
  // A stop reply the stub sent on its own (QEMU does when a debugger attaches
  // to a running guest); the next wait for a stop returns it.
  bool pending_stop;
  char pending[64];
  mh_watch_fn watch;
  void *watch_arg;
  bool broken;
  int last_error;
};

static int fail(struct mh_rsp *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct mh_rsp *r, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->err, sizeof r->err, fmt, ap);
  va_end(ap);
  r->last_error = code;
  r->broken |= code == MH_RSP_ETIMEOUT || code == MH_RSP_EIO || code == MH_RSP_ECLOSED ||
               code == MH_RSP_EDEAD;
  return code;
}

struct mh_rsp *mh_rsp_open_fd(int fd, int timeout_ms) {
  struct mh_rsp *r = calloc(1, sizeof *r);
  if (!r)
    return NULL;
  r->fd = fd;
  r->timeout_ms = timeout_ms;
  r->packet_size = 4096;
  return r;
}

struct mh_rsp *mh_rsp_connect_unix(const char *path, int timeout_ms, int connect_timeout_ms,
                                   char *err, size_t cap) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof sa.sun_path) {
    snprintf(err, cap, "gdbstub socket path too long: %s", path);
    return NULL;
  }
  strcpy(sa.sun_path, path);
  double deadline = mh_now() + connect_timeout_ms / 1000.0;
  for (;;) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      snprintf(err, cap, "socket: %s", strerror(errno));
      return NULL;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
      struct mh_rsp *r = mh_rsp_open_fd(fd, timeout_ms);
      if (!r) {
        close(fd);
        snprintf(err, cap, "out of memory");
      }
      return r;
    }
    int saved = errno;
    close(fd);
    // A harness shutting down has killed the QEMU that would listen.
    if (mh_now() >= deadline || mh_proc_shutting_down()) {
      snprintf(err, cap, "cannot connect to the gdbstub at %s within %d ms: %s", path,
               connect_timeout_ms, strerror(saved));
      return NULL;
    }
    usleep(10000);
  }
}

void mh_rsp_close(struct mh_rsp *r) {
  if (!r)
    return;
  close(r->fd);
  free(r->pkt);
  free(r->tx);
  free(r);
}

const char *mh_rsp_error(const struct mh_rsp *r) {
  return r->err;
}
void mh_rsp_set_timeout(struct mh_rsp *r, int timeout_ms) {
  r->timeout_ms = timeout_ms;
}
void mh_rsp_set_watch(struct mh_rsp *r, mh_watch_fn fn, void *arg) {
  r->watch = fn;
  r->watch_arg = arg;
}
bool mh_rsp_broken(const struct mh_rsp *r) {
  return r->broken;
}
int mh_rsp_last_error(const struct mh_rsp *r) {
  return r->last_error;
}
bool mh_rsp_noack(const struct mh_rsp *r) {
  return r->noack;
}
size_t mh_rsp_packet_size(const struct mh_rsp *r) {
  return r->packet_size;
}

// ---- bytes on the wire ----

// poll() in slices of MH_WATCH_MS, asking the watch between them. Returns
// poll's result, or MH_RSP_EDEAD when the watch gave up on the stub.
static int watched_poll(struct mh_rsp *r, short events, double deadline) {
  for (;;) {
    int left = mh_ms_left(deadline);
    int slice = r->watch && left > MH_WATCH_MS ? MH_WATCH_MS : left;
    struct pollfd p = {.fd = r->fd, .events = events};
    int n = poll(&p, 1, slice);
    if (n != 0 || slice == left)
      return n;
    const char *why = r->watch(r->watch_arg);
    if (why)
      return fail(r, MH_RSP_EDEAD, "%s", why);
  }
}

static int next_byte(struct mh_rsp *r, double deadline) {
  while (r->rx_pos == r->rx_len) {
    int n = watched_poll(r, POLLIN, deadline);
    if (n == MH_RSP_EDEAD)
      return n;
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return fail(r, MH_RSP_EIO, "poll: %s", strerror(errno));
    if (n == 0)
      return fail(r, MH_RSP_ETIMEOUT, "no reply from the gdbstub in time");
    ssize_t got = read(r->fd, r->rx, sizeof r->rx);
    if (got < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (got < 0)
      return fail(r, MH_RSP_EIO, "read from the gdbstub: %s", strerror(errno));
    if (got == 0)
      return fail(r, MH_RSP_ECLOSED, "the gdbstub closed the connection");
    r->rx_pos = 0;
    r->rx_len = (size_t)got;
  }
  return (unsigned char)r->rx[r->rx_pos++];
}

static int write_all(struct mh_rsp *r, const char *buf, size_t len, double deadline) {
  while (len) {
    ssize_t n = send(r->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN) {
      int k = watched_poll(r, POLLOUT, deadline);
      if (k == MH_RSP_EDEAD)
        return k;
      if (k == 0)
        return fail(r, MH_RSP_ETIMEOUT, "the gdbstub does not accept data in time");
      continue;
    }
    if (n < 0)
      return fail(r, errno == EPIPE ? MH_RSP_ECLOSED : MH_RSP_EIO, "write to the gdbstub: %s",
                  strerror(errno));
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static const char hexdig[] = "0123456789abcdef";

// ---- packets ----

static int reserve(char **buf, size_t *cap, size_t need) {
  if (need <= *cap)
    return 0;
  size_t n = *cap ? *cap : 1024;
  while (n < need)
    n *= 2;
  char *p = realloc(*buf, n);
  if (!p)
    return -1;
  *buf = p;
  *cap = n;
  return 0;
}

static int encode(struct mh_rsp *r, const char *payload, size_t len) {
  if (reserve(&r->tx, &r->tx_cap, 2 * len + 5) < 0)
    return fail(r, MH_RSP_EIO, "out of memory");
  size_t n = 0;
  unsigned sum = 0;
  r->tx[n++] = '$';
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)payload[i];
    if (c == '$' || c == '#' || c == '}' || c == '*') {
      r->tx[n++] = '}';
      sum += '}';
      c ^= 0x20;
    }
    r->tx[n++] = (char)c;
    sum += c;
  }
  r->tx[n++] = '#';
  r->tx[n++] = hexdig[(sum >> 4) & 0xf];
  r->tx[n++] = hexdig[sum & 0xf];
  r->tx_len = n;
  return 0;
}

static int read_body(struct mh_rsp *r, double deadline);

// A packet that arrived while we waited for an acknowledgement: the stub
// spoke first. Keep a stop reply for later; anything else is noise.
static int unsolicited(struct mh_rsp *r, double deadline) {
  int rc = read_body(r, deadline);
  if (rc < 0)
    return rc;
  int w = write_all(r, rc == 1 ? "-" : "+", 1, deadline);
  if (w < 0)
    return w;
  if (rc == 0 && r->pkt_len && strchr("STWX", r->pkt[0]) && r->pkt_len < sizeof r->pending) {
    memcpy(r->pending, r->pkt, r->pkt_len + 1);
    r->pending_stop = true;
  }
  return 0;
}

// In ack mode every packet we send must be acknowledged with '+'; '-' asks
// for a retransmission.
static int send_packet(struct mh_rsp *r, const char *payload, size_t len, double deadline) {
  int rc = encode(r, payload, len);
  for (int attempt = 0; rc == 0; attempt++) {
    if ((rc = write_all(r, r->tx, r->tx_len, deadline)) < 0 || r->noack)
      return rc;
    int c = next_byte(r, deadline);
    while (c == '$') {
      if ((rc = unsolicited(r, deadline)) < 0)
        return rc;
      c = next_byte(r, deadline);
    }
    if (c < 0)
      return c;
    if (c == '+')
      return 0;
    if (c != '-')
      return fail(r, MH_RSP_EPROTO, "expected an acknowledgement, got 0x%02x", c);
    if (attempt + 1 >= MAX_RETRIES)
      return fail(r, MH_RSP_EPROTO, "the gdbstub rejected the packet %d times", MAX_RETRIES);
  }
  return rc;
}

static int append_pkt(struct mh_rsp *r, char c, size_t count) {
  if (r->pkt_len + count + 1 > MAX_PACKET)
    return fail(r, MH_RSP_EPROTO, "reply longer than %u bytes", MAX_PACKET);
  if (reserve(&r->pkt, &r->pkt_cap, r->pkt_len + count + 1) < 0)
    return fail(r, MH_RSP_EIO, "out of memory");
  memset(r->pkt + r->pkt_len, c, count);
  r->pkt_len += count;
  return 0;
}

// Reads the body after '$' up to '#' and the checksum, decoding as it goes.
// Returns 0 (good), 1 (bad checksum) or an error code.
static int read_body(struct mh_rsp *r, double deadline) {
  unsigned sum = 0;
  bool escape = false;
  r->pkt_len = 0;
  for (;;) {
    int c = next_byte(r, deadline);
    if (c < 0)
      return c;
    if (c == '#')
      break;
    if (c == '$')
      return fail(r, MH_RSP_EPROTO, "'$' inside a packet");
    sum += (unsigned)c;
    int rc;
    if (escape) {
      rc = append_pkt(r, (char)(c ^ 0x20), 1);
      escape = false;
    } else if (c == '}') {
      escape = true;
      rc = 0;
    } else if (c == '*') {
      // Run length: the next byte minus 29 repeats the previous byte.
      int n = next_byte(r, deadline);
      if (n < 0)
        return n;
      if (n == '#' || n < 29 + 3 || r->pkt_len == 0)
        return fail(r, MH_RSP_EPROTO, "bad run-length encoding");
      sum += (unsigned)n;
      rc = append_pkt(r, r->pkt[r->pkt_len - 1], (size_t)(n - 29));
    } else {
      rc = append_pkt(r, (char)c, 1);
    }
    if (rc < 0)
      return rc;
  }
  int h = next_byte(r, deadline), l = h < 0 ? h : next_byte(r, deadline);
  if (h < 0 || l < 0)
    return h < 0 ? h : l;
  if (hexval(h) < 0 || hexval(l) < 0)
    return fail(r, MH_RSP_EPROTO, "checksum is not hex");
  // An empty first packet has allocated nothing yet.
  if (reserve(&r->pkt, &r->pkt_cap, r->pkt_len + 1) < 0)
    return fail(r, MH_RSP_EIO, "out of memory");
  r->pkt[r->pkt_len] = 0;
  return ((unsigned)(hexval(h) << 4 | hexval(l)) == (sum & 0xff)) ? 0 : 1;
}

static int recv_packet(struct mh_rsp *r, double deadline) {
  for (int bad = 0;;) {
    int c = next_byte(r, deadline);
    if (c < 0)
      return c;
    if (c != '$' && c != '%')
      continue; // stray acks and line noise between packets
    int rc = read_body(r, deadline);
    if (rc < 0)
      return rc;
    if (rc == 1 && r->noack)
      return fail(r, MH_RSP_EPROTO, "reply with a bad checksum in no-ack mode");
    if (!r->noack) {
      int w = write_all(r, rc == 1 ? "-" : "+", 1, deadline);
      if (w < 0)
        return w;
    }
    if (rc == 1 || c == '%') {
      // Bad checksum: the stub resends. Notifications: not for us.
      if (rc == 1 && ++bad >= MAX_RETRIES)
        return fail(r, MH_RSP_EPROTO, "%d replies in a row with a bad checksum", bad);
      continue;
    }
    return 0;
  }
}

static double deadline_of(const struct mh_rsp *r) {
  return mh_now() + r->timeout_ms / 1000.0;
}

static int classify(struct mh_rsp *r, const char *what) {
  if (r->pkt_len == 0)
    return fail(r, MH_RSP_EUNSUPPORTED, "the gdbstub does not support %.40s", what);
  if (r->pkt[0] == 'E' && r->pkt_len == 3 && hexval(r->pkt[1]) >= 0 && hexval(r->pkt[2]) >= 0)
    return fail(r, MH_RSP_EREMOTE, "the gdbstub answered %s to %.60s", r->pkt, what);
  return 0;
}

// what: the request as messages name it (a binary payload is no string).
static int request_n(struct mh_rsp *r, const char *payload, size_t n, const char *what,
                     const char **reply, size_t *len) {
  double deadline = deadline_of(r);
  int rc = send_packet(r, payload, n, deadline);
  if (rc == 0)
    rc = recv_packet(r, deadline);
  if (rc == 0)
    rc = classify(r, what);
  if (reply)
    *reply = rc == 0 ? r->pkt : NULL;
  if (len)
    *len = rc == 0 ? r->pkt_len : 0;
  return rc;
}

int mh_rsp_request(struct mh_rsp *r, const char *payload, const char **reply, size_t *len) {
  return request_n(r, payload, strlen(payload), payload, reply, len);
}

int mh_rsp_xfer_write(struct mh_rsp *r, const char *object, const char *annex, const void *data,
                      size_t n) {
  char head[160];
  int k = snprintf(head, sizeof head, "qXfer:%s:write:%s:0:", object, annex);
  char *pkt = k > 0 && (size_t)k < sizeof head ? malloc((size_t)k + n) : NULL;
  if (!pkt)
    return fail(r, MH_RSP_EIO, "out of memory");
  memcpy(pkt, head, (size_t)k);
  memcpy(pkt + k, data, n); // binary: encode() escapes what must be
  const char *rep;
  int rc = request_n(r, pkt, (size_t)k + n, head, &rep, NULL);
  free(pkt);
  // The reply is the number of bytes the stub took, in hex.
  if (rc == 0 && strtoul(rep, NULL, 16) != n)
    return fail(r, MH_RSP_EPROTO, "%s took %.20s of %zu bytes", head, rep, n);
  return rc;
}

static int expect_ok(struct mh_rsp *r, const char *payload) {
  const char *rep;
  int rc = mh_rsp_request(r, payload, &rep, NULL);
  if (rc == 0 && strcmp(rep, "OK") != 0)
    return fail(r, MH_RSP_EPROTO, "expected OK to %.40s, got %.60s", payload, rep);
  return rc;
}

// ---- commands ----

static int parse_stop(struct mh_rsp *r, struct mh_rsp_stop *stop);

int mh_rsp_handshake(struct mh_rsp *r, bool want_noack) {
  const char *rep;
  int rc = mh_rsp_request(r, "qSupported:swbreak+;hwbreak+", &rep, NULL);
  if (rc == 0 && (rep[0] == 'T' || rep[0] == 'S') && parse_stop(r, NULL) == 0 &&
      strlen(rep) < sizeof r->pending) {
    // The stub announced a stop before answering: keep it, read the answer.
    memcpy(r->pending, rep, strlen(rep) + 1);
    r->pending_stop = true;
    rc = recv_packet(r, deadline_of(r));
    if (rc == 0)
      rc = classify(r, "qSupported");
    rep = r->pkt;
  }
  if (rc < 0)
    return rc;
  bool can_noack = false;
  char *copy = strdup(rep), *save = NULL;
  if (!copy)
    return fail(r, MH_RSP_EIO, "out of memory");
  for (char *f = strtok_r(copy, ";", &save); f; f = strtok_r(NULL, ";", &save)) {
    if (strncmp(f, "PacketSize=", 11) == 0) {
      unsigned long n = strtoul(f + 11, NULL, 16);
      if (n >= 64)
        r->packet_size = n;
    } else if (strcmp(f, "QStartNoAckMode+") == 0) {
      can_noack = true;
    }
  }
  free(copy);
  if (want_noack && can_noack) {
    if ((rc = expect_ok(r, "QStartNoAckMode")) < 0)
      return rc;
    r->noack = true;
  }
  return 0;
}

// The n:r pairs of a T stop: "watch:ADDR;", "rwatch:ADDR;" or "awatch:ADDR;".
static void parse_watch(const char *p, struct mh_rsp_stop *stop) {
  static const char *const keys[] = {"watch:", "rwatch:", "awatch:"};
  static const char kinds[] = {'w', 'r', 'a'};
  for (; *p; p = strchr(p, ';') ? strchr(p, ';') + 1 : p + strlen(p))
    for (int k = 0; k < 3; k++)
      if (strncmp(p, keys[k], strlen(keys[k])) == 0) {
        stop->watch = kinds[k];
        stop->watch_addr = strtoull(p + strlen(keys[k]), NULL, 16);
      }
}

static int parse_stop(struct mh_rsp *r, struct mh_rsp_stop *stop) {
  const char *p = r->pkt;
  if (r->pkt_len < 3 || !strchr("STWX", p[0]) || hexval(p[1]) < 0 || hexval(p[2]) < 0)
    return fail(r, MH_RSP_EPROTO, "expected a stop reply, got %.60s", p);
  int v = hexval(p[1]) << 4 | hexval(p[2]);
  if (stop) {
    stop->kind = p[0];
    stop->signal = p[0] == 'W' ? 0 : v;
    stop->status = p[0] == 'W' ? v : 0;
    stop->watch = 0;
    stop->watch_addr = 0;
    if (p[0] == 'T')
      parse_watch(p + 3, stop);
  }
  return 0;
}

int mh_rsp_halt_reason(struct mh_rsp *r, struct mh_rsp_stop *stop) {
  int rc = mh_rsp_request(r, "?", NULL, NULL);
  return rc < 0 ? rc : parse_stop(r, stop);
}

static int unhex(struct mh_rsp *r, const char *hex, size_t hexlen, uint8_t *out, size_t cap) {
  if (hexlen % 2 || hexlen / 2 > cap)
    return fail(r, MH_RSP_EPROTO, "hex reply of %zu digits for %zu bytes", hexlen, cap);
  for (size_t i = 0; i < hexlen / 2; i++) {
    int h = hexval(hex[2 * i]), l = hexval(hex[2 * i + 1]);
    if (h < 0 || l < 0)
      return fail(r, MH_RSP_EPROTO, "not hex: %.20s", hex + 2 * i);
    out[i] = (uint8_t)(h << 4 | l);
  }
  return 0;
}

int mh_rsp_read_registers(struct mh_rsp *r, uint8_t *buf, size_t cap, size_t *len) {
  const char *rep;
  size_t n;
  int rc = mh_rsp_request(r, "g", &rep, &n);
  if (rc < 0)
    return rc;
  // 'x' marks registers the stub cannot read; they read as zero here.
  char *copy = strdup(rep);
  if (!copy)
    return fail(r, MH_RSP_EIO, "out of memory");
  for (size_t i = 0; i < n; i++)
    copy[i] = copy[i] == 'x' ? '0' : copy[i];
  rc = unhex(r, copy, n, buf, cap);
  free(copy);
  if (rc == 0 && len)
    *len = n / 2;
  return rc;
}

// Payload bytes per m/M packet: each byte is two hex digits, and the command
// and address need room too.
static size_t chunk_bytes(const struct mh_rsp *r) {
  size_t n = (r->packet_size - 40) / 2;
  return n > 4096 ? 4096 : n;
}

int mh_rsp_read_memory(struct mh_rsp *r, uint64_t addr, void *buf, size_t len) {
  uint8_t *out = buf;
  for (size_t done = 0; done < len;) {
    size_t n = len - done < chunk_bytes(r) ? len - done : chunk_bytes(r);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "m%llx,%zx", (unsigned long long)(addr + done), n);
    const char *rep;
    size_t replen;
    int rc = mh_rsp_request(r, cmd, &rep, &replen);
    if (rc < 0)
      return rc;
    if (replen != 2 * n)
      return fail(r, MH_RSP_EPROTO, "%s returned %zu bytes", cmd, replen / 2);
    if ((rc = unhex(r, rep, replen, out + done, n)) < 0)
      return rc;
    done += n;
  }
  return 0;
}

int mh_rsp_write_memory(struct mh_rsp *r, uint64_t addr, const void *buf, size_t len) {
  const uint8_t *in = buf;
  size_t step = chunk_bytes(r);
  char *cmd = malloc(2 * step + 64);
  if (!cmd)
    return fail(r, MH_RSP_EIO, "out of memory");
  int rc = 0;
  for (size_t done = 0; done < len && rc == 0;) {
    size_t n = len - done < step ? len - done : step;
    int k = snprintf(cmd, 64, "M%llx,%zx:", (unsigned long long)(addr + done), n);
    for (size_t i = 0; i < n; i++) {
      cmd[k++] = hexdig[in[done + i] >> 4];
      cmd[k++] = hexdig[in[done + i] & 0xf];
    }
    cmd[k] = 0;
    rc = expect_ok(r, cmd);
    done += n;
  }
  free(cmd);
  return rc;
}

int mh_rsp_write_verified(struct mh_rsp *r, uint64_t addr, const void *buf, size_t len) {
  int rc = mh_rsp_write_memory(r, addr, buf, len);
  uint8_t *back = rc == 0 ? malloc(len ? len : 1) : NULL;
  if (rc == 0 && !back)
    return fail(r, MH_RSP_EIO, "out of memory");
  if (rc == 0 && (rc = mh_rsp_read_memory(r, addr, back, len)) == 0 && memcmp(back, buf, len))
    rc = fail(r, MH_RSP_EPROTO,
              "write of %zu bytes at 0x%llx did not stick (read back differs: "
              "no RAM there?)",
              len, (unsigned long long)addr);
  free(back);
  return rc;
}

int mh_rsp_phys_mode(struct mh_rsp *r, bool on) {
  return expect_ok(r, on ? "Qqemu.PhyMemMode:1" : "Qqemu.PhyMemMode:0");
}

static int take_pending(struct mh_rsp *r, struct mh_rsp_stop *stop) {
  r->pending_stop = false;
  r->pkt_len = strlen(r->pending);
  if (reserve(&r->pkt, &r->pkt_cap, r->pkt_len + 1) < 0)
    return fail(r, MH_RSP_EIO, "out of memory");
  memcpy(r->pkt, r->pending, r->pkt_len + 1);
  return parse_stop(r, stop);
}

int mh_rsp_wait_stop(struct mh_rsp *r, int timeout_ms, struct mh_rsp_stop *stop) {
  if (r->pending_stop)
    return take_pending(r, stop);
  double deadline = mh_now() + timeout_ms / 1000.0;
  bool was_broken = r->broken;
  for (;;) {
    int rc = recv_packet(r, deadline);
    // A target still running at the deadline is the caller's business
    // (it interrupts); the connection itself is fine.
    if (rc == MH_RSP_ETIMEOUT && !was_broken)
      r->broken = false;
    if (rc < 0)
      return rc;
    if (r->pkt_len && r->pkt[0] == 'O' && strcmp(r->pkt, "OK") != 0)
      continue; // console output while running
    return parse_stop(r, stop);
  }
}

int mh_rsp_continue(struct mh_rsp *r) {
  r->pending_stop = false; // that stop is over
  return send_packet(r, "c", 1, deadline_of(r));
}

int mh_rsp_resume(struct mh_rsp *r, const char *packet) {
  r->pending_stop = false;
  return send_packet(r, packet, strlen(packet), deadline_of(r));
}

int mh_rsp_step(struct mh_rsp *r, struct mh_rsp_stop *stop) {
  int rc = send_packet(r, "s", 1, deadline_of(r));
  return rc < 0 ? rc : mh_rsp_wait_stop(r, r->timeout_ms, stop);
}

int mh_rsp_interrupt(struct mh_rsp *r, struct mh_rsp_stop *stop) {
  // Already stopped on the stub's own initiative: a ^C would go unanswered.
  if (r->pending_stop)
    return take_pending(r, stop);
  // Ctrl-C travels as a raw byte outside any packet and is never acknowledged.
  int rc = write_all(r, "\x03", 1, deadline_of(r));
  return rc < 0 ? rc : mh_rsp_wait_stop(r, r->timeout_ms, stop);
}

int mh_rsp_breakpoint(struct mh_rsp *r, int type, bool insert, uint64_t addr, int kind) {
  if (type != 0 && type != 1)
    return fail(r, MH_RSP_EPROTO, "breakpoint type %d is not 0 or 1", type);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "%c%d,%llx,%x", insert ? 'Z' : 'z', type, (unsigned long long)addr,
           kind);
  return expect_ok(r, cmd);
}

int mh_rsp_watchpoint(struct mh_rsp *r, int type, bool insert, uint64_t addr, int len) {
  if (type < 2 || type > 4 || len < 1)
    return fail(r, MH_RSP_EPROTO, "watchpoint type %d len %d: expected type 2-4, len > 0", type,
                len);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "%c%d,%llx,%x", insert ? 'Z' : 'z', type, (unsigned long long)addr,
           len);
  return expect_ok(r, cmd);
}

static int append_hex_text(struct mh_rsp *r, const char *hex, char *out, size_t cap, size_t *n) {
  size_t len = strlen(hex);
  if (len % 2)
    return fail(r, MH_RSP_EPROTO, "odd-length hex in monitor output");
  for (size_t i = 0; i < len; i += 2) {
    int h = hexval(hex[i]), l = hexval(hex[i + 1]);
    if (h < 0 || l < 0)
      return fail(r, MH_RSP_EPROTO, "monitor output is not hex: %.20s", hex + i);
    if (*n + 1 < cap)
      out[(*n)++] = (char)(h << 4 | l);
  }
  if (cap)
    out[*n] = 0;
  return 0;
}

int mh_rsp_monitor(struct mh_rsp *r, const char *cmd, char *output, size_t cap) {
  size_t len = strlen(cmd), n = 0;
  char *pkt = malloc(2 * len + 8);
  if (!pkt)
    return fail(r, MH_RSP_EIO, "out of memory");
  size_t k = (size_t)sprintf(pkt, "qRcmd,");
  for (size_t i = 0; i < len; i++) {
    pkt[k++] = hexdig[(unsigned char)cmd[i] >> 4];
    pkt[k++] = hexdig[(unsigned char)cmd[i] & 0xf];
  }
  pkt[k] = 0;
  if (cap)
    output[0] = 0;
  double deadline = deadline_of(r);
  int rc = send_packet(r, pkt, k, deadline);
  free(pkt);
  while (rc == 0) {
    if ((rc = recv_packet(r, deadline)) < 0)
      break;
    if ((rc = classify(r, "qRcmd")) < 0) {
      // An empty reply here means "no such monitor command" to most stubs.
      if (rc == MH_RSP_EUNSUPPORTED)
        fail(r, rc, "the gdbstub does not support monitor commands");
      break;
    }
    if (strcmp(r->pkt, "OK") == 0)
      break;
    bool more = r->pkt[0] == 'O';
    rc = append_hex_text(r, r->pkt + (more ? 1 : 0), output, cap, &n);
    if (!more)
      break;
  }
  return rc;
}

int mh_rsp_detach(struct mh_rsp *r) {
  return expect_ok(r, "D");
}
