"""Generation tokens: a random token in the cache that names the current state of some derived content, so
a cache key holding it goes stale the moment the content changes (the portal's published content, the city
view's today). Replacing the token invalidates every key built on it at once, in every process that shares
the cache, without finding or deleting those keys.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction


def current(key: str) -> str:
    """The token under `key` (a new one when none is cached, or the cache is down)."""
    token = cache.get(key)
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(key, token, None):
            token = cache.get(key) or token
    return str(token)


def _replace(key: str) -> None:
    cache.set(key, uuid.uuid4().hex, None)


def renew(key: str) -> None:
    """What `key` names has changed: a new token now, and again when the transaction commits (a reader may
    cache the old content under the new token between the two)."""
    _replace(key)
    transaction.on_commit(lambda: _replace(key))
