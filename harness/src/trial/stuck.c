#include "stuck.h"

#include "activation.h"
#include "rsp.h"
#include "util.h"

#define Z_WRITE 2

int mh_inject_stuck(struct mh_rsp *r, uint32_t pa, uint64_t mask, int value, struct mh_flip *out,
                    struct mh_err *e) {
  return mh_inject_bits(r, pa, mask, value ? MH_BITS_SET : MH_BITS_CLEAR, out, e);
}

int mh_frame_retired(struct mh_session *s, uint32_t pa, struct mh_err *e) {
  int kind, refs, owner;
  uint32_t partner;
  if (mh_introspect_frame(mh_rsp_physread, s->rsp, &s->guest.in, pa >> 12, &kind, &refs, &partner,
                          &owner, e) < 0)
    return -1;
  return kind == FRAME_POISONED;
}

static int watch(struct mh_session *s, bool insert, uint32_t addr, struct mh_err *e) {
  if (mh_rsp_watchpoint(s->rsp, Z_WRITE, insert, addr, 8) < 0)
    return mh_fail(e, "%s the write watchpoint at 0x%x: %s", insert ? "inserting" : "removing",
                   addr, mh_rsp_error(s->rsp));
  return 0;
}

// Forces the bits again after a store; -1 on error.
static int reapply(struct mh_session *s, uint32_t pa, uint64_t mask, struct mh_stuck *st,
                   struct mh_err *e) {
  struct mh_flip again;
  if (mh_inject_stuck(s->rsp, pa, mask, st->value, &again, e) < 0)
    return -1;
  st->reapplied += again.after != again.before;
  return 0;
}

enum mh_stop_at mh_run_stuck(struct mh_session *s, const struct mh_target *t,
                             const struct mh_fault *f, int timeout_ms, struct mh_stuck *st,
                             struct mh_err *e) {
  uint32_t pa = t->pa + f->word * 8, kva = s->guest.in.kernbase + pa;
  uint32_t uva = t->uva ? t->uva + f->word * 8 : 0;
  if (watch(s, true, kva, e) < 0 || (uva && watch(s, true, uva, e) < 0))
    return MH_AT_DEAD;
  double deadline = mh_now() + timeout_ms / 1000.0;
  enum mh_stop_at at = MH_AT_USER;
  for (int i = 0; i < 100000 && !st->retired; i++) {
    at = mh_session_run(s, mh_ms_left(deadline), e);
    if (at != MH_AT_USER)
      break;
    if (!s->last_stop.watch)
      continue;
    int r = mh_frame_retired(s, pa, e);
    if (r < 0)
      return MH_AT_DEAD;
    if ((st->retired = r))
      break;
    uint32_t hit = (uint32_t)s->last_stop.watch_addr;
    int mine = uva && hit >= uva && hit < uva + 8 ? mh_watch_ours(s, hit, pa + (hit - uva), e) : 1;
    if (mine < 0)
      return MH_AT_DEAD;
    if (!mine)
      st->foreign++;
    else if (reapply(s, pa, f->mask, st, e) < 0)
      return MH_AT_DEAD;
  }
  if (s->alive && (watch(s, false, kva, e) < 0 || (uva && watch(s, false, uva, e) < 0)))
    return MH_AT_DEAD;
  return at;
}

json_object *mh_stuck_json(const struct mh_stuck *st) {
  json_object *o = json_object_new_object();
  json_object_object_add(o, "value", json_object_new_int(st->value));
  json_object_object_add(o, "reapplied", json_object_new_int(st->reapplied));
  json_object_object_add(o, "retired", json_object_new_boolean(st->retired));
  if (st->foreign)
    json_object_object_add(o, "foreign_hits", json_object_new_int(st->foreign));
  return o;
}
