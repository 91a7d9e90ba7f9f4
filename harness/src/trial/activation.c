#include "activation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfsym.h"
#include "rsp.h"
#include "util.h"

const char *mh_act_name(enum mh_act_state s) {
  static const char *const names[] = {"unknown", "read", "overwritten", "untouched"};
  return s <= MH_ACT_UNTOUCHED ? names[s] : "unknown";
}

#define Z_WRITE 2
#define Z_READ 3

void mh_act_span(uint64_t mask, uint32_t *lo, uint32_t *len) {
  int first = __builtin_ctzll(mask), last = 63 - __builtin_clzll(mask);
  *lo = (uint32_t)first / 8;
  *len = (uint32_t)last / 8 - *lo + 1;
}

static int watch(struct mh_session *s, bool insert, uint32_t addr, uint32_t len, struct mh_err *e) {
  if (mh_rsp_watchpoint(s->rsp, Z_WRITE, insert, addr, len) < 0 ||
      mh_rsp_watchpoint(s->rsp, Z_READ, insert, addr, len) < 0)
    return mh_fail(e, "%s the watchpoints at 0x%x (%u bytes): %s",
                   insert ? "inserting" : "removing", addr, len, mh_rsp_error(s->rsp));
  return 0;
}

// Whether the current address space maps uva to pa: QEMU's gva2gpa
// translates with the page table the CPU runs on. A process that maps the
// same user address elsewhere (a forked child, another program) hits the
// watchpoint too and is no access to the fault.
int mh_watch_ours(struct mh_session *s, uint32_t uva, uint32_t pa, struct mh_err *e) {
  char cmd[48], out[256];
  snprintf(cmd, sizeof cmd, "gva2gpa 0x%x", uva);
  if (mh_rsp_monitor(s->rsp, cmd, out, sizeof out) < 0)
    return mh_fail(e, "monitor %s: %s", cmd, mh_rsp_error(s->rsp));
  const char *g = strstr(out, "gpa: 0x");
  if (!g)
    return 0; // "Unmapped" in this address space
  return strtoul(g + 7, NULL, 16) == pa;
}

void mh_act_where(struct mh_session *s, struct mh_activation *a) {
  uint32_t esp;
  struct mh_err ignore;
  if (mh_session_regs(s, &a->eip, &esp, &ignore) < 0)
    return;
  const char *elf = a->eip >= s->guest.in.kernbase ? s->o.kernel : s->o.workload_elf;
  if (mh_elf_where(elf, a->eip, a->at, sizeof a->at, &ignore) < 0)
    snprintf(a->at, sizeof a->at, "?");
}

enum mh_stop_at mh_run_watched(struct mh_session *s, const struct mh_target *t,
                               const struct mh_fault *f, int timeout_ms, struct mh_activation *a,
                               struct mh_err *e) {
  uint32_t lo, len;
  mh_act_span(f->mask, &lo, &len); // the bytes that hold flipped bits
  uint32_t pa = t->pa + f->word * 8 + lo, kva = mh_target_kva(&s->guest.in, t) + f->word * 8 + lo;
  uint32_t uva = t->uva ? t->uva + f->word * 8 + lo : 0;
  *a = (struct mh_activation){.state = MH_ACT_UNTOUCHED};
  if (watch(s, true, kva, len, e) < 0 || (uva && watch(s, true, uva, len, e) < 0))
    return MH_AT_DEAD;
  double deadline = mh_now() + timeout_ms / 1000.0;
  enum mh_stop_at at = MH_AT_USER;
  for (int i = 0; i < 100000 && a->state == MH_ACT_UNTOUCHED; i++) {
    at = mh_session_run(s, mh_ms_left(deadline), e);
    const struct mh_rsp_stop *st = &s->last_stop;
    if (at != MH_AT_USER)
      break;
    if (!st->watch)
      continue; // a stray stop of ours, as run_to_end continues it
    uint32_t hit = (uint32_t)st->watch_addr;
    if (uva && hit >= uva && hit < uva + len) {
      int mine = mh_watch_ours(s, uva, pa, e);
      if (mine < 0)
        return MH_AT_DEAD;
      if (!mine) {
        a->foreign++;
        continue;
      }
    }
    a->state = st->watch == 'w' ? MH_ACT_OVERWRITTEN : MH_ACT_READ;
    a->addr = hit;
    mh_act_where(s, a);
  }
  if (s->alive && (watch(s, false, kva, len, e) < 0 || (uva && watch(s, false, uva, len, e) < 0)))
    return MH_AT_DEAD;
  return at;
}

json_object *mh_activation_json(const struct mh_activation *a) {
  json_object *o = json_object_new_object();
  char hex[16];
  json_object_object_add(o, "state", json_object_new_string(mh_act_name(a->state)));
  json_object_object_add(o, "activated", json_object_new_boolean(a->state == MH_ACT_READ));
  if (a->state == MH_ACT_READ || a->state == MH_ACT_OVERWRITTEN) {
    snprintf(hex, sizeof hex, "0x%x", a->eip);
    json_object_object_add(o, "eip", json_object_new_string(hex));
    json_object_object_add(o, "at", json_object_new_string(a->at));
    snprintf(hex, sizeof hex, "0x%x", a->addr);
    json_object_object_add(o, "addr", json_object_new_string(hex));
  }
  if (a->foreign)
    json_object_object_add(o, "foreign_hits", json_object_new_int(a->foreign));
  return o;
}
