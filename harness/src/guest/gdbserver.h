// A Linux program under gdbserver, driven with the same GDB remote protocol
// client as QEMU's gdbstub (rsp.h): memharness's path into ordinary Linux
// processes (docs/campaign.md, "Linux processes").
//
// gdbserver is started from an argument vector, never through a shell
// (--no-startup-with-shell), listens on 127.0.0.1 only (a port the kernel
// chooses, read back from what gdbserver prints) and serves one connection
// (--once). The program inherits gdbserver's stdout and stderr: its stdout
// is a file of its own; its stderr shares a file with gdbserver's messages,
// which mh_gdbserver_output cuts away.
#ifndef MH_GDBSERVER_H
#define MH_GDBSERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "proc.h"
#include "rsp.h"

// GDB's signal numbers (the remote protocol's), not the host's.
#define MH_GDB_SIGTRAP 5
#define MH_GDB_SIGBUS 10

// What differs between the architectures a Linux program may have.
struct mh_lx_arch {
  const char *name;       // "i386", "x86_64"
  int word;               // bytes of a register and a pointer
  int sp_reg, pc_reg;     // indices in the g packet (all registers word bytes before them)
  int siginfo_size;       // the program's siginfo_t
  int siginfo_addr_off;   // si_addr in it (signo, errno, code come first)
  uint64_t mirror_offset; // the translator's offset for this architecture; 0: not known here
};

// The architecture of an ELF executable (e_machine): i386 or x86-64.
int mh_lx_arch_of(const char *elf, const struct mh_lx_arch **arch, struct mh_err *e);

struct mh_gdbserver {
  struct mh_proc proc; // gdbserver itself
  struct mh_rsp *rsp;
  int pid;      // the program's (gdbserver's child)
  bool exited;  // the program is gone (W or X seen), nothing to kill
  bool running; // resumed and not stopped since: gdbserver answers no packet
  char dir[64]; // private temporary directory of the two output files
  char out[96], err[96];
  long err_from; // where the program's own stderr starts in err
};

// Starts gdbserver on argv[0] (a path) with argv[1..], connects and
// handshakes; the program stands at its first instruction. timeout_ms
// bounds every request. 0, or -1 with e (nothing left running).
int mh_gdbserver_start(struct mh_gdbserver *g, char *const argv[], double connect_timeout_s,
                       int timeout_ms, struct mh_err *e);
// Kills the program (through gdbserver, or with gdbserver's death: gdbserver
// traces it with PTRACE_O_EXITKILL) and gdbserver, reaps gdbserver and
// removes the files. Safe on a session that failed to start.
void mh_gdbserver_stop(struct mh_gdbserver *g);
// The program's stdout (err false) or its stderr without gdbserver's lines,
// malloc'ed; NULL when out of memory.
char *mh_gdbserver_output(const struct mh_gdbserver *g, bool err);
// Registers sp and pc of the stopped program (g packet, arch's layout).
int mh_gdbserver_sp_pc(struct mh_gdbserver *g, const struct mh_lx_arch *a, uint64_t *sp,
                       uint64_t *pc, struct mh_err *e);
// The index in a's g packet of the general register called name: "sp" and
// "esp" the stack pointer on both; "eax" … "edi" on both (on x86-64 the
// whole 64-bit register: its low half's name, so that one campaign names
// the same register on both architectures); "rax" … "r15" on x86-64.
// -1: a has no register of that name.
int mh_lx_register(const struct mh_lx_arch *a, const char *name);
// Whether name is a register name on either architecture.
bool mh_lx_is_register(const char *name);
// a's register names, for a message ("eax ecx … sp").
const char *mh_lx_register_names(const struct mh_lx_arch *a);
// The value of general register index (mh_lx_register) of the stopped program.
int mh_gdbserver_reg(struct mh_gdbserver *g, const struct mh_lx_arch *a, int index, uint64_t *v,
                     struct mh_err *e);
// Steps one instruction (vCont;s, or vCont;S with gdb_signal to deliver
// first); *st is the stop. 0, or a negative MH_RSP_E* code with e
// (MH_RSP_ETIMEOUT: still running after timeout_ms).
int mh_gdbserver_step(struct mh_gdbserver *g, int gdb_signal, int timeout_ms,
                      struct mh_rsp_stop *st, struct mh_err *e);
// Whether gdbserver steps this program (vCont? lists s and S): 0 yes, -1
// with e naming what it answered.
int mh_gdbserver_can_step(struct mh_gdbserver *g, struct mh_err *e);
// Whether gdbserver runs here (`gdbserver --version`, from an argv).
bool mh_gdbserver_available(void);
// Whether this host can poison a page for real (madvise MADV_HWPOISON needs
// CONFIG_MEMORY_FAILURE, whose vm.memory_failure_early_kill sysctl then
// exists, and CAP_SYS_ADMIN); why says which is missing.
bool mh_hwpoison_available(char *why, size_t cap);

#endif
