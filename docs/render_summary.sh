#!/usr/bin/env bash
# Renders the first page of the sample summary workbook (汇总 sheet of 汇总_2015-10.xlsx) to
# docs/summary_2015-10.png, the picture in the README. Run from anywhere:
#
#     docs/render_summary.sh
#
# It runs the quick start (cargo run --release -- run samples/returns/2015-09 samples/returns/2015-10),
# prints the workbook to PDF with LibreOffice and turns the first page into a PNG with pdftoppm.
#
# Needs: cargo, LibreOffice (soffice), poppler-utils (pdftoppm), and the fonts that make
# LibreOffice lay the page out as Excel on a Chinese Windows does:
#   - fonts-noto-cjk: Noto Serif CJK SC stands in for 宋体, Noto Sans CJK SC for 黑体;
#   - fonts-crosextra-carlito: metric-compatible with Calibri, the workbook's default font,
#     which sets the width of a column (without it LibreOffice falls back to a wider font and
#     every column prints about a third wider than in Excel).
set -euo pipefail

cd "$(dirname "$0")/.."
out=docs/summary_2015-10.png
dpi=${DPI:-110}

for tool in cargo soffice pdftoppm fc-list; do
    command -v "$tool" >/dev/null || { echo "render_summary.sh: $tool not found; see the comment at the top" >&2; exit 1; }
done
fc-list | grep -qi 'Noto Serif CJK SC' || { echo "render_summary.sh: Noto CJK fonts missing (apt-get install fonts-noto-cjk)" >&2; exit 1; }
fc-list | grep -qi 'Carlito' || { echo "render_summary.sh: Carlito font missing (apt-get install fonts-crosextra-carlito)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 宋体/黑体 are Windows fonts: map them to the Noto CJK faces of the same style.
cat >"$work/fonts.conf" <<'XML'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias binding="same"><family>宋体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>SimSun</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>黑体</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
  <alias binding="same"><family>SimHei</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
</fontconfig>
XML

cargo run --release -q -- run samples/returns/2015-09 samples/returns/2015-10 -q

# A throw-away LibreOffice profile, so that a running LibreOffice or a stale lock does not interfere.
FONTCONFIG_FILE="$work/fonts.conf" soffice -env:UserInstallation="file://$work/lo_profile" \
    --headless --norestore --convert-to pdf --outdir "$work" "samples/输出/汇总_2015-10.xlsx" >/dev/null
pdftoppm -r "$dpi" -f 1 -l 1 -singlefile -png "$work/汇总_2015-10.pdf" "${out%.png}"
echo "wrote $out ($(wc -c <"$out") bytes)"
