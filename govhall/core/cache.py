"""The Redis cache, degrading instead of failing while Redis is away (issue 20, "Redis stops under load").

The cache holds copies (guide lists, window lists) and counters (rate limits); the records live in the
database. With Django's own RedisCache an unreachable Redis turns every page that reads the cache into a
500. Here a connection error answers like an empty cache: a read misses (the page computes the value from
the database), a write is dropped, a counter starts again at 1 (rate limits let requests through while
Redis is down: the outage is logged, a wrong refusal would lock citizens out). After a failure the process
skips Redis for ``PAUSE_SECONDS`` rather than waiting for a connect timeout on every call; then it tries
again, and once Redis answers everything is as before.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 2.0
_OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)


class _Breaker:
    def __init__(self) -> None:
        self.until = 0.0
        self.lock = threading.Lock()
        self.down = False

    def open(self) -> bool:
        return time.monotonic() < self.until

    def trip(self, exc: BaseException) -> None:
        with self.lock:
            self.until = time.monotonic() + PAUSE_SECONDS
            if not self.down:
                self.down = True
                logger.warning(
                    "Redis cache unreachable (%s): serving without the cache", exc.__class__.__name__
                )

    def reset(self) -> None:
        if self.down:
            with self.lock:
                if self.down:
                    self.down = False
                    logger.warning("Redis cache reachable again")


def _degrading(fallback: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run the operation; while Redis is unreachable answer ``fallback(*args)`` instead."""

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(self: DegradingRedisCacheClient, *args: Any) -> Any:
            if self.breaker.open():
                return fallback(*args)
            try:
                result = method(self, *args)
            except _OUTAGE as exc:
                self.breaker.trip(exc)
                return fallback(*args)
            self.breaker.reset()
            return result

        return wrapper

    return decorate


class DegradingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.breaker = _Breaker()

    # Each fallback takes the operation's own arguments and answers as an empty cache would.
    add = _degrading(lambda key, value, timeout: True)(RedisCacheClient.add)
    get = _degrading(lambda key, default: default)(RedisCacheClient.get)
    set = _degrading(lambda key, value, timeout: None)(RedisCacheClient.set)
    touch = _degrading(lambda key, timeout: False)(RedisCacheClient.touch)
    delete = _degrading(lambda key: False)(RedisCacheClient.delete)
    get_many = _degrading(lambda keys: {})(RedisCacheClient.get_many)
    has_key = _degrading(lambda key: False)(RedisCacheClient.has_key)
    incr = _degrading(lambda key, delta: delta)(RedisCacheClient.incr)
    set_many = _degrading(lambda data, timeout: [])(RedisCacheClient.set_many)
    delete_many = _degrading(lambda keys: None)(RedisCacheClient.delete_many)
    clear = _degrading(lambda: False)(RedisCacheClient.clear)


class DegradingRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = DegradingRedisCacheClient
