// A client for the GDB remote serial protocol over any stream socket.
//
// No global state: every connection is a struct mh_rsp, so several runs can
// talk to several QEMUs at once. Every read has a deadline (the connection's
// timeout per call). Functions return 0 or a negative MH_RSP_E* code, with a
// message in mh_rsp_error().
#ifndef MH_RSP_H
#define MH_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
  MH_RSP_ETIMEOUT = -2,     // no (complete) answer before the deadline
  MH_RSP_EREMOTE = -3,      // the stub answered E nn
  MH_RSP_EPROTO = -4,       // malformed packet, bad checksum in no-ack mode, too many retries
  MH_RSP_EIO = -5,          // socket error
  MH_RSP_EUNSUPPORTED = -6, // empty reply: the stub does not know the packet
  MH_RSP_ECLOSED = -7,      // the stub closed the connection
  MH_RSP_EDEAD = -8,        // the watch says the stub's process is stopped or gone
};

// Asked every MH_WATCH_MS while a call waits for the stub: NULL when the
// other side may still answer, else why it cannot (its process was
// stopped or died). Lets a caller notice a dead QEMU within a fraction of
// a second instead of at the call's timeout.
typedef const char *(*mh_watch_fn)(void *arg);
#define MH_WATCH_MS 250

struct mh_rsp;

// Why the target stopped (a stop reply: S, T, W or X).
struct mh_rsp_stop {
  char kind;  // 'S'/'T': stopped with signal; 'W': exited; 'X': terminated
  int signal; // for S/T/X
  int status; // for W
  // T stops of a watchpoint (QEMU stops after the accessing instruction):
  // 'w' a write, 'r' a read, 'a' an access; 0 for any other stop.
  char watch;
  uint64_t watch_addr; // the address the stub reports for it
};

// Takes ownership of fd (closed by mh_rsp_close).
struct mh_rsp *mh_rsp_open_fd(int fd, int timeout_ms);
// Connects to a gdbstub on a unix socket, retrying until connect_timeout_ms
// (QEMU creates the socket shortly after it starts). NULL on failure, with
// the reason in err (cap bytes).
struct mh_rsp *mh_rsp_connect_unix(const char *path, int timeout_ms, int connect_timeout_ms,
                                   char *err, size_t cap);
void mh_rsp_close(struct mh_rsp *r);
const char *mh_rsp_error(const struct mh_rsp *r);
void mh_rsp_set_timeout(struct mh_rsp *r, int timeout_ms);
void mh_rsp_set_watch(struct mh_rsp *r, mh_watch_fn fn, void *arg);
// True once the connection failed (I/O error, closed, a request without an
// answer in time, the watch's verdict): the byte stream may be out of step
// and nothing more can be trusted. A wait_stop that merely ran out of time
// does not count.
bool mh_rsp_broken(const struct mh_rsp *r);
// The MH_RSP_E* code of the last failure (0: none yet).
int mh_rsp_last_error(const struct mh_rsp *r);

// qSupported, then QStartNoAckMode when the stub offers it and want_noack is set.
int mh_rsp_handshake(struct mh_rsp *r, bool want_noack);
bool mh_rsp_noack(const struct mh_rsp *r);
size_t mh_rsp_packet_size(const struct mh_rsp *r);

// Sends one packet and returns the decoded reply (valid until the next call).
// E nn replies return MH_RSP_EREMOTE; empty replies MH_RSP_EUNSUPPORTED.
int mh_rsp_request(struct mh_rsp *r, const char *payload, const char **reply, size_t *len);
// qXfer:OBJECT:write:ANNEX:0:DATA with n binary bytes (gdbserver's siginfo of
// the stopped thread, say); fails unless the stub took all n.
int mh_rsp_xfer_write(struct mh_rsp *r, const char *object, const char *annex, const void *data,
                      size_t n);

int mh_rsp_halt_reason(struct mh_rsp *r, struct mh_rsp_stop *stop);
// Raw register block as the stub orders it (i386: eax ecx edx ebx esp ebp esi edi eip eflags …).
int mh_rsp_read_registers(struct mh_rsp *r, uint8_t *buf, size_t cap, size_t *len);
int mh_rsp_read_memory(struct mh_rsp *r, uint64_t addr, void *buf, size_t len);
int mh_rsp_write_memory(struct mh_rsp *r, uint64_t addr, const void *buf, size_t len);
// Writes, then reads back and compares: QEMU answers OK to writes where no
// RAM is, so only the read-back proves the bytes landed.
int mh_rsp_write_verified(struct mh_rsp *r, uint64_t addr, const void *buf, size_t len);
// QEMU: while on, m and M address physical memory.
int mh_rsp_phys_mode(struct mh_rsp *r, bool on);
// Resumes without waiting; collect the stop with mh_rsp_wait_stop.
int mh_rsp_continue(struct mh_rsp *r);
// Sends any resuming packet ("C0a": continue delivering a signal, in GDB's
// own signal numbers, which are not the host's: SIGBUS is 10 in GDB's, 7 in
// Linux's; "vCont;s:TID": one step, which gdbserver wants instead of s).
// No wait either.
int mh_rsp_resume(struct mh_rsp *r, const char *packet);
int mh_rsp_step(struct mh_rsp *r, struct mh_rsp_stop *stop);
int mh_rsp_interrupt(struct mh_rsp *r, struct mh_rsp_stop *stop);
int mh_rsp_wait_stop(struct mh_rsp *r, int timeout_ms, struct mh_rsp_stop *stop);
// type 0: software breakpoint, 1: hardware breakpoint.
int mh_rsp_breakpoint(struct mh_rsp *r, int type, bool insert, uint64_t addr, int kind);
// type 2: write watchpoint, 3: read, 4: access; len bytes at addr (virtual).
int mh_rsp_watchpoint(struct mh_rsp *r, int type, bool insert, uint64_t addr, int len);
// A monitor command (GDB's `monitor`); output collects the decoded O packets.
int mh_rsp_monitor(struct mh_rsp *r, const char *cmd, char *output, size_t cap);
int mh_rsp_detach(struct mh_rsp *r);

#endif
