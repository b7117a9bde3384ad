"""STD-4 / issue 15: routing a case step asks whether the post's A and B are present; that read of their
leave and sign-in is compiled once per process (`core.compiled`, with a date and a datetime key). It must
give what the ORM's own read gives, on SQLite (dates as text) as on PostgreSQL, at moments either side of a
leave's bounds and of a sign-in."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.core.compiled import CompiledRead
from govhall.staffing.models import Attendance, Leave, LeaveKind, LeaveStatus
from govhall.staffing.services import _PAIR_LEAVES, _PAIR_SIGNED_IN, Availability, post_handler
from tests.staffing.conftest import local

pytestmark = pytest.mark.django_db


def _columns(row):
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}


def _leave(user, start, end, status=LeaveStatus.APPROVED):
    return Leave.objects.create(
        staff=user,
        centre=user.centre,
        kind=LeaveKind.SICK,
        reason="就医",
        status=status,
        start_at=start,
        end_at=end,
    )


MOMENTS = [
    local(2026, 3, 10, 7, 59, 59),
    local(2026, 3, 10, 8, 0),  # a leave starts: covered (start_at <= at)
    local(2026, 3, 10, 8, 30),  # A signs in: signed in (sign_in_at <= at)
    local(2026, 3, 10, 12, 0),
    local(2026, 3, 10, 13, 30),  # a leave ends: no longer covered (end_at > at)
    local(2026, 3, 11, 9, 0),  # the next day: yesterday's sign-in does not count
]


def test_the_compiled_pair_reads_give_what_the_orm_gives_at_each_moment(post):
    a, b = post.a_staff, post.b_staff
    _leave(a, local(2026, 3, 10, 8, 0), local(2026, 3, 10, 13, 30))
    _leave(b, local(2026, 3, 10, 11, 0), local(2026, 3, 10, 12, 0, 0, 1))
    _leave(b, local(2026, 3, 10, 6, 0), local(2026, 3, 10, 20, 0), status=LeaveStatus.REQUESTED)
    Attendance.objects.create(staff=a, centre=a.centre, date=dt.date(2026, 3, 10), sign_in_at=MOMENTS[2])
    pair = (min(a.pk, b.pk), max(a.pk, b.pk))
    seen = set()
    for at in MOMENTS:
        day = at.date()
        leaves = _PAIR_LEAVES.all(*pair, at)
        assert [_columns(r) for r in leaves] == [_columns(r) for r in _PAIR_LEAVES.queryset(*pair, at)]
        signed = _PAIR_SIGNED_IN.all(*pair, day, at)
        assert [_columns(r) for r in signed] == [
            _columns(r) for r in _PAIR_SIGNED_IN.queryset(*pair, day, at)
        ]
        seen.add((len(leaves), len(signed)))
    assert {n for n, _ in seen} == {0, 1, 2} and {n for _, n in seen} == {0, 1}  # the moments tell apart


def test_one_person_alone_is_read_as_a_pair_of_themselves(post):
    a = post.a_staff
    _leave(a, local(2026, 3, 10, 8, 0), local(2026, 3, 10, 18, 0))
    board = Availability([a], local(2026, 3, 10, 10, 0))
    assert board.check(a) == (False, "请假（病假）中")


def test_many_people_at_once_take_the_orm_read_with_the_same_answers(post, hall):
    """The roster asks about a whole centre; its answer for A and B is the pair read's answer."""
    a, b = post.a_staff, post.b_staff
    _leave(a, local(2026, 3, 10, 8, 0), local(2026, 3, 10, 18, 0))
    Attendance.objects.create(
        staff=b, centre=b.centre, date=dt.date(2026, 3, 10), sign_in_at=local(2026, 3, 10, 8, 5)
    )
    at = local(2026, 3, 10, 10, 0)
    many = Availability([a, b, hall.front_desk, hall.director], at)
    pair = Availability([a, b], at)
    assert [many.check(u) for u in (a, b)] == [pair.check(u) for u in (a, b)]
    assert pair.check(a)[0] is False and pair.check(b) == (True, "")
    assert post_handler(post=post, at=at).user == b


def test_a_compiled_read_takes_dates_and_aware_datetimes_only(post):
    with pytest.raises(ValueError, match="aware"):
        _PAIR_LEAVES.all(post.a_staff.pk, post.b_staff.pk, dt.datetime(2026, 3, 10, 10, 0))
    with pytest.raises(TypeError, match="not float"):
        CompiledRead(lambda x: Leave.objects.filter(pk=x), keys=(float,))


def test_a_datetime_key_under_a_function_is_refused_when_compiled(post):
    """`start_at__date` compiles the key as a date, not the datetime given: no parameter to bind it to."""
    odd = CompiledRead(lambda at: Leave.objects.filter(start_at__date=at), keys=(dt.datetime,))
    with pytest.raises(ValueError, match="must be a parameter"):
        odd.all(local(2026, 3, 10, 10, 0))
