// mirror-cc: compile one source to a mirrored object.
//   mirror-cc --mirror-offset=0x40000000 [--mirror-translator=PATH] [--mirror-cc=gcc]
//             [--mirror-arch=i386|x86_64] [--mirror-keep] [--mirror-stats] [--mirror-no-stack]
//             COMPILER-ARGS... -c SRC -o OBJ
// The architecture: --mirror-arch, else the last -m32/-m64 of the compiler
// arguments, else what the compiler targets by default (CC -dumpmachine).
// SRC.c:  CC ARGS -S SRC -o OBJ.native.s   (C to assembly)
// SRC.S:  CC ARGS -E SRC -o OBJ.native.s   (preprocessed assembly)
// SRC.s:  used as it is
// then    mirror-translate --offset OFF OBJ.native.s -o OBJ.mirror.s
// and     CC ARGS -c OBJ.mirror.s -o OBJ   (dependency and debug flags left out)
// Every step is run with fork/exec from an argument vector: no shell.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *prog = "mirror-cc";

static int run(char **argv) {
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
    return 2;
  }
  if (pid == 0) {
    execvp(argv[0], argv);
    fprintf(stderr, "%s: %s: %s\n", prog, argv[0], strerror(errno));
    _exit(127);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return 2;
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  fprintf(stderr, "%s: %s killed by signal %d\n", prog, argv[0], WTERMSIG(status));
  return 2;
}

// The compiler's default target triple ("x86_64-linux-gnu") into buf.
static int dumpmachine(const char *cc, char *buf, size_t len) {
  int fd[2];
  if (pipe(fd) < 0)
    return -1;
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    dup2(fd[1], 1);
    close(fd[0]);
    close(fd[1]);
    execlp(cc, cc, "-dumpmachine", (char *)NULL);
    _exit(127);
  }
  close(fd[1]);
  size_t n = 0;
  ssize_t k;
  while (n + 1 < len && (k = read(fd[0], buf + n, len - 1 - n)) != 0) {
    if (k < 0 && errno == EINTR)
      continue;
    if (k < 0)
      break;
    n += (size_t)k;
  }
  buf[n] = 0;
  close(fd[0]);
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

