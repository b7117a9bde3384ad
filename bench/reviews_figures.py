"""Time the 好差评 figures (STD-6) the bureau and the public pages read, over a year of ratings.

Runs in a throw-away test database (created and dropped here), on whatever GOVHALL_DATABASE_URL points at:

    GOVHALL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_reviews .venv/bin/python bench/reviews_figures.py

Data: 12 towns with 2 villages each, 15 windows per town, 200 staff, 50 matters, BENCH_RATINGS visit ratings
(default 200,000) spread over January–October 2026, each on its own served ticket; 5% are 差评 with a work
order (half of them handled to the end); 20,000 window pauses. Printed beside a trivial read (a primary-key
look-up) measured in the same run.
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

TOWNS, STAFF, WINDOWS, MATTERS, PAUSES = 12, 200, 15, 50, 20000
RATINGS = int(os.environ.get("BENCH_RATINGS", "200000"))
MONTH = dt.date(2026, 3, 1)


def _timed(fn, repeat: int = 5) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def build() -> tuple[object, object]:
    from zoneinfo import ZoneInfo

    from govhall.accounts.models import Role, User, UserRole
    from govhall.catalog.models import Matter, MatterStatus
    from govhall.orgs.models import Centre, Division, Window
    from govhall.queueing.models import Ticket, WindowPause
    from govhall.reviews.models import Rating, WorkOrder

    tz = ZoneInfo("Asia/Shanghai")
    rnd = random.Random(20260301)
    towns, centres = [], []
    for i in range(TOWNS):
        div = Division.objects.create(code=f"3206819{i:02d}000", name=f"基准{i}镇", kind="town", town_class=3)
        town = Centre.objects.create(division=div, level="town", name=f"启东市基准{i}镇为民服务中心")
        towns.append(town)
        centres.append(town)
        for v in range(2):
            vdiv = Division.objects.create(
                code=f"3206819{i:02d}{v + 1:03d}", name=f"基准{i}-{v}村", kind="village", parent=div
            )
            centres.append(
                Centre.objects.create(
                    division=vdiv, level="village", parent=town, name=f"启东市基准{i}镇基准{v}村便民服务中心"
                )
            )
    windows = Window.objects.bulk_create(
        [
            Window(centre=t, number=n + 1, name="民生综合窗口", window_class="minsheng")
            for t in towns
            for n in range(WINDOWS)
        ]
    )
    users = User.objects.bulk_create(
        [
            User(username=f"b{i}", full_name=f"人员{i}", staff_no=f"B{i:04d}", centre=towns[i % TOWNS])
            for i in range(STAFF)
        ]
    )
    UserRole.objects.bulk_create([UserRole(user=u, role=Role.FRONT_DESK) for u in users])
    admin = User.objects.create(username="bench_admin", full_name="局", unit_kind="bureau", is_superuser=True)
    matters = Matter.objects.bulk_create(
        [
            Matter(code=f"B{i:05d}", basic_code=f"B{i:05d}", name=f"基准事项{i}", status=MatterStatus.ACTIVE)
            for i in range(MATTERS)
        ]
    )
    by_town: dict[int, list] = {}
    for u in users:
        by_town.setdefault(u.centre_id, []).append(u)
    wins: dict[int, list] = {}
    for w in windows:
        wins.setdefault(w.centre_id, []).append(w)
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=tz)
    span = (dt.datetime(2026, 10, 31, 17, 0, tzinfo=tz) - start).total_seconds()
    counters: dict[tuple[int, dt.date], int] = {}
    tickets, plan = [], []
    for _ in range(RATINGS):
        town = rnd.choice(towns)
        at = start + dt.timedelta(seconds=rnd.random() * span)
        key = (town.pk, at.date())
        counters[key] = counters.get(key, 0) + 1
        clerk, window = rnd.choice(by_town[town.pk]), rnd.choice(wins[town.pk])
        tickets.append(
            Ticket(
                centre=town,
                date=at.date(),
                prefix="A",
                number=counters[key],
                window_class="minsheng",
                business_group="基准",
                status="done",
                called_window=window,
                served_by=clerk,
                issued_at=at,
                queued_at=at,
                called_at=at,
                started_at=at,
                finished_at=at,
            )
        )
        level = rnd.choices([1, 2, 3, 4, 5], weights=[60, 25, 10, 3, 2])[0]
        plan.append((clerk, window, town, at, level, rnd.choice(matters)))
    Ticket.objects.bulk_create(tickets, batch_size=5000)
    ratings = [
        Rating(
            stage="visit",
            channel="pad",
            level=level,
            ticket=t,
            clerk=clerk,
            clerk_label=str(clerk),
            window=window,
            matter=matter,
            centre=town,
            town_centre=town,
            created_at=at,
            real_name=level >= 4 and rnd.random() < 0.7,
        )
        for t, (clerk, window, town, at, level, matter) in zip(tickets, plan, strict=True)
    ]
    Rating.objects.bulk_create(ratings, batch_size=5000)
    orders = []
    for r in ratings:
        if r.level >= 4:
            done = rnd.random() < 0.5
            orders.append(
                WorkOrder(
                    rating=r,
                    centre_id=r.centre_id,
                    real_name=r.real_name,
                    created_at=r.created_at,
                    status="closed" if done else "verify",
                    outcome=rnd.choice(["rectify", "explain"]) if done else "",
                    decided_at=r.created_at if done else None,
                    replied_at=r.created_at if done else None,
                    visited_at=r.created_at if done else None,
                    closed_at=r.created_at if done else None,
                )
            )
    WorkOrder.objects.bulk_create(orders, batch_size=5000)
    WindowPause.objects.bulk_create(
        [
            WindowPause(
                window=w,
                reason="break",
                by=rnd.choice(by_town[w.centre_id]),
                started_at=at,
                ended_at=at + dt.timedelta(minutes=rnd.randint(3, 40)),
            )
            for w, at in (
                (rnd.choice(windows), start + dt.timedelta(seconds=rnd.random() * span))
                for _ in range(PAUSES)
            )
        ],
        batch_size=5000,
    )
    return admin, towns[0]


def main() -> None:
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from govhall.accounts.models import User
        from govhall.core.calendar import month_instants
        from govhall.reviews import indicators, selectors
        from govhall.staffing.indicators import IndicatorContext

        t0 = time.perf_counter()
        admin, town = build()
        print(
            f"database: {connection.vendor}; data built in {time.perf_counter() - t0:.1f} s "
            f"({TOWNS} towns, {STAFF} staff, {RATINGS:,} ratings, {PAUSES:,} pauses)"
        )
        trivial = statistics.median(_timed(lambda: User.objects.filter(pk=admin.pk).exists(), repeat=50))
        print(f"trivial read (pk exists)                 p50 {trivial * 1000:9.2f} ms")
        month = selectors.month_period(MONTH)
        year = selectors.year_period(2026)

        def line(label: str, fn, repeat: int = 5) -> None:
            times = _timed(fn, repeat=repeat)
            p50 = statistics.median(times)
            print(
                f"{label:<40} p50 {p50 * 1000:9.2f} ms   max {max(times) * 1000:9.2f} ms   ({p50 / trivial:,.0f}× trivial)"
            )

        for by in ("clerk", "window", "matter", "centre", "town"):
            line(f"figures by {by}, one month", lambda by=by: selectors.figures(admin, by=by, period=month))
        line("figures by month, the year", lambda: selectors.figures(admin, by="month", period=year))
        line(
            "figures by clerk, the year", lambda: selectors.figures(admin, by="clerk", period=year), repeat=3
        )
        line("totals, the year", lambda: selectors.totals(admin, period=year))
        line("rankings by clerk, one month", lambda: selectors.rankings(admin, by="clerk", period=month))
        line("public summary of a town, the year", lambda: selectors.public_summary(town, period=year))
        staff = list(User.objects.filter(unit_kind="centre").select_related("centre"))
        start, end = month_instants(MONTH)
        ctx = IndicatorContext(month=MONTH, start=start, end=end, today=dt.date(2026, 4, 5), staff=staff)
        line("indicator 群众满意率, 200 staff", lambda: indicators.rating_satisfaction(ctx))
        line("indicator 差评整改率, 200 staff", lambda: indicators.bad_review_rectification(ctx))
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
