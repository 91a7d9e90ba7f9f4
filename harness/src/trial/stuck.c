#include "stuck.h"

#include "activation.h"
#include "rsp.h"
#include "util.h"

#define Z_WRITE 2
#define Z_READ 3

int mh_inject_stuck(struct mh_rsp *r, uint32_t pa, uint64_t mask, int value, struct mh_flip *out,
                    struct mh_err *e) {
  return mh_inject_bits(r, pa, mask, value ? MH_BITS_SET : MH_BITS_CLEAR, out, e);
}

int mh_frame_retired(struct mh_session *s, uint32_t pa, struct mh_err *e) {
  // memv6sys's kernel mirror frames lie above the frame table: never retired.
  if (s->guest.in.kmirror_pa && pa >= s->guest.in.kmirror_pa)
    return 0;
  int kind, refs, owner;
  uint32_t partner;
  if (mh_introspect_frame(mh_rsp_physread, s->rsp, &s->guest.in, pa >> 12, &kind, &refs, &partner,
                          &owner, e) < 0)
    return -1;
  return kind == FRAME_POISONED;
}

// Where the word is watched: its kernel direct-map address and, for a user
// frame, its owner's user address; writes to the whole word always, reads
// of the bytes [rlo, rlo + rlen) that hold stuck bits only while a read
// would be the fault's activation (the bits differ from what the guest
// stored, and no such read came yet), so a word the guest reads often
// costs no stops while the fault is latent.
struct stuck_watch {
  uint32_t addr[2];
  int n;
  uint32_t rlo, rlen;
  bool reads; // the read watchpoints are in
};

static int watchpoint(struct mh_session *s, int type, bool insert, uint32_t addr, uint32_t len,
                      struct mh_err *e) {
  if (mh_rsp_watchpoint(s->rsp, type, insert, addr, (int)len) < 0)
    return mh_fail(e, "%s the %s watchpoint at 0x%x: %s", insert ? "inserting" : "removing",
                   type == Z_WRITE ? "write" : "read", addr, mh_rsp_error(s->rsp));
  return 0;
}

static int watch_writes(struct mh_session *s, struct stuck_watch *w, bool on, struct mh_err *e) {
  for (int i = 0; i < w->n; i++)
    if (watchpoint(s, Z_WRITE, on, w->addr[i], 8, e) < 0)
      return -1;
  return 0;
}

static int watch_reads(struct mh_session *s, struct stuck_watch *w, bool on, struct mh_err *e) {
  if (w->reads == on)
    return 0;
  for (int i = 0; i < w->n; i++)
    if (watchpoint(s, Z_READ, on, w->addr[i] + w->rlo, w->rlen, e) < 0)
      return -1;
  w->reads = on;
  return 0;
}

// Forces the bits again after an access (a read-modify-write instruction
// reports only its read); -1 on error. A store that changed them makes
// them differ from what the guest stored; one that left them as they were
// stored the stuck value itself.
static int reapply(struct mh_session *s, uint32_t pa, uint64_t mask, bool store,
                   struct mh_stuck *st, struct mh_err *e) {
  struct mh_flip again;
  if (mh_inject_stuck(s->rsp, pa, mask, st->value, &again, e) < 0)
    return -1;
  bool changed = again.after != again.before;
  st->reapplied += changed;
  if (changed || store)
    st->differs = changed;
  return 0;
}

// One watchpoint stop at hit: a read while the bits differ activates the
// fault; any access of ours forces them again. 0, or -1 on error.
static int on_access(struct mh_session *s, uint32_t pa, uint32_t uva, uint64_t mask,
                     struct mh_stuck *st, struct mh_activation *act, struct mh_err *e) {
  uint32_t hit = (uint32_t)s->last_stop.watch_addr;
  int mine = uva && hit >= uva && hit < uva + 8 ? mh_watch_ours(s, hit, pa + (hit - uva), e) : 1;
  if (mine <= 0) {
    st->foreign += mine == 0;
    return mine;
  }
  bool store = s->last_stop.watch == 'w';
  if (!store && st->differs && act->state == MH_ACT_UNTOUCHED) {
    act->state = MH_ACT_READ;
    act->addr = hit;
    mh_act_where(s, act);
  }
  return reapply(s, pa, mask, store, st, e);
}

enum mh_stop_at mh_run_stuck(struct mh_session *s, const struct mh_target *t,
                             const struct mh_fault *f, int timeout_ms, struct mh_stuck *st,
                             struct mh_activation *act, struct mh_err *e) {
  uint32_t pa = t->pa + f->word * 8;
  uint32_t uva = t->uva ? t->uva + f->word * 8 : 0;
  struct stuck_watch w = {.addr = {mh_target_kva(&s->guest.in, t) + f->word * 8, uva},
                          .n = uva ? 2 : 1};
  mh_act_span(f->mask, &w.rlo, &w.rlen);
  *act = (struct mh_activation){.state = MH_ACT_UNTOUCHED};
  if (watch_writes(s, &w, true, e) < 0 || watch_reads(s, &w, st->differs, e) < 0)
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
    if (on_access(s, pa, uva, f->mask, st, act, e) < 0 ||
        watch_reads(s, &w, st->differs && act->state == MH_ACT_UNTOUCHED, e) < 0)
      return MH_AT_DEAD;
  }
  if (s->alive && (watch_writes(s, &w, false, e) < 0 || watch_reads(s, &w, false, e) < 0))
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
