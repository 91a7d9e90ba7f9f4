// A session's serial log, bounded: QEMU appends the guest's serial output
// to a file (append=on), the harness empties the file at the start of each
// trial, and keeps only the head and the tail of a trial's output. A guest
// that floods the serial port (a hang printing one character forever) costs
// at most head + tail + what it prints between two trims of disk space,
// however long the trial runs.
//
// The middle is dropped by punching a hole (fallocate PUNCH_HOLE): QEMU keeps
// appending at the end, no byte QEMU writes is lost or counted twice, and
// the guest need not be stopped. The file's length still counts every
// byte, which gives the number of bytes elided exactly.
#ifndef MH_SERLOG_H
#define MH_SERLOG_H

#include <stdbool.h>

#define MH_SERIAL_HEAD (64 * 1024)
#define MH_SERIAL_TAIL (64 * 1024)

struct mh_serlog {
  int fd;        // -1: not open
  long mark;     // file offset where the current trial's output starts
  long punched;  // bytes before this offset are already a hole
  long elided;   // bytes left out by the last mh_serlog_read
  bool can_trim; // false once the file system refused a hole
};

// Creates (empty) the log file QEMU will append to.
int mh_serlog_open(struct mh_serlog *l, const char *path);
void mh_serlog_close(struct mh_serlog *l);
// Starts a trial's output: empties the file (only while the guest is
// stopped, so no byte is in flight), else remembers where it ends.
void mh_serlog_mark(struct mh_serlog *l);
// Frees the disk space of all but the head and the tail once the trial's
// output outgrows them; cheap enough to call every few hundred ms.
void mh_serlog_trim(struct mh_serlog *l);
// The trial's output (malloc'ed, NUL-terminated): all of it, or its head, a
// line "@serial elided=N" on a line of its own, and its tail. Sets elided.
char *mh_serlog_read(struct mh_serlog *l);

#endif
