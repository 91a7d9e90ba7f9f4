# Figure (a): time per test normalized to the baseline kernel (baseline = 1,
# the dashed line), one horizontal bar per compared variant and test, tests
# sorted by the first variant's ratio (largest overhead on top), the
# geometric mean last after a separator. Many tests are split into panels
# side by side (up to 2 in one column, 3 across the page), so 60+ tests fit
# a column. Whiskers only when `interval` says the intervals mean something.
# usage: gnuplot [-e "SETTINGS"] -c overhead.gp DATA OUT
#   DATA: written by `memharness plot` (columns: x name, per variant
#         ratio lo hi n, then n of the baseline; lo/hi NaN when not drawn)
#   OUT:  output path without extension; OUT.pdf, OUT.svg and OUT.png are written
#   SETTINGS (all optional; the data file's first line has the ones memharness used):
#     width='single'|'double'  variants='memv6 ...'  baseline='native'
#     note='how the numbers were measured'  not_compared='names ...'
if (ARGC < 2) { print "usage: gnuplot [-e SETTINGS] -c overhead.gp DATA OUT"; exit status 2 }
here = ARG0
i = strlen(here)
while (i > 0 && here[i:i] ne "/") { i = i - 1 }
load (i > 0 ? here[1:i] : "") . "common.gp"

data = ARG1
out = ARG2
if (!exists("variants")) variants = "memv6"
if (!exists("baseline")) baseline = "native"
if (!exists("note")) note = ""
if (!exists("not_compared")) not_compared = ""
nv = words(variants)
col_r(k) = 3 + 4 * (k - 1) # ratio of variant k; lo, hi and n follow

# Rows: the tests, then the geomean (its x is the last test's + 1.5).
stats data using 1 nooutput
nrows = STATS_records
xlast = STATS_max
ntests = nrows - 1
stats data using (tw(strcol(2), small_pt)) nooutput
name_w = STATS_max + 0.05

# Value range over every bar, drawn whisker and 1; a log axis when it spans
# more than a factor of 3, on which a ratio and its inverse lie equally far
# from 1.
vlo = 1
vhi = 1
do for [k = 1:nv] {
  stats data using (column(col_r(k))) nooutput
  vlo = STATS_min < vlo ? STATS_min : vlo
  vhi = STATS_max > vhi ? STATS_max : vhi
  # stats leaves STATS_* undefined when no whisker is drawn (all NaN)
  stats data using (column(col_r(k) + 1)) nooutput
  if (exists("STATS_min")) { vlo = STATS_min < vlo ? STATS_min : vlo }
  stats data using (column(col_r(k) + 2)) nooutput
  if (exists("STATS_max")) { vhi = STATS_max > vhi ? STATS_max : vhi }
}
use_log = vhi / vlo > 3
pad = (vhi - vlo) * 0.06 + 0.01
vmin = use_log ? vlo / 1.15 : vlo - pad
vmax = use_log ? vhi * 1.15 : vhi + pad

# Panels: at most max_rows rows each, so a column holds 60+ tests; across
# the page three short panels read better than two tall ones.
max_rows = width eq "double" ? 24 : 34
max_panels = width eq "double" ? 3 : 2
npanels = ceil((ntests + 1.5) / max_rows)
npanels = npanels > max_panels ? max_panels : npanels
npanels = npanels < 1 ? 1 : npanels
per = ceil((ntests + 1.0) / npanels)
span = per + 0.5 # rows per panel, plus the gap before the geomean

# Vertical budget (inches): legend on top; x tics, x label and notes below.
row_h = 0.10 + 0.045 * (nv - 1)
gap = 0.12
right_pad = 0.12 # half the widest value tic label
plot_w = (fig_w - 0.02 - right_pad - (npanels - 1) * gap) / npanels - name_w
notes = wrap(note, fig_w - 0.1, small_pt)
if (not_compared ne "") {
  notes = (note ne "" ? notes . "\n" : "") . wrap("not compared: " . not_compared, fig_w - 0.1, small_pt)
}
top_h = 0.08 + line_h(font_pt)
tics_h = 0.25 # tic marks and their labels below the axis
bottom_h = tics_h + line_h(font_pt) + 0.03 + nlines(notes) * line_h(small_pt) + 0.04
fig_h = top_h + span * row_h + bottom_h

