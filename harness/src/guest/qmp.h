// QEMU's machine protocol (JSON over a unix socket): lifecycle events
// (SHUTDOWN, RESET, STOP, …) and commands such as human-monitor-command
// for snapshots. One struct per connection; no globals.
#ifndef MH_QMP_H
#define MH_QMP_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "err.h"
#include "rsp.h" // mh_watch_fn

struct mh_qmp_event {
  char name[32];   // e.g. "SHUTDOWN"
  char detail[64]; // e.g. the SHUTDOWN reason "guest-reset"
  double t;        // monotonic seconds when it arrived
};

struct mh_qmp;

// Connects (retrying until timeout_ms: QEMU creates the socket as it starts),
// reads the greeting and negotiates capabilities. watch (may be NULL) is
// asked between retries and while the greeting is awaited, and stays set.
struct mh_qmp *mh_qmp_connect(const char *path, int timeout_ms, mh_watch_fn watch, void *arg,
                              struct mh_err *e);
// One attempt, no waiting for the socket: NULL with *again set while QEMU has
// not created it yet.
struct mh_qmp *mh_qmp_try_connect(const char *path, int timeout_ms, bool *again, struct mh_err *e);
void mh_qmp_close(struct mh_qmp *q);
// As for the gdbstub (rsp.h): asked every MH_WATCH_MS while a command waits.
void mh_qmp_set_watch(struct mh_qmp *q, mh_watch_fn fn, void *arg);
// True once a send failed, the connection closed or a command went
// unanswered: QEMU is gone or hung, and later replies could be stale.
bool mh_qmp_broken(const struct mh_qmp *q);
int mh_qmp_fd(const struct mh_qmp *q);
// Reads whatever is available without blocking and records events.
// Returns 0, or -1 when the connection closed (QEMU exited) or broke.
int mh_qmp_pump(struct mh_qmp *q);
// Runs a command; *ret (may be NULL) gets the "return" member (caller puts).
int mh_qmp_execute(struct mh_qmp *q, const char *cmd, json_object *args, json_object **ret,
                   int timeout_ms, struct mh_err *e);
// A monitor (HMP) command through QMP; output is malloc'ed (caller frees).
int mh_qmp_hmp(struct mh_qmp *q, const char *cmdline, char **output, int timeout_ms,
               struct mh_err *e);
size_t mh_qmp_nevents(const struct mh_qmp *q);
const struct mh_qmp_event *mh_qmp_event_at(const struct mh_qmp *q, size_t i);

#endif
