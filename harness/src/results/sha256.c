// SHA-256 through libcrypto's EVP interface: a well-kept implementation
// instead of one of our own.
#include "sha256.h"

#include <openssl/evp.h>
#include <stdio.h>

int mh_sha256_init(struct mh_sha256 *s) {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
    EVP_MD_CTX_free(ctx);
    ctx = NULL;
  }
  s->ctx = ctx;
  return ctx ? 0 : -1;
}

void mh_sha256_update(struct mh_sha256 *s, const void *data, size_t len) {
  if (s->ctx)
    EVP_DigestUpdate(s->ctx, data, len);
}

void mh_sha256_hex(struct mh_sha256 *s, char out[65]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  out[0] = 0;
  if (s->ctx && EVP_DigestFinal_ex(s->ctx, md, &n) == 1)
    for (unsigned int i = 0; i < n && i < 32; i++)
      sprintf(out + 2 * i, "%02x", md[i]);
  EVP_MD_CTX_free(s->ctx);
  s->ctx = NULL;
}

int mh_sha256_file(const char *path, char out[65], struct mh_err *e) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return mh_fail_errno(e, "%s", path);
  struct mh_sha256 s;
  if (mh_sha256_init(&s) < 0) {
    fclose(f);
    return mh_fail(e, "%s: cannot start a SHA-256 digest (libcrypto)", path);
  }
  unsigned char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    mh_sha256_update(&s, buf, n);
  int bad = ferror(f);
  fclose(f);
  mh_sha256_hex(&s, out);
  if (bad)
    return mh_fail(e, "%s: read error", path);
  return 0;
}
