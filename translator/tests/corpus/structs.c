// Corpus: structs, arrays, struct copies, function pointers, recursion,
// switch tables, a small allocator and a sort.
typedef unsigned int uint;

struct point {
  int x, y;
};
struct rect {
  struct point a, b;
  char name[13];
  short flags;
};
struct node {
  struct node *left, *right;
  int key;
  struct rect r;
};

static struct node pool[64];
static int used;
struct rect big[8];
volatile int ticks;

struct node *node_new(int key) {
  if (used >= 64)
    return 0;
  struct node *n = &pool[used++];
  n->left = n->right = 0;
  n->key = key;
  n->r = big[key & 7]; // struct copy
  n->r.flags |= 1;
  return n;
}

struct node *insert(struct node *t, int key) {
  if (!t)
    return node_new(key);
  if (key < t->key)
    t->left = insert(t->left, key);
  else
    t->right = insert(t->right, key);
  return t;
}

int depth(struct node *t) {
  if (!t)
    return 0;
  int l = depth(t->left), r = depth(t->right);
  return 1 + (l > r ? l : r);
}

void walk(struct node *t, void (*f)(struct node *, void *), void *arg) {
  if (!t)
    return;
  walk(t->left, f, arg);
  f(t, arg);
  walk(t->right, f, arg);
}

static void sum_key(struct node *n, void *arg) {
  *(int *)arg += n->key;
}

int tree_sum(struct node *t) {
  int s = 0;
  walk(t, sum_key, &s);
  return s;
}

struct rect make_rect(int x0, int y0, int x1, int y1) {
  struct rect r = {{x0, y0}, {x1, y1}, "rect", 0};
  return r;
}

int area(struct rect r) {
  return (r.b.x - r.a.x) * (r.b.y - r.a.y);
}

void fill_rects(void) {
  for (int i = 0; i < 8; i++) {
    big[i] = make_rect(i, i, 2 * i + 1, 3 * i + 2);
    big[i].name[0] = (char)('a' + i);
  }
}

const char *kind(int c) {
  switch (c) {
  case 0:
    return "zero";
  case 1:
    return "one";
  case 2:
    return "two";
  case 3:
    return "three";
  case 4:
    return "four";
  case 5:
    return "five";
  case 6:
    return "six";
  case 7:
    return "seven";
  default:
    return "many";
  }
}

int apply(int (*op)(int, int), int a, int b) {
  return op(a, b);
}
static int add(int a, int b) {
  return a + b;
}
static int mul(int a, int b) {
  return a * b;
}
int (*ops[])(int, int) = {add, mul};

int fold(const int *v, int n, int which) {
  int acc = which;
  for (int i = 0; i < n; i++)
    acc = apply(ops[which & 1], acc, v[i]);
  return acc;
}

void isort(int *a, int n) {
  for (int i = 1; i < n; i++) {
    int v = a[i], j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

void swap_rects(struct rect *p, struct rect *q) {
  struct rect t = *p;
  *p = *q;
  *q = t;
}

int matrix[16][16];
void transpose(void) {
  for (int i = 0; i < 16; i++)
    for (int j = i + 1; j < 16; j++) {
      int t = matrix[i][j];
      matrix[i][j] = matrix[j][i];
      matrix[j][i] = t;
    }
}

uint bits_set(uint *words, int nbits) {
  uint n = 0;
  for (int i = 0; i < nbits; i++) {
    words[i / 32] |= 1u << (i % 32);
    n += (words[i / 32] >> (i % 32)) & 1;
  }
  ticks++;
  return n;
}

int sum_local_array(int n) {
  int local[32];
  char bytes[7];
  for (int i = 0; i < 32; i++)
    local[i] = i * n;
  for (int i = 0; i < 7; i++)
    bytes[i] = (char)(i + n);
  int s = 0;
  for (int i = 0; i < 32; i++)
    s += local[i] + bytes[i % 7];
  return s;
}
