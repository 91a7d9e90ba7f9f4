// SHA-256 of files and buffers, to identify kernel builds and campaign files
// in results. The digest itself comes from OpenSSL's libcrypto.
#ifndef MH_SHA256_H
#define MH_SHA256_H

#include <stddef.h>

#include "err.h"

struct mh_sha256 {
  void *ctx; // libcrypto's digest context; freed by mh_sha256_hex
};

// Returns 0, or -1 when libcrypto cannot set up a digest (out of memory).
int mh_sha256_init(struct mh_sha256 *s);
void mh_sha256_update(struct mh_sha256 *s, const void *data, size_t len);
void mh_sha256_hex(struct mh_sha256 *s, char out[65]); // finishes s
int mh_sha256_file(const char *path, char out[65], struct mh_err *e);

#endif
