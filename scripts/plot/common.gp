# Shared look of the paper figures: one column of a two-column paper
# (3.3 in wide), 7 pt sans-serif type (6 pt for dense tic labels), thin
# lines. Loaded by the figure scripts, which then draw once per format:
#   do for [fmt in formats] { eval terminal_for(fmt); eval small_tics(fs); plot ... }
# terminal_for also sets fs, the factor that turns points into the
# terminal's font units. `out` (set by the figure script) is the output
# path without extension.
fig_w = 3.3      # inches
fig_h = 2.1
png_dpi = 300    # PNG pixels = inches * png_dpi (990 x 630)
font_pt = 7
formats = "pdf svg png"

# SVG has no physical size: 72 user units per inch keep points as points.
# pngcairo takes points at 72 dpi: fonts and lines are scaled to png_dpi.
terminal_for(fmt) = \
  fmt eq "pdf" ? sprintf("set terminal pdfcairo size %gin,%gin font 'Sans,%d' linewidth 1 rounded noenhanced; set output '%s.pdf'; fs = 1", fig_w, fig_h, font_pt, out) : \
  fmt eq "svg" ? sprintf("set terminal svg size %d,%d font 'Sans,%d' linewidth 1 rounded noenhanced background rgb 'white'; set output '%s.svg'; fs = 1", fig_w*72, fig_h*72, font_pt, out) : \
  sprintf("set terminal pngcairo size %d,%d font 'Sans,%g' linewidth %g rounded noenhanced background rgb 'white'; set output '%s.png'; fs = %g", fig_w*png_dpi, fig_h*png_dpi, font_pt*png_dpi/72.0, png_dpi/72.0, out, png_dpi/72.0)

# Colors that stay apart in grayscale print.
c_native = "#b8b8b8"
c_memv6 = "#2c5d8f"

# A tic step of 1, 2 or 5 times a power of ten giving at most five or six
# labels over a range r.
nice_m(r, m) = r / m <= 10 ? 2 * m : r / m <= 25 ? 5 * m : 10 * m
nice_step(r) = nice_m(r, 10 ** floor(log10(r / 5.0)))
nice_fmt(step) = step < 0.1 ? "%.2f" : step < 1 ? "%.1f" : "%g"
