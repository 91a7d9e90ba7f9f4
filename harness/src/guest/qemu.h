// The QEMU command line, built as an argv in one place (design §6, the
// contract in the issue). Nothing here runs a shell.
#ifndef MH_QEMU_H
#define MH_QEMU_H

#include <stdbool.h>

#include "err.h"

struct mh_qemu_opts {
  const char *qemu;        // binary
  const char *kernel;      // multiboot ELF
  const char *disk;        // NULL: no disk
  const char *disk_format; // "raw" (default) or "qcow2"
  bool disk_snapshot;      // snapshot=on: the image is never written
  bool disk_in_ram;        // load the raw image as a multiboot module (-initrd)
                           // instead of IDE: no host I/O timing reaches the
                           // guest, so icount cycle counts repeat exactly
  const char *append;      // kernel command line: program and arguments
  const char *accel;       // "tcg" or "kvm"
  bool icount;             // -icount shift=0: rdtsc counts instructions
  unsigned mem_mb;         // 0: MH_GUEST_RAM_MB
  const char *serial_path; // serial output file
  bool serial_append;      // QEMU appends (the harness may empty the file meanwhile)
  const char *gdb_socket;  // NULL: no gdbstub
  const char *qmp_socket;  // NULL: no QMP
  bool paused;             // -S: wait for a debugger or QMP "cont"
};

struct mh_argv {
  char **v; // NULL-terminated
  int n;
};

int mh_qemu_argv(const struct mh_qemu_opts *o, struct mh_argv *out);
void mh_argv_free(struct mh_argv *a);
// Creates a qcow2 overlay on a base image with qemu-img (argv, no shell):
// savevm/loadvm need a qcow2 drive, and the overlay keeps the base untouched.
// qemu_img NULL: "qemu-img" from PATH.
int mh_qcow2_overlay(const char *qemu_img, const char *base, const char *base_format,
                     const char *overlay, struct mh_err *e);
// A new empty qcow2 image of the given size ("64M"), for savevm's snapshots.
int mh_qcow2_blank(const char *path, const char *size, struct mh_err *e);

// For logs: the argv joined with spaces (not for execution). Caller frees.
char *mh_argv_join(const struct mh_argv *a);

#endif
