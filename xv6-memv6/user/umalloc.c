// malloc and free.
//
// Memory comes from sbrk in arenas of at least ARENA_MIN bytes. An arena is
// a run of blocks, each led by a header giving its size and whether it is
// taken; a header of size 0 ends the run. Arenas need not be adjacent,
// because programs (usertests especially) move the break themselves.
// free only clears the flag; malloc merges neighbouring free blocks while it
// searches, so coalescing costs nothing for programs that never reuse memory.
#include "types.h"
#include "user.h"

#define ALIGN 8
#define ARENA_MIN 16384
#define MALLOC_MAX 0x40000000u // more than the whole user address space

struct block {
  uint size; // bytes, header included; 0 marks the end of the arena
  uint taken;
};

struct arena {
  struct arena *next;
  uint pad; // keeps the first block 8-byte aligned
};

static struct arena *arenas;

static struct block *next_block(struct block *b) {
  return (struct block *)((char *)b + b->size);
}

// Absorb the free blocks that follow b into b.
static void merge_following(struct block *b) {
  struct block *n = next_block(b);
  while (n->size != 0 && !n->taken) {
    b->size += n->size;
    n = next_block(b);
  }
}

// Take need bytes from the front of free block b, leaving the rest free
// when it is big enough to hold a block of its own.
static void *carve(struct block *b, uint need) {
  if (b->size - need >= 2 * sizeof(struct block)) {
    struct block *rest = (struct block *)((char *)b + need);
    rest->size = b->size - need;
    rest->taken = 0;
    b->size = need;
  }
  b->taken = 1;
  return b + 1;
}

static void *search(uint need) {
  for (struct arena *a = arenas; a != 0; a = a->next) {
    for (struct block *b = (struct block *)(a + 1); b->size != 0; b = next_block(b)) {
      if (b->taken)
        continue;
      merge_following(b);
      if (b->size >= need)
        return carve(b, need);
    }
  }
  return 0;
}

// Get a fresh arena holding one free block of at least need bytes.
static int grow(uint need) {
  uint bytes = need + sizeof(struct arena) + sizeof(struct block);
  if (bytes < ARENA_MIN)
    bytes = ARENA_MIN;
  // The break may sit at any byte if the program moved it itself; ask for
  // slack and start at the next aligned address.
  char *mem = sbrk((int)(bytes + ALIGN));
  if (mem == (char *)-1)
    return 0;
  uint skew = (uint)mem & (ALIGN - 1);
  struct arena *a = (struct arena *)(mem + (skew ? ALIGN - skew : 0));
  struct block *b = (struct block *)(a + 1);
  b->size = bytes - sizeof(struct arena) - sizeof(struct block);
  b->taken = 0;
  next_block(b)->size = 0; // the terminator
  a->next = arenas;
  arenas = a;
  return 1;
}

void *malloc(uint n) {
  if (n == 0 || n > MALLOC_MAX)
    return 0;
  uint need = ((n + ALIGN - 1) & ~(uint)(ALIGN - 1)) + sizeof(struct block);
  void *p = search(need);
  if (p == 0 && grow(need))
    p = search(need);
  return p;
}

void free(void *p) {
  if (p == 0)
    return;
  struct block *b = (struct block *)p - 1;
  b->taken = 0;
}
