"""The event bus (issue 2, part 3): publish/subscribe in one process, and across OS processes via Redis."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.db import transaction

from govhall.core import events

REPO = Path(__file__).resolve().parents[2]


def unique(prefix: str) -> str:
    return f"test.{prefix}.{uuid.uuid4().hex[:10]}"


def test_every_subscriber_in_the_process_receives_a_published_event():
    topic = unique("fanout")
    with events.subscribe([topic], timeout=2) as first, events.subscribe([topic], timeout=2) as second:
        events.publish(topic, {"ticket": "A012", "window": 3})
        got_first, got_second = first.get(timeout=5), second.get(timeout=5)
    assert got_first is not None and got_second is not None
    assert (got_first.topic, got_first.payload) == (topic, {"ticket": "A012", "window": 3})
    assert got_second.payload == {"ticket": "A012", "window": 3}


def test_subscriber_receives_only_its_topics_and_prefixes():
    base = unique("prefix")
    with events.subscribe([f"{base}.centre.12.*", f"{base}.exact"], timeout=0.3) as sub:
        events.publish(f"{base}.centre.12.called", {"n": 1})
        events.publish(f"{base}.centre.13.called", {"n": 2})  # another centre: not subscribed
        events.publish(f"{base}.exact", {"n": 3})
        events.publish(f"{base}.exactly", {"n": 4})  # exact topics do not match by prefix
        received = [(e.topic, e.payload["n"]) for e in sub]
    assert received == [(f"{base}.centre.12.called", 1), (f"{base}.exact", 3)]


def test_iteration_with_timeout_ends_after_silence():
    with events.subscribe([unique("quiet")], timeout=0.2) as sub:
        started = time.monotonic()
        assert list(sub) == []
        assert 0.15 <= time.monotonic() - started < 3


def test_payload_arrives_as_json_would_deliver_it():
    """Without Redis the payload still goes through JSON, so code that works locally works in a cluster."""
    import datetime as dt

    topic = unique("json")
    with events.subscribe([topic]) as sub:
        events.publish(topic, {"at": dt.date(2026, 2, 14), "name": "启东市吕四港镇为民服务中心"})
        event = sub.get(timeout=5)
    assert event is not None
    assert event.payload == {"at": "2026-02-14", "name": "启东市吕四港镇为民服务中心"}


@pytest.mark.parametrize("topic", ["", "has space", "new\nline", "a*b", "中文"])
def test_bad_topic_is_refused(topic):
    with pytest.raises(events.EventBusError):
        events.publish(topic, {})


def test_payload_must_be_a_dict():
    with pytest.raises(events.EventBusError):
        events.publish("test.payload", ["not", "a", "dict"])  # type: ignore[arg-type]


@pytest.mark.django_db(transaction=True)
def test_publish_on_commit_sends_only_after_commit_and_never_on_rollback():
    topic = unique("commit")
    with events.subscribe([topic]) as sub:
        with pytest.raises(RuntimeError), transaction.atomic():
            events.publish_on_commit(topic, {"n": "rolled back"})
            raise RuntimeError
        with transaction.atomic():
            events.publish_on_commit(topic, {"n": "committed"})
            assert sub.get(timeout=0.2) is None  # not before the commit
        event = sub.get(timeout=5)
        assert event is not None and event.payload == {"n": "committed"}
        assert sub.get(timeout=0.3) is None


def test_async_listeners_on_an_event_loop_receive_events_published_from_other_threads():
    topic = unique("async")

    async def scenario() -> list[list[object]]:
        async with events.listen([topic]) as one, events.listen([topic]) as two:
            # A sync view or a task worker publishes from another thread.
            threading.Thread(target=events.publish, args=(topic, {"n": 1})).start()
            first = await asyncio.wait_for(one.__anext__(), 5)
            second = await asyncio.wait_for(two.__anext__(), 5)
            return [[first.payload], [second.payload]]  # type: ignore[union-attr]

    assert asyncio.run(scenario()) == [[{"n": 1}], [{"n": 1}]]


def test_listener_yields_none_when_idle_for_heartbeats():
    async def scenario() -> object:
        async with events.listen([unique("idle")], idle=0.1) as listener:
            return await asyncio.wait_for(listener.__anext__(), 5)

    assert asyncio.run(scenario()) is None


def test_closing_all_subscriptions_ends_open_streams():
    """What `govhall serve` does on Ctrl-C, so open display screens do not hold up the shutdown."""
    topic = unique("shutdown")

    async def scenario() -> tuple[list[object], str]:
        async with events.listen([topic]) as listener:
            threading.Timer(0.2, events.close_all_subscriptions).start()
            received = [e async for e in listener]
            return received, listener.close_reason

    received, reason = asyncio.run(scenario())
    assert received == []
    assert reason == "服务器正在停止"


def test_a_subscriber_too_slow_to_keep_up_is_closed_not_silently_behind(monkeypatch):
    monkeypatch.setattr(events, "QUEUE_LIMIT", 3)
    topic = unique("slow")
    with events.subscribe([topic]) as sub:
        for n in range(5):
            events.publish(topic, {"n": n})
        received = [e.payload["n"] for e in sub]
        assert received == [0, 1, 2]
        assert sub.closed and "过慢" in sub.close_reason


def test_unsubscribed_listeners_are_removed_from_the_broker():
    before = events._broker.subscriber_count()
    with events.subscribe([unique("gone")]):
        assert events._broker.subscriber_count() == before + 1

    async def scenario() -> None:
        async with events.listen([unique("gone")]):
            assert events._broker.subscriber_count() == before + 1

    asyncio.run(scenario())
    assert events._broker.subscriber_count() == before


@pytest.mark.redis
def test_event_published_in_another_os_process_reaches_subscriber_through_redis():
    """Part 3 done-when: a cross-process event through Redis."""
    topic = unique("xproc")
    code = (
        "import django; django.setup()\n"
        "from govhall.core.events import publish\n"
        f"print(publish({topic!r}, {{'from_pid': __import__('os').getpid(), 'text': '叫号 A012'}}))\n"
    )
    with events.subscribe([topic]) as sub:
        proc = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "govhall.settings"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        assert int(proc.stdout.strip()) >= 1  # at least this process was listening
        event = sub.get(timeout=10)
    assert event is not None
    assert event.payload["text"] == "叫号 A012"
    assert event.payload["from_pid"] != os.getpid()


@pytest.mark.redis
def test_redis_subscription_is_one_connection_per_process_however_many_listeners(settings):
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)

    def my_event_connections() -> int:
        name = f"govhall-events-{os.getpid()}"
        return sum(1 for c in client.client_list() if c.get("name") == name)

    async def scenario() -> int:
        listeners = [events.listen([unique("many")]) for _ in range(200)]
        for listener in listeners:
            await listener.start()
        try:
            return my_event_connections()
        finally:
            for listener in listeners:
                listener.close()

    with events.subscribe([unique("one")]):
        assert my_event_connections() == 1
    assert asyncio.run(scenario()) == 1  # 200 display screens, still one Redis connection


@pytest.mark.redis
def test_lost_redis_connection_closes_streams_then_the_bus_recovers(settings):
    """A subscriber that may have missed events is told so (its stream ends) rather than left stale."""
    import redis

    admin = redis.Redis.from_url(settings.REDIS_URL)
    topic = unique("reconnect")
    with events.subscribe([topic]) as sub:
        name = f"govhall-events-{os.getpid()}"
        for conn in admin.client_list():
            if conn.get("name") == name:
                admin.client_kill_filter(_id=conn["id"])
        assert sub.get(timeout=10) is None
        assert sub.closed and "中断" in sub.close_reason
    with events.subscribe([topic]) as again:
        events.publish(topic, {"n": 1})
        event = again.get(timeout=10)
    assert event is not None and event.payload == {"n": 1}


def test_a_single_topic_may_be_given_as_a_string():
    topic = unique("single")
    with events.subscribe(topic) as sub:
        events.publish(topic, {"n": 1})
        event = sub.get(timeout=5)
    assert event is not None and event.topic == topic
