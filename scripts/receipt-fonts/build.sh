#!/bin/sh
# Rebuilds the font subsets in resources/fonts from Debian's Noto packages (see its README.md).
# Needs, once: apt-get install -y fonts-noto-core fonts-noto-mono fonts-noto-cjk python3-fonttools
# The app, tests and CI never run this: the subsets are committed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../resources/fonts"
noto=/usr/share/fonts/truetype/noto
cjk=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
py=/usr/bin/python3
keep='--no-hinting --name-IDs=* --name-languages=*'

latin='U+0020-007E,U+00A0-024F,U+0250-02FF,U+0300-036F,U+0370-03FF,U+0400-052F,U+1E00-1EFF,U+1F00-1FFF,U+2000-206F,U+20A0-20CF,U+2100-214F,U+2190-21FF,U+2212,U+2215,U+25A0-25FF,U+2713,U+2714,U+FB00-FB06,U+FFFD'
arabic='U+0020-002F,U+003A-0040,U+005B-0060,U+007B-007E,U+00A0,U+0600-06FF,U+0750-077F,U+08A0-08FF,U+FB50-FDFF,U+FE70-FEFF,U+200C-200D,U+25CC'
hebrew='U+0020-002F,U+003A-0040,U+005B-0060,U+007B-007E,U+00A0,U+0590-05FF,U+FB1D-FB4F,U+25CC'

for w in Regular Bold; do
  $py -m fontTools.subset "$noto/NotoSans-$w.ttf" --unicodes="$latin" --layout-features='*' $keep --output-file="$out/NotoSans-$w.subset.ttf"
  $py -m fontTools.subset "$noto/NotoSansArabic-$w.ttf" --unicodes="$arabic" --layout-features='*' $keep --output-file="$out/NotoSansArabic-$w.subset.ttf"
  $py -m fontTools.subset "$noto/NotoSansHebrew-$w.ttf" --unicodes="$hebrew" --layout-features='*' $keep --output-file="$out/NotoSansHebrew-$w.subset.ttf"
done
# Hashes, addresses and ids only: no layout tables, so fontkit maps them straight to glyphs (no shaping pass).
$py -m fontTools.subset "$noto/NotoSansMono-Regular.ttf" --unicodes='U+0020-007E,U+00A0-00FF,U+2026' \
  --layout-features='' --drop-tables+=GSUB,GPOS,GDEF $keep --output-file="$out/NotoSansMono-Regular.subset.ttf"

# Noto Sans CJK SC (face 2 of the collection): the Han and Hangul sets of cjk_charset.py, plus kana,
# CJK punctuation, compatibility jamo and full-width forms. No layout tables: their alternates
# (vertical, locale forms) would pull in ~8,000 more glyphs, and names need none of them.
chars=$(mktemp)
$py "$here/cjk_charset.py" "$chars"
$py -m fontTools.subset "$cjk" --font-number=2 --text-file="$chars" \
  --unicodes='U+3000-303F,U+3040-30FF,U+31F0-31FF,U+3131-318E,U+FF00-FFEF' \
  --layout-features='' --drop-tables+=vhea,vmtx,VORG,BASE,GSUB,GPOS,GDEF $keep \
  --output-file="$out/NotoSansCJKsc-Regular.subset.otf"
rm -f "$chars"
ls -l "$out"
