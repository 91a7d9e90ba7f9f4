# The figure style of every paper figure (docs/figures.md, "Style"), in one
# place. Loaded by the figure scripts, which set fig_h and then draw once per
# format:
#   do for [fmt in formats] { eval terminal_for(fmt); plot ... }
# `out` (set by the figure script) is the output path without extension.
#
# Width: `width` is "single" (one column of a two-column paper, 3.3 in) or
# "double" (the full text width, 7 in); memharness passes it with
# `gnuplot -e "width='double'" -c SCRIPT ...`. Heights follow the content.
if (!exists("width")) width = "single"
if (width ne "single" && width ne "double") {
  print sprintf("width must be single or double, not '%s'", width); exit status 2
}
fig_w = width eq "double" ? 7.0 : 3.3
fig_h = 2.1
png_dpi = 300 # PNG pixels = inches * png_dpi
# Type: DejaVu Sans ("Sans"), 7 pt for labels and legends, 6 pt for tic
# labels and notes; every figure uses these two sizes and no others.
font_pt = 7
small_pt = 6
formats = "pdf svg png"

# SVG has no physical size: 72 user units per inch keep points as points.
# pngcairo draws a line width of 1 as one pixel and a font point as 96/72
# pixels (measured: 10 M at 72 pt are 810 px wide), so both are scaled to
# png_dpi; fs is the factor for font sizes. Butt line ends: a tic of length
# 0 draws nothing (rounded ends leave a dot).
terminal_for(fmt) = \
  fmt eq "pdf" ? sprintf("set terminal pdfcairo size %gin,%gin font 'Sans,%d' linewidth 1 butt noenhanced; set output '%s.pdf'; fs = 1", fig_w, fig_h, font_pt, out) : \
  fmt eq "svg" ? sprintf("set terminal svg size %d,%d font 'Sans,%d' linewidth 1 butt noenhanced background rgb 'white'; set output '%s.svg'; fs = 1", fig_w*72, fig_h*72, font_pt, out) : \
  sprintf("set terminal pngcairo size %d,%d font 'Sans,%g' linewidth %g butt noenhanced background rgb 'white'; set output '%s.png'; fs = %g", fig_w*png_dpi, fig_h*png_dpi, font_pt*png_dpi/96.0, png_dpi/72.0, out, png_dpi/96.0)
# The small font, for `eval "set xtics font " . small_font(fs)` (the
# commands take no function call there).
small_font(fs) = sprintf("',%g'", small_pt * fs)

# Okabe-Ito palette (Okabe and Ito 2008): eight colours that stay apart
# under the common colour-vision deficiencies and in grayscale by lightness.
oi_black = "#000000"
oi_orange = "#E69F00"
oi_sky = "#56B4E9"
oi_green = "#009E73"
oi_yellow = "#F0E442"
oi_blue = "#0072B2"
oi_vermillion = "#D55E00"
oi_purple = "#CC79A7"
# A kernel variant keeps its colour in every figure: native black, memv6
# blue, memv6sys vermillion; any other variant the next unused colour by its
# position in the results (k from 1).
variant_color(name, k) = name eq "native" ? oi_black : name eq "memv6" ? oi_blue : \
  name eq "memv6sys" ? oi_vermillion : word(oi_green . " " . oi_orange . " " . oi_purple . " " . oi_sky, (k - 1) % 4 + 1)
# Outcome classes of docs/campaign.md: good outcomes cool, bad ones warm,
# the harness's own failure black.
outcome_color(name) = name eq "benign" ? oi_sky : name eq "recovered" ? oi_green : \
  name eq "sdc" ? oi_vermillion : name eq "killed" ? oi_orange : name eq "panic" ? oi_purple : \
  name eq "hang" ? oi_blue : name eq "reset" ? oi_yellow : oi_black
grid_color = "#E0E0E0"
ref_color = "#404040"

