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
//
// Cuts that the i386 descriptor cannot describe (x86-64: stack deltas past
// the 128-byte red zone, registers r8-r15, a scratch register) use D ==
// MPT_LONG64, followed by six bytes: from, to, end, kind (a whole byte),
// delta / 8 (signed byte) and a scratch byte: 0, or (slot << 4) | reg when
// general register reg (0-15, ModRM order extended by REX: rax rcx rdx rbx
// rsp rbp rsi rdi r8..r15) was saved in save slot slot (1-3) and must be
// restored from it whichever end the cut is moved to.
//
// Save slot k (k >= 1) of a sequence is the word at (stack pointer at L0)
// - red - word * k: red 0 and word 4 on i386, red 128 (the red zone, which
// x86-64 sequences skip before saving anything) and word 8 on x86-64. A
// sequence writes every save in both copies (mirror slot first, then the
// push), so a page replaced from either side still holds it.
#define MPT_BLOCK 0x00
#define MPT_LONG 0x80
// A short entry's D is any byte with a nonzero low nibble (0x81 would be
// from 1, length 8), so MPT_LONG64 is one of the free ones with a zero
// low nibble.
#define MPT_LONG64 0x40
#define MPT_KIND(b) ((b)&0xf)
#define MPT_DELTA(b) ((int)(((signed char)(b)) >> 4) * 4)
#define MPT_BYTE(kind, delta) (((((int)(delta)) / 4) & 0xf) << 4 | (kind))

// Run the sequence again from L0 (%esp set back by delta).
#define MPT_REDO 1
// L0..: the native read-modify-write ran and the instruction at the
// interrupted EIP writes the mirror of the same bytes (on x86-64 also: it
// reads the native bytes into the scratch register that copies them to the
// mirror, `mov` either way, the copy done in chunks of at most 8): roll back (native
// frame replaced: the mirror's bytes go back to native, EIP = L0) or forward
// (the native result goes to the mirror, EIP = L0 + end).
#define MPT_RMW 2
// Like MPT_RMW; a rollback also restores the arithmetic flags from save
// slot 1 (the word at (L0's %esp) - 4 on i386), saved in both copies before
// the instruction.
#define MPT_RMWF 3
// Run again from L0 after restoring registers the sequence changed, saved
// in both copies of save slots 1-3 (i386: the words at L0's %esp - 4, - 8,
// - 12): %eax from slot 1 (movsb); %ecx from 1 and %edi from 2 (rep stos);
// those and %esi from 3 (rep movs).
#define MPT_REDO_A 4
#define MPT_REDO_CD 5
#define MPT_REDO_CDS 6
// The sequence's writes are complete in both copies; only its stack
// adjustment (and a scratch register) is left: EIP = L0 + end, the stack
// pointer as it was at L0. MPT_LONG64 entries only.
#define MPT_FWD 7
// Like MPT_RMW; a rollback also restores general register (kind - MPT_RMWR)
// from save slot 1 (xadd, cmpxchg change it). On x86-64 the register number
// reaches 15 (MPT_LONG64 entries carry the whole kind byte).
#define MPT_RMWR 8
#endif
