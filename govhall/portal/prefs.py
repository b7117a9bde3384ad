"""Display preferences of the public pages (large text, high contrast, 长辈版), kept in a cookie so they work
without JavaScript and without an account."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

COOKIE = "gh_display"
CHOICES = ("large", "contrast", "elder")
MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Prefs:
    large: bool = False
    contrast: bool = False
    elder: bool = False  # 长辈版 (适老化): 24 px text, big targets, simplified pages, read-aloud

    @property
    def classes(self) -> str:
        return " ".join(name for name in CHOICES if getattr(self, name))


def read(request: HttpRequest) -> Prefs:
    raw = set((request.COOKIES.get(COOKIE) or "").split("."))
    return Prefs(large="large" in raw, contrast="contrast" in raw, elder="elder" in raw)


def write(response: HttpResponse, prefs: Prefs) -> None:
    value = ".".join(name for name in CHOICES if getattr(prefs, name))
    if value:
        response.set_cookie(COOKIE, value, max_age=MAX_AGE, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
