"""Time the monthly assessment (STD-7) for 12 towns and 200 staff, and a centre's roster (STD-4).

Runs in a throw-away test database (created and dropped here), on whatever GOVHALL_DATABASE_URL points at:

    GOVHALL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_staffing .venv/bin/python bench/staffing_assessment.py

Data: a month (March 2026, 22 working days) of sign-ins for every staff member, 300 approved leaves and
ENQUIRIES 首问 records. Indicators registered by other apps (cases, reviews) are timed when present.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402

TOWNS, STAFF, LEAVES = 12, 200, 300
ENQUIRIES = int(os.environ.get("BENCH_ENQUIRIES", "50000"))
MONTH = dt.date(2026, 3, 1)


def _timed(fn, repeat: int = 5) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def build() -> tuple[object, object, object]:
    from zoneinfo import ZoneInfo

    from govhall.accounts.models import Role, User, UserRole
    from govhall.orgs.models import Centre, Division, Post
    from govhall.staffing.models import Attendance, Enquiry, EnquiryStatus, Leave, LeaveStatus
    from govhall.staffing.services import assessment_scheme_create, working_days_in

    tz = ZoneInfo("Asia/Shanghai")
    rnd = random.Random(20260301)
    centres = []
    for i in range(TOWNS):
        div = Division.objects.create(code=f"3206819{i:02d}000", name=f"基准{i}镇", kind="town", town_class=3)
        centres.append(Centre.objects.create(division=div, level="town", name=f"启东市基准{i}镇为民服务中心"))
    joined = dt.datetime(2025, 1, 1, tzinfo=tz)
    users = User.objects.bulk_create(
        [
            User(
                username=f"b{i}",
                full_name=f"人员{i}",
                staff_no=f"B{i:04d}",
                centre=centres[i % TOWNS],
                date_joined=joined,
            )
            for i in range(STAFF)
        ]
    )
    UserRole.objects.bulk_create([UserRole(user=u, role=Role.FRONT_DESK) for u in users])
    admin = User.objects.create(username="bench_admin", full_name="局", unit_kind="bureau", is_superuser=True)
    days = working_days_in([MONTH + dt.timedelta(days=i) for i in range(31)])
    rows = []
    for u in users:
        for d in days:
            if rnd.random() < 0.95:
                minute = rnd.choice([20, 30, 40, 44, 50])
                rows.append(
                    Attendance(
                        staff=u,
                        centre_id=u.centre_id,
                        date=d,
                        sign_in_at=dt.datetime(d.year, d.month, d.day, 8, minute, tzinfo=tz),
                    )
                )
    Attendance.objects.bulk_create(rows, batch_size=2000)
    Leave.objects.bulk_create(
        [
            Leave(
                staff=u,
                centre_id=u.centre_id,
                kind=rnd.choice(["sick", "annual", "business", "personal"]),
                reason="基准",
                status=LeaveStatus.APPROVED,
                start_at=dt.datetime(2026, 3, d.day, 0, 0, tzinfo=tz),
                end_at=dt.datetime(2026, 3, d.day, 0, 0, tzinfo=tz) + dt.timedelta(days=rnd.choice([1, 2])),
            )
            for u, d in ((rnd.choice(users), rnd.choice(days)) for _ in range(LEAVES))
        ],
        ignore_conflicts=True,
    )
    statuses = [EnquiryStatus.ANSWERED] * 7 + [
        EnquiryStatus.OPEN,
        EnquiryStatus.HANDED_OVER,
        EnquiryStatus.CONVERTED,
    ]
    Enquiry.objects.bulk_create(
        [
            Enquiry(centre_id=u.centre_id, first_staff=u, question="基准咨询", status=rnd.choice(statuses))
            for u in (rnd.choice(users) for _ in range(ENQUIRIES))
        ],
        batch_size=5000,
    )
    # created_at is auto_now_add: spread them over March in one statement
    Enquiry.objects.update(created_at=dt.datetime(2026, 3, 15, 10, 0, tzinfo=tz))
    for i, c in enumerate(centres):
        staff = [u for u in users if u.centre_id == c.pk]
        Post.objects.bulk_create(
            [
                Post(centre=c, name=f"岗位{i}-{k}", a_staff=staff[k], b_staff=staff[k + 1])
                for k in range(0, len(staff) - 1, 2)
            ]
        )
    codes = [("attendance", 40), ("punctuality", 20), ("enquiry_handling", 40)]
    scheme = assessment_scheme_create(name="基准方案", indicators=codes, actor=admin)
    return scheme, admin, centres[0]


def main() -> None:
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        import time_machine

        from govhall.accounts.models import User
        from govhall.staffing.models import AssessmentResult
        from govhall.staffing.selectors import roster_for
        from govhall.staffing.services import assessment_compute

        t0 = time.perf_counter()
        scheme, admin, centre = build()
        print(
            f"database: {connection.vendor}; data built in {time.perf_counter() - t0:.1f} s "
            f"({TOWNS} towns, {STAFF} staff, {ENQUIRIES} enquiries)"
        )
        trivial = _timed(lambda: User.objects.filter(pk=admin.pk).exists(), repeat=50)
        with time_machine.travel(dt.datetime(2026, 4, 5, 10, 0, tzinfo=dt.UTC), tick=True):
            compute = _timed(lambda: assessment_compute(scheme=scheme, month=MONTH, actor=admin), repeat=5)
            at = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)
            roster = _timed(lambda: roster_for(centre=centre, at=at), repeat=20)
        assert AssessmentResult.objects.filter(month=MONTH).count() == STAFF
        t_med = statistics.median(trivial)
        print(f"trivial read (pk exists)      p50 {t_med * 1000:8.2f} ms")
        print(
            f"month assessment, 200 staff   p50 {statistics.median(compute):8.3f} s   max {max(compute):.3f} s"
            f"   ({statistics.median(compute) / t_med:,.0f}× trivial; target < 10 s)"
        )
        print(
            f"roster of one centre (~17)    p50 {statistics.median(roster) * 1000:8.2f} ms"
            f"   ({statistics.median(roster) / t_med:,.0f}× trivial)"
        )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
