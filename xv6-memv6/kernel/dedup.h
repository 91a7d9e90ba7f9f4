// dedup(): merging identical user pages of all processes (system call 29,
// docs/kernel.md "Sharing frames").
#ifndef DEDUP_H
#define DEDUP_H

// Maps every user page whose contents (and, on memv6, whose mirror's
// contents) equal an earlier page's onto that page's frame, copy-on-write,
// and releases the duplicates. Returns how many native frames were freed.
int dedup_all(void);
#endif
