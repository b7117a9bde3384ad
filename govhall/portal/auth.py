"""Citizen sessions, separate from staff authentication.

A citizen signs in under the session key ``portal_citizen_id``; Django's own auth keys (staff) are
never set or read here, so a citizen session grants nothing on staff pages and the staff login grants
nothing here. A hash of the password hash is kept beside the id: changing the password ends every other
session of that account (as Django does for staff)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme

from govhall.portal.models import Citizen

SESSION_KEY = "portal_citizen_id"
HASH_KEY = "portal_citizen_hash"
_CACHE_ATTR = "_portal_citizen"


def session_hash(citizen: Citizen) -> str:
    return salted_hmac("govhall.portal.citizen-session", citizen.password, algorithm="sha256").hexdigest()


def citizen_login(request: HttpRequest, citizen: Citizen) -> None:
    # A new session key on every sign-in: a key planted before login (fixation) is worthless after.
    request.session.cycle_key()
    request.session[SESSION_KEY] = citizen.pk
    request.session[HASH_KEY] = session_hash(citizen)
    Citizen.objects.filter(pk=citizen.pk).update(last_login_at=timezone.now())
    setattr(request, _CACHE_ATTR, citizen)


def citizen_logout(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(HASH_KEY, None)
    request.session.cycle_key()
    setattr(request, _CACHE_ATTR, None)


def get_citizen(request: HttpRequest) -> Citizen | None:
    """The signed-in citizen, or None. Checked once per request."""
    if hasattr(request, _CACHE_ATTR):
        return getattr(request, _CACHE_ATTR)
    citizen = None
    citizen_id = request.session.get(SESSION_KEY)
    if citizen_id is not None:
        found = Citizen.objects.filter(pk=citizen_id, is_active=True).first()
        if found is not None and constant_time_compare(
            request.session.get(HASH_KEY, ""), session_hash(found)
        ):
            citizen = found
        else:  # deactivated, or the password changed elsewhere
            request.session.pop(SESSION_KEY, None)
            request.session.pop(HASH_KEY, None)
    setattr(request, _CACHE_ATTR, citizen)
    return citizen


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def login_url_for(request: HttpRequest) -> str:
    return reverse("portal:login") + "?" + urlencode({"next": request.get_full_path()})


def citizen_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view gets `request.citizen`; anonymous visitors go to the citizen login."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        citizen = get_citizen(request)
        if citizen is None:
            return redirect(login_url_for(request))
        request.citizen = citizen  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def identified_citizen_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like citizen_required, and the account has filled in its real-name details (self-declared is enough:
    they only fill the application form)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        citizen = get_citizen(request)
        if citizen is None:
            return redirect(login_url_for(request))
        if not citizen.has_identity:
            return redirect(reverse("portal:verify") + "?" + urlencode({"next": request.get_full_path()}))
        request.citizen = citizen  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
