"""Counting events in the cache (Redis in production, shared by every server process): the one counter
behind every rate limit (the portal's code-sending and password limits, the tracking look-ups'). A key
counts the events of one window, which starts with its first event."""

from __future__ import annotations

import math

from django.core.cache import cache


def count(key: str) -> int:
    return int(cache.get(key) or 0)


def hit(key: str, *, window: int) -> int:
    """Record one event; return how many happened in the current window."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def clear(key: str) -> None:
    cache.delete(key)


def wait_text(seconds: int) -> str:
    """How long to wait, in Chinese: seconds under two minutes, else whole minutes rounded up."""
    if seconds < 120:
        return f"{max(seconds, 1)}秒"
    return f"{math.ceil(seconds / 60)}分钟"
