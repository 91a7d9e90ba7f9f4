#include "forms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void append(char **s, size_t *len, const char *line) {
  size_t n = strlen(line);
  char *p = realloc(*s, *len + n + 1);
  if (!p) {
    perror("forms");
    exit(2);
  }
  memcpy(p + *len, line, n + 1);
  *s = p;
  *len += n;
}

size_t forms_load(const char *path, struct form **out) {
  FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    exit(2);
  }
  struct form *forms = NULL;
  size_t n = 0;
  char line[1024];
  int state = 0; // 0 outside, 1 input, 2 expect
  size_t ilen = 0, elen = 0;
  long lineno = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    if (state == 0) {
      if (strncmp(line, "form ", 5) != 0)
        continue;
      forms = realloc(forms, (n + 1) * sizeof *forms);
      if (!forms) {
        perror("forms");
        exit(2);
      }
      char *name = line + 5;
      forms[n].may_not_change = strstr(name, " may-not-change") != NULL;
      name[strcspn(name, " \t\r\n")] = 0;
      forms[n].name = strdup(name);
      forms[n].input = strdup("");
      forms[n].expect = strdup("");
      ilen = elen = 0;
      state = 1;
    } else if (strcmp(line, "expect\n") == 0 && state == 1) {
      state = 2;
    } else if (strcmp(line, "end\n") == 0 && state == 2) {
      n++;
      state = 0;
    } else if (strncmp(line, "form ", 5) == 0 || strcmp(line, "end\n") == 0 ||
               strcmp(line, "expect\n") == 0) {
      fprintf(stderr, "%s:%ld: misplaced '%.*s'\n", path, lineno, (int)strcspn(line, "\n"), line);
      exit(2);
    } else if (state == 1) {
      append(&forms[n].input, &ilen, line);
    } else {
      append(&forms[n].expect, &elen, line);
    }
  }
  fclose(f);
  if (state != 0) {
    fprintf(stderr, "%s: form '%s' is not closed by 'end'\n", path, forms[n].name);
    exit(2);
  }
  *out = forms;
  return n;
}