# Width in inches of a string s at pt points, from DejaVu Sans advance
# widths per class of character (rounded up), so scripts can size margins
# and wrap notes before drawing: gnuplot's automatic margins guess per
# terminal and clipped the y label of PNGs.
cw(c) = strstrt("iljI.,:;'|", c) ? 0.34 : strstrt("frt()[]/-", c) ? 0.42 : \
  strstrt("mwMW%@=+<>#~^", c) ? 1.0 : strstrt("ABCDEFGHKNOPQRSUVXYZ&", c) ? 0.80 : \
  c eq " " ? 0.32 : 0.64
tw_em(s) = strlen(s) == 0 ? 0 : cw(s[1:1]) + tw_em(s[2:strlen(s)])
tw(s, pt) = tw_em(s) * pt / 72.0
# Height of one line of text at pt points (inches).
line_h(pt) = 1.3 * pt / 72.0

# Greedy word wrap of s to lines of at most w inches at pt points; the
# lines are joined by "\n" (gnuplot labels draw them one under the other).
# nlines(s) counts them.
wrap(s, w, pt) = wrap_from(s, 2, word(s, 1), "", w, pt)
wrap_from(s, i, cur, done, w, pt) = i > words(s) ? done . cur : \
  tw(cur . " " . word(s, i), pt) <= w ? wrap_from(s, i + 1, cur . " " . word(s, i), done, w, pt) : \
  wrap_from(s, i + 1, word(s, i), done . cur . "\n", w, pt)
nlines(s) = strlen(s) == 0 ? 0 : 1 + nl_from(s, 1)
nl_from(s, i) = i > strlen(s) ? 0 : (s[i:i] eq "\n") + nl_from(s, i + 1)

# A tic step of 1, 2 or 5 times a power of ten giving at most m labels over
# a range r.
nice_m(r, m, p) = r / p <= m ? p : r / (2 * p) <= m ? 2 * p : r / (5 * p) <= m ? 5 * p : 10 * p
nice_step(r, m) = nice_m(r, m, 10 ** floor(log10(r / m)))
nice_fmt(step) = step < 0.01 ? "%.3f" : step < 0.1 ? "%.2f" : step < 1 ? "%.1f" : "%g"
# Log-axis tics: 1, 2, 5 times powers of ten inside [lo, hi] when the range
# spans less than two decades, else powers of ten only; a string for
# `eval "set xtics (" . log_tics(lo, hi) . ")"`.
log_tics(lo, hi) = log_tics_from(lo, hi, 10 ** floor(log10(lo)), log10(hi / lo) < 2 ? "1 2 5" : "1", "")
log_tics_from(lo, hi, d, ms, acc) = d > hi ? acc : \
  log_tics_from(lo, hi, d * 10, ms, acc . log_tic(lo, hi, d, ms, 1) . log_tic(lo, hi, d, ms, 2) . log_tic(lo, hi, d, ms, 3))
log_tic(lo, hi, d, ms, k) = k > words(ms) ? "" : (v = d * real(word(ms, k)), v >= lo && v <= hi ? sprintf("%g, ", v) : "")

# Screen coordinates of a position in inches from the lower left corner
# (of the figure's current fig_w x fig_h).
sx(x) = x / fig_w
sy(y) = y / fig_h
# A legend entry outside the data: a colour swatch at (x, y) inches (its
# centre line) and the text of the string variable named var after it, as a
# command string for eval; entries are objects and labels numbered tag.
# legend_w(s) is the width an entry with text s takes, gap included.
legend_cmd(tag, x, y, color, var) = \
  sprintf("set object %d rect from screen %g, screen %g to screen %g, screen %g fc rgb '%s' fs solid 1.0 border lc rgb '#303030' front; ", \
    tag, sx(x), sy(y - 0.04), sx(x + 0.08), sy(y + 0.04), color) . \
  sprintf("set label %d %s at screen %g, screen %g left; ", tag, var, sx(x + 0.12), sy(y))
legend_w(s) = 0.12 + tw(s, font_pt) + 0.16
