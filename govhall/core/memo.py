"""Per-process memory, for a few seconds, of rows that hot paths read on every request and that rarely
change: a centre's queue settings and windows, a window with its centre, a user's roles (issue 15).

Same rule as the API token memory (accounts.tokens): a save or delete of a row a memory depends on
empties that memory in this process at once, and again when the transaction commits (another thread
may have reloaded the old rows in between); other server processes see the change within
HOT_CACHE_SECONDS. A memory hands out what it loaded; callers copy before changing anything.
``HOT_CACHE_SECONDS = 0`` turns all of them off.

Tests empty every memory around each test (tests/conftest.py), as a rolled-back test's rows may come back
under the same primary keys in the next one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

_all: list[ProcessMemo[Any]] = []
MAX_ENTRIES = 10_000


class ProcessMemo(Generic[T]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._data: dict[Hashable, tuple[float, T]] = {}
        self._lock = threading.Lock()
        _all.append(self)

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        ttl = settings.HOT_CACHE_SECONDS
        if ttl <= 0:
            return load()
        hit = self._data.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        value = load()
        with self._lock:
            if len(self._data) >= MAX_ENTRIES:
                self._data.clear()
            self._data[key] = (time.monotonic() + ttl, value)
        return value

    def clear(self, **_: object) -> None:
        with self._lock:
            self._data.clear()

    def _changed(self, **_: object) -> None:
        self.clear()
        transaction.on_commit(self.clear)

    def clear_on_change(self, *models: type) -> None:
        """Empty this memory whenever a row of one of `models` is saved or deleted (call from an app's
        ready())."""
        for model in models:
            for signal in (post_save, post_delete):
                signal.connect(
                    self._changed, sender=model, weak=False, dispatch_uid=f"memo-{self.name}-{model.__name__}"
                )


def clear_all() -> None:
    for memo in _all:
        memo.clear()
