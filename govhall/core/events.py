"""Domain events: publish/subscribe within one process, or across processes and machines through Redis.

    publish_on_commit("queueing.centre.12.called", {"ticket": "A012", "window": 3})   # in a service

    with subscribe(["queueing.centre.12.*"], timeout=30) as events:                   # sync code
        for event in events: ...

    async with listen(["queueing.centre.12.*"], idle=15) as events:                   # ASGI views
        async for event in events: ...        # None every `idle` seconds of silence

    return sse_response(request, ["queueing.centre.12.*"], initial=snapshot)          # display screens

Without GOVHALL_REDIS_URL events stay in the process (the single-node shape runs the web server and the
task worker in one process, so that is everyone). With it, each process keeps ONE Redis connection,
pattern-subscribed to all govhall channels, read by a daemon thread that fans events out to the
subscribers in that process: 200 display screens cost one Redis connection, not 200.

Events are notifications, not the record: the database is. A subscriber that may have missed events
(its queue overflowed, the Redis connection dropped or came back) has its stream *closed*; it starts
again from a fresh snapshot (an EventSource reconnects by itself after the `retry:` delay).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import logging
import os
import queue
import re
import threading
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger("govhall.events")

TOPIC_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:\-]{0,199}$")
QUEUE_LIMIT = 1000  # events a slow subscriber may lag behind before its stream is closed
READY_TIMEOUT = 5.0  # seconds a new subscriber waits for the Redis subscription to be live


class EventBusError(Exception):
    pass


@dataclass(frozen=True)
class Event:
    topic: str
    payload: dict[str, Any]
    raw: str  # the payload as JSON text, shared by every subscriber (SSE sends it as is)


_CLOSED = object()  # queue sentinel: the stream has ended


def _check_topic(topic: str, *, pattern: bool = False) -> str:
    """Topics look like "queueing.centre.12.called"; a subscription may end in "*" (prefix match)."""
    if not isinstance(topic, str):
        raise EventBusError(f"an event topic is a string, not {topic!r}")
    body = topic[:-1] if pattern and topic.endswith("*") else topic
    if pattern and body == "":
        return topic  # "*": everything
    if not TOPIC_RE.match(body.rstrip(".") if pattern else body):
        raise EventBusError(
            f"invalid event topic {topic!r}: letters, digits and . _ : - only (and a trailing * to subscribe)"
        )
    return topic


def _encode(payload: dict[str, Any]) -> str:
    if not isinstance(payload, dict):
        raise EventBusError("an event payload must be a dict")
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)


# --- subscriptions and the in-process broker --------------------------------------------------


def _topic_list(topics: Iterable[str] | str) -> list[str]:
    return [topics] if isinstance(topics, str) else list(topics)  # one topic may be given as is


class _Subscriber:
    """One subscription with its queue. Sync subscribers get `deliver` on any thread, async ones on
    their event loop; `close` ends the stream."""

    queue: queue.Queue[object] | asyncio.Queue[object]

    def __init__(self, topics: Iterable[str]) -> None:
        topics = _topic_list(topics)
        if not topics:
            raise EventBusError("subscribe to at least one topic")
        for topic in topics:
            _check_topic(topic, pattern=True)
        self.exact = frozenset(t for t in topics if not t.endswith("*"))
        self.prefixes = tuple(t[:-1] for t in topics if t.endswith("*"))
        self.generation: int | None = None
        self.closed = False
        self.close_reason = ""

    def matches(self, topic: str) -> bool:
        return topic in self.exact or any(topic.startswith(p) for p in self.prefixes)

    def deliver(self, event: Event) -> None:
        if self.closed:
            return
        if self.queue.qsize() >= QUEUE_LIMIT:
            # Behind by this much, it would show stale state: end the stream so it starts afresh.
            _broker.remove(self)
            self.close("订阅者处理过慢，已丢失事件")
            return
        self.queue.put_nowait(event)

    def close(self, reason: str) -> None:
        self._mark_closed(reason)

    def _mark_closed(self, reason: str) -> None:
        if not self.closed:
            self.closed, self.close_reason = True, reason
            self.queue.put_nowait(_CLOSED)


class _SyncSubscriber(_Subscriber):
    def __init__(self, topics: Iterable[str]) -> None:
        super().__init__(topics)
        # Unbounded: deliver() bounds it, and must never raise into a publisher.
        self.queue: queue.Queue[object] = queue.Queue()


class _AsyncSubscriber(_Subscriber):
    """Lives on one event loop; other threads hand it events through call_soon_threadsafe."""

    def __init__(self, topics: Iterable[str], loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(topics)
        self.loop = loop
        self.queue: asyncio.Queue[object] = asyncio.Queue()

    def close(self, reason: str) -> None:
        _on_loop(self.loop, functools.partial(self._mark_closed, reason))  # its queue is the loop's


def _deliver_all(subs: list[_AsyncSubscriber], event: Event) -> None:
    for sub in subs:
        sub.deliver(event)


def _on_loop(loop: asyncio.AbstractEventLoop, fn: Callable[[], None]) -> None:
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        fn()
        return
    try:
        loop.call_soon_threadsafe(fn)
    except RuntimeError:  # the loop is closed: nobody is listening any more
        pass


class Broker:
    """Fans events out to this process's subscribers. Thread-safe.

    `generation` counts the connections to the upstream (Redis) subscription; a subscriber records the
    generation it joined in, and a new connection closes every subscriber from an earlier one (they may
    have missed events in between). Without Redis there is one everlasting generation.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._exact: dict[str, set[_Subscriber]] = {}
        self._prefixed: set[_Subscriber] = set()
        self._all: set[_Subscriber] = set()
        self.generation = 0
        self.connected = True

    def add(self, sub: _Subscriber) -> None:
        with self._lock:
            sub.generation = self.generation if self.connected else None
            self._all.add(sub)
            for topic in sub.exact:
                self._exact.setdefault(topic, set()).add(sub)
            if sub.prefixes:
                self._prefixed.add(sub)

    def remove(self, sub: _Subscriber) -> None:
        with self._lock:
            self._remove_locked(sub)

    def _remove_locked(self, sub: _Subscriber) -> None:
        self._all.discard(sub)
        self._prefixed.discard(sub)
        for topic in sub.exact:
            subs = self._exact.get(topic)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._exact[topic]

    def subscriber_count(self) -> int:
        return len(self._all)

    def dispatch(self, event: Event) -> int:
        with self._lock:
            targets = set(self._exact.get(event.topic, ()))
            targets.update(s for s in self._prefixed if s.matches(event.topic))
        by_loop: dict[asyncio.AbstractEventLoop, list[_AsyncSubscriber]] = {}
        for sub in targets:
            if isinstance(sub, _AsyncSubscriber):
                by_loop.setdefault(sub.loop, []).append(sub)
            else:
                sub.deliver(event)
        # One wake-up per event loop, not one per subscriber: a display process has hundreds of them.
        for loop, subs in by_loop.items():
            _on_loop(loop, functools.partial(_deliver_all, subs, event))
        return len(targets)

    def close_all(self, reason: str, *, keep_generation: int | None = None) -> int:
        """Close every subscriber (except those that joined in `keep_generation`)."""
        with self._lock:
            victims = [s for s in self._all if keep_generation is None or s.generation != keep_generation]
            for sub in victims:
                self._remove_locked(sub)
        for sub in victims:
            sub.close(reason)
        return len(victims)

    def set_connected(self, connected: bool) -> int:
        """Called by the upstream reader. Returns the new generation when connected."""
        with self._lock:
            self.connected = connected
            if connected:
                self.generation += 1
            return self.generation


