#include "qemu.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mh_config.h"
#include "proc.h"

static int push(struct mh_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int push(struct mh_argv *a, const char *fmt, ...) {
  char **v = realloc(a->v, (size_t)(a->n + 2) * sizeof *v);
  if (!v)
    return -1;
  a->v = v;
  va_list ap;
  va_start(ap, fmt);
  int rc = vasprintf(&a->v[a->n], fmt, ap);
  va_end(ap);
  if (rc < 0)
    return -1;
  a->v[++a->n] = NULL;
  return 0;
}

int mh_qemu_argv(const struct mh_qemu_opts *o, struct mh_argv *a) {
  a->v = NULL;
  a->n = 0;
  int bad = 0;
  bad |= push(a, "%s", o->qemu);
  bad |= push(a, "-machine") | push(a, "pc");
  bad |= push(a, "-accel") | push(a, "%s", o->accel ? o->accel : "tcg");
  // qemu32 lacks MCA; without +mca QEMU refuses `mce` injection.
  bad |= push(a, "-cpu") | push(a, "qemu32,+mca");
  bad |= push(a, "-m") | push(a, "%uM", o->mem_mb ? o->mem_mb : MH_GUEST_RAM_MB);
  bad |= push(a, "-display") | push(a, "none");
  bad |= push(a, "-no-reboot");
  bad |= push(a, "-kernel") | push(a, "%s", o->kernel);
  bad |= push(a, "-append") | push(a, "%s", o->append ? o->append : "");
  if (o->disk && o->disk_in_ram) {
    // QEMU splits -initrd at commas into several modules.
    bad |= strchr(o->disk, ',') ? 1 : push(a, "-initrd") | push(a, "%s", o->disk);
  } else if (o->disk)
    bad |= push(a, "-drive") | push(a, "file=%s,format=%s,if=ide,index=0,media=disk%s", o->disk,
                                    o->disk_format ? o->disk_format : "raw",
                                    o->disk_snapshot ? ",snapshot=on" : "");
  bad |= push(a, "-device") | push(a, "isa-debug-exit,iobase=0xf4,iosize=0x04");
  if (o->serial_append && o->serial_path)
    // append=on: every write goes to the file's end, so serlog.c can empty
    // the file between trials without QEMU writing at a stale offset.
    bad |= push(a, "-chardev") | push(a, "file,id=mhserial,path=%s,append=on", o->serial_path) |
           push(a, "-serial") | push(a, "chardev:mhserial");
  else
    bad |= push(a, "-serial") | push(a, "file:%s", o->serial_path ? o->serial_path : "/dev/null");
  bad |= push(a, "-monitor") | push(a, "none");
  if (o->gdb_socket)
    bad |= push(a, "-gdb") | push(a, "unix:%s,server=on,wait=off", o->gdb_socket);
  if (o->qmp_socket)
    bad |= push(a, "-qmp") | push(a, "unix:%s,server=on,wait=off", o->qmp_socket);
  if (o->icount)
    // sleep=off: an idle guest's clock jumps to the next timer deadline
    // instead of following the host clock, so sleeps and preemption points
    // land on the same instruction in every run.
    bad |= push(a, "-icount") | push(a, "shift=0,sleep=off");
  if (o->paused)
    bad |= push(a, "-S");
  if (bad) {
    mh_argv_free(a);
    return -1;
  }
  return 0;
}

void mh_argv_free(struct mh_argv *a) {
  for (int i = 0; i < a->n; i++)
    free(a->v[i]);
  free(a->v);
  a->v = NULL;
  a->n = 0;
}

char *mh_argv_join(const struct mh_argv *a) {
  size_t len = 1;
  for (int i = 0; i < a->n; i++)
    len += strlen(a->v[i]) + 3;
  char *s = malloc(len), *p = s;
  if (!s)
    return NULL;
  for (int i = 0; i < a->n; i++) {
    bool quote = strchr(a->v[i], ' ') != NULL;
    p += sprintf(p, "%s%s%s%s", i ? " " : "", quote ? "'" : "", a->v[i], quote ? "'" : "");
  }
  *p = 0;
  return s;
}

// Runs qemu-img with argv (argv[0] is the program); what failed is named.
static int qemu_img(char **argv, const char *image, struct mh_err *e) {
  char out[512];
  int rc = mh_proc_capture(argv, out, sizeof out, 30000, e);
  if (rc < 0)
    return mh_err_suffix(e, ": qemu-img is needed on PATH for snapshots (Debian package "
                            "qemu-utils)");
  if (rc != 0)
    return mh_fail(e, "qemu-img create %s failed (exit %d): %s", image, rc, out);
  return 0;
}

int mh_qcow2_overlay(const char *qemu_img_path, const char *base, const char *base_format,
                     const char *overlay, struct mh_err *e) {
  char *argv[] = {(char *)(qemu_img_path ? qemu_img_path : "qemu-img"),
                  "create",
                  "-q",
                  "-f",
                  "qcow2",
                  "-b",
                  (char *)base,
                  "-F",
                  (char *)base_format,
                  (char *)overlay,
                  NULL};
  return qemu_img(argv, overlay, e);
}

int mh_qcow2_blank(const char *path, const char *size, struct mh_err *e) {
  char *argv[] = {"qemu-img", "create", "-q", "-f", "qcow2", (char *)path, (char *)size, NULL};
  return qemu_img(argv, path, e);
}
