"""The Han and Hangul characters kept in the receipt's CJK font subset (resources/fonts).

The first levels of the national character-set standards, decoded with Python's own codecs so no
outside list is needed:
  - GB 2312 level 1 (3,755 hanzi: the most frequent Simplified Chinese characters),
  - JIS X 0208 level 1 (2,965 kanji: the common Japanese kanji),
  - Big5 "frequently used" (5,401 hanzi: the common Traditional Chinese characters),
  - KS X 1001 (2,350 precomposed Hangul syllables: the ones Korean text and names use).
The Han sets overlap; their union is 7,174 characters. Writes one line of text to the path given.
"""
import sys


def decode_range(codec, leads, trails):
    out = set()
    for lead in leads:
        for trail in trails:
            try:
                ch = bytes([lead, trail]).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(ch) == 1:
                out.add(ch)
    return out


gb2312_l1 = decode_range('gb2312', range(0xB0, 0xD8), range(0xA1, 0xFF))
jis_l1 = decode_range('euc_jp', range(0xB0, 0xD0), range(0xA1, 0xFF))
big5_common = {
    c
    for c in decode_range('big5', range(0xA4, 0xC7), list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)))
    if 0x4E00 <= ord(c) <= 0x9FFF
}
ksx_hangul = decode_range('euc_kr', range(0xB0, 0xC9), range(0xA1, 0xFF))
chars = gb2312_l1 | jis_l1 | big5_common | ksx_hangul
print(
    f'GB2312-1 {len(gb2312_l1)}, JIS-1 {len(jis_l1)}, Big5 common {len(big5_common)}, '
    f'Hangul {len(ksx_hangul)}, total {len(chars)}',
    file=sys.stderr,
)
with open(sys.argv[1], 'w', encoding='utf-8') as f:
    f.write(''.join(sorted(chars)))
