// Basic integer types. The names match what xv6 user programs expect.
#ifndef TYPES_H
#define TYPES_H
typedef unsigned int uint;
typedef unsigned short ushort;
typedef unsigned char uchar;
typedef unsigned int uint32;
typedef unsigned long long uint64;
typedef unsigned long uintptr; // an address as a number, 32 or 64 bits (linux/x86_64)
typedef uint pde_t;
typedef uint pte_t;
#endif
