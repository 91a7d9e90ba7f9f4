// Flipping bits in physical memory over RSP and raising the machine check.
#ifndef MH_INJECT_H
#define MH_INJECT_H

#include <stdint.h>

#include "err.h"

struct mh_rsp;

// The machine check we raise (QEMU HMP `mce cpu bank status mcg_status addr
// misc`, design §8): CPU 0, bank 1, MCi_STATUS 0xbd00000000000000 (VAL, UC,
// EN, MISCV, ADDRV, PCC: an uncorrected error with a valid address),
// MCG_STATUS 0x5 (RIPV, MCIP), MCi_ADDR the physical address of the flipped
// word, MCi_MISC 0x86 (address mode: physical, 4 KiB granularity).
#define MH_MCE_BANK 1
#define MH_MCE_STATUS "0xbd00000000000000"
#define MH_MCE_MCG_STATUS "0x5"
#define MH_MCE_MISC "0x86"

struct mh_flip {
  uint32_t pa; // the 8-byte word
  uint64_t mask, before, after;
};

// Reads the word, flips mask, writes it back and reads it again (QEMU answers
// OK even where no RAM is). The connection must be in physical mode.
int mh_inject_flip(struct mh_rsp *r, uint32_t pa, uint64_t mask, struct mh_flip *out,
                   struct mh_err *e);
// The same read, change and read-back for the bits of mask: flipped
// (MH_BITS_FLIP) or forced to 0 or 1 (MH_BITS_CLEAR, MH_BITS_SET: a stuck-at
// fault; a word that already holds them is not written).
enum mh_bits_op { MH_BITS_FLIP, MH_BITS_CLEAR, MH_BITS_SET };
int mh_inject_bits(struct mh_rsp *r, uint32_t pa, uint64_t mask, enum mh_bits_op op,
                   struct mh_flip *out, struct mh_err *e);
// Raises #MC for pa through the gdbstub's monitor (qRcmd). Never call it
// again before the guest has handled the previous one: QEMU resets a guest
// that gets a second #MC while MCIP is set.
int mh_inject_mce(struct mh_rsp *r, uint32_t pa, struct mh_err *e);

#endif
