// The table of mirrored write sequences (docs/memv6.md, "A machine check
// inside a mirrored write"). The translator writes it, the user linker script
// keeps it and points at it from a header at user address 0, and machine-check
// recovery reads it. Host and guest code both include this file: #defines only.
#ifndef MIRRORPAIRS_H
#define MIRRORPAIRS_H

// The header at user address 0: magic, table start, table end (user addresses).
#define MPT_MAGIC 0x3254504d // "MPT2"
#define MPT_HEADER_VA 0

// The table is a byte stream of blocks, each a run of entries of one
// section in address order. A block: MPT_BLOCK, then L0 of its first entry
// (4 bytes, little endian). An entry: a descriptor byte D, then the gap from
// the previous entry's L0 in the block (unsigned LEB128, 0 for the first).
// D with a nonzero low nibble is a short entry: MPT_REDO at delta 0 with
// from = D & 15 and to = end = from + (D >> 4) (bytes from L0). D ==
// MPT_LONG is followed by from, to, end and kind | (delta / 4) << 4.
// An entry covers interrupted EIPs in [L0 + from, L0 + to); L0 + end is the
// first instruction after the sequence; delta (signed nibble, units of 4
// bytes) is what to add to %esp to get %esp as it was at L0.
#define MPT_BLOCK 0x00
#define MPT_LONG 0x80
#define MPT_KIND(b) ((b)&0xf)
#define MPT_DELTA(b) ((int)(((signed char)(b)) >> 4) * 4)
#define MPT_BYTE(kind, delta) (((((int)(delta)) / 4) & 0xf) << 4 | (kind))

// Run the sequence again from L0 (%esp set back by delta).
#define MPT_REDO 1
// L0..: the native read-modify-write ran and the instruction at the
// interrupted EIP writes the mirror of the same bytes: roll back (native
// frame replaced: the mirror's bytes go back to native, EIP = L0) or forward
// (the native result goes to the mirror, EIP = L0 + end).
#define MPT_RMW 2
// Like MPT_RMW; a rollback also restores the arithmetic flags from the word
// at (L0's %esp) - 4, saved there in both copies before the instruction.
#define MPT_RMWF 3
// Run again from L0 after restoring registers the sequence changed, saved
// in both copies of the words below L0's %esp: %eax from -4 (movsb); %ecx
// from -4 and %edi from -8 (rep stos); those and %esi from -12 (rep movs).
#define MPT_REDO_A 4
#define MPT_REDO_CD 5
#define MPT_REDO_CDS 6
// Like MPT_RMW; a rollback also restores general register (kind - MPT_RMWR)
// from the word at (L0's %esp) - 4 (xadd, cmpxchg change it).
#define MPT_RMWR 8
#endif
