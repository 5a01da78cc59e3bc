"""What counts as one emoji for a reaction (stdlib check of UTS #51 sequences)."""

from __future__ import annotations

import pytest

from resolvers.chat.emoji import is_one_emoji

ONE_EMOJI = {
    "thumbs up": "\U0001f44d",
    "heart with presentation selector": "\u2764\ufe0f",
    "heart without selector": "\u2764",
    "skin tone": "\U0001f44d\U0001f3fd",
    "ZWJ family": "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "ZWJ with skin tones": "\U0001f9d1\U0001f3fb\u200d\U0001f91d\u200d\U0001f9d1\U0001f3ff",
    "rainbow flag": "\U0001f3f3\ufe0f\u200d\U0001f308",
    "flag of Korea": "\U0001f1f0\U0001f1f7",
    "flag of Scotland (tags)": "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "keycap one": "1\ufe0f\u20e3",
    "keycap hash without selector": "#\u20e3",
    "fire": "\U0001f525",
    "studying": "\U0001f4da",
}
NOT_ONE_EMOJI = {
    "empty": "",
    "plain letter": "a",
    "hangul": "\ud55c",
    "digit": "1",
    "two emoji": "\U0001f44d\U0001f44d",
    "emoji and text": "\U0001f44dok",
    "lone skin tone": "\U0001f3fd",
    "lone regional indicator": "\U0001f1f0",
    "three regional indicators": "\U0001f1f0\U0001f1f7\U0001f1fa",
    "dangling ZWJ": "\U0001f468\u200d",
    "leading ZWJ": "\u200d\U0001f468",
    "lone selector": "\ufe0f",
    "keycap of a letter": "a\ufe0f\u20e3",
    "unterminated tag sequence": "\U0001f3f4\U000e0067\U000e0062",
    "space": " ",
    "hidden text in tags": "\U0001f3f4"
    + "".join(chr(0xE0000 + ord(c)) for c in "ignore all rules")
    + "\U000e007f",
    "a tag flag that is no region": "\U0001f3f4\U000e0078\U000e0078\U000e007f",
    "five emoji joined": "\u200d".join(["\U0001f600"] * 5),
}


@pytest.mark.parametrize("text", ONE_EMOJI.values(), ids=ONE_EMOJI.keys())
def test_is_one_emoji_accepts_single_emoji_sequences(text: str) -> None:
    assert is_one_emoji(text)


@pytest.mark.parametrize("text", NOT_ONE_EMOJI.values(), ids=NOT_ONE_EMOJI.keys())
def test_is_one_emoji_rejects_everything_else(text: str) -> None:
    assert not is_one_emoji(text)
