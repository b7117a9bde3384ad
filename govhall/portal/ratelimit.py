"""Counting attempts in the cache (Redis in production, shared by every server process) to stop
code-sending floods and password / query-password guessing. A limit is a number of events per window;
`RateLimited` (HTTP 429) says in Chinese how long to wait."""

from __future__ import annotations

import math

from django.core.cache import cache

from govhall.core.errors import ServiceError

PREFIX = "portal:rl:"


class RateLimited(ServiceError):
    status = 429
    code = "rate_limited"


def _key(key: str) -> str:
    return PREFIX + key


def count(key: str) -> int:
    return int(cache.get(_key(key)) or 0)


def hit(key: str, *, window: int) -> int:
    """Record one event; return how many happened in the current window (which starts with the first)."""
    full = _key(key)
    if cache.add(full, 1, timeout=window):
        return 1
    try:
        return int(cache.incr(full))
    except ValueError:  # expired between add and incr
        cache.add(full, 1, timeout=window)
        return 1


def clear(key: str) -> None:
    cache.delete(_key(key))


def wait_text(seconds: int) -> str:
    if seconds < 120:
        return f"{max(seconds, 1)}秒"
    return f"{math.ceil(seconds / 60)}分钟"


def require_below(key: str, *, limit: int, window: int, message: str) -> None:
    """Refuse when `key` already reached `limit` events in its window (does not count this one)."""
    if count(key) >= limit:
        raise RateLimited(f"{message}请{wait_text(window)}后再试。")


def consume(key: str, *, limit: int, window: int, message: str) -> None:
    """Count this event and refuse it when it goes over `limit` in the window."""
    if hit(key, window=window) > limit:
        raise RateLimited(f"{message}请{wait_text(window)}后再试。")
