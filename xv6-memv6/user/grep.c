// grep PATTERN [FILE...]: print the lines that match PATTERN.
//
// Patterns are a small regular-expression language: c matches itself,
// . any character, x* any run of x (possibly empty), ^ anchors at the start
// of the line and a final $ at its end.
#include "types.h"
#include "fcntl.h"
#include "user.h"

static int match_at(const char *pat, const char *text);

static int same(char p, char t) {
  return p == '.' || p == t;
}

// x* followed by rest: take the longest run of x, then give characters back
// until rest matches.
static int match_run(char x, const char *rest, const char *text) {
  const char *end = text;
  while (*end != '\0' && same(x, *end))
    end++;
  for (const char *t = end;; t--) {
    if (match_at(rest, t))
      return 1;
    if (t == text)
      return 0;
  }
}

// Does pat match a prefix of text?
static int match_at(const char *pat, const char *text) {
  while (*pat != '\0') {
    if (pat[1] == '*')
      return match_run(pat[0], pat + 2, text);
    if (pat[0] == '$' && pat[1] == '\0')
      return *text == '\0';
    if (*text == '\0' || !same(*pat, *text))
      return 0;
    pat++;
    text++;
  }
  return 1;
}

static int matches(const char *pat, const char *line) {
  if (*pat == '^')
    return match_at(pat + 1, line);
  for (const char *t = line;; t++) {
    if (match_at(pat, t))
      return 1;
    if (*t == '\0')
      return 0;
  }
}

// Lines longer than the buffer are judged in buffer-sized pieces.
static char line[1024];

static int grep_fd(const char *pat, int fd) {
  int len = 0;
  int found = 0;
  char c;
  int n;
  while ((n = read(fd, &c, 1)) == 1) {
    if (c != '\n' && len + 2 < (int)sizeof(line)) {
      line[len++] = c;
      continue;
    }
    line[len] = '\0';
    if (matches(pat, line)) {
      line[len] = '\n';
      write(1, line, len + 1);
      found = 1;
    }
    len = 0;
    if (c != '\n')
      line[len++] = c;
  }
  line[len] = '\0';
  if (len > 0 && matches(pat, line)) {
    printf(1, "%s\n", line);
    found = 1;
  }
  return n < 0 ? -1 : found;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    printf(2, "usage: grep PATTERN [FILE...]\n");
    return 2;
  }
  if (argc == 2)
    return grep_fd(argv[1], 0) == 1 ? 0 : 1;
  int found = 0;
  for (int i = 2; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      printf(2, "grep: cannot open %s\n", argv[i]);
      continue;
    }
    if (grep_fd(argv[1], fd) == 1)
      found = 1;
    close(fd);
  }
  return found ? 0 : 1;
}
