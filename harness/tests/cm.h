// cmocka needs these headers in this order; every test includes this first.
#ifndef MH_CM_H
#define MH_CM_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#endif
