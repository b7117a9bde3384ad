"""The spoken call (SITE-7 叫号语音) as a sequence of pre-recorded clips, for display PCs without a Chinese
browser voice. The clips are static files built by scripts/make_voice_clips.sh (espeak-ng, offline):
a chime, the digits 零…九 and 十, the letters A–Z and the words 请 / 号到 / 号窗口办理.

「请A012号到3号窗口办理」 → chime, qing, A, d0, d1, d2, hao_dao, d3, hao_chuangkou_banli. The ticket number is
read digit by digit (as printed); the window number as a Chinese numeral (12 → 十二) up to 99.
"""

from __future__ import annotations

import string

from django.db import models

CLIP_DIR = "queueing/voice/"
CLIP_EXT = ".ogg"
LETTERS = frozenset(string.ascii_uppercase)


class VoiceMode(models.TextChoices):
    AUTO = "auto", "自动（有中文语音用浏览器朗读，否则播放录音）"
    SPEECH = "speech", "浏览器语音朗读"
    CLIPS = "clips", "预录语音片段（无需联网和语音库）"


def _digit(d: int) -> str:
    return f"d{d}"


def numeral_clips(n: int) -> list[str]:
    """A window number as spoken: 3 → 三, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五; ≥ 100 digit by digit."""
    if n < 0:
        raise ValueError(n)
    if n < 10:
        return [_digit(n)]
    if n < 100:
        tens, ones = divmod(n, 10)
        clips = ([] if tens == 1 else [_digit(tens)]) + ["shi"]
        return clips + ([_digit(ones)] if ones else [])
    return [_digit(int(c)) for c in str(n)]


def code_clips(code: str) -> list[str]:
    """A ticket code read character by character (A012 → A, 零, 一, 二); a character without a clip is
    skipped rather than breaking the call."""
    clips = []
    for char in code.upper():
        if char.isdigit() and char.isascii():
            clips.append(_digit(int(char)))
        elif char in LETTERS:
            clips.append(char)
    return clips


def call_clips(code: str, window_number: int) -> list[str]:
    """The clips of 「请<code>号到<window>号窗口办理」, the chime first."""
    return [
        "chime",
        "qing",
        *code_clips(code),
        "hao_dao",
        *numeral_clips(window_number),
        "hao_chuangkou_banli",
    ]


def all_clip_names() -> list[str]:
    """Every clip a call can use (the build script must produce each)."""
    return (
        ["chime", "qing", "hao_dao", "hao_chuangkou_banli", "shi", "voice_on"]
        + [_digit(d) for d in range(10)]
        + sorted(LETTERS)
    )
