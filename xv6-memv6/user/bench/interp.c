// interp: a bytecode interpreter for a small stack machine (a dispatch loop
// over opcodes whose state, the stack, the pc and the variables, lives in
// globals), running a program that counts the primes below 6000 by trial
// division and sums them. Checked against the same computation in C.
#include "types.h"
#include "user.h"
#include "bench.h"

#define LIMIT 6000

enum op { PUSH, LOAD, STORE, ADD, SUB, MOD, MUL, LT, JZ, JMP, HALT };

struct insn {
  enum op op;
  int arg;
};

// Variables: 0 n, 1 d, 2 count, 3 sum, 4 isprime. Jump targets are
// instruction indexes (the numbers in the comments).
#define LOOP 2
#define INNER 10
#define COMPOSITE 27
#define AFTER 30
#define NEXT 41
#define END 46
static const struct insn program[] = {
    {PUSH, 2},       {STORE, 0},                             //  0 n = 2
    {LOAD, 0},       {PUSH, LIMIT}, {LT, 0},      {JZ, END}, //  2 LOOP: while n < LIMIT
    {PUSH, 1},       {STORE, 4},                             //  6 isprime = 1
    {PUSH, 2},       {STORE, 1},                             //  8 d = 2
    {LOAD, 1},       {LOAD, 1},     {MUL, 0},                // 10 INNER: d*d
    {LOAD, 0},       {PUSH, 1},     {ADD, 0},                // 13 n+1
    {LT, 0},         {JZ, AFTER},                            // 16 while d*d < n+1
    {LOAD, 0},       {LOAD, 1},     {MOD, 0},                // 18 n % d
    {JZ, COMPOSITE},                                         // 21
    {LOAD, 1},       {PUSH, 1},     {ADD, 0},                // 22 d + 1
    {STORE, 1},      {JMP, INNER},                           // 25 d = d + 1
    {PUSH, 0},       {STORE, 4},    {JMP, AFTER},            // 27 COMPOSITE: isprime = 0
    {LOAD, 4},       {JZ, NEXT},                             // 30 AFTER: if isprime
    {LOAD, 2},       {PUSH, 1},     {ADD, 0},                // 32 count + 1
    {STORE, 2},                                              // 35 count = count + 1
    {LOAD, 3},       {LOAD, 0},     {ADD, 0},                // 36 sum + n
    {STORE, 3},      {JMP, NEXT},                            // 39 sum = sum + n
    {LOAD, 0},       {PUSH, 1},     {ADD, 0},                // 41 NEXT: n + 1
    {STORE, 0},      {JMP, LOOP},                            // 44 n = n + 1
    {HALT, 0},                                               // 46 END
};

static int stack[64];
static int sp;
static int pc;
static int vars[8];
static long steps;

static int pop(void) {
  return stack[--sp];
}

static void push(int v) {
  stack[sp++] = v;
}

static void run(void) {
  pc = 0;
  sp = 0;
  for (;;) {
    const struct insn *in = &program[pc++];
    steps++;
    int a, b;
    switch (in->op) {
    case PUSH:
      push(in->arg);
      break;
    case LOAD:
      push(vars[in->arg]);
      break;
    case STORE:
      vars[in->arg] = pop();
      break;
    case ADD:
    case SUB:
    case MOD:
    case MUL:
    case LT:
      b = pop();
      a = pop();
      push(in->op == ADD   ? a + b
           : in->op == SUB ? a - b
           : in->op == MOD ? a % b
           : in->op == MUL ? a * b
                           : a < b);
      break;
    case JZ:
      if (pop() == 0)
        pc = in->arg;
      break;
    case JMP:
      pc = in->arg;
      break;
    case HALT:
      return;
    }
  }
}

int main(void) {
  uint64 t0 = rdtsc();
  run();
  uint64 t1 = rdtsc();
  int count = 0, sum = 0;
  for (int n = 2; n < LIMIT; n++) {
    int prime = 1;
    for (int d = 2; d * d < n + 1; d++) {
      if (n % d == 0) {
        prime = 0;
        break;
      }
    }
    count += prime;
    sum += prime ? n : 0;
  }
  int ok = vars[2] == count && vars[3] == sum && sp == 0;
  printf(1, "verify interp %s primes=%d/%d sum=%d/%d steps=%d\n", ok ? "ok" : "FAIL", vars[2],
         count, vars[3], sum, (int)steps);
  return bench_report("interp", ok, t1 - t0);
}
