"""Public rating links. Import-light (no models) so other apps can call them from their documents:

    from govhall.reviews.links import case_rating_url
    QRCode(case_rating_url(case.pk, via="qr"), "扫码评价（好差评）")       # on the 受理通知书 / 办结通知书

A case link carries a signed token (the case id signed with the site key, salt "reviews.case"): it cannot be
guessed or altered, never expires, and needs nothing else — the applicant holding the notice or the SMS is the
rater. Before the case is finished the page says so and takes no rating. Without the notice, the applicant
can also open /reviews/rate/ and type the case number and query password.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

_CASE_SALT = "reviews.case"
_THING_SALT = "reviews.thing"
VIA = ("qr", "sms", "online")


def case_token(case_id: int) -> str:
    return signing.Signer(salt=_CASE_SALT).sign(str(int(case_id)))


def case_id_from_token(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=_CASE_SALT).unsign(str(token or "")[:120]))
    except (signing.BadSignature, ValueError):
        return None


def case_rating_path(case_id: int, *, via: str = "qr") -> str:
    path = reverse("reviews:rate_case", kwargs={"token": case_token(case_id)})
    return f"{path}?via={via}" if via in VIA else path


def case_rating_url(case_id: int, *, via: str = "qr") -> str:
    """The absolute URL for a QR code (via="qr"), an SMS (via="sms") or the portal (via="online")."""
    return settings.PUBLIC_URL + case_rating_path(case_id, via=via)


def thing_token(thing_case_id: int) -> str:
    return signing.Signer(salt=_THING_SALT).sign(str(int(thing_case_id)))


def thing_id_from_token(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=_THING_SALT).unsign(str(token or "")[:120]))
    except (signing.BadSignature, ValueError):
        return None


def thing_rating_path(thing_case_id: int, *, via: str = "online") -> str:
    """一事一评 of a whole 一件事办件 (the parent, not one member): a signed link like a case's."""
    path = reverse("reviews:rate_thing", kwargs={"token": thing_token(thing_case_id)})
    return f"{path}?via={via}" if via in VIA else path


def thing_rating_url(thing_case_id: int, *, via: str = "qr") -> str:
    """The absolute URL for the QR code on the 一件事 办结通知书 or an SMS."""
    return settings.PUBLIC_URL + thing_rating_path(thing_case_id, via=via)


def ticket_rating_url(public_token: str) -> str:
    """Rate a visit from the QR code on the printed queue ticket (the ticket's own follow token)."""
    return settings.PUBLIC_URL + reverse("reviews:rate_ticket", kwargs={"token": public_token})
