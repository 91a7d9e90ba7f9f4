# Figure (b): outcomes of the fault-injection trials, stacked to 100 % per
# variant and kind of the frame hit (the first fault's frame).
# usage: gnuplot -c outcomes.gp DATA OUT
#   DATA: written by `memharness plot` (columns: label benign recovered sdc
#         killed panic hang harness_error trials)
#   OUT:  output path without extension; OUT.pdf, OUT.svg and OUT.png are written
if (ARGC < 2) { print "usage: gnuplot -c outcomes.gp DATA OUT"; exit status 2 }
here = ARG0
i = strlen(here)
while (i > 0 && here[i:i] ne "/") { i = i - 1 }
load (i > 0 ? here[1:i] : "") . "common.gp"

data = ARG1
out = ARG2
names = "benign recovered sdc killed panic hang harness_error"
colors = "#b8b8b8 #2e8b57 #d4a017 #2c5d8f #b03a2e #6b3fa0 #000000"

set style data histograms
set style histogram rowstacked
set style fill solid 1.0 border lc rgb "#303030"
set boxwidth 0.7
set yrange [0:100]
set ytics 20 nomirror
set ylabel "trials (%)"
set xtics nomirror scale 0 rotate by 30 right
set border 3 lw 0.8
set grid ytics lw 0.5 lc rgb "#e0e0e0"
set key outside right top vertical Left reverse samplen 1 spacing 0.9

do for [fmt in formats] {
  eval terminal_for(fmt)
  plot for [k = 2:8] data using (100.0 * column(k) / $9):xtic(1) \
       lc rgb word(colors, k - 1) title word(names, k - 1)
}
set output
