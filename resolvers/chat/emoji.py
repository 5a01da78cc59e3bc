"""Whether a reaction is exactly one emoji, with the standard library only.

Python's ``unicodedata`` knows no emoji properties, so this follows the sequence grammar of
Unicode TS #51 (ED-14 to ED-17) over the code point blocks where emoji live: one element, or
elements joined by ZERO WIDTH JOINER, where an element is an emoji character with an optional
presentation selector (U+FE0F) and an optional skin tone (U+1F3FB-1F3FF); besides those, a
keycap (``1️⃣``), a flag (two regional indicators) or a tag sequence (the flags of England,
Scotland, Wales). It accepts every RGI emoji and rejects letters, digits, text, two emoji side
by side and broken sequences; it may accept a well-formed sequence no vendor draws (e.g. a ZWJ
pair without a glyph), which is harmless for a reaction.
"""

from __future__ import annotations

ZWJ = 0x200D
VS16 = 0xFE0F
KEYCAP = 0x20E3
SKIN_TONES = range(0x1F3FB, 0x1F400)
REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)
BLACK_FLAG = 0x1F3F4
CANCEL_TAG = 0xE007F
KEYCAP_BASES = frozenset("0123456789#*")
MAX_CODE_POINTS = 32  # the longest RGI sequences have 10
MAX_ZWJ_ELEMENTS = 4  # the most any RGI ZWJ sequence joins (a family of four)
# The only RGI tag sequences: the flags of England, Scotland and Wales (tags spell gbeng...).
TAG_FLAGS = frozenset(
    "".join(chr(0xE0000 + ord(letter)) for letter in region) for region in ("gbeng", "gbsct", "gbwls")
)

# Code points with Emoji=Yes (emoji-data.txt), by block, leaving out the keycap bases above.
_SINGLE = frozenset(
    {0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x2328, 0x23CF, 0x24C2, 0x25B6, 0x25C0}
    | {0x2B50, 0x2B55, 0x3030, 0x303D, 0x3297, 0x3299, 0x1F004, 0x1F0CF, 0x1F18E, 0x1F201, 0x1F202}
    | {0x1F21A, 0x1F22F, 0x1F7F0}
)
_RANGES = (
    range(0x2194, 0x219A),
    range(0x21A9, 0x21AB),
    range(0x231A, 0x231C),
    range(0x23E9, 0x23F4),
    range(0x23F8, 0x23FB),
    range(0x25AA, 0x25AC),
    range(0x25FB, 0x25FF),
    range(0x2600, 0x2700),  # Miscellaneous Symbols
    range(0x2700, 0x27C0),  # Dingbats
    range(0x2934, 0x2936),
    range(0x2B05, 0x2B08),
    range(0x2B1B, 0x2B1D),
    range(0x1F170, 0x1F172),
    range(0x1F17E, 0x1F180),
    range(0x1F191, 0x1F19B),
    range(0x1F232, 0x1F23B),
    range(0x1F250, 0x1F252),
    range(0x1F300, 0x1F650),  # Misc Symbols and Pictographs, Emoticons
    range(0x1F680, 0x1F700),  # Transport and Map Symbols
    range(0x1F7E0, 0x1F7EC),
    range(0x1F90C, 0x1FA00),  # Supplemental Symbols and Pictographs
    range(0x1FA70, 0x1FB00),  # Symbols and Pictographs Extended-A
)


def _is_emoji_character(point: int) -> bool:
    if point in SKIN_TONES or point in REGIONAL_INDICATORS:
        return False  # only inside a sequence (an element's tone, a flag's pair)
    return point in _SINGLE or any(point in block for block in _RANGES)


def _element_end(points: list[int], start: int) -> int | None:
    """Where the ZWJ element at ``start`` ends (emoji [FE0F] [skin tone]), or None."""
    if start >= len(points) or not _is_emoji_character(points[start]):
        return None
    end = start + 1
    if end < len(points) and points[end] == VS16:
        end += 1
    if end < len(points) and points[end] in SKIN_TONES:
        end += 1
    return end


def _is_zwj_sequence(points: list[int]) -> bool:
    end, elements = _element_end(points, 0), 1
    while end is not None and end < len(points):
        if points[end] != ZWJ or elements == MAX_ZWJ_ELEMENTS:
            return False
        end, elements = _element_end(points, end + 1), elements + 1
    return end == len(points)


def _is_keycap(text: str) -> bool:
    return text[:1] in KEYCAP_BASES and text[1:] in ("\ufe0f\u20e3", "\u20e3")


def _is_flag(points: list[int]) -> bool:
    return len(points) == 2 and all(point in REGIONAL_INDICATORS for point in points)


def _is_tag_sequence(points: list[int]) -> bool:
    """A subdivision flag; tag characters spell ASCII, so any other run would be hidden text."""
    body = "".join(chr(point) for point in points[1:-1])
    return len(points) >= 3 and points[0] == BLACK_FLAG and points[-1] == CANCEL_TAG and body in TAG_FLAGS


def is_one_emoji(text: str) -> bool:
    """Whether ``text`` is exactly one emoji (one grapheme cluster that is an emoji)."""
    points = [ord(character) for character in text]
    if not 1 <= len(points) <= MAX_CODE_POINTS:
        return False
    return _is_keycap(text) or _is_flag(points) or _is_tag_sequence(points) or _is_zwj_sequence(points)
