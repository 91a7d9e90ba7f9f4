// SHA-256 (FIPS 180-4), to identify kernel builds and campaign files in results.
#ifndef MH_SHA256_H
#define MH_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct mh_sha256 {
  uint32_t h[8];
  uint64_t bytes;
  unsigned char block[64];
  size_t fill;
};

void mh_sha256_init(struct mh_sha256 *s);
void mh_sha256_update(struct mh_sha256 *s, const void *data, size_t len);
void mh_sha256_hex(struct mh_sha256 *s, char out[65]); // finishes s
int mh_sha256_file(const char *path, char out[65], struct mh_err *e);

#endif
