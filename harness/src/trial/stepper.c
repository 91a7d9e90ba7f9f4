#include "stepper.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfsym.h"
#include "rsp.h"
#include "snapshot.h"

#define NVEC 256
#define OP_HLT 0xf4

int mh_step_regs(struct mh_session *s, uint32_t reg[MH_R_COUNT], struct mh_err *e) {
  uint8_t raw[1024];
  size_t n;
  if (mh_rsp_read_registers(s->rsp, raw, sizeof raw, &n) < 0 || n < 4 * MH_R_COUNT)
    return mh_fail(e, "reading registers: %s", mh_rsp_error(s->rsp));
  memcpy(reg, raw, 4 * MH_R_COUNT);
  return 0;
}

// The kernel's 256 trap entry points (its `trap_vectors` table): a step
// that stops on one of them delivered an interrupt or exception.
static int vectors(struct mh_session *s, uint32_t vec[NVEC], struct mh_err *e) {
  uint64_t a;
  if (mh_elf_symbol(s->o.kernel, "trap_vectors", &a, NULL, e) < 0)
    return mh_err_prefix(e, "when.icount needs the kernel's trap_vectors table: ");
  if (mh_session_kread(s, (uint32_t)a, vec, NVEC * sizeof *vec) < 0)
    return mh_fail(e, "cannot read trap_vectors at 0x%llx: %s", (unsigned long long)a,
                   mh_rsp_error(s->rsp));
  return 0;
}

static int vector_of(const uint32_t vec[NVEC], uint32_t eip) {
  for (int i = 0; i < NVEC; i++)
    if (vec[i] == eip)
      return i;
  return -1;
}

// Whether the step from prev to a stop at vector v retired an instruction:
// software interrupts (vectors 48 and up on this PC, int3 and into) retire
// the `int`; a device interrupt (32-47) after a hlt retires the hlt; faults
// (and a device interrupt between two instructions) retire nothing.
static bool retired(struct mh_session *s, int v, uint32_t prev) {
  if (v == 3 || v == 4 || v >= 48)
    return true;
  if (v < 32)
    return false;
  uint8_t op = 0;
  return mh_session_kread(s, prev, &op, 1) == 0 && op == OP_HLT;
}

static int set_flags(struct mh_session *s, int flags, struct mh_err *e) {
  char cmd[32];
  snprintf(cmd, sizeof cmd, "Qqemu.sstep=%d", flags);
  const char *rep;
  if (mh_rsp_request(s->rsp, cmd, &rep, NULL) < 0 || strcmp(rep, "OK") != 0)
    return mh_fail(e, "%s refused: %s", cmd, mh_rsp_error(s->rsp));
  return 0;
}

static int get_flags(struct mh_session *s, int *flags, struct mh_err *e) {
  const char *rep;
  if (mh_rsp_request(s->rsp, "qqemu.sstep", &rep, NULL) < 0)
    return mh_fail(e, "qqemu.sstep: %s (QEMU's gdbstub needed)", mh_rsp_error(s->rsp));
  *flags = (int)strtol(rep, NULL, 16);
  return 0;
}

static void note_user(struct mh_step_out *out) {
  if ((out->reg[MH_R_CS] & 3) == 3) {
    memcpy(out->ureg, out->reg, sizeof out->ureg);
    out->have_ureg = true;
  }
}

static int walk(struct mh_session *s, int64_t n, const uint32_t vec[NVEC], struct mh_step_out *out,
                struct mh_err *e) {
  if (mh_step_regs(s, out->reg, e) < 0)
    return -1;
  note_user(out);
  while (out->n < n) {
    uint32_t prev = out->reg[MH_R_EIP];
    struct mh_rsp_stop st;
    if (mh_rsp_step(s->rsp, &st) < 0 || st.kind == 'W' || st.kind == 'X')
      return mh_fail(e, "single step %lld at 0x%x: %s", (long long)out->n, prev,
                     st.kind == 'W' || st.kind == 'X' ? "QEMU ended" : mh_rsp_error(s->rsp));
    if (mh_step_regs(s, out->reg, e) < 0)
      return -1;
    uint32_t eip = out->reg[MH_R_EIP];
    int v = vector_of(vec, eip);
    if (v >= 0)
      out->events++;
    if (v < 0 || retired(s, v, prev)) {
      if (out->trace && out->n < out->trace_cap)
        out->trace[out->n] = eip;
      out->n++;
    }
    note_user(out);
    if (eip == s->a_poweroff) {
      out->ended = mh_session_poweroff_stop(s, out->reg[MH_R_ESP], e);
      return 0;
    }
  }
  return 1;
}

int mh_step(struct mh_session *s, int64_t n, int flags, struct mh_step_out *out, struct mh_err *e) {
  uint32_t vec[NVEC];
  int old;
  out->n = 0;
  out->events = 0;
  out->have_ureg = false;
  out->ended = MH_AT_USER;
  if (vectors(s, vec, e) < 0 || get_flags(s, &old, e) < 0 || set_flags(s, flags, e) < 0)
    return -1;
  int rc = walk(s, n, vec, out, e);
  // The session steps over its breakpoints with the stub's own flags.
  struct mh_err e2;
  if (set_flags(s, old, rc < 0 ? &e2 : e) < 0 && rc >= 0)
    return -1;
  return rc;
}

int mh_step_delivery(struct mh_session *s, int *vector, uint32_t *interrupted,
                     uint32_t reg[MH_R_COUNT], struct mh_err *e) {
  uint32_t vec[NVEC];
  int old;
  struct mh_rsp_stop st;
  *vector = -1;
  *interrupted = 0;
  if (vectors(s, vec, e) < 0 || get_flags(s, &old, e) < 0 || set_flags(s, MH_SSTEP_FREE_RUN, e) < 0)
    return -1;
  int rc = mh_rsp_step(s->rsp, &st) < 0 ? mh_fail(e, "single step: %s", mh_rsp_error(s->rsp)) : 0;
  if (rc == 0)
    rc = mh_step_regs(s, reg, e);
  if (rc == 0 && (*vector = vector_of(vec, reg[MH_R_EIP])) >= 0 &&
      mh_session_kread(s, reg[MH_R_ESP], interrupted, 4) < 0)
    rc = mh_fail(e, "cannot read the interrupt frame at esp 0x%x", reg[MH_R_ESP]);
  struct mh_err e2;
  if (set_flags(s, old, rc < 0 ? &e2 : e) < 0 && rc == 0)
    return -1;
  return rc;
}
