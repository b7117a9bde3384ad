"""Sliding staff sessions: the idle timeout without a session write on every request (issue 15).

``SESSION_SAVE_EVERY_REQUEST`` renewed the 30 idle minutes (``SESSION_COOKIE_AGE``) by writing the session
row on every request. Here a request that uses the session renews its expiry only when the last renewal
is at least ``GOVHALL_SESSION_RENEW_SECONDS`` old (default 60): the moment of the last renewal is kept in
the session itself. A request within that window writes nothing, so the idle timeout is between
``SESSION_COOKIE_AGE - GOVHALL_SESSION_RENEW_SECONDS`` and ``SESSION_COOKIE_AGE`` (29–30 minutes), and an
active user's session never runs out.

Activity is a request that reads the session (every staff page does, to know its user; an API request with
a token does not). A request that leaves the session unread is not activity and costs no session query.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse

RENEWED_KEY = "_govhall_renewed"


class SlidingSessionMiddleware(SessionMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        # `accessed` first: reading a session the request left unread would load it (a query).
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            renewed = session.get(RENEWED_KEY)
            # abs(): after the clock was set back the session is renewed from the new time at once.
            if session.modified or not isinstance(renewed, int) or abs(now - renewed) >= renew_seconds():
                # Saved by Django below (the session is modified), with a new expiry and cookie.
                session[RENEWED_KEY] = now
        return super().process_response(request, response)


def renew_seconds() -> int:
    return int(getattr(settings, "SESSION_RENEW_SECONDS", 60))
