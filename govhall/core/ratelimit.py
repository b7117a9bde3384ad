"""The one rate limiter: events counted in the cache (Redis in production, shared by every server process),
behind every limit (the portal's code-sending and password limits, the tracking look-ups'). A key counts
the events of one window, which starts with its first event. An app takes a `Limiter` with its own key
prefix; a refusal is `RateLimited` (HTTP 429, the wait in Chinese), which `core.pages` turns into the 429
page and `core.api_errors` into the API's 429."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.core.cache import cache

from govhall.core.errors import ServiceError


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


class RateLimited(ServiceError):
    status = 429
    code = "rate_limited"


@dataclass(frozen=True)
class Limiter:
    """The counters of one app, under its key prefix; refusals raise `error` (a `RateLimited`)."""

    prefix: str
    error: type[RateLimited] = RateLimited

    def count(self, key: str) -> int:
        return count(self.prefix + key)

    def hit(self, key: str, *, window: int) -> int:
        """Record one event; return how many happened in the current window (which starts with the first)."""
        return hit(self.prefix + key, window=window)

    def clear(self, key: str) -> None:
        clear(self.prefix + key)

    def refusal(self, message: str, window: int) -> RateLimited:
        """The 429 for `message` ("…过多，"), with how long to wait."""
        return self.error(f"{message}请{wait_text(window)}后再试。")

    def require_below(self, key: str, *, limit: int, window: int, message: str) -> None:
        """Refuse when `key` already reached `limit` events in its window (does not count this one)."""
        if self.count(key) >= limit:
            raise self.refusal(message, window)

    def consume(self, key: str, *, limit: int, window: int, message: str) -> None:
        """Count this event and refuse it when it goes over `limit` in the window."""
        if self.hit(key, window=window) > limit:
            raise self.refusal(message, window)

    wait_text = staticmethod(wait_text)
