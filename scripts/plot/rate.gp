# Figure (d): fault-injection campaign rate in trials per minute (golden
# runs and QEMU starts included). The dashed line is the bar of DESIGN §7,
# 600 trials/min on 2 cores.
# usage: gnuplot -c rate.gp DATA OUT
#   DATA: written by `memharness plot` (columns: label trials_per_min trials wall_s jobs)
#   OUT:  output path without extension; OUT.pdf, OUT.svg and OUT.png are written
if (ARGC < 2) { print "usage: gnuplot -c rate.gp DATA OUT"; exit status 2 }
here = ARG0
i = strlen(here)
while (i > 0 && here[i:i] ne "/") { i = i - 1 }
load (i > 0 ? here[1:i] : "") . "common.gp"

data = ARG1
out = ARG2
bar = 600

stats data using 2 nooutput
ymax = (STATS_max > bar ? STATS_max : bar) * 1.2
nrows = STATS_records

set xrange [-0.7:nrows - 0.3]
set yrange [0:ymax]
set ylabel "trials per minute"
set xtics nomirror scale 0
set ytics nomirror
set border 3 lw 0.8
set grid ytics lw 0.5 lc rgb "#e0e0e0"
set style fill solid 1.0 border lc rgb "#303030"
set boxwidth 0.5
unset key
set arrow 1 from graph 0, first bar to graph 1, first bar nohead dt 2 lw 0.8 lc rgb "#404040"

do for [fmt in formats] {
  eval terminal_for(fmt)
  plot data using 0:2:xtic(1) with boxes lc rgb "#2c5d8f", \
       "" using 0:2:(sprintf("%.0f", $2)) with labels offset 0, 0.7
}
set output
