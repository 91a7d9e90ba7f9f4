// cmocka needs these headers in this order; every test includes this first.
#ifndef MH_CM_H
#define MH_CM_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>

static inline int mh_test_rm_one(const char *path, const struct stat *st, int flag,
                                 struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

// Removes a test's scratch directory and everything in it.
static inline int mh_test_rm_tree(const char *dir) {
  return nftw(dir, mh_test_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
#endif
