#include "elfsym.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

static int search(Elf *elf, const char *name, uint64_t *addr, uint64_t *size) {
  Elf_Scn *scn = NULL;
  while ((scn = elf_nextscn(elf, scn))) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
      continue;
    Elf_Data *data = elf_getdata(scn, NULL);
    if (!data || sh.sh_entsize == 0)
      continue;
    size_t n = sh.sh_size / sh.sh_entsize;
    for (size_t i = 0; i < n; i++) {
      GElf_Sym sym;
      if (!gelf_getsym(data, (int)i, &sym))
        continue;
      const char *s = elf_strptr(elf, sh.sh_link, sym.st_name);
      if (s && strcmp(s, name) == 0 && sym.st_shndx != SHN_UNDEF) {
        *addr = sym.st_value;
        if (size)
          *size = sym.st_size;
        return 0;
      }
    }
  }
  return -1;
}

// The symbol that best names addr: a function that contains it, else the
// nearest code or data label at or below it (assembly labels have no size).
struct best {
  uint64_t value, size;
  bool contains;
  const char *name;
};

static void consider(struct best *b, const GElf_Sym *sym, const char *name, uint64_t addr) {
  int type = GELF_ST_TYPE(sym->st_info);
  if (!name || !name[0] || sym->st_shndx == SHN_UNDEF || sym->st_shndx == SHN_ABS ||
      (type != STT_FUNC && type != STT_NOTYPE && type != STT_OBJECT) || sym->st_value > addr)
    return;
  bool contains = addr < sym->st_value + sym->st_size;
  if ((contains && !b->contains) || (contains == b->contains && sym->st_value >= b->value) ||
      !b->name)
    *b = (struct best){sym->st_value, sym->st_size, contains, name};
}

static void nearest(Elf *elf, uint64_t addr, struct best *b) {
  Elf_Scn *scn = NULL;
  while ((scn = elf_nextscn(elf, scn))) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0)
      continue;
    Elf_Data *data = elf_getdata(scn, NULL);
    size_t n = data ? sh.sh_size / sh.sh_entsize : 0;
    for (size_t i = 0; i < n; i++) {
      GElf_Sym sym;
      if (gelf_getsym(data, (int)i, &sym))
        consider(b, &sym, elf_strptr(elf, sh.sh_link, sym.st_name), addr);
    }
  }
}

int mh_elf_where(const char *path, uint64_t addr, char *out, size_t cap, struct mh_err *e) {
  if (elf_version(EV_CURRENT) == EV_NONE)
    return mh_fail(e, "libelf: %s", elf_errmsg(-1));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return mh_fail_errno(e, "%s: cannot open the ELF", path);
  Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
  struct best b = {0};
  int rc = 0;
  if (!elf || elf_kind(elf) != ELF_K_ELF)
    rc = mh_fail(e, "%s: not an ELF file (%s)", path, elf_errmsg(-1));
  else
    nearest(elf, addr, &b);
  if (rc == 0 && !b.name)
    rc = mh_fail(e, "%s: no symbol at or below 0x%llx", path, (unsigned long long)addr);
  else if (rc == 0)
    // Past a sized symbol's end lies code without a symbol of its own (the
    // translator's call thunks follow the last function of their file).
    snprintf(out, cap, "%s+0x%llx%s", b.name, (unsigned long long)(addr - b.value),
             b.size && !b.contains ? " (past its end)" : "");
  if (elf)
    elf_end(elf);
  close(fd);
  return rc;
}

int mh_elf_symbol(const char *path, const char *name, uint64_t *addr, uint64_t *size,
                  struct mh_err *e) {
  if (elf_version(EV_CURRENT) == EV_NONE)
    return mh_fail(e, "libelf: %s", elf_errmsg(-1));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return mh_fail_errno(e, "%s: cannot open the ELF file (is the build complete?)", path);
  Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
  int rc;
  if (!elf || elf_kind(elf) != ELF_K_ELF)
    rc = mh_fail(e, "%s: not an ELF file (%s)", path, elf_errmsg(-1));
  else if (search(elf, name, addr, size) < 0)
    rc = mh_fail(e, "%s has no symbol \"%s\": name a function it has (nm %s lists them)", path,
                 name, path);
  else
    rc = 0;
  if (elf)
    elf_end(elf);
  close(fd);
  return rc;
}

int mh_elf_address(const char *path, const char *spec, uint64_t *addr, struct mh_err *e) {
  if (strncmp(spec, "0x", 2) == 0) {
    *addr = strtoull(spec, NULL, 16);
    return 0;
  }
  char sym[128];
  const char *plus = strchr(spec, '+');
  snprintf(sym, sizeof sym, "%.*s", plus ? (int)(plus - spec) : (int)strlen(spec), spec);
  if (mh_elf_symbol(path, sym, addr, NULL, e) < 0)
    return -1;
  *addr += plus ? strtoull(plus + 1, NULL, 0) : 0;
  return 0;
}
