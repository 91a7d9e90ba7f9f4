// Checks machine lines of the serial protocol (docs/serial-protocol.md).
//
// qrun runs every line the kernel prints through this checker, so a kernel
// or usertests change that breaks the contract with memharness fails a test
// at once instead of confusing the harness later.
#ifndef SERIALCHECK_H
#define SERIALCHECK_H

#include <stddef.h>

#define SERIAL_MAX_KEYS 16

struct serial_event {
  char name[32];
  int nkeys;
  char key[SERIAL_MAX_KEYS][32];
  char value[SERIAL_MAX_KEYS][256];
};

// Splits an '@' line into its event name and key=value pairs. Returns 0, or
// -1 with a reason in err when the line is not well formed.
int serial_parse(const char *line, struct serial_event *ev, char *err, size_t errlen);

// Parses the line and checks it against the documented events: known name,
// the documented keys in the documented order, values of the right form.
// Unknown events are errors too: a new event is documented before it is used.
int serial_check(const char *line, char *err, size_t errlen);

// The value of key in ev, or NULL.
const char *serial_get(const struct serial_event *ev, const char *key);

#endif
