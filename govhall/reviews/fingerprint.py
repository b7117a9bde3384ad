"""The rater's device fingerprint: a random cookie the public rating pages set once, plus the browser's
user agent (or, without the cookie, the address and user agent). Only its keyed digest is stored; it is
used to spot bursts of top ratings from one device (STD-6 integrity), never to identify anyone."""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse

from govhall.core.middleware import client_ip
from govhall.reviews.services import Rater

COOKIE = "gh_rater"
COOKIE_AGE = 365 * 24 * 3600


def device_of(request: HttpRequest) -> str:
    agent = request.META.get("HTTP_USER_AGENT", "")[:200]
    cookie = request.COOKIES.get(COOKIE, "")[:64]
    if cookie:
        return f"c:{cookie}|{agent}"
    return f"a:{client_ip(request)}|{agent}"


def rater_from(request: HttpRequest, *, phone: str = "", name: str = "") -> Rater:
    user = getattr(request, "user", None)
    return Rater(
        device=device_of(request),
        phone=phone or "",
        name=name or "",
        user=user if getattr(user, "is_authenticated", False) else None,
    )


def ensure_cookie(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if COOKIE not in request.COOKIES:
        response.set_cookie(
            COOKIE, secrets.token_urlsafe(24), max_age=COOKIE_AGE, httponly=True, samesite="Lax"
        )
    return response
