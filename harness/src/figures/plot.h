// memharness plot: paper figures (PDF, SVG, PNG) from a results file,
// drawn by the gnuplot scripts in scripts/plot/ (docs/figures.md).
#ifndef MH_PLOT_H
#define MH_PLOT_H

struct mh_plot_opts {
  const char *results; // results JSON
  const char *outdir;  // created when missing
  const char *scripts; // directory of the .gp files; NULL: the source tree's scripts/plot
  const char *gnuplot; // program to run; NULL: "gnuplot" from PATH
  const char *width;   // "single" (3.3 in) or "double" (7 in); NULL: single
};

// Returns the exit code: 0 figures written (figures without data are skipped
// with a message), 2 unusable results file or width, 4 gnuplot or a script
// missing, 5 a write or gnuplot failure.
int mh_cmd_plot(const struct mh_plot_opts *o);

#endif
