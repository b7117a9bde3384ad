"""Counting attempts (through core.ratelimit, in the cache shared by every server process) to stop
code-sending floods and password / query-password guessing. A limit is a number of events per window;
`RateLimited` (HTTP 429) says in Chinese how long to wait."""

from __future__ import annotations

from govhall.core import ratelimit as counter
from govhall.core.errors import ServiceError

PREFIX = "portal:rl:"


class RateLimited(ServiceError):
    status = 429
    code = "rate_limited"


def _key(key: str) -> str:
    return PREFIX + key


def count(key: str) -> int:
    return counter.count(_key(key))


def hit(key: str, *, window: int) -> int:
    """Record one event; return how many happened in the current window (which starts with the first)."""
    return counter.hit(_key(key), window=window)


def clear(key: str) -> None:
    counter.clear(_key(key))


wait_text = counter.wait_text


def require_below(key: str, *, limit: int, window: int, message: str) -> None:
    """Refuse when `key` already reached `limit` events in its window (does not count this one)."""
    if count(key) >= limit:
        raise RateLimited(f"{message}请{wait_text(window)}后再试。")


def consume(key: str, *, limit: int, window: int, message: str) -> None:
    """Count this event and refuse it when it goes over `limit` in the window."""
    if hit(key, window=window) > limit:
        raise RateLimited(f"{message}请{wait_text(window)}后再试。")
