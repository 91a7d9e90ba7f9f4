# Figure (e): failure rate of the fault-injection trials per variant (and
# kind of the frame hit, when there are several): the rate as a dot in the
# variant's colour and its Wilson interval as a horizontal bar, the counts
# k/n at the row's end. Failure: every outcome but benign and recovered.
# usage: gnuplot [-e "SETTINGS"] -c failrate.gp DATA OUT
#   DATA: written by `memharness plot` (columns: label variant frame_kind k n
#         p lo hi, the last three in %)
#   OUT:  output path without extension; OUT.pdf, OUT.svg and OUT.png are written
#   SETTINGS: width='single'|'double'; variants='native memv6' (the order
#         of the results, for the colours); level='95' (confidence, %);
#         frames='the one frame kind of every row, if so'
if (ARGC < 2) { print "usage: gnuplot [-e SETTINGS] -c failrate.gp DATA OUT"; exit status 2 }
here = ARG0
i = strlen(here)
while (i > 0 && here[i:i] ne "/") { i = i - 1 }
load (i > 0 ? here[1:i] : "") . "common.gp"

data = ARG1
out = ARG2
if (!exists("level")) level = "95"
if (!exists("frames")) frames = ""
if (!exists("variants")) variants = "native memv6"

stats data using 8 nooutput
nrows = STATS_records
# The axis reaches past the highest interval, in steps the tics can name.
xmax = STATS_max >= 50 ? 100 : nice_step(STATS_max * 1.15 + 1e-9, 4) * ceil((STATS_max * 1.15 + 1e-9) / nice_step(STATS_max * 1.15 + 1e-9, 4))
stats data using (tw(strcol(1), font_pt)) nooutput
name_w = STATS_max + 0.08
n_w = tw("0000/0000", small_pt) + 0.08

row_h = 0.22
top_h = 0.08
tics_h = 0.22
xlab = "failure rate (%), " . level . "% Wilson interval" . (frames ne "" ? ", faults in " . frames . " frames" : "")
xlab_lines = wrap(xlab, fig_w - 0.1, font_pt)
bottom_h = tics_h + nlines(xlab_lines) * line_h(font_pt) + 0.05
fig_h = top_h + nrows * row_h + bottom_h
texts = sprintf("set label 1 xlab_lines at screen %g, screen %g center; ", sx((name_w + fig_w - n_w) / 2), sy(bottom_h - tics_h - nlines(xlab_lines) * line_h(font_pt) / 2))

set lmargin at screen sx(name_w)
set rmargin at screen sx(fig_w - n_w)
set tmargin at screen sy(fig_h - top_h)
set bmargin at screen sy(bottom_h)
set xrange [0:xmax]
set yrange [nrows - 0.5:-0.5]
step = nice_step(xmax, 4)
set xtics 0, step, xmax nomirror out scale 0.5 format nice_fmt(step)
set ytics nomirror scale 0
set border 1 lw 0.8
set grid xtics lw 0.5 lc rgb grid_color
unset key

do for [fmt in formats] {
  eval terminal_for(fmt)
  eval "set xtics font " . small_font(fs)
  eval texts
  plot data using (NaN):0:ytic(1) with points, \
    for [k = 1:words(variants)] data using (strcol(2) eq word(variants, k) ? $6 : NaN):0:7:8:($0 - 0.03):($0 + 0.03) \
      with boxxyerror fs solid 1.0 noborder lc rgb variant_color(word(variants, k), k), \
    for [k = 1:words(variants)] data using (strcol(2) eq word(variants, k) ? $6 : NaN):0 \
      with points pt 7 ps 0.6 lc rgb variant_color(word(variants, k), k), \
    data using (xmax):0:(sprintf("%d/%d", $4, $5)) with labels left offset 0.5, 0 font small_font(fs)
}
set output
