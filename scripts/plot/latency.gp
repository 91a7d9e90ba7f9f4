# Figure (c): recovery latency as a cumulative distribution per variant:
# the fraction of recovered machine checks that took at most x cycles (under
# icount: guest instructions from #MC entry to iret). The dashed line is the
# bar of DESIGN §7, 10,000 instructions per 4 KiB page.
# usage: gnuplot -c latency.gp DATA OUT
#   DATA: written by `memharness plot` (one block per variant, headed
#         "cycles <variant>"; columns: cycles fraction)
#   OUT:  output path without extension; OUT.pdf, OUT.svg and OUT.png are written
if (ARGC < 2) { print "usage: gnuplot -c latency.gp DATA OUT"; exit status 2 }
here = ARG0
i = strlen(here)
while (i > 0 && here[i:i] ne "/") { i = i - 1 }
load (i > 0 ? here[1:i] : "") . "common.gp"

data = ARG1
out = ARG2
bar = 10000

stats data using 1 nooutput
nblocks = STATS_blocks
xmax = (STATS_max > bar ? STATS_max : bar) * 1.1

set xrange [0:xmax]
set yrange [0:1.02]
set xlabel "recovery latency (cycles)"
set ylabel "fraction of recoveries"
set xtics nomirror format "%.0s%c"
set ytics 0.2 nomirror
set border 3 lw 0.8
set grid lw 0.5 lc rgb "#e0e0e0"
set key top left samplen 1.5
set arrow 1 from bar, graph 0 to bar, graph 1 nohead dt 2 lw 0.8 lc rgb "#404040"
set label 1 "bar" at bar, graph 1 left offset 0.3, -0.6

do for [fmt in formats] {
  eval terminal_for(fmt)
  plot for [b = 0:nblocks - 1] data index b using 1:2 with steps lw 1.5 \
       lc rgb word("#2c5d8f #b03a2e #2e8b57", b % 3 + 1) title columnheader(2)
}
set output
