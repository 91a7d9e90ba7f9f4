// sh [SCRIPT]: the shell.
//
// Syntax: words run a program; `a | b` pipes; `< f` and `> f` redirect
// standard input and output (`>` opens without truncating: the file system
// has no O_TRUNC); `a ; b` runs in sequence; `a &` runs in the background;
// `( ... )` groups. Built in: `cd DIR` and `exit [STATUS]`.
//
// A command line is split into tokens in place, parsed into a tree of nodes
// taken from a fixed pool, and the tree runs in a forked child, so nothing
// the tree does (redirections, exec) can disturb the shell itself.
#include "types.h"
#include "fcntl.h"
#include "user.h"

#define LINE_MAX 256
#define TOKENS_MAX 128
#define NODES_MAX 64
#define WORDS_MAX 32

enum tokkind { T_WORD, T_PIPE, T_SEMI, T_AMP, T_OPEN, T_CLOSE, T_IN, T_OUT, T_END };

struct token {
  enum tokkind kind;
  char *word; // T_WORD only; points into the line
};

enum nodekind { N_EXEC, N_REDIR, N_PIPE, N_LIST, N_BACK };

struct node {
  enum nodekind kind;
  struct node *a, *b;        // operands (REDIR and BACK use a only)
  char *argv[WORDS_MAX + 1]; // N_EXEC
  char *file;                // N_REDIR
  int fd, flags;             // N_REDIR: which fd, and open() flags
};

static struct token toks[TOKENS_MAX];
static int ntoks, pos;
static struct node pool[NODES_MAX];
static int nnodes;
static const char *syntax_error;

// ---- tokens ----

static enum tokkind symbol_kind(char c) {
  switch (c) {
  case '|':
    return T_PIPE;
  case ';':
    return T_SEMI;
  case '&':
    return T_AMP;
  case '(':
    return T_OPEN;
  case ')':
    return T_CLOSE;
  case '<':
    return T_IN;
  case '>':
    return T_OUT;
  }
  return T_WORD;
}

static int is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int add_token(enum tokkind kind, char *word) {
  if (ntoks == TOKENS_MAX - 1) {
    syntax_error = "line has too many tokens";
    return -1;
  }
  toks[ntoks].kind = kind;
  toks[ntoks].word = word;
  ntoks++;
  return 0;
}

// Blanks and symbols are overwritten with '\0' once recorded, which
// terminates the word before them without a copy.
static int tokenize(char *s) {
  ntoks = 0;
  while (*s != '\0') {
    if (is_blank(*s)) {
      *s++ = '\0';
    } else if (symbol_kind(*s) != T_WORD) {
      if (add_token(symbol_kind(*s), 0) < 0)
        return -1;
      *s++ = '\0';
    } else {
      if (add_token(T_WORD, s) < 0)
        return -1;
      while (*s != '\0' && !is_blank(*s) && symbol_kind(*s) == T_WORD)
        s++;
    }
  }
  return add_token(T_END, 0);
}

// ---- parser ----

static struct node *new_node(enum nodekind kind) {
  if (nnodes == NODES_MAX) {
    syntax_error = "command too complex";
    return 0;
  }
  struct node *n = &pool[nnodes++];
  memset(n, 0, sizeof(*n));
  n->kind = kind;
  return n;
}

static enum tokkind peek(void) {
  return toks[pos].kind;
}

static struct node *parse_seq(void);

// Wrap n in a redirection if one follows: "< FILE" or "> FILE".
static struct node *parse_redir(struct node *n) {
  while (n != 0 && (peek() == T_IN || peek() == T_OUT)) {
    int out = peek() == T_OUT;
    pos++;
    if (peek() != T_WORD) {
      syntax_error = "redirection without a file name";
      return 0;
    }
    struct node *r = new_node(N_REDIR);
    if (r == 0)
      return 0;
    r->a = n;
    r->file = toks[pos++].word;
    r->fd = out ? 1 : 0;
    r->flags = out ? (O_WRONLY | O_CREATE) : O_RDONLY;
    n = r;
  }
  return n;
}

static struct node *parse_group(void) {
  pos++; // the '('
  struct node *inner = parse_seq();
  if (inner == 0)
    return 0;
  if (peek() != T_CLOSE) {
    syntax_error = "missing )";
    return 0;
  }
  pos++;
  return parse_redir(inner);
}

// Words with redirections mixed in, e.g. `wc < in > out`.
static struct node *parse_simple(void) {
  struct node *cmd = new_node(N_EXEC);
  struct node *top = cmd;
  int argc = 0;
  while (top != 0 && (peek() == T_WORD || peek() == T_IN || peek() == T_OUT)) {
    if (peek() != T_WORD) {
      top = parse_redir(top);
      continue;
    }
    if (argc == WORDS_MAX) {
      syntax_error = "too many arguments";
      return 0;
    }
    cmd->argv[argc++] = toks[pos++].word;
  }
  if (top != 0 && argc == 0) {
    syntax_error = "missing command";
    return 0;
  }
  return top;
}

static struct node *parse_command(void) {
  if (peek() == T_OPEN)
    return parse_group();
  return parse_simple();
}

static struct node *parse_pipeline(void) {
  struct node *left = parse_command();
  if (left == 0 || peek() != T_PIPE)
    return left;
  pos++;
  struct node *p = new_node(N_PIPE);
  if (p == 0)
    return 0;
  p->a = left;
  p->b = parse_pipeline();
  return p->b == 0 ? 0 : p;
}

static int starts_command(enum tokkind k) {
  return k == T_WORD || k == T_OPEN || k == T_IN || k == T_OUT;
}