// The translator's architecture for these compiler arguments, or NULL.
static const char *target_arch(const char *cc, char **args, int nargs) {
  const char *arch = NULL;
  for (int i = 0; i < nargs; i++) {
    if (strcmp(args[i], "-m32") == 0)
      arch = "i386";
    else if (strcmp(args[i], "-m64") == 0)
      arch = "x86_64";
    else if (strcmp(args[i], "-mx32") == 0)
      arch = "x32";
  }
  if (arch && strcmp(arch, "x32") == 0) {
    fprintf(stderr, "%s: -mx32 is not supported: use -m32 or -m64\n", prog);
    return NULL;
  }
  if (arch)
    return arch;
  char triple[128];
  if (dumpmachine(cc, triple, sizeof triple) < 0) {
    fprintf(stderr, "%s: cannot ask %s for its target (-dumpmachine): pass -m32 or -m64\n", prog,
            cc);
    return NULL;
  }
  if (strncmp(triple, "x86_64", 6) == 0)
    return "x86_64";
  if (triple[0] == 'i' && strchr("3456", triple[1]) && strncmp(triple + 2, "86", 2) == 0)
    return "i386";
  fprintf(stderr, "%s: %s targets %.*s, which the translator does not know: pass -m32 or -m64\n",
          prog, cc, (int)strcspn(triple, "\n"), triple);
  return NULL;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

static char *concat(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 1;
  char *p = malloc(n);
  if (!p) {
    perror(prog);
    exit(2);
  }
  snprintf(p, n, "%s%s", a, b);
  return p;
}

// Compiler options that take the next argument as their value.
static int takes_value(const char *a) {
  static const char *const opts[] = {
      "-I",         "-D",  "-U",  "-include", "-imacros", "-isystem",    "-iquote",
      "-idirafter", "-MF", "-MT", "-MQ",      "-x",       "-Xassembler", "-Xpreprocessor",
      "-B",         "-L",  "-T",  NULL};
  for (int i = 0; opts[i]; i++)
    if (strcmp(a, opts[i]) == 0)
      return 1;
  return 0;
}

// Left out of the assembling step: dependency output and debug info (the
// assembly already carries GCC's own debug directives).
static int compile_only(const char *a) {
  return strcmp(a, "-MD") == 0 || strcmp(a, "-MMD") == 0 || strcmp(a, "-MP") == 0 ||
         strcmp(a, "-MF") == 0 || strcmp(a, "-MT") == 0 || strcmp(a, "-MQ") == 0 ||
         strncmp(a, "-g", 2) == 0;
}

int main(int argc, char **argv) {
  const char *offset = NULL, *translator = NULL, *cc = "gcc", *arch = NULL;
  int keep = 0, stats = 0, no_stack = 0;
  const char *src = NULL, *obj = NULL;
  int compile = 0;
  // argv without our options, -c, -o OBJ and SRC.
  char **args = calloc((size_t)argc + 1, sizeof *args);
  int nargs = 0;
  if (!args)
    return 2;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "--mirror-offset=", 16) == 0)
      offset = a + 16;
    else if (strncmp(a, "--mirror-translator=", 20) == 0)
      translator = a + 20;
    else if (strncmp(a, "--mirror-cc=", 12) == 0)
      cc = a + 12;
    else if (strncmp(a, "--mirror-arch=", 14) == 0)
      arch = a + 14;
    else if (strcmp(a, "--mirror-keep") == 0)
      keep = 1;
    else if (strcmp(a, "--mirror-stats") == 0)
      stats = 1;
    else if (strcmp(a, "--mirror-no-stack") == 0)
      no_stack = 1;
    else if (strcmp(a, "-c") == 0)
      compile = 1;
    else if (strcmp(a, "-o") == 0 && i + 1 < argc)
      obj = argv[++i];
    else if (takes_value(a) && i + 1 < argc) {
      args[nargs++] = argv[i];
      args[nargs++] = argv[++i];
    } else if (a[0] != '-' && (ends_with(a, ".c") || ends_with(a, ".S") || ends_with(a, ".s"))) {
      if (src) {
        fprintf(stderr, "%s: one source file at a time (%s, %s)\n", prog, src, a);
        return 2;
      }
      src = a;
    } else
      args[nargs++] = argv[i];
  }
  if (!offset || !compile || !src || !obj) {
    fprintf(stderr,
            "usage: %s --mirror-offset=OFFSET [--mirror-translator=PATH] "
            "[--mirror-cc=CC] [--mirror-arch=ARCH] [--mirror-keep] [--mirror-stats] "
            "[--mirror-no-stack] CFLAGS... -c SRC -o OBJ\n",
            prog);
    return 2;
  }
  if (!arch)
    arch = target_arch(cc, args, nargs);
  if (!arch)
    return 2;
  if (!translator) { // next to this program, else on PATH
    const char *slash = strrchr(argv[0], '/');
    if (slash) {
      size_t n = (size_t)(slash - argv[0]) + 1;
      char *dir = malloc(n + 1);
      if (!dir)
        return 2;
      memcpy(dir, argv[0], n);
      dir[n] = 0;
      translator = concat(dir, "mirror-translate");
      if (access(translator, X_OK) != 0)
        translator = "mirror-translate";
    } else
      translator = "mirror-translate";
  }

  char *native = ends_with(src, ".s") ? NULL : concat(obj, ".native.s");
  char *mirror = concat(obj, ".mirror.s");
  char **v = calloc((size_t)nargs + 16, sizeof *v);
  if (!v)
    return 2;
  int st = 0;

  if (native) { // 1: to assembly
    int k = 0;
    v[k++] = (char *)cc;
    for (int i = 0; i < nargs; i++)
      v[k++] = args[i];
    v[k++] = ends_with(src, ".c") ? "-S" : "-E";
    v[k++] = (char *)src;
    v[k++] = "-o";
    v[k++] = native;
    v[k] = NULL;
    st = run(v);
  }
  if (st == 0) { // 2: translate
    int k = 0;
    v[k++] = (char *)translator;
    v[k++] = "--offset";
    v[k++] = (char *)offset;
    v[k++] = "--arch";
    v[k++] = (char *)arch;
    if (stats)
      v[k++] = "--stats";
    if (no_stack)
      v[k++] = "--no-stack-mirror";
    v[k++] = native ? native : (char *)src;
    v[k++] = "-o";
    v[k++] = mirror;
    v[k] = NULL;
    st = run(v);
  }
  if (st == 0) { // 3: assemble
    int k = 0;
    v[k++] = (char *)cc;
    for (int i = 0; i < nargs; i++) {
      if (compile_only(args[i])) {
        if (takes_value(args[i]))
          i++;
        continue;
      }
      v[k++] = args[i];
    }
    v[k++] = "-c";
    v[k++] = mirror;
    v[k++] = "-o";
    v[k++] = (char *)obj;
    v[k] = NULL;
    st = run(v);
  }
  if (!keep) {
    if (native)
      unlink(native);
    unlink(mirror);
  }
  if (st != 0)
    unlink(obj);
  return st;
}
