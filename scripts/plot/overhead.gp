# Figure (a): time per test relative to native (native = 1, the dashed
# line), memv6 as bars from 1 with bootstrap-interval whiskers, the
# geometric mean last in its own color. Up to 20 tests: vertical bars in one
# column (3.3 x 2.1 in); more: horizontal bars, one row per test, the figure
# growing downwards (still one column wide).
# usage: gnuplot -c overhead.gp DATA OUT [LABEL]
#   DATA:  written by `memharness plot` (columns: x name native memv6 lo hi n_native n_memv6)
#   OUT:   output path without extension; OUT.pdf, OUT.svg and OUT.png are written
#   LABEL: the value axis (default "memv6 / native")
if (ARGC < 2) { print "usage: gnuplot -c overhead.gp DATA OUT [LABEL]"; exit status 2 }
here = ARG0
i = strlen(here)
while (i > 0 && here[i:i] ne "/") { i = i - 1 }
load (i > 0 ? here[1:i] : "") . "common.gp"

data = ARG1
out = ARG2
vlab = ARGC >= 3 ? ARG3 : "memv6 / native"

# Value range: every bar and whisker plus the reference 1, padded, so a few
# percent of overhead stay visible.
stats data using 5 nooutput
vlo = STATS_min < 1 ? STATS_min : 1
stats data using 6 nooutput
vhi = STATS_max > 1 ? STATS_max : 1
stats data using 1 nooutput
xlast = STATS_max
nrows = STATS_records
# Intervals spanning more than a factor of 3 (noisy wall-clock runs) get a
# log axis, on which a ratio and its inverse are equally far from 1.
use_log = vhi / vlo > 3
pad = (vhi - vlo) * 0.08 + 0.01
vmin = use_log ? vlo / 1.2 : floor((vlo - pad) * 50) / 50.0
vmax = use_log ? vhi * 1.2 : ceil((vhi + pad) * 50) / 50.0
step = nice_step(vmax - vmin)
vfmt = nice_fmt(step)
log_tics = log10(vmax / vmin) > 1.5 ? "(0.01, 0.1, 1, 10, 100, 1000)" : \
           "(0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)"

bw = 0.7
color(name) = name eq "geomean" ? 0xb03a2e : 0x2c5d8f
set style fill solid 1.0 border lc rgb "#303030"
set border 3 lw 0.8
set grid lw 0.5 lc rgb "#e0e0e0"
unset key

if (nrows <= 20) {
  set xrange [-0.7:xlast + 0.7]
  set yrange [vmin:vmax]
  set ylabel vlab offset 1, 0
  set xtics rotate by 45 right nomirror scale 0
  if (use_log) {
    set logscale y
    eval "set ytics nomirror format '%g' " . log_tics
  } else {
    set ytics step nomirror format vfmt
  }
  set grid noxtics ytics
  set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lw 0.8 dt 2 lc rgb "#404040" front
  set arrow 2 from xlast - 0.75, graph 0 to xlast - 0.75, graph 1 nohead lw 0.5 lc rgb "#909090" back
  small_tics(fs) = sprintf("set xtics font ',%g'", 6 * fs)
  do for [fmt in formats] {
    eval terminal_for(fmt)
    eval small_tics(fs)
    plot data using 1:(1):($1 - bw/2):($1 + bw/2):(1):4:(color(strcol(2))):xtic(2) \
           with boxxyerror lc rgb variable, \
         "" using 1:5:(0):($6 - $5) with vectors heads size screen 0.006,90 lw 0.8 lc rgb "black"
  }
} else {
  fig_h = 0.5 + 0.11 * nrows
  set yrange [xlast + 0.7:-0.7]
  set xrange [vmin:vmax]
  set xlabel vlab
  set ytics nomirror scale 0
  if (use_log) {
    set logscale x
    eval "set xtics nomirror format '%g' " . log_tics
  } else {
    set xtics step nomirror format vfmt
  }
  set grid xtics noytics
  set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead lw 0.8 dt 2 lc rgb "#404040" front
  set arrow 2 from graph 0, first xlast - 0.75 to graph 1, first xlast - 0.75 nohead lw 0.5 lc rgb "#909090" back
  small_tics(fs) = sprintf("set ytics font ',%g'", 6 * fs)
  do for [fmt in formats] {
    eval terminal_for(fmt)
    eval small_tics(fs)
    plot data using (1):1:(1):4:($1 - bw/2):($1 + bw/2):(color(strcol(2))):ytic(2) \
           with boxxyerror lc rgb variable, \
         "" using 5:1:($6 - $5):(0) with vectors heads size screen 0.006,90 lw 0.8 lc rgb "black"
  }
}
set output