# Value tics: at most one per 0.3 in of plot width.
max_tics = floor(plot_w / 0.3) > 2 ? floor(plot_w / 0.3) : 2
step = nice_step(vmax - vmin, max_tics)
if (use_log) {
  lt = log_tics(vmin, vmax)
  lt = lt[1:strlen(lt) - 2]
}

# Bars: variant k's bar lies off(k) from its row's centre.
bh = 0.8 / nv
off(k) = (k - (nv + 1) / 2.0) * bh

set style fill solid 1.0 border lc rgb "#303030"
set border 1 lw 0.8
set grid xtics noytics lw 0.5 lc rgb grid_color
unset key
set xrange [vmin:vmax]
if (use_log) {
  set logscale x
  eval "set xtics nomirror out scale 0.5 format '%g' (" . lt . ")"
} else {
  set xtics step nomirror out scale 0.5 format nice_fmt(step)
}
set mxtics 1
set ytics nomirror scale 0
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead lw 0.8 dt 2 lc rgb ref_color front

# Text outside the panels, at fixed places (screen coordinates), as one
# command string: it is set again for every format and drawn with the first
# panel only.
xlab = "normalized time, " . baseline . " = 1 (lower is better)"
lab_y = bottom_h - tics_h - line_h(font_pt) / 2
# gnuplot centres the first line of a multi-line label on its y.
note_y = lab_y - line_h(font_pt) / 2 - 0.03 - line_h(small_pt) / 2
texts = sprintf("set label 1 xlab at screen 0.5, screen %g center; ", sy(lab_y))
note_cmd(fs) = sprintf("set label 2 notes at screen %g, screen %g left font %s", sx(0.02), sy(note_y), small_font(fs))
# Legend: a swatch and the variant's name with its geomean, left to right.
lx = 0.02
ly = fig_h - 0.03 - line_h(font_pt) / 2
array legend[nv]
do for [k = 1:nv] {
  stats data using (strcol(2) eq "geomean" ? column(col_r(k)) : NaN) nooutput
  legend[k] = sprintf("%s (geomean %.3f)", word(variants, k), STATS_max)
  texts = texts . legend_cmd(10 + k, lx, ly, variant_color(word(variants, k), k), sprintf("legend[%d]", k))
  lx = lx + legend_w(legend[k])
}

do for [fmt in formats] {
  eval terminal_for(fmt)
  eval "set ytics font " . small_font(fs)
  eval "set xtics font " . small_font(fs)
  eval texts
  eval note_cmd(fs)
  set multiplot
  do for [p = 0:npanels - 1] {
    x0 = 0.02 + p * (plot_w + name_w + gap)
    set lmargin at screen sx(x0 + name_w)
    set rmargin at screen sx(x0 + name_w + plot_w)
    set tmargin at screen sy(fig_h - top_h)
    set bmargin at screen sy(bottom_h)
    set yrange [p * per + span - 0.6 : p * per - 0.6]
    if (p == npanels - 1) {
      set arrow 2 from graph 0, first xlast - 0.75 to graph 1, first xlast - 0.75 nohead lw 0.5 lc rgb "#909090" back
    } else {
      unset arrow 2
    }
    # Rows of this panel only: the next panel's first row would show in
    # the gap a panel keeps for the geomean.
    lo_x = p * per - 0.5
    hi_x = p == npanels - 1 ? 1e9 : (p + 1) * per - 0.5
    row(x) = x >= lo_x && x < hi_x ? x : NaN
    plot data using (NaN):1:ytic(2) with points, \
      for [k = 1:nv] data using (1):(row($1) + off(k)):(1):(column(col_r(k))):(row($1) + off(k) - bh / 2):(row($1) + off(k) + bh / 2) \
        with boxxyerror lc rgb variant_color(word(variants, k), k), \
      for [k = 1:nv] data using (column(col_r(k) + 1)):(row($1) + off(k)):(column(col_r(k) + 2) - column(col_r(k) + 1)):(0) \
        with vectors heads size screen 0.004, 90 lw 0.8 lc rgb "black"
    # Legend and notes once, with the first panel.
    unset label
    unset object
  }
  unset multiplot
}
set output
