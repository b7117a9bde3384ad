"""Limits on the public tracking look-ups (办件查询 without an account), counted in the cache (Redis in the
cluster, shared by every process). One place for the pages (/cases/track/, /portal/track/, the hall kiosk)
and the API (/api/v1/cases/track…).

By 办件编号 + 查询密码 (`number_*`): only **failures** count, never a successful look-up, so a hall kiosk
or a whole NAT address (a village office, a mobile carrier) is never locked because citizens found their
cases. Two counters:

- per (address, case number): TRACK_FAILURES_PER_NUMBER wrong passwords lock that number *for that
  address only* (guessing one case's password); the owner elsewhere is not locked out;
- per address across numbers: TRACK_FAILURES_PER_IP (looser) stops sweeping many numbers with common
  passwords. A paired hall kiosk (its address is in GOVHALL_KIOSK_ADDRESSES, and the look-up is made on
  the kiosk's page) is exempt from this one: every citizen in the hall uses the same terminal, and someone
  standing at it in the hall is not a sweep. The per-number limit still applies to it.

By 证件号码 (`id_*`): the look-up needs no password (the result is masked: matter, status, centre, never
the case number), so the ID number is itself the secret and every *different* number an address tries
tells it something, found or not. What counts is the number of distinct ID numbers per address in the
window: the same number again is free (a citizen re-checking their own cases never adds up), a new one
counts whether or not it finds cases. An ordinary address gets TRACK_IDS_PER_IP distinct numbers per
window; a paired kiosk, used by the whole hall, TRACK_IDS_PER_KIOSK (looser, still finite: a kiosk's
address could be borrowed by a machine on the hall's network).

Each limit answers 429 with the wait in Chinese. The window is TRACK_WINDOW seconds from the first counted
event."""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache

from govhall.core.ratelimit import Limiter, RateLimited

PREFIX = "cases:track:"


@dataclass(frozen=True)
class TrackClient:
    """Who is looking up: the client's address and whether it is a paired hall kiosk."""

    address: str = ""
    kiosk: bool = False


@lru_cache(maxsize=8)
def _kiosk_networks(raw: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in raw)


def is_kiosk_address(address: str) -> bool:
    """True for an address listed in GOVHALL_KIOSK_ADDRESSES (addresses or networks of the halls' kiosks)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _kiosk_networks(tuple(settings.KIOSK_ADDRESSES)))


class TrackThrottled(RateLimited):
    code = "throttled"  # the API's code for the tracking look-ups since v1


LIMITER = Limiter(PREFIX, error=TrackThrottled)


def _refuse(message: str) -> RateLimited:
    return LIMITER.refusal(message, settings.TRACK_WINDOW)


def _count(key: str) -> int:
    return LIMITER.count(key)


def _hit(key: str) -> int:
    return LIMITER.hit(key, window=settings.TRACK_WINDOW)


def _number_key(client: TrackClient, number: str) -> str:
    return f"n:{client.address}:{hashlib.sha256(number.encode()).hexdigest()[:32]}"


def number_check(client: TrackClient, number: str) -> None:
    """Before a number + password look-up: refuse if this address is locked (for this number, or overall)."""
    if _count(_number_key(client, number)) >= settings.TRACK_FAILURES_PER_NUMBER:
        raise _refuse("该办件查询失败次数过多，")
    if not client.kiosk and _count(f"ip:{client.address}") >= settings.TRACK_FAILURES_PER_IP:
        raise _refuse("查询失败次数过多，")


def number_failed(client: TrackClient, number: str) -> None:
    """A wrong number or password: counts for (address, number) and for the address."""
    _hit(_number_key(client, number))
    if not client.kiosk:
        _hit(f"ip:{client.address}")


def id_check(client: TrackClient, digest: str) -> None:
    """Before an ID-number look-up: a number this address already looked up in the window is free; a new
    one counts, and is refused over the address's allowance of distinct numbers."""
    if cache.get(f"{PREFIX}id:{client.address}:{digest}"):
        return
    limit = settings.TRACK_IDS_PER_KIOSK if client.kiosk else settings.TRACK_IDS_PER_IP
    if _count(f"ids:{client.address}") >= limit:
        raise _refuse("查询次数过多，")
    if cache.add(f"{PREFIX}id:{client.address}:{digest}", 1, timeout=settings.TRACK_WINDOW):
        _hit(f"ids:{client.address}")
