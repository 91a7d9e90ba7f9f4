// Drives the corpus: calls into strings.c, structs.c and arith64.c and folds
// the results into one number (the same natively and mirrored).
typedef unsigned int uint;
struct node;
int csnprintf(char *out, int max, const char *fmt, ...);
void *cmemset(void *dst, int c, uint n);
void *cmemcpy(void *dst, const void *src, uint n);
void reverse(char *s);
int count_words(const char *s);
struct node *insert(struct node *t, int key);
int depth(struct node *t);
int tree_sum(struct node *t);
void fill_rects(void);
int fold(const int *v, int n, int which);
void isort(int *a, int n);
void transpose(void);
uint bits_set(uint *words, int nbits);
int sum_local_array(int n);
unsigned long long mix(unsigned long long a, unsigned long long b);
unsigned long long divmod(unsigned long long a, unsigned long long b, unsigned long long *rem);
void fill64(int n);
void convert(int n);
int atomics(int *p, int v);
unsigned long long factorial(int n);
int fib(int n);
int cmpflags(int a, int b, char *out);
extern int matrix[16][16];

static char text[256];
static int values[40];
static uint words[8];

int main(void) {
  uint h = 0;
  int n = csnprintf(text, sizeof text, "%d %u %x %s %c %lld", -42, 42u, 0xbeefu, "str", 'z',
                    -1234567890123LL);
  h = h * 31 + (uint)n;
  reverse(text);
  h = h * 31 + (uint)count_words(text) + (uint)text[3];
  cmemset(values, 0, sizeof values);
  for (int i = 0; i < 40; i++)
    values[i] = (i * 7919) % 101 - 50;
  isort(values, 40);
  cmemcpy(values + 1, values, 20 * sizeof values[0]);
  h = h * 31 + (uint)fold(values, 40, 0) + (uint)fold(values, 10, 1);
  fill_rects();
  struct node *t = 0;
  for (int i = 0; i < 40; i++)
    t = insert(t, values[i]);
  h = h * 31 + (uint)depth(t) + (uint)tree_sum(t);
  for (int i = 0; i < 16; i++)
    for (int j = 0; j < 16; j++)
      matrix[i][j] = i * 16 + j;
  transpose();
  h = h * 31 + (uint)matrix[3][5];
  h = h * 31 + bits_set(words, 200) + (uint)sum_local_array(3);
  unsigned long long rem, q = divmod(mix(12345, 678), 1000003, &rem);
  h = h * 31 + (uint)q + (uint)rem;
  fill64(5);
  convert(7);
  int cell = 10;
  h = h * 31 + (uint)atomics(&cell, 3) + (uint)cell;
  h = h * 31 + (uint)factorial(15) + (uint)fib(15);
  char flags[3];
  h = h * 31 + (uint)cmpflags(-1, 2, flags);
  return (int)(h & 0x7fffffff);
}
