// The instruction-form catalogue (forms.txt): for every form, a snippet of
// assembly and the exact text the translator must turn it into.
//
//   form NAME [may-not-change]
//   <snippet lines>
//   expect
//   <translated lines>
//   end
//
// Lines outside form ... end are comments.
#ifndef MIRROR_TEST_FORMS_H
#define MIRROR_TEST_FORMS_H

#include <stddef.h>

struct form {
  char *name;
  char *input;        // snippet, each line ending in '\n'
  char *expect;       // translation of the snippet alone
  int may_not_change; // "form NAME may-not-change": its run may leave memory as it was
};

// Reads the catalogue; returns the number of forms (exits on a syntax error).
size_t forms_load(const char *path, struct form **out);

#endif
