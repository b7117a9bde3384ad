"""SITE-7 叫号语音 without a browser voice: a call maps to the right pre-recorded clips, every clip is
shipped (small), the call event carries the clips, and the centre's setting picks the voice."""

from __future__ import annotations

from pathlib import Path

import pytest

from govhall.queueing import selectors, services
from govhall.queueing.models import QueueSettings
from govhall.queueing.voice import VoiceMode, all_clip_names, call_clips, numeral_clips
from tests.queueing.conftest import open_window

CLIPS = Path(__file__).resolve().parents[2] / "govhall" / "queueing" / "static" / "queueing" / "voice"


def test_a_call_is_the_chime_then_please_code_to_window():
    """「请A012号到3号窗口办理」: chime, 请, A 零 一 二, 号到, 三, 号窗口办理."""
    assert call_clips("A012", 3) == [
        "chime", "qing", "A", "d0", "d1", "d2", "hao_dao", "d3", "hao_chuangkou_banli",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("window", "spoken"),
    [
        (1, ["d1"]),
        (10, ["shi"]),
        (12, ["shi", "d2"]),
        (20, ["d2", "shi"]),
        (30, ["d3", "shi"]),
        (35, ["d3", "shi", "d5"]),
        (101, ["d1", "d0", "d1"]),
    ],
)
def test_window_numbers_are_spoken_as_chinese_numerals(window, spoken):
    assert numeral_clips(window) == spoken


def test_professional_prefix_letters_and_unknown_characters():
    """Every letter a queue prefix can use has a clip; a character without one is skipped, not spoken."""
    assert call_clips("EZ105", 30)[2:6] == ["E", "Z", "d1", "d0"]
    assert call_clips("A-1", 2)[2:4] == ["A", "d1"]


def test_every_clip_is_shipped_small():
    total = 0
    for name in all_clip_names():
        path = CLIPS / f"{name}.ogg"
        assert path.is_file(), name
        assert path.read_bytes()[:4] == b"OggS"
        assert path.stat().st_size < 16_000, name
        total += path.stat().st_size
    assert total < 150_000


@pytest.mark.django_db
def test_the_call_event_carries_its_clips(q, monkeypatch):
    published = []
    monkeypatch.setattr(
        services, "_publish", lambda centre_id, kind, payload, **kw: published.append(payload)
    )
    window = open_window(q.windows["minsheng"], q.front_desk)
    services.ticket_issue(centre=q.centre, matter_id=q.birth.pk)
    services.ticket_call_next(window=window, by=q.front_desk)
    call = next(p for p in published if "clips" in p)
    assert call["text"] == "请A001号到1号窗口办理"
    assert call["clips"] == call_clips("A001", 1)


@pytest.mark.django_db
def test_the_centre_chooses_speech_clips_or_auto(client, q):
    assert selectors.voice_mode(q.centre) == VoiceMode.AUTO
    assert 'data-voice="auto"' in client.get(f"/queueing/screen/{q.centre.pk}/").content.decode()
    QueueSettings.objects.update_or_create(centre=q.centre, defaults={"voice": VoiceMode.CLIPS})
    page = client.get(f"/queueing/screen/{q.centre.pk}/").content.decode()
    assert 'data-voice="clips"' in page and 'data-clips="/static/queueing/voice/"' in page
