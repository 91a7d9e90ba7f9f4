// The parts of the 32-bit ELF format exec needs.
#ifndef ELF_H
#define ELF_H
#include "types.h"

#define ELF_MAGIC 0x464c457f // "\x7fELF" read as a little-endian word
#define ELF_PT_LOAD 1
#define ELF_PF_W 2    // phdr flags: the segment is writable
#define ELF_CLASS32 1 // ident[0]: 32-bit objects
#define ELF_EM_386 3

struct elf_header {
  uint magic;
  uchar ident[12];
  ushort type;
  ushort machine;
  uint version;
  uint entry;
  uint phoff;
  uint shoff;
  uint flags;
  ushort ehsize;
  ushort phentsize;
  ushort phnum;
  ushort shentsize;
  ushort shnum;
  ushort shstrndx;
};

struct elf_phdr {
  uint type;
  uint off;
  uint vaddr;
  uint paddr;
  uint filesz;
  uint memsz;
  uint flags;
  uint align;
};
#endif
