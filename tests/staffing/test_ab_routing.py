"""STD-4 AB角: a post's work goes to A; to B when A is on approved leave or has not signed in by the
centre's deadline; to the centre director when B is away too — never to nobody, always with a reason."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.staffing.models import Attendance, AttendanceSettings, Leave, LeaveKind, LeaveStatus
from govhall.staffing.services import post_handler, staff_is_available
from tests.staffing.conftest import local

TUESDAY_10AM = local(2026, 3, 10, 10, 0)


def _leave(user, kind=LeaveKind.SICK, status=LeaveStatus.APPROVED, start=None, end=None):
    return Leave.objects.create(
        staff=user,
        centre=user.centre,
        kind=kind,
        reason="发烧就医",
        status=status,
        start_at=start or local(2026, 3, 10, 8, 0),
        end_at=end or local(2026, 3, 10, 18, 0),
    )


def _sign_in(user, at):
    return Attendance.objects.create(staff=user, centre=user.centre, date=at.date(), sign_in_at=at)


@pytest.mark.django_db
def test_std4_a_signed_in_handles_the_post(post):
    _sign_in(post.a_staff, local(2026, 3, 10, 8, 30))
    handler = post_handler(post=post, at=TUESDAY_10AM)
    assert (handler.user, handler.role) == (post.a_staff, "A")
    assert not handler.is_substitute


@pytest.mark.django_db
def test_std4_a_on_approved_leave_goes_to_b_with_reason(post):
    _sign_in(post.b_staff, local(2026, 3, 10, 8, 30))
    _leave(post.a_staff)
    handler = post_handler(post=post, at=TUESDAY_10AM)
    assert (handler.user, handler.role) == (post.b_staff, "B")
    assert handler.reason == "A角张海峰请假（病假）中，由B角李秀梅办理"


@pytest.mark.django_db
def test_std4_leave_not_yet_approved_or_not_covering_the_moment_does_not_move_the_post(post):
    _sign_in(post.a_staff, local(2026, 3, 10, 8, 30))
    _sign_in(post.b_staff, local(2026, 3, 10, 8, 30))
    _leave(post.a_staff, status=LeaveStatus.REQUESTED)
    _leave(post.a_staff, start=local(2026, 3, 10, 13, 30), end=local(2026, 3, 10, 17, 30))
    assert post_handler(post=post, at=TUESDAY_10AM).role == "A"
    assert post_handler(post=post, at=local(2026, 3, 10, 14, 0)).role == "B"


@pytest.mark.django_db
def test_std4_a_not_signed_in_by_the_deadline_goes_to_b(post):
    _sign_in(post.b_staff, local(2026, 3, 10, 8, 20))
    handler = post_handler(post=post, at=TUESDAY_10AM)
    assert (handler.user, handler.role) == (post.b_staff, "B")
    assert handler.reason == "A角张海峰未在08:45前签到，由B角李秀梅办理"


@pytest.mark.django_db
def test_std4_before_the_deadline_and_on_rest_days_a_keeps_the_post_without_sign_in(post):
    assert post_handler(post=post, at=local(2026, 3, 10, 8, 44)).role == "A"
    assert post_handler(post=post, at=local(2026, 3, 14, 10, 0)).role == "A"  # Saturday


@pytest.mark.django_db
def test_std4_the_centre_deadline_is_a_setting(post):
    AttendanceSettings.objects.create(centre=post.centre, sign_in_deadline=dt.time(9, 30))
    assert post_handler(post=post, at=TUESDAY_10AM).reason.startswith("A角张海峰未在09:30前签到")
    assert post_handler(post=post, at=local(2026, 3, 10, 9, 15)).role == "A"


@pytest.mark.django_db
def test_std4_the_deadline_is_read_once_and_a_change_applies_at_once(post, django_assert_num_queries):
    settings = AttendanceSettings.objects.create(centre=post.centre, sign_in_deadline=dt.time(10, 30))
    assert post_handler(post=post, at=TUESDAY_10AM).role == "A"
    with django_assert_num_queries(2):  # leave and attendance; the centre's deadline is remembered (issue 15)
        assert post_handler(post=post, at=TUESDAY_10AM).role == "A"
    settings.sign_in_deadline = dt.time(9, 30)
    settings.save()
    assert post_handler(post=post, at=TUESDAY_10AM).reason.startswith("A角张海峰未在09:30前签到")


@pytest.mark.django_db
def test_std4_late_sign_in_gives_the_post_back_to_a(post):
    _sign_in(post.a_staff, local(2026, 3, 10, 9, 10))
    _sign_in(post.b_staff, local(2026, 3, 10, 8, 10))
    assert post_handler(post=post, at=local(2026, 3, 10, 9, 0)).role == "B"
    assert post_handler(post=post, at=local(2026, 3, 10, 9, 20)).role == "A"


@pytest.mark.django_db
def test_std4_both_away_goes_to_the_centre_director(post, hall):
    _leave(post.a_staff)
    _leave(post.b_staff, kind=LeaveKind.TRAINING)
    handler = post_handler(post=post, at=TUESDAY_10AM)
    assert (handler.user, handler.role) == (hall.director, "director")
    assert handler.reason == "A角张海峰请假（病假）中，B角李秀梅请假（培训）中，由中心主任陈主任办理"


@pytest.mark.django_db
def test_std4_named_centre_director_wins_and_a_village_without_one_uses_the_town_director(hall):
    from govhall.accounts.models import Role
    from tests.factories import PostFactory, UserFactory

    named = UserFactory(centre=hall.town, roles=[Role.DIRECTOR], full_name="黄主任")
    hall.town.director = named
    hall.town.save()
    post = PostFactory(centre=hall.village)
    handler = post_handler(post=post, at=TUESDAY_10AM)  # nobody signed in
    assert (handler.user, handler.role) == (named, "director")


@pytest.mark.django_db
def test_std4_never_nobody_without_any_director(hall):
    from govhall.accounts.models import UserRole
    from tests.factories import PostFactory

    UserRole.objects.filter(role="director").delete()
    post = PostFactory(centre=hall.town)
    handler = post_handler(post=post, at=TUESDAY_10AM)
    assert handler.user == post.b_staff
    assert "本中心未设主任" in handler.reason


@pytest.mark.django_db
def test_std4_staff_is_available_reports_the_reason(post):
    _leave(post.a_staff, kind=LeaveKind.BUSINESS)
    assert staff_is_available(post.a_staff, TUESDAY_10AM) == (False, "请假（公出）中")
    assert staff_is_available(post.b_staff, TUESDAY_10AM) == (False, "未在08:45前签到")
    assert staff_is_available(post.b_staff, local(2026, 3, 10, 8, 0)) == (True, "")


@pytest.mark.django_db
def test_std4_bureau_calendar_rows_count_and_an_unknown_year_still_routes(post):
    from govhall.core.calendar import clear_cache
    from govhall.core.models import CalendarDay

    CalendarDay.objects.create(date=dt.date(2026, 3, 10), kind="holiday", name="测试放假")
    try:
        assert post_handler(post=post, at=TUESDAY_10AM).role == "A"  # a holiday: no sign-in needed
    finally:
        CalendarDay.objects.all().delete()
        clear_cache()
    # 2030 is in no table: Monday to Friday count, and routing still answers
    assert post_handler(post=post, at=local(2030, 3, 12, 10, 0)).role == "director"
