// The window of steptest (steptest.c, docs/linux.md "Tests"): translated
// code rich in the forms the translator mirrors with more than one
// instruction, one per architecture (stepwin_i386.c, stepwin_x86_64.c),
// and the data it writes, alone in its page (the "data" target).
#ifndef STEPWIN_H
#define STEPWIN_H

// The window's data: the page and how many of its bytes the result is.
struct step_window {
  unsigned char *data;
  unsigned size;
};
extern const struct step_window step_window;

// Before any traced run: what the window can use here (it may print why it
// leaves forms out).
void step_window_init(void);

// The window: every field it reads it first writes.
void step_window_run(void);
#endif
