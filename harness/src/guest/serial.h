// The kernel's serial protocol (docs/serial-protocol.md): `@event key=value…`
// lines parsed from a byte stream that arrives in arbitrary pieces.
#ifndef MH_SERIAL_H
#define MH_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MH_EV_MAXKV 16

struct mh_kv {
  char key[32];
  char val[256];
};

// One machine line: `@name k=v k="quoted v"`.
struct mh_event {
  char name[32];
  int nkv;
  struct mh_kv kv[MH_EV_MAXKV];
};

// Returns 1 for a well-formed @ line, 0 for a line for people, -1 (with e)
// for an @ line that breaks the protocol.
int mh_event_parse(const char *line, struct mh_event *ev, struct mh_err *e);
const char *mh_event_get(const struct mh_event *ev, const char *key);

struct mh_test_obs {
  char name[64];
  bool ok;
  uint64_t cycles;
  double host_s; // when the harness saw the line, seconds since the run started
};

// The serial output as the program and the kernel meant it, one line each
// (malloc'ed; NULL when out of memory). The kernel prints its own machine
// lines (@boot, @exit, @panic, @oracle, @frames, @mce) from any context, so one may
// break a line a program was printing: today's kernel then starts it on a
// new line and ends it with ` split=1`, an older one printed it right after
// the program's text. Either way the machine line becomes a line of its own
// and the program's text before it is joined with its continuation (the
// next line that is not a kernel machine line). CRs at line ends go.
char *mh_serial_lines(const char *raw);

#define MH_TAIL_CAP 4096

// Everything a run's serial output told us. Fed incrementally.
struct mh_serial {
  // Parsed protocol state.
  bool booted;
  char boot_variant[16];
  struct mh_test_obs *tests;
  size_t ntests, cap_tests;
  bool have_summary;
  long passed, failed;
  bool have_exit;
  long exit_status;
  int malformed; // @ lines that broke the protocol
  char first_malformed[256];
  // Expected substrings (each must appear within one line), borrowed from the caller.
  const char *const *expect;
  size_t nexpect;
  bool *expect_seen;
  // The last MH_TAIL_CAP bytes, for error reports.
  char tail[MH_TAIL_CAP];
  size_t tail_len;
  // The line being assembled.
  char line[1024];
  size_t line_len;
  bool line_overflow;
};

// expect may be NULL; the strings must outlive s.
int mh_serial_init(struct mh_serial *s, const char *const *expect, size_t nexpect);
void mh_serial_free(struct mh_serial *s);
// Feeds bytes; now_s stamps any @test lines completed by this chunk.
void mh_serial_feed(struct mh_serial *s, const char *buf, size_t n, double now_s);
// Processes a final line that had no newline (the guest died mid-line).
void mh_serial_finish(struct mh_serial *s, double now_s);
bool mh_serial_all_expected(const struct mh_serial *s);
// Copies the tail, starting at a line boundary when possible, NUL-terminated.
void mh_serial_tail(const struct mh_serial *s, char *out, size_t cap);

#endif
