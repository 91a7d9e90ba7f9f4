// AT&T assembly syntax as GCC and GAS write it: statements of a line, the
// mnemonic and prefixes of an instruction, and its operands, with memory
// operands split into segment, displacement, base, index and scale.
#ifndef MIRROR_ATT_H
#define MIRROR_ATT_H

#include "arch.h"

#include <stddef.h>

#define ATT_TEXT 512 // longest operand / statement text accepted
#define ATT_MAXOPS 4
#define ATT_MAXPFX 4

enum op_kind { OP_IMM, OP_REG, OP_MEM };

struct operand {
  enum op_kind kind;
  int star;                   // written with a leading '*' (indirect jump or call)
  char text[ATT_TEXT];        // as written, without the '*'
  const struct reg_info *reg; // OP_REG
  // OP_MEM: [seg:]disp(base,index,scale); a missing register is NULL.
  char seg[4];         // "" or e.g. "ds"
  char disp[ATT_TEXT]; // displacement expression as written, may be empty
  const struct reg_info *base, *index;
  int scale; // 1 when not written
};

struct insn {
  enum prefix prefixes[ATT_MAXPFX];
  char prefix_text[ATT_MAXPFX][8];
  int nprefix;
  char mnemonic[32]; // lower case
  struct operand ops[ATT_MAXOPS];
  int nops;
};

// One statement of a line: the text between separators, trimmed.
enum stmt_kind { SK_EMPTY, SK_LABEL, SK_DIRECTIVE, SK_INSN };

struct stmt {
  enum stmt_kind kind;
  const char *text; // points into the line; not NUL-terminated
  size_t len;
};

// Splits a line (without its newline) into statements: labels ("name:"),
// directives, instructions, separated by ';'. A '#' comment ends the line;
// quotes are respected. Sets *comment to the comment's start (or NULL).
// Returns the number of statements, or -1 if there are more than max.
int att_split(const char *line, size_t len, struct stmt *out, int max, const char **comment);

// Parses an instruction statement. Returns 0, or -1 with a message in err.
int att_parse(const struct arch *a, const char *text, size_t len, struct insn *in, char *err,
              size_t errlen);

// Sets *v and returns 1 when the displacement of m is a plain number (or empty).
int att_disp_number(const struct operand *m, long *v);

// Formats memory operand m with the displacement moved by `offset` (a number
// or a name, e.g. "0x40000000"; NULL for none) plus `add` bytes. Returns 0, or
// -1 if it does not fit.
int att_format_mem(const struct operand *m, const char *offset, long add, char *out, size_t outlen);

#endif
