#include "inject.h"

#include <stdio.h>
#include <string.h>

#include "rsp.h"

int mh_inject_bits(struct mh_rsp *r, uint32_t pa, uint64_t mask, enum mh_bits_op op,
                   struct mh_flip *out, struct mh_err *e) {
  uint64_t before, after, check;
  if (mh_rsp_read_memory(r, pa, &before, 8) < 0)
    return mh_fail(e, "reading physical 0x%x: %s", pa, mh_rsp_error(r));
  after = op == MH_BITS_FLIP ? before ^ mask : op == MH_BITS_SET ? before | mask : before & ~mask;
  if (after != before && mh_rsp_write_verified(r, pa, &after, 8) < 0)
    return mh_fail(e, "writing physical 0x%x: %s", pa, mh_rsp_error(r));
  if (mh_rsp_read_memory(r, pa, &check, 8) < 0 || check != after)
    return mh_fail(
        e, "physical 0x%x reads 0x%llx after %s, expected 0x%llx", pa, (unsigned long long)check,
        op == MH_BITS_FLIP ? "the flip" : "forcing its stuck bits", (unsigned long long)after);
  *out = (struct mh_flip){.pa = pa, .mask = mask, .before = before, .after = after};
  return 0;
}

int mh_inject_flip(struct mh_rsp *r, uint32_t pa, uint64_t mask, struct mh_flip *out,
                   struct mh_err *e) {
  return mh_inject_bits(r, pa, mask, MH_BITS_FLIP, out, e);
}

int mh_inject_mce(struct mh_rsp *r, uint32_t pa, struct mh_err *e) {
  char cmd[128], out[512] = "";
  snprintf(cmd, sizeof cmd, "mce 0 %d %s %s 0x%x %s", MH_MCE_BANK, MH_MCE_STATUS, MH_MCE_MCG_STATUS,
           pa, MH_MCE_MISC);
  if (mh_rsp_monitor(r, cmd, out, sizeof out) < 0)
    return mh_fail(e, "monitor %s: %s", cmd, mh_rsp_error(r));
  // QEMU answers success silently; any text is a refusal ("MCE injection
  // not supported" without +mca, or a parse error).
  if (out[0])
    return mh_fail(e, "monitor %s: QEMU said: %s", cmd, out);
  return 0;
}
