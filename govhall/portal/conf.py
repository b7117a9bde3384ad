"""The portal's knobs. Each reads a Django setting of the same name (tests override them with the
`settings` fixture), else a GOVHALL_* environment variable, else the default."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULTS: dict[str, int] = {
    # Kiosk: back to the start page after this many idle seconds (SITE-3 self-service terminal).
    "PORTAL_KIOSK_IDLE_SECONDS": 60,
    # SMS codes.
    "PORTAL_SMS_CODE_TTL": 5 * 60,
    "PORTAL_SMS_CODE_ATTEMPTS": 5,
    "PORTAL_SMS_RESEND_SECONDS": 60,
    "PORTAL_SMS_PER_MOBILE_HOUR": 5,
    "PORTAL_SMS_PER_IP_HOUR": 20,
    # Password guessing: failures per mobile number, then a lock for the window.
    "PORTAL_LOGIN_FAILURES": 5,
    "PORTAL_LOGIN_WINDOW": 15 * 60,
    "PORTAL_LOGIN_PER_IP": 50,
    # (The tracking look-ups' limits are the case service's: TRACK_* in govhall/settings.py.)
    # 实名核验 calls per account per day, and per address per day (the check is an oracle for name + ID
    # number pairs: it must not be usable to test many of them).
    "PORTAL_IDENTITY_CHECKS_PER_DAY": 5,
    "PORTAL_IDENTITY_CHECKS_PER_IP_DAY": 30,
    # Linking a window case to an account: wrong query passwords / codes per account and per case number,
    # then a lock for the window; link codes sent per account per hour.
    "PORTAL_LINK_FAILURES": 5,
    "PORTAL_LINK_WINDOW": 30 * 60,
    "PORTAL_LINK_CODES_PER_HOUR": 5,
    # Uploads (the byte limit itself is the foundation's UPLOAD_MAX_BYTES).
    "PORTAL_PHOTO_MAX_SIDE": 2000,
}


STRINGS: dict[str, str] = {
    # City-wide disclosure (NET-3): the complaint line, and the bureau's supervision phone when it has one.
    "PORTAL_CITY_COMPLAINT_PHONE": "12345",
    "PORTAL_CITY_SUPERVISION_PHONE": "",
}


def get_str(name: str) -> str:
    value = getattr(settings, name, None)
    if value is not None:
        return str(value)
    return os.environ.get("GOVHALL_" + name.removeprefix("PORTAL_"), "").strip() or STRINGS[name]


def get(name: str) -> int:
    value = getattr(settings, name, None)
    if value is not None:
        return int(value)
    raw = os.environ.get("GOVHALL_" + name.removeprefix("PORTAL_"), "").strip()
    if raw:
        try:
            return int(raw)
        except ValueError:
            raise ImproperlyConfigured(
                f"GOVHALL_{name.removeprefix('PORTAL_')}={raw!r} is not an integer"
            ) from None
    return DEFAULTS[name]
