"""Account reads for pages and the API: a staff member by id or 工号, a user's API tokens, staff notification
mobiles."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from govhall.accounts.models import ApiToken, StaffContact, User


def active_user(*, pk: int | None = None, staff_no: str = "") -> User | None:
    """An active account by id or 工号 (None when there is none)."""
    qs = User.objects.filter(is_active=True).select_related("centre")
    return qs.filter(pk=pk).first() if pk is not None else qs.filter(staff_no=staff_no.strip()).first()


def user_by_id(pk: int) -> User | None:
    """Any account by id, active or not."""
    return User.objects.filter(pk=pk).first()


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """A user's API tokens, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def staff_phones(user_ids: Iterable[int]) -> dict[int, str]:
    """Notification mobiles (`StaffContact`) of many staff in one query, by user id; staff without one are
    left out."""
    return {c.user_id: c.mobile for c in StaffContact.objects.filter(user_id__in=set(user_ids))}


def staff_phone(user_id: int) -> str:
    """One staff member's notification mobile, "" when they have none."""
    return staff_phones([user_id]).get(user_id, "")