_broker = Broker()


# --- Redis ----------------------------------------------------------------------------------------


def channel_prefix() -> str:
    return _channel_prefix(settings.REDIS_URL)


@functools.lru_cache(maxsize=4)
def _channel_prefix(url: str) -> str:
    """Redis pub/sub channels are server-wide, not per database: put the db number in the name so two
    installations (or two test runs) on one Redis server, each on its own db, do not hear each other."""
    from redis.connection import parse_url

    return f"govhall:{parse_url(url).get('db', 0)}:ev:"


class _RedisReader:
    """A daemon thread holding this process's one pub/sub connection, feeding the broker."""

    def __init__(self, url: str, prefix: str, broker: Broker) -> None:
        self.url, self.prefix, self.broker = url, prefix, broker
        self.ready = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="govhall-events", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        import redis

        delay = 0.5
        while not self.stopping.is_set():
            pubsub = None
            try:
                client = redis.Redis.from_url(
                    self.url,
                    socket_connect_timeout=5,
                    socket_keepalive=True,
                    health_check_interval=30,
                    client_name=f"govhall-events-{os.getpid()}",  # visible in CLIENT LIST
                )
                pubsub = client.pubsub()
                pubsub.psubscribe(self.prefix + "*")
                while not self.stopping.is_set():
                    message = pubsub.get_message(timeout=5.0)
                    if message is None:
                        continue
                    if message["type"] == "psubscribe":
                        generation = self.broker.set_connected(True)
                        closed = self.broker.close_all("事件通道已重新连接", keep_generation=generation)
                        if closed:
                            logger.info("event bus reconnected; closed %d stale subscriptions", closed)
                        self.ready.set()
                        delay = 0.5
                    elif message["type"] == "pmessage":
                        self._dispatch(message["channel"], message["data"])
            except Exception as exc:  # any failure: drop the connection, tell subscribers, retry
                if self.stopping.is_set():
                    break
                self.ready.clear()
                self.broker.set_connected(False)
                closed = self.broker.close_all("事件通道连接中断")
                logger.warning(
                    "event bus lost Redis (%s); %d subscriptions closed; retrying in %.1fs",
                    exc.__class__.__name__,
                    closed,
                    delay,
                )
                time.sleep(delay)
                delay = min(delay * 2, 10.0)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:  # noqa: S110 - closing a broken connection
                        pass

    def _dispatch(self, channel: bytes, data: bytes) -> None:
        try:
            topic = channel.decode()[len(self.prefix) :]
            raw = data.decode()
            self.broker.dispatch(Event(topic, json.loads(raw), raw))
        except Exception:
            logger.exception("dropping a malformed event on %r", channel)


