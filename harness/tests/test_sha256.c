#include "cm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"

static void hex_of(const char *s, size_t len, char out[65]) {
  struct mh_sha256 h;
  assert_int_equal(mh_sha256_init(&h), 0);
  mh_sha256_update(&h, s, len);
  mh_sha256_hex(&h, out);
}

static void fips_vectors(void **state) {
  (void)state;
  char out[65];
  hex_of("", 0, out);
  assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  hex_of("abc", 3, out);
  assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  hex_of(two, strlen(two), out);
  assert_string_equal(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void file_hash_matches_memory_hash(void **state) {
  (void)state;
  char path[] = "/tmp/mh-sha-XXXXXX", a[65], b[65];
  int fd = mkstemp(path);
  char buf[100000];
  for (size_t i = 0; i < sizeof buf; i++)
    buf[i] = (char)(i * 7);
  assert_true(write(fd, buf, sizeof buf) == (ssize_t)sizeof buf);
  close(fd);
  struct mh_err e;
  assert_int_equal(mh_sha256_file(path, a, &e), 0);
  hex_of(buf, sizeof buf, b);
  assert_string_equal(a, b);
  unlink(path);
  assert_int_equal(mh_sha256_file(path, a, &e), -1);
  assert_non_null(strstr(e.msg, path));
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(fips_vectors),
                                     cmocka_unit_test(file_hash_matches_memory_hash)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
