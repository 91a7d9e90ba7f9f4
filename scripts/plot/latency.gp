# Figure (c): recovery latency as a cumulative distribution per variant:
# the fraction of recovered machine checks that took at most x (under icount
# guest instructions from #MC entry to iret). The dashed line is the bar of
# docs/design.md, 10,000 instructions per 4 KiB page. Legend above the data.
# usage: gnuplot [-e "SETTINGS"] -c latency.gp DATA OUT
#   DATA: written by `memharness plot` (one block per variant, headed
#         "cycles <variant>"; columns: cycles fraction)
#   OUT:  output path without extension; OUT.pdf, OUT.svg and OUT.png are written
#   SETTINGS: width='single'|'double'; unit='guest instructions (icount)';
#         variants='memv6 ...' and counts='8 ...' (one per block);
#         note='variants without recoveries'
if (ARGC < 2) { print "usage: gnuplot [-e SETTINGS] -c latency.gp DATA OUT"; exit status 2 }
here = ARG0
i = strlen(here)
while (i > 0 && here[i:i] ne "/") { i = i - 1 }
load (i > 0 ? here[1:i] : "") . "common.gp"

data = ARG1
out = ARG2
if (!exists("unit")) unit = "cycles"
if (!exists("note")) note = ""
bar = 10000

stats data using 1 nooutput
nblocks = STATS_blocks
xmax = (STATS_max > bar ? STATS_max : bar) * 1.1
if (!exists("variants")) variants = ""
if (!exists("counts")) counts = ""

array lt[nblocks]
x = 0.35
do for [b = 1:nblocks] {
  lt[b] = (word(variants, b) ne "" ? word(variants, b) : sprintf("block %d", b)) . \
          (word(counts, b) ne "" ? " (n = " . word(counts, b) . ")" : "")
}
notes = wrap(note, fig_w - 0.1, small_pt)
top_h = 0.06 + line_h(font_pt) + 0.06
tics_h = 0.22
bottom_h = tics_h + line_h(font_pt) + 0.03 + nlines(notes) * line_h(small_pt) + 0.04
fig_h = top_h + 1.5 + bottom_h
left_w = 0.35 + line_h(font_pt)
lab_y = bottom_h - tics_h - line_h(font_pt) / 2

texts = sprintf("set label 1 xlab at screen %g, screen %g center; ", sx((left_w + fig_w - 0.15) / 2), sy(lab_y)) . \
        sprintf("set label 2 ylab at screen %g, screen %g center rotate by 90; ", sx(0.02 + line_h(font_pt) / 2), sy(bottom_h + 0.75))
do for [b = 1:nblocks] {
  texts = texts . legend_cmd(10 + b, x, fig_h - 0.06 - line_h(font_pt) / 2, variant_color(word(variants, b), b), sprintf("lt[%d]", b))
  x = x + legend_w(lt[b])
}
xlab = "recovery latency, " . unit
ylab = "fraction of recoveries"
barlab = "bar: 10,000 instructions"
note_cmd(fs) = sprintf("set label 3 notes at screen %g, screen %g left font %s", sx(0.02), \
  sy(lab_y - line_h(font_pt) / 2 - 0.03 - line_h(small_pt) / 2), small_font(fs))

set lmargin at screen sx(left_w)
set rmargin at screen sx(fig_w - 0.15)
set tmargin at screen sy(fig_h - top_h)
set bmargin at screen sy(bottom_h)
set xrange [0:xmax]
set yrange [0:1.02]
set xtics nomirror out scale 0.5 format "%.0s%c"
set ytics 0, 0.25, 1 nomirror out scale 0.5 format "%.2f"
set border 3 lw 0.8
set grid lw 0.5 lc rgb grid_color
unset key
set arrow 1 from bar, graph 0 to bar, graph 1 nohead dt 2 lw 0.8 lc rgb ref_color

do for [fmt in formats] {
  eval terminal_for(fmt)
  eval "set xtics font " . small_font(fs)
  eval "set ytics font " . small_font(fs)
  eval texts
  eval note_cmd(fs)
  eval sprintf("set label 4 barlab at first %g, graph 0.5 right offset -0.4, 0 font %s", bar, small_font(fs))
  plot for [b = 0:nblocks - 1] data index b using 1:2 with steps lw 1.5 \
       lc rgb variant_color(word(variants, b + 1), b + 1)
}
set output
