"""In-transaction hooks: how a lower app tells the apps above it about a change without importing them.

The app that makes the change owns the hook and calls it; apps above it connect their handlers in their
AppConfig.ready() (the layer order is in docs/architecture.md):

    # catalog/services.py                         # exchange/apps.py, ExchangeConfig.ready()
    matter_published = Hook("catalog.matter_published")    matter_published.connect(on_matter_published)
    matter_published.send(version=draft)

Unlike an event (`govhall.core.events`: after commit, best effort, for screens), a hook's handlers run at
once, in the caller's transaction: what they write (an outbox row) commits or rolls back with the change,
and an error in a handler fails the change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[..., None]


class Hook:
    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: list[Handler] = []

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._handlers)} handler(s)>"

    def connect(self, handler: Handler) -> None:
        """Add a handler (once: connecting the same function again changes nothing)."""
        if handler not in self._handlers:
            self._handlers.append(handler)

    def disconnect(self, handler: Handler) -> None:
        if handler in self._handlers:
            self._handlers.remove(handler)

    def send(self, **kwargs: Any) -> None:
        """Call every handler, in the order they were connected, with these keyword arguments."""
        for handler in list(self._handlers):
            handler(**kwargs)
