"""The anonymous guide page as one whole response, kept in the cache (issue 15; SCOPE-4, NET-1).

A visitor with no session and no flash messages gets a guide page that depends only on the matter, the
content generation (`content_cache`), the language and the display preferences (a cookie): today's waiting
counts come from an htmx fragment (`portal:guide_waiting`), the display switches post to a CSRF-exempt view
that checks the origin instead, and the page carries no CSRF token. So the whole response — the HTML, its
gzip-compressed form and its headers, with an ETag of those inputs — is built once per key and kept in
Django's cache; a request is one cache round trip (the generation), and a matching If-None-Match is a 304.

A signed-in citizen (a session cookie) or a visitor with messages waiting gets the page rendered for them,
as before; nothing personal is ever cached here.

A response to a request with no cookies at all carries `EDGE_HEADER`: it is what every cookie-less request
for the same URL gets until the content generation changes, which `portal.edge.GuideEdge` uses to answer
such requests before Django.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import translation

from govhall.core.memo import ProcessMemo
from govhall.portal import prefs
from govhall.portal.content_cache import generation

WHOLE_PAGE_CACHE_SECONDS = 600  # a backstop, as for `guide_page`: a content change is a new key at once
# The response header that says "this is the whole page for every cookie-less request of this URL, in this
# content generation" (its value); `portal.edge` strips it before the response leaves the server.
EDGE_HEADER = "X-Govhall-Whole-Page"
CACHE_CONTROL = "no-cache"  # shared content, but revalidate every time: a change must show at once
VARY = "Cookie, Accept-Encoding"
# The same test as Django's GZipMiddleware, so a page is compressed exactly when the middleware would.
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Headers a 304 repeats (RFC 9110 15.4.5), as Django's own conditional responses do.
NOT_MODIFIED_HEADERS = ("Cache-Control", "Content-Location", "Date", "ETag", "Expires", "Vary")


@dataclass(frozen=True)
class WholePage:
    """A whole guide response: the body, its gzip form and the headers both share."""

    body: bytes
    gzipped: bytes
    etag: str
    headers: tuple[tuple[str, str], ...]
    generation: str

    def response(self, request: HttpRequest) -> HttpResponse:
        if etag_matches(request.META.get("HTTP_IF_NONE_MATCH", ""), self.etag):
            not_modified = HttpResponseNotModified()
            for name, value in self.headers:
                if name in NOT_MODIFIED_HEADERS:
                    not_modified[name] = value
            return not_modified
        gzipped = bool(ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))
        response = HttpResponse(self.gzipped if gzipped else self.body)
        for name, value in self.headers:
            response[name] = value
        if gzipped:
            response["Content-Encoding"] = "gzip"
        return response


def etag_matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison: `W/"x"` matches `"x"`, and `*` matches anything."""
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


def shareable(request: HttpRequest) -> bool:
    """Whether this request gets the shared page: GET or HEAD, no session (so no citizen signed in) and no
    flash messages waiting. Other cookies (display preferences, CSRF, language) are in the key or change
    nothing on the page."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


# The pages this process took from the cache lately: a warm guide costs the generation's round trip only.
WHOLE_PAGES_MEMO: ProcessMemo[WholePage] = ProcessMemo("portal-guide-whole-pages")


def whole_page_response(request: HttpRequest, code: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The shared guide response for `request` (which must be `shareable`); `render` renders the page."""
    gen = generation()
    language = translation.get_language() or settings.LANGUAGE_CODE
    display = prefs.read(request).classes
    key = f"portal:guide:whole:{gen}:{language}:{display}:{code}"

    def load() -> WholePage:
        page = cache.get(key)
        if page is None:
            page = build_whole_page(render(), gen=gen, key=key)
            cache.set(key, page, WHOLE_PAGE_CACHE_SECONDS)
        return page  # type: ignore[no-any-return]

    page = WHOLE_PAGES_MEMO.get(key, load)
    response = page.response(request)
    # Only a request with no cookies at all is a request every cookie-less visitor could have made, and the
    # page must not depend on Accept-Language (one language configured).
    if not request.META.get("HTTP_COOKIE") and len(settings.LANGUAGES) == 1:
        response[EDGE_HEADER] = page.generation
    return response


def build_whole_page(rendered: HttpResponse, *, gen: str, key: str) -> WholePage:
    body = rendered.content
    etag = 'W/"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    headers = (
        ("Content-Type", rendered["Content-Type"]),
        ("Cache-Control", CACHE_CONTROL),
        ("Vary", VARY),
        ("ETag", etag),
    )
    # No secret is on the page (no CSRF token, nothing personal), so one fixed compression serves everyone:
    # BREACH has nothing to find.
    return WholePage(
        body=body, gzipped=gzip.compress(body, 6, mtime=0), etag=etag, headers=headers, generation=gen
    )