class _Transport:
    """Per-process state: the Redis publisher client and the reader thread (started on first use)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pid = os.getpid()
        self.client: Any = None
        self.reader: _RedisReader | None = None

    def publisher(self) -> Any:
        import redis

        with self.lock:
            if self.client is None:
                self.client = redis.Redis.from_url(
                    settings.REDIS_URL, socket_connect_timeout=5, socket_timeout=5
                )
            return self.client

    def ensure_reader(self) -> _RedisReader:
        with self.lock:
            if self.reader is None or not self.reader.thread.is_alive():
                _broker.set_connected(False)
                self.reader = _RedisReader(settings.REDIS_URL, channel_prefix(), _broker)
                self.reader.start()
            return self.reader


_transport = _Transport()


def _after_fork() -> None:
    global _transport, _broker
    _transport = _Transport()  # connections and threads do not survive fork()
    _broker = Broker()


os.register_at_fork(after_in_child=_after_fork)


def _uses_redis() -> bool:
    return bool(settings.REDIS_URL)


def backend_name() -> str:
    return "redis" if _uses_redis() else "local"


# --- publishing ---------------------------------------------------------------------------------


def publish(topic: str, payload: dict[str, Any]) -> int:
    """Send an event now. Returns how many receivers got it (processes with Redis, subscribers without).

    Services should not call this inside a transaction (a rollback would leave a false event): use
    publish_on_commit."""
    _check_topic(topic)
    raw = _encode(payload)
    if _uses_redis():
        return int(_transport.publisher().publish(channel_prefix() + topic, raw))
    # Round-trip through JSON here too, so that subscribers see exactly what Redis would give them.
    return _broker.dispatch(Event(topic, json.loads(raw), raw))


def publish_on_commit(topic: str, payload: dict[str, Any], *, using: str | None = None) -> None:
    """Publish when the current transaction commits (immediately when there is none). A failure to
    publish is logged, never raised: the change it announces is already committed."""
    _check_topic(topic)
    _encode(payload)  # fail now, in the caller, on a payload that cannot be sent

    def _send() -> None:
        try:
            publish(topic, payload)
        except Exception:
            logger.exception("could not publish event %s", topic)

    transaction.on_commit(_send, using=using)


# --- sync subscription --------------------------------------------------------------------------


class Subscription:
    """Iterate to receive events. With `timeout`, iteration stops after that many seconds without one;
    it also stops when the stream is closed (see `closed` / `close_reason`)."""

    def __init__(self, sub: _SyncSubscriber, timeout: float | None) -> None:
        self._sub = sub
        self.timeout = timeout

    @property
    def closed(self) -> bool:
        return self._sub.closed

    @property
    def close_reason(self) -> str:
        return self._sub.close_reason

    def get(self, timeout: float | None = None) -> Event | None:
        """The next event, or None after `timeout` seconds or once the stream is closed."""
        try:
            item = self._sub.queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is _CLOSED:
            self._sub.queue.put_nowait(_CLOSED)  # keep answering "closed"
            return None
        return item  # type: ignore[return-value]

    def __iter__(self) -> Iterator[Event]:
        while True:
            event = self.get(self.timeout)
            if event is None:
                return
            yield event

    def close(self) -> None:
        _broker.remove(self._sub)
        self._sub.close("已取消订阅")


class _SubscribeContext:
    def __init__(self, topics: Iterable[str], timeout: float | None) -> None:
        self.topics, self.timeout = _topic_list(topics), timeout
        self.subscription: Subscription | None = None

    def __enter__(self) -> Subscription:
        sub = _SyncSubscriber(self.topics)
        if _uses_redis():
            reader = _transport.ensure_reader()
            if not reader.ready.wait(READY_TIMEOUT):
                raise EventBusError("事件通道不可用：无法连接 Redis（GOVHALL_REDIS_URL）")
        _broker.add(sub)
        self.subscription = Subscription(sub, self.timeout)
        return self.subscription

    def __exit__(self, *exc: object) -> None:
        if self.subscription is not None:
            self.subscription.close()


def subscribe(topics: Iterable[str], *, timeout: float | None = None) -> _SubscribeContext:
    """`with subscribe(["a.b", "c.*"], timeout=5) as events: for event in events: ...`"""
    return _SubscribeContext(topics, timeout)


# --- async subscription -------------------------------------------------------------------------


class Listener:
    """An async iterator of events for ASGI code. Use it as `async with listen(...) as events:` so the
    subscription is live before you read the current state (no gap), and is removed on exit.

    With `idle`, the iterator yields None after `idle` seconds without an event (SSE heartbeats).
    Iteration ends when the stream is closed (Redis dropped, subscriber too slow, server shutting down).
    """

    def __init__(self, topics: Iterable[str], idle: float | None) -> None:
        self.topics, self.idle = _topic_list(topics), idle
        self._sub: _AsyncSubscriber | None = None
        _Subscriber(self.topics)  # validate now, in the caller

    @property
    def close_reason(self) -> str:
        return self._sub.close_reason if self._sub else ""

    async def start(self) -> None:
        if self._sub is not None:
            return
        sub = _AsyncSubscriber(self.topics, asyncio.get_running_loop())
        if _uses_redis():
            reader = _transport.ensure_reader()
            deadline = time.monotonic() + READY_TIMEOUT
            while not reader.ready.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            # Not ready (Redis down): join anyway; the reconnection will close this stream, which makes
            # the client start over from fresh state.
        _broker.add(sub)
        self._sub = sub
        # Belt and braces: a listener dropped without `async with` is unsubscribed when collected.
        weakref.finalize(self, _broker.remove, sub)

    async def get(self, timeout: float | None = None) -> Event | None:
        await self.start()
        assert self._sub is not None
        try:
            item = await asyncio.wait_for(self._sub.queue.get(), timeout)
        except TimeoutError:
            return None
        if item is _CLOSED:
            self._sub.queue.put_nowait(_CLOSED)
            raise StopAsyncIteration
        return item  # type: ignore[return-value]

    def close(self) -> None:
        if self._sub is not None:
            _broker.remove(self._sub)
            self._sub.closed = True

    async def __aenter__(self) -> Listener:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def __aiter__(self) -> Listener:
        return self

    async def __anext__(self) -> Event | None:
        return await self.get(self.idle)


def listen(topics: Iterable[str], *, idle: float | None = None) -> Listener:
    return Listener(topics, idle)


def close_all_subscriptions(reason: str = "服务器正在停止") -> int:
    """End every stream in this process (used at shutdown, so open display screens do not hold it up)."""
    return _broker.close_all(reason)


# --- server-sent events -------------------------------------------------------------------------


def _sse(event: str | None, data: str) -> str:
    lines = [f"event: {event}"] if event else []
    lines += [f"data: {line}" for line in data.split("\n")]
    return "\n".join(lines) + "\n\n"


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else _encode(value)


async def _call(fn: Callable[..., Any], *args: Any) -> Any:
    if inspect.iscoroutinefunction(fn):
        return await fn(*args)
    from asgiref.sync import sync_to_async

    def run() -> Any:
        from django.db import connections

        try:
            return fn(*args)
        finally:
            # Runs on a shared pool thread: do not keep a database connection per open screen.
            connections.close_all()

    return await sync_to_async(run, thread_sensitive=False)()


def sse_response(
    request: Any,
    topics: Iterable[str],
    *,
    initial: dict[str, Any] | Callable[[], Any] | Callable[[], Awaitable[Any]] | None = None,
    render: Callable[[Event], Any] | None = None,
    heartbeat: float = 15.0,
    retry_ms: int = 3000,
) -> Any:
    """A text/event-stream response: `retry:` hint, then `event: snapshot` with `initial` (a dict, or a
    sync/async callable returning a dict or text, evaluated after the subscription is live), then one
    `event: <topic>` per event whose data is the payload JSON, or what `render(event)` returns (text or
    dict; None skips the event). A comment line every `heartbeat` seconds keeps proxies from timing out.
    The stream ends when the bus closes it; the browser's EventSource then reconnects and gets a fresh
    snapshot."""
    from django.http import StreamingHttpResponse

    listener = listen(topics, idle=heartbeat)

    async def stream() -> AsyncIterator[str]:
        async with listener as events:
            yield f"retry: {int(retry_ms)}\n\n"
            if initial is not None:
                snapshot = await _call(initial) if callable(initial) else initial
                yield _sse("snapshot", _as_text(snapshot))
            async for event in events:
                if event is None:
                    yield ": keep-alive\n\n"
                    continue
                if render is None:
                    yield _sse(event.topic, event.raw)
                    continue
                out = await _call(render, event)
                if out is not None:
                    yield _sse(event.topic, _as_text(out))

    response = StreamingHttpResponse(stream(), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event through at once
    return response
