// usertests: exec's image cache (docs/kernel.md, "Exec and the image
// cache"). Each test writes a tiny program of its own, utimg, so it knows
// every byte of the text and can change exactly one between execs.
#include "types.h"
#include "user.h"
#include "ut.h"

// The 32-bit ELF header and program header, as much as utimg needs.
struct img_ehdr {
  uchar ident[16];
  ushort type, machine;
  uint version, entry, phoff, shoff, flags;
  ushort ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct img_phdr {
  uint type, off, vaddr, paddr, filesz, memsz, flags, align;
};

#define CODE_AT 0x54 // right after the two headers; also its address
// The program, one read-only segment at address 0 (file offset = address):
//   argc == 1: exitst(STATUS)
//   argc == 3: mcetest(&STATUS, bit 0, MCETEST_NATIVE), then as argc == 1
//   argc == 2: write one byte to fd 1 ("running"), read one byte from
//              fd 0, then exitst(framerefs(its own entry point))
static const uchar code[] = {
    0x8b, 0x74, 0x24, 0x04,                   // movl 4(%esp), %esi (argc)
    0x83, 0xfe, 0x02, 0x74, 0x27,             // cmpl $2, %esi; je refs
    0x83, 0xfe, 0x03, 0x75, 0x15,             // cmpl $3, %esi; jne done
    0x6a, 0x00, 0x6a, 0x00,                   // pushl $0 (mode); pushl $0 (bit)
    0x68, 0x78, 0x00, 0x00, 0x00, 0x6a, 0x00, // pushl $STATUS's address; pushl $0
    0xb8, 0x1b, 0x00, 0x00, 0x00, 0xcd, 0x40, // mcetest
    0x83, 0xc4, 0x10,                         // addl $16, %esp
    0x6a, 0x07, 0x6a, 0x00,                   // done: pushl $STATUS; pushl $0
    0xb8, 0x16, 0x00, 0x00, 0x00, 0xcd, 0x40, // exitst
    0xeb, 0xfe,                               // jmp .
    0x6a, 0x01, 0x68, 0x54, 0x00, 0x00, 0x00, // refs: pushl $1; pushl $CODE_AT
    0x6a, 0x01, 0x6a, 0x00,                   // pushl $1 (fd); pushl $0
    0xb8, 0x10, 0x00, 0x00, 0x00, 0xcd, 0x40, // write
    0x83, 0xc4, 0x10,                         // addl $16, %esp
    0x8d, 0x4c, 0x24, 0xc0,                   // leal -64(%esp), %ecx
    0x6a, 0x01, 0x51, 0x6a, 0x00, 0x6a, 0x00, // pushl $1; pushl %ecx; pushl $0 (fd); pushl $0
    0xb8, 0x05, 0x00, 0x00, 0x00, 0xcd, 0x40, // read
    0x83, 0xc4, 0x10,                         // addl $16, %esp
    0x68, 0x54, 0x00, 0x00, 0x00, 0x6a, 0x00, // pushl $CODE_AT; pushl $0
    0xb8, 0x1e, 0x00, 0x00, 0x00, 0xcd, 0x40, // framerefs
    0x83, 0xc4, 0x08,                         // addl $8, %esp
    0x50, 0x6a, 0x00,                         // pushl %eax; pushl $0
    0xb8, 0x16, 0x00, 0x00, 0x00, 0xcd, 0x40, // exitst
    0xeb, 0xfe,                               // jmp .
};
#define STATUS_AT 36 // index in code[] of STATUS, the byte at address 0x78
#define IMG_SIZE (CODE_AT + (int)sizeof(code))
#define IMG "utimg"

// utimg with exit status `status` (mode 1).
static int write_img(int status) {
  static char img[IMG_SIZE];
  struct img_ehdr *eh = (struct img_ehdr *)img;
  struct img_phdr *ph = (struct img_phdr *)(img + sizeof(*eh));
  memset(img, 0, sizeof(img));
  eh->ident[0] = 0x7f;
  eh->ident[1] = 'E';
  eh->ident[2] = 'L';
  eh->ident[3] = 'F';
  eh->ident[4] = 1; // 32-bit
  eh->ident[5] = 1; // little-endian
  eh->ident[6] = 1;
  eh->type = 2; // executable
  eh->machine = 3;
  eh->version = 1;
  eh->entry = CODE_AT;
  eh->phoff = sizeof(*eh);
  eh->ehsize = sizeof(*eh);
  eh->phentsize = sizeof(*ph);
  eh->phnum = 1;
  *ph = (struct img_phdr){.type = 1, .filesz = IMG_SIZE, .memsz = IMG_SIZE, .flags = 5};
  memmove(img + CODE_AT, code, sizeof(code));
  img[CODE_AT + STATUS_AT] = (char)status;
  return ut_write_file(IMG, img, IMG_SIZE);
}

// Starts utimg with argc args (fd 0 and 1 from in/out when >= 0); its pid.
static int start_img(int argc, int in, int out) {
  static char *argv[] = {IMG, "x", "y", 0};
  int pid = fork();
  if (pid == 0) {
    if (in >= 0) {
      close(0);
      dup(in);
    }
    if (out >= 0) {
      close(1);
      dup(out);
    }
    argv[argc] = 0;
    exec(IMG, argv);
    exitst(-2);
  }
  return pid;
}

static int run_img(int argc) {
  int pid = start_img(argc, -1, -1);
  return pid < 0 ? -1000 : ut_wait_for(pid);
}

// ---- exectext: a rewritten program runs its new text ----

static int exectext_body(void) {
  CHECK(write_img(7) == 0);
  CHECK(run_img(1) == 7);
  CHECK(run_img(1) == 7);   // from the cache
  CHECK(write_img(9) == 0); // the same file and size, one byte changed
  CHECK(run_img(1) == 9);
  CHECK(unlink(IMG) == 0); // freed; a new file likely gets its inode
  CHECK(write_img(11) == 0);
  CHECK(run_img(1) == 11);
  return 0;
}

int t_exectext(void) {
  int r = exectext_body();
  unlink(IMG);
  return r;
}

// ---- exectextshare: two runs of one program share its text frames ----

static int share_body(void) {
  int hold[2], ready[2], eof[2];
  char c;
  CHECK(write_img(7) == 0);
  int free0 = leakcheck_frames(0), mirror0 = leakcheck_frames(1);
  CHECK(pipe(hold) == 0 && pipe(ready) == 0 && pipe(eof) == 0);
  close(eof[1]);
  int a = start_img(2, hold[0], ready[1]);
  CHECK(read(ready[0], &c, 1) == 1); // a runs utimg and waits on hold
  int b = start_img(2, eof[0], ready[1]);
  int refs_b = ut_wait_for(b); // a still maps the text
  write(hold[1], "g", 1);
  int refs_a = ut_wait_for(a); // b is gone
  close(hold[0]);
  close(hold[1]);
  close(ready[0]);
  close(ready[1]);
  close(eof[0]);
  // The text frame's holders: the cache, a, and while a ran, b. (Without
  // sharing, or with each exec loading and caching its own copy, b would
  // see two at most.)
  if (refs_a != 2 || refs_b != 3)
    printf(1, "usertests: exectextshare: text refs %d alone, %d beside another run\n", refs_a,
           refs_b);
  CHECK(refs_a == 2 && refs_b == 3);
  // The text frames only the cache holds now count as free.
  int free1 = leakcheck_frames(0), mirror1 = leakcheck_frames(1);
  if (free1 != free0 || mirror1 != mirror0)
    printf(1, "usertests: exectextshare: free %d -> %d, mirror free %d -> %d\n", free0, free1,
           mirror0, mirror1);
  CHECK(free1 == free0 && mirror1 == mirror0);
  return 0;
}

int t_exectextshare(void) {
  int r = share_body();
  unlink(IMG);
  return r;
}

// ---- exectextmce: a machine check on cached text spoils no later exec ----

static int mce_body(void) {
  CHECK(write_img(7) == 0);
  CHECK(run_img(1) == 7); // now cached
  // The bit flips in the cached frame, which recovery then retires.
  int st = run_img(3);
#ifdef XV6_MIRRORED
  CHECK(st == 7); // recovered from the mirror
#else
  CHECK(st == UT_KILLED); // the native kernel kills whoever maps the frame
#endif
  CHECK(run_img(1) == 7);
  CHECK(run_img(1) == 7);
  return 0;
}

int t_exectextmce(void) {
  int r = mce_body();
  unlink(IMG);
  return r;
}
