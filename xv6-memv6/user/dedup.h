// The dedup workloads' common parts (dedup_reader, dedup_writer,
// dedup_repeat, dedup_bench): a page-aligned heap region, the page contents
// they fill it with and check, and the @dedup lines they print
// (docs/serial-protocol.md, docs/dedup.md).
#ifndef DEDUP_H
#define DEDUP_H
#include "types.h"

#define PGSIZE 4096
#define PAGE_WORDS (PGSIZE / 4)
#define DEDUP_DEFAULT_PAGES 2560 // 10 MiB: the seed homework's fill
#define DEDUP_MAX_PAGES 16384    // 64 MiB, well inside the normal zone

// argv[1] as a page count in [1, DEDUP_MAX_PAGES], defpages without it; -1
// (after a usage line naming prog) when it is not a number in range.
int dedup_pages_arg(int argc, char **argv, int defpages, const char *prog);

// Grows the heap by pages whole pages starting on a page boundary (the old
// break may sit inside a page shared with the program's data). 0 if refused.
uint *dedup_grow(int pages);

// Page contents: word j of the page made from seed. A page "seed/tail" holds
// those words except the last, which is tail: pages that differ only in
// their last word must never be merged, so a kernel that compares a prefix
// or trusts a hash alone fails the checks.
uint dedup_word(uint seed, int j);
void dedup_fill(uint *page, uint seed, uint tail);
int dedup_page_is(const uint *page, uint seed, uint tail); // 1 if it holds exactly that

// Prints `@dedup prog= phase= free= mirror_free=`.
void dedup_state(const char *prog, const char *phase);
// Calls dedup() and prints `@dedup prog= phase= freed= free= mirror_free=`;
// returns what dedup() returned.
int dedup_report(const char *prog, const char *phase);

// The memv6 mirror oracle over every process must find 0 mismatched bytes;
// always true in the untranslated (native image) build, whose kernel has no
// mirror. Complains under prog's name when it fails.
int dedup_oracle_clean(const char *prog);

// Says what went wrong on stderr, followed by n unless n < 0 (a page, a
// run); returns 1 so that callers can count failures.
int dedup_complain(const char *prog, const char *what, int n);
#endif