// Pipelines joined by ';' and '&'. `a & b` is `(a &) ; b`.
static struct node *parse_seq(void) {
  struct node *left = parse_pipeline();
  if (left == 0)
    return 0;
  if (peek() == T_AMP) {
    pos++;
    struct node *bg = new_node(N_BACK);
    if (bg == 0)
      return 0;
    bg->a = left;
    left = bg;
  } else if (peek() == T_SEMI) {
    pos++;
  } else {
    return left;
  }
  if (!starts_command(peek()))
    return left;
  struct node *list = new_node(N_LIST);
  if (list == 0)
    return 0;
  list->a = left;
  list->b = parse_seq();
  return list->b == 0 ? 0 : list;
}

static struct node *parse_line(char *line) {
  syntax_error = 0;
  nnodes = 0;
  pos = 0;
  if (tokenize(line) < 0)
    return 0;
  if (peek() == T_END)
    return 0;
  struct node *n = parse_seq();
  if (n != 0 && peek() != T_END) {
    syntax_error = "unexpected symbol";
    return 0;
  }
  return n;
}

// ---- running a tree (always in a child; never returns) ----

static void run(struct node *n) __attribute__((noreturn));

static int fork_or_die(void) {
  int pid = fork();
  if (pid < 0) {
    printf(2, "sh: fork failed\n");
    exitst(1);
  }
  return pid;
}

// Programs live in the root directory; a bare name that exec cannot find
// from the current directory is tried there too.
static void run_exec(struct node *n) {
  char path[LINE_MAX + 2];
  exec(n->argv[0], n->argv);
  if (strchr(n->argv[0], '/') == 0 && strlen(n->argv[0]) < LINE_MAX) {
    path[0] = '/';
    strcpy(path + 1, n->argv[0]);
    exec(path, n->argv);
  }
  printf(2, "sh: cannot run %s\n", n->argv[0]);
  exitst(127);
}

static void run_redir(struct node *n) {
  close(n->fd);
  if (open(n->file, n->flags) != n->fd) {
    printf(2, "sh: cannot open %s\n", n->file);
    exitst(1);
  }
  run(n->a);
}

// Put one end of the pipe on fd `target` in a child that runs n.
static int pipe_child(int *p, int target, struct node *n) {
  int pid = fork_or_die();
  if (pid == 0) {
    close(target);
    dup(p[target == 0 ? 0 : 1]);
    close(p[0]);
    close(p[1]);
    run(n);
  }
  return pid;
}

static int wait_pid(int pid) {
  int status = 0;
  return waitpid_st(pid, &status) < 0 ? -1 : status;
}

static void run_pipe(struct node *n) {
  int p[2];
  if (pipe(p) < 0) {
    printf(2, "sh: pipe failed\n");
    exitst(1);
  }
  int left = pipe_child(p, 1, n->a);
  int right = pipe_child(p, 0, n->b);
  close(p[0]);
  close(p[1]);
  wait_pid(left);
  exitst(wait_pid(right));
}

static void run(struct node *n) {
  switch (n->kind) {
  case N_EXEC:
    run_exec(n);
    break;
  case N_REDIR:
    run_redir(n);
    break;
  case N_PIPE:
    run_pipe(n);
    break;
  case N_LIST: {
    int pid = fork_or_die();
    if (pid == 0)
      run(n->a);
    wait_pid(pid);
    run(n->b);
  }
  case N_BACK:
    if (fork_or_die() == 0)
      run(n->a);
    exitst(0); // the job is init's to reap now
    break;
  }
  exitst(1);
}

// ---- the loop ----

static int read_line(int fd, char *buf, int max) {
  int n = 0;
  char c = 0;
  while (n + 1 < max && read(fd, &c, 1) == 1) {
    if (c == '\n')
      break;
    buf[n++] = c;
  }
  buf[n] = '\0';
  return n > 0 || c == '\n' ? n : -1;
}

static char *skip_blanks(char *s) {
  while (is_blank(*s))
    s++;
  return s;
}

// `cd` and `exit` must change the shell itself, so they cannot run in a child.
static int builtin(char *line, int *status) {
  char *s = skip_blanks(line);
  if (strncmp(s, "cd", 2) == 0 && (s[2] == '\0' || is_blank(s[2]))) {
    char *dir = skip_blanks(s + 2);
    char *end = dir;
    while (*end != '\0' && !is_blank(*end))
      end++;
    *end = '\0';
    if (chdir(*dir ? dir : "/") < 0) {
      printf(2, "sh: cannot cd %s\n", dir);
      *status = 1;
    } else {
      *status = 0;
    }
    return 1;
  }
  if (strncmp(s, "exit", 4) == 0 && (s[4] == '\0' || is_blank(s[4])))
    exitst(s[4] ? atoi(skip_blanks(s + 4)) : *status);
  return 0;
}

int main(int argc, char **argv) {
  static char line[LINE_MAX];
  int in = 0;
  int status = 0;
  if (argc > 1 && (in = open(argv[1], O_RDONLY)) < 0) {
    printf(2, "sh: cannot open %s\n", argv[1]);
    return 1;
  }
  for (;;) {
    if (in == 0)
      printf(2, "$ ");
    if (read_line(in, line, sizeof(line)) < 0)
      return status;
    if (builtin(line, &status))
      continue;
    struct node *tree = parse_line(line);
    if (tree == 0) {
      if (syntax_error != 0) {
        printf(2, "sh: %s\n", syntax_error);
        status = 2;
      }
      continue;
    }
    int pid = fork();
    if (pid == 0)
      run(tree);
    status = pid < 0 ? -1 : wait_pid(pid);
  }
}
