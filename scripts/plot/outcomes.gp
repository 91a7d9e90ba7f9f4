# Figure (b): outcomes of the fault-injection trials, one horizontal bar per
# variant (and kind of the frame hit, when there are several), stacked to
# 100 %, the share printed in every segment wide enough, n at the bar's end.
# The legend above the bars lists only the outcomes that occur.
# usage: gnuplot [-e "SETTINGS"] -c outcomes.gp DATA OUT
#   DATA: written by `memharness plot` (columns: label variant frame_kind
#         benign recovered sdc killed panic hang reset harness_error trials)
#   OUT:  output path without extension; OUT.pdf, OUT.svg and OUT.png are written
#   SETTINGS: width='single'|'double'; classes='outcomes to show'; frames='the
#         one frame kind of every bar, if so'
if (ARGC < 2) { print "usage: gnuplot [-e SETTINGS] -c outcomes.gp DATA OUT"; exit status 2 }
here = ARG0
i = strlen(here)
while (i > 0 && here[i:i] ne "/") { i = i - 1 }
load (i > 0 ? here[1:i] : "") . "common.gp"

data = ARG1
out = ARG2
names = "benign recovered sdc killed panic hang reset harness_error"
if (!exists("classes")) classes = names
if (!exists("frames")) frames = ""
col_of(name) = 3 + col_from(name, 1) # the count's column
col_from(name, k) = k > words(names) || word(names, k) eq name ? k : col_from(name, k + 1)
# Share of the trials before outcome column c, in %.
cum(c) = c <= 4 ? 0 : cum(c - 1) + 100.0 * column(c - 1) / column(12)
# Light text on the dark segments.
text_color(name) = name eq "hang" || name eq "harness_error" ? 0xffffff : 0x000000

stats data using 12 nooutput
nrows = STATS_records
stats data using (tw(strcol(1), font_pt)) nooutput
name_w = STATS_max + 0.08
n_w = tw("n = 0000", small_pt) + 0.06

# Legend rows: entries left to right, wrapping at the figure's width.
array lx[words(classes)]
array lrow[words(classes)]
x = 0.02
row = 0
do for [k = 1:words(classes)] {
  if (x + legend_w(word(classes, k)) > fig_w - 0.02 && x > 0.02) { x = 0.02; row = row + 1 }
  lx[k] = x
  lrow[k] = row
  x = x + legend_w(word(classes, k))
}
row_h = 0.2
top_h = 0.06 + (row + 1) * line_h(font_pt) + 0.06
tics_h = 0.25
xlab = "trials (%)" . (frames ne "" ? ", faults in " . frames . " frames" : "")
bottom_h = tics_h + line_h(font_pt) + 0.05
fig_h = top_h + nrows * row_h + bottom_h

array lname[words(classes)]
texts = sprintf("set label 1 xlab at screen %g, screen %g center; ", sx((name_w + fig_w - n_w) / 2), sy(bottom_h - tics_h - line_h(font_pt) / 2))
do for [k = 1:words(classes)] {
  lname[k] = word(classes, k)
  texts = texts . legend_cmd(10 + k, lx[k], fig_h - 0.06 - (lrow[k] + 0.5) * line_h(font_pt), outcome_color(lname[k]), sprintf("lname[%d]", k))
}

set lmargin at screen sx(name_w)
set rmargin at screen sx(fig_w - n_w)
set tmargin at screen sy(fig_h - top_h)
set bmargin at screen sy(bottom_h)
set xrange [0:100]
set yrange [nrows - 0.5:-0.5]
set xtics 0, 25, 100 nomirror out scale 0.5
set ytics nomirror scale 0
set border 1 lw 0.8
set grid noxtics noytics
unset key
set style fill solid 1.0 border lc rgb "#303030"
bh = 0.6

do for [fmt in formats] {
  eval terminal_for(fmt)
  eval "set xtics font " . small_font(fs)
  eval texts
  plot data using (NaN):0:ytic(1) with points, \
    for [k = 1:words(classes)] data using \
      ((cum(col_of(word(classes, k))) + cum(col_of(word(classes, k)) + 1)) / 2):0:(cum(col_of(word(classes, k)))):(cum(col_of(word(classes, k)) + 1)):($0 - bh / 2):($0 + bh / 2) \
      with boxxyerror lc rgb outcome_color(word(classes, k)), \
    for [k = 1:words(classes)] data using \
      ((cum(col_of(word(classes, k))) + cum(col_of(word(classes, k)) + 1)) / 2):0:(column(col_of(word(classes, k))) / $12 >= 0.12 ? sprintf("%.0f%%", 100.0 * column(col_of(word(classes, k))) / $12) : ""):(text_color(word(classes, k))) \
      with labels tc rgb variable font small_font(fs), \
    data using (100):0:(sprintf("n = %d", $12)) with labels left offset 0.5, 0 font small_font(fs)
}
set output
