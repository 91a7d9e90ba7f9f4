# Figure (d): fault-injection campaign rate in trials per minute (golden
# runs and QEMU starts included), one horizontal bar per row with its value
# at its end, against the bar of docs/design.md (600 trials/min on 2
# cores, the dashed line, named at its top).
# usage: gnuplot [-e "SETTINGS"] -c rate.gp DATA OUT
#   DATA: written by `memharness plot` (columns: label trials_per_min trials wall_s jobs restore)
#   OUT:  output path without extension; OUT.pdf, OUT.svg and OUT.png are written
#   SETTINGS: width='single'|'double'; note='how the rate was measured'
if (ARGC < 2) { print "usage: gnuplot [-e SETTINGS] -c rate.gp DATA OUT"; exit status 2 }
here = ARG0
i = strlen(here)
while (i > 0 && here[i:i] ne "/") { i = i - 1 }
load (i > 0 ? here[1:i] : "") . "common.gp"

data = ARG1
out = ARG2
if (!exists("note")) note = ""
bar = 600

stats data using 2 nooutput
xmax = (STATS_max > bar ? STATS_max : bar) * 1.25
nrows = STATS_records
stats data using (tw(strcol(1), small_pt)) nooutput
name_w = STATS_max + 0.08

notes = wrap(note, fig_w - 0.1, small_pt)
row_h = 0.25
top_h = 0.06 + line_h(small_pt) + 0.04
tics_h = 0.22
bottom_h = tics_h + line_h(font_pt) + 0.03 + nlines(notes) * line_h(small_pt) + 0.04
fig_h = top_h + nrows * row_h + 0.1 + bottom_h
lab_y = bottom_h - tics_h - line_h(font_pt) / 2
xlab = "trials per minute"
barlab = "bar: 600 trials/min"
texts = sprintf("set label 1 xlab at screen 0.5, screen %g center; ", sy(lab_y))
note_cmd(fs) = sprintf("set label 2 notes at screen %g, screen %g left font %s; ", sx(0.02), \
    sy(lab_y - line_h(font_pt) / 2 - 0.03 - line_h(small_pt) / 2), small_font(fs)) . \
  sprintf("set label 3 barlab at first %g, screen %g center font %s", bar, sy(fig_h - 0.06 - line_h(small_pt) / 2), small_font(fs))

set lmargin at screen sx(name_w)
set rmargin at screen sx(fig_w - 0.2)
set tmargin at screen sy(fig_h - top_h)
set bmargin at screen sy(bottom_h)
set xrange [0:xmax]
set yrange [nrows - 0.45:-0.55]
set xtics nomirror out scale 0.5
set ytics nomirror scale 0
set border 1 lw 0.8
set grid xtics lw 0.5 lc rgb grid_color
unset key
set style fill solid 1.0 border lc rgb "#303030"
set arrow 1 from bar, graph 0 to bar, graph 1 nohead dt 2 lw 0.8 lc rgb ref_color

do for [fmt in formats] {
  eval terminal_for(fmt)
  eval "set xtics font " . small_font(fs)
  eval "set ytics font " . small_font(fs)
  eval texts
  eval note_cmd(fs)
  plot data using ($2 / 2):0:(0):2:($0 - 0.3):($0 + 0.3):ytic(1) with boxxyerror lc rgb oi_blue, \
       "" using 2:0:(sprintf("%.0f/min", $2)) with labels left offset 0.5, 0 font small_font(fs)
}
set output
