"""The request type of a view or endpoint that only a signed-in staff user reaches (`login_required`, the
API's token or session auth): its `user` is a `User`, never the anonymous user (django-stubs' pattern
for typing `request.user`). `htmx` is django-htmx's, set by its middleware on every request."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from govhall.accounts.models import User


class StaffRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
