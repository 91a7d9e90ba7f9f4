// malloc, free, calloc and realloc.
//
// Memory comes from sbrk in arenas of at least ARENA_MIN bytes. An arena is
// a run of blocks, each led by a header giving its size and whether it is
// taken; a header of size 0 ends the run. When the break has not moved since
// the last arena was made, a new request extends that arena instead of
// starting another, so memory freed anywhere in one contiguous heap merges
// into blocks of any size: a program that frees everything can allocate one
// block as large as all it had. Arenas are separate only where the program
// moved the break itself (usertests does), and then they need not be
// adjacent.
//
// free clears the flag; malloc merges neighbouring free blocks while it
// searches, so coalescing costs nothing for programs that never reuse
// memory. Each arena remembers its lowest block that may be free, so a run of
// allocations without frees does not walk every block it handed out.
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
  struct block *first_free; // no free block lies below this one
  struct block *end;        // the terminator
  uint pad;                 // keeps the first block 8-byte aligned
};

static struct arena *arenas; // the newest first

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

static void *search_arena(struct arena *a, uint need) {
  int before_free = 1; // every block so far was taken
  for (struct block *b = a->first_free; b->size != 0; b = next_block(b)) {
    if (b->taken)
      continue;
    if (before_free)
      a->first_free = b;
    merge_following(b);
    if (b->size >= need) {
      void *p = carve(b, need);
      if (before_free)
        a->first_free = next_block(b);
      return p;
    }
    before_free = 0;
  }
  if (before_free)
    a->first_free = a->end;
  return 0;
}

static void *search(uint need) {
  for (struct arena *a = arenas; a != 0; a = a->next) {
    void *p = search_arena(a, need);
    if (p)
      return p;
  }
  return 0;
}

// The break is where the newest arena ends: its terminator becomes a free
// block of the bytes sbrk just added, and a new terminator closes them.
static void extend(struct arena *a, uint bytes) {
  struct block *b = a->end;
  b->size = bytes;
  b->taken = 0;
  a->end = next_block(b);
  a->end->size = 0;
  if (a->first_free > b)
    a->first_free = b;
}

// Get room for one free block of at least need bytes.
static int grow(uint need) {
  uint bytes = need + sizeof(struct arena) + sizeof(struct block);
  if (bytes < ARENA_MIN)
    bytes = ARENA_MIN;
  // The break may sit at any byte if the program moved it itself; ask for
  // slack and start at the next aligned address. The terminator ends where
  // the memory does, so a later sbrk that returns the next byte extends
  // this arena.
  char *mem = sbrk((int)(bytes + 2 * ALIGN));
  if (mem == (char *)-1)
    return 0;
  if (arenas && (char *)(arenas->end + 1) == mem) {
    extend(arenas, bytes + 2 * ALIGN);
    return 1;
  }
  uint skew = (uint)((uintptr)mem & (ALIGN - 1));
  struct arena *a = (struct arena *)(mem + (skew ? ALIGN - skew : 0));
  struct block *b = (struct block *)(a + 1);
  uintptr top = ((uintptr)mem + bytes + 2 * ALIGN - sizeof(struct block)) & ~(uintptr)(ALIGN - 1);
  b->size = (uint)(top - (uintptr)b);
  b->taken = 0;
  a->first_free = b;
  a->end = next_block(b);
  a->end->size = 0;
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

static struct arena *arena_of(struct block *b) {
  for (struct arena *a = arenas; a != 0; a = a->next) {
    if ((char *)b > (char *)a && b < a->end)
      return a;
  }
  return 0;
}

void free(void *p) {
  if (p == 0)
    return;
  struct block *b = (struct block *)p - 1;
  b->taken = 0;
  struct arena *a = arena_of(b);
  if (a && b < a->first_free)
    a->first_free = b;
}

void *calloc(uint count, uint size) {
  if (size != 0 && count > MALLOC_MAX / size)
    return 0;
  void *p = malloc(count * size);
  if (p)
    memset(p, 0, count * size);
  return p;
}

// Grows in place when the blocks behind p are free, else moves.
void *realloc(void *p, uint n) {
  if (p == 0)
    return malloc(n);
  if (n == 0) {
    free(p);
    return 0;
  }
  if (n > MALLOC_MAX)
    return 0;
  struct block *b = (struct block *)p - 1;
  uint need = ((n + ALIGN - 1) & ~(uint)(ALIGN - 1)) + sizeof(struct block);
  merge_following(b);
  if (b->size >= need)
    carve(b, need); // in place; the rest, if any, is free again
  // Lowering the hint is always safe, and it may have pointed at a block
  // that is now part of b.
  struct arena *a = arena_of(b);
  if (a && a->first_free > b)
    a->first_free = next_block(b);
  if (b->size >= need)
    return p;
  void *q = malloc(n);
  if (q) {
    memcpy(q, p, b->size - sizeof(struct block));
    free(p);
  }
  return q;
}
