"""Lists and the overdue scan at scale: a handler's inbox, the supervision page, and the deadline scan over
N generated cases of which N/10 are open (STD-3). Default N = 1,000,000.

    GOVHALL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_cases_scale \
    GOVHALL_REDIS_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/cases_scale.py [--cases N] [--reuse]

The database named in the URL is dropped and re-created (unless --reuse finds data in it). Data: 12 towns
with 3 villages each, 10 departments, 60 back-office handlers, one template case copied N times with one
INSERT … SELECT over generate_series (varying time, centre, department, status, deadline, assignee), plus
one pending step per open case. About 10 % of open cases are overdue and 10 % in yellow, already flagged by
"earlier scans"; 1,000 open cases crossed a threshold since the last scan and are left for the timed scan.
Pages are timed in-process with Django's test client (template rendering included); the trivial figure is
GET /healthz (one SELECT 1) through the same client.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
os.environ.setdefault("GOVHALL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gh_cases_scale")
os.environ.setdefault("GOVHALL_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# A fixed throw-away key, so --reuse can decrypt the data of an earlier run.
os.environ.setdefault("GOVHALL_FIELD_KEY", "be" * 16)

TOWNS, VILLAGES_PER_TOWN, DEPARTMENTS, HANDLERS = 12, 3, 10, 60
FRESH = 1000  # open cases that crossed a threshold since the last scan


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def build(n: int) -> dict[str, object]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from govhall.accounts.models import Role, StaffContact, User, UserRole
    from govhall.cases.models import Case
    from govhall.cases.services import case_accept, case_receive
    from govhall.catalog.models import CentreMatter, Material, Matter, MatterVersion
    from govhall.orgs.models import Centre, Department, Division, Post, Window
    from govhall.staffing.models import AttendanceSettings

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    depts = Department.objects.bulk_create(
        [Department(code=f"B{i:02d}", name=f"基准部门{i}", short_name=f"部门{i}") for i in range(DEPARTMENTS)]
    )
    towns, villages = [], []
    for t in range(TOWNS):
        div = Division.objects.create(code=f"3206819{t:02d}000", name=f"基准{t}镇", kind="town", town_class=3)
        town = Centre.objects.create(division=div, level="town", name=f"启东市基准{t}镇为民服务中心")
        towns.append(town)
        AttendanceSettings.objects.create(centre=town, sign_in_deadline=dt.time(23, 59))
        for v in range(VILLAGES_PER_TOWN):
            vdiv = Division.objects.create(
                code=f"3206819{t:02d}{v + 1:03d}", name=f"基准{t}-{v}村", kind="village", parent=div
            )
            villages.append(
                Centre.objects.create(
                    division=vdiv, level="village", parent=town, name=f"启东市基准{t}镇{v}村便民服务中心"
                )
            )
    admin = User.objects.create(
        username="bench_bureau", full_name="基准局", unit_kind="bureau", is_superuser=True
    )
    directors = [
        User.objects.create(username=f"dir{t}", full_name=f"主任{t}", staff_no=f"D{t:03d}", centre=town)
        for t, town in enumerate(towns)
    ]
    for t, town in enumerate(towns):
        town.director = directors[t]
        town.save(update_fields=["director"])
    UserRole.objects.bulk_create([UserRole(user=u, role=Role.DIRECTOR) for u in directors])
    handlers = User.objects.bulk_create(
        [
            User(username=f"h{i}", full_name=f"审批员{i}", staff_no=f"H{i:04d}", centre=towns[i % TOWNS])
            for i in range(HANDLERS)
        ]
    )
    UserRole.objects.bulk_create([UserRole(user=u, role=Role.BACK_OFFICE) for u in handlers])
    clerk = User.objects.create(username="clerk0", full_name="前台", staff_no="F0001", centre=towns[0])
    UserRole.objects.create(user=clerk, role=Role.FRONT_DESK)
    StaffContact.objects.bulk_create(
        [StaffContact(user=u, mobile=f"139{u.pk:08d}") for u in [*handlers, *directors]]
    )
    window = Window.objects.create(centre=towns[0], number=1, name="民生综合窗口", window_class="minsheng")
    # One post per (town, department) pair the template needs; handler 0 of town 0 is A of town 0's posts.
    for town in towns:
        staff = [h for h in handlers if h.centre_id == town.pk]
        Post.objects.bulk_create(
            [
                Post(
                    centre=town,
                    name=f"{d.short_name}审批岗",
                    department=d,
                    a_staff=staff[0],
                    b_staff=staff[1],
                )
                for d in depts
            ]
        )
    matter = Matter.objects.create(
        code="320681B0005001", basic_code="B000500100", name="基准事项", status="active"
    )
    version = MatterVersion.objects.create(
        matter=matter,
        number=1,
        state="published",
        name="基准事项",
        matter_type="05",
        legal_basis="基准",
        department=depts[0],
        implementing_body="基准",
        category="social_management",
        promised_limit=10,
        approval_steps=["受理", "审批"],
    )
    Material.objects.create(version=version, order=1, name="身份证", originals=1)
    matter.current_version = version
    matter.save(update_fields=["current_version"])
    CentreMatter.objects.create(centre=towns[0], matter=matter)
    template = case_receive(
        actor=clerk,
        matter_id=matter.pk,
        window_id=window.pk,
        applicant={
            "kind": "person",
            "name": "张三",
            "id_type": "id_card",
            "id_number": "110101199003071233",
            "phone": "13800138000",
        },
        materials=[{"material_id": version.materials.get().pk, "status": "received"}],
    )
    template = case_accept(case=template, actor=clerk)
    print(f"  organisation and template built in {time.perf_counter() - t0:.1f} s")

    now = timezone.now()
    centre_ids = [c.pk for c in towns]
    village_ids = [c.pk for c in villages]
    dept_ids = [d.pk for d in depts]
    handler_by_town = {c.pk: [h.pk for h in handlers if h.centre_id == c.pk] for c in towns}
    handler_ids = [h.pk for t in towns for h in handlers if h.centre_id == t.pk]
    cols = [f.column for f in Case._meta.concrete_fields if f.column != "id"]
    varying = {
        "number": "to_char(x.received_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDDHH24MI') || '-bench-' || lpad(g::text, 7, '0')",
        "centre_id": "CASE WHEN g %% 5 = 0 THEN x.village ELSE x.town END",
        "handling_centre_id": "x.town",
        "forwarded": "(g %% 5 = 0)",
        "department_id": "x.dept",
        "status": "x.status",
        "result": "CASE WHEN x.open THEN '' ELSE 'approved' END",
        "received_at": "x.received_at",
        "accepted_at": "x.received_at + interval '10 minutes'",
        "due_at": "x.due_at",
        "warn_at": "x.due_at - interval '3 days'",
        "warning_level": (
            "CASE WHEN NOT x.open OR x.status = 'suspended' OR x.fresh THEN 0 "
            "WHEN x.due_at < %(now)s THEN 2 WHEN x.due_at - interval '3 days' < %(now)s THEN 1 ELSE 0 END"
        ),
        "current_assignee_id": "CASE WHEN x.open THEN x.handler ELSE NULL END",
        "current_post_id": "NULL",
        "current_step_id": "NULL",
        "finished_at": "CASE WHEN x.open THEN NULL ELSE x.received_at + interval '5 days' END",
        "finished_by_id": "NULL",
        "delivered_at": "CASE WHEN x.status = 'delivered' THEN x.received_at + interval '6 days' END",
        "clock_stopped_at": "CASE WHEN x.status = 'suspended' THEN %(now)s END",
        "ticket_id": "NULL",
        "enquiry_id": "NULL",
    }
    select_cols = ", ".join(varying.get(c, f"t.{c}") for c in cols)
    # Open cases: g <= n/10. Their deadlines spread from 2 days ago to 19 days ahead: ~10 % red and ~14 %
    # yellow, as flagged by earlier scans; FRESH of them crossed a threshold since (level left at 0).
    sql = f"""
        INSERT INTO cases_case ({", ".join(cols)})
        SELECT {select_cols}
        FROM cases_case t
        CROSS JOIN LATERAL (
            SELECT g, (g <= %(open)s) AS open,
                   (g <= %(fresh)s) AS fresh,
                   CASE WHEN g <= %(open)s THEN
                        CASE WHEN g %% 20 = 0 THEN 'suspended' WHEN g %% 20 = 1 THEN 'returned' ELSE 'processing' END
                        WHEN g %% 3 = 0 THEN 'finished' ELSE 'delivered' END AS status,
                   CASE WHEN g <= %(open)s THEN %(now)s - ((g %% 30) || ' hours')::interval - interval '2 days'
                        ELSE %(now)s - ((g %% 730) || ' days')::interval - ((g %% 600) || ' minutes')::interval
                   END AS received_at,
                   CASE WHEN g <= %(fresh)s THEN %(now)s - interval '5 minutes'
                        WHEN g <= %(open)s THEN %(now)s + (((g * 7919) %% 3000 - 300) || ' minutes')::interval * 10
                        ELSE %(now)s - ((g %% 730) || ' days')::interval + interval '10 days' END AS due_at,
                   (%(towns)s::bigint[])[1 + (g / 7) %% {TOWNS}] AS town,
                   (%(villages)s::bigint[])[1 + ((g / 7) %% {TOWNS}) * {VILLAGES_PER_TOWN} + g %% {VILLAGES_PER_TOWN}] AS village,
                   (%(depts)s::bigint[])[1 + (g / 3) %% {DEPARTMENTS}] AS dept,
                   (%(handlers)s::bigint[])[1 + g %% {HANDLERS}] AS handler
            FROM generate_series(1, %(n)s) AS g
        ) x
        WHERE t.id = %(template)s
    """  # noqa: S608 - the interpolated column names and constants are ours
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "open": n // 10,
                "fresh": FRESH,
                "now": now,
                "n": n,
                "template": template.pk,
                "towns": centre_ids,
                "villages": village_ids,
                "depts": dept_ids,
                "handlers": handler_ids,
            },
        )
        # Keep handling centre, department and assignee consistent: the assignee works at the handling centre.
        cursor.execute(
            """
            UPDATE cases_case c SET current_assignee_id = (%(by_town)s::jsonb -> c.handling_centre_id::text
                                                          ->> (c.id %% 5)::int)::bigint
            WHERE c.status IN ('processing', 'returned', 'suspended') AND c.number LIKE '%%-bench-%%'
        """,
            {"by_town": __import__("json").dumps(handler_by_town)},
        )
        cursor.execute("""
            INSERT INTO cases_casestep (case_id, seq, step_index, name, kind, assignee_id, assignee_role,
                                        route_reason, status, action, opinion, handler_label, handler_role,
                                        started_at)
            SELECT id, 2, 0, '审批', 'approve', current_assignee_id, 'A', '由A角办理', 'pending', '', '', '', '',
                   accepted_at
            FROM cases_case WHERE status IN ('processing', 'returned', 'suspended') AND number LIKE '%%-bench-%%'
        """)
        cursor.execute("""
            UPDATE cases_case c SET current_step_id = s.id FROM cases_casestep s
            WHERE s.case_id = c.id AND s.status = 'pending' AND c.number LIKE '%%-bench-%%'
        """)
    # What autovacuum does within minutes in production: index-only scans need the visibility map.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) cases_case")
        cursor.execute("VACUUM (ANALYZE) cases_casestep")
    print(
        f"  {n:,} cases ({n // 10:,} open) and {n // 10:,} steps generated in {time.perf_counter() - t0:.1f} s"
    )
    return {"admin": admin.pk, "director": directors[0].pk, "handler": handler_by_town[centre_ids[0]][0]}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def timed(fn: object, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="reuse the data of an earlier run if present")
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    url = os.environ["GOVHALL_DATABASE_URL"]
    if not urlparse(url).scheme.startswith("postgres"):
        raise SystemExit("this benchmark needs PostgreSQL (GOVHALL_DATABASE_URL=postgres://…)")

    reuse = False
    if args.reuse:
        import django

        django.setup()
        from django.db import connection

        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM cases_case")
                reuse = cursor.fetchone()[0] >= args.cases
        except Exception:
            reuse = False
        connection.close()
    if not reuse:
        recreate_database(url)
        t0 = time.perf_counter()
        ids = build(args.cases)
        print(f"data built in {time.perf_counter() - t0:.1f} s")
    else:
        import django

        django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from govhall.accounts.models import User
    from govhall.cases.models import Case
    from govhall.cases.services import cases_scan_deadlines

    if reuse:
        ids = {
            "admin": User.objects.get(username="bench_bureau").pk,
            "director": User.objects.get(username="dir0").pk,
            "handler": Case.objects.filter(status="processing")
            .values_list("current_assignee_id", flat=True)
            .order_by("current_assignee_id")
            .first(),
        }
    total = Case.objects.count()
    open_count = Case.objects.filter(status__in=("processing", "returned", "suspended")).count()
    handler = User.objects.get(pk=ids["handler"])
    tasks = Case.objects.filter(
        current_assignee=handler, status__in=("processing", "returned", "suspended")
    ).count()
    print(
        f"database: {connection.vendor}; {total:,} cases, {open_count:,} open; handler {handler.username} has "
        f"{tasks:,} open tasks"
    )

    def client_for(user_id: int) -> Client:
        c = Client()
        c.force_login(User.objects.get(pk=user_id), backend="django.contrib.auth.backends.ModelBackend")
        return c

    anon = Client()
    trivial = timed(lambda: anon.get("/healthz"), args.repeat * 2)
    h, d, b = client_for(ids["handler"]), client_for(ids["director"]), client_for(ids["admin"])

    def page(c: Client, url: str) -> None:
        response = c.get(url)
        assert response.status_code == 200, (url, response.status_code)

    rows = [
        ("inbox page (50 of the handler's tasks)", timed(lambda: page(h, "/cases/"), args.repeat)),
        ("inbox API (/api/v1/cases/tasks)", timed(lambda: page(h, "/api/v1/cases/tasks"), args.repeat)),
        ("supervision page, town director", timed(lambda: page(d, "/cases/supervision/"), args.repeat)),
        ("supervision page, bureau (all)", timed(lambda: page(b, "/cases/supervision/"), args.repeat)),
    ]
    t_med = statistics.median(trivial)
    print(
        f"trivial GET /healthz                      p50 {t_med * 1000:7.2f} ms  p95 {pct(trivial, 0.95) * 1000:7.2f} ms"
    )
    for label, values in rows:
        print(
            f"{label:42s} p50 {statistics.median(values) * 1000:7.2f} ms  p95 {pct(values, 0.95) * 1000:7.2f} ms"
            f"  ({statistics.median(values) / t_med:,.1f}× trivial; target p95 < 150 ms)"
        )

    t0 = time.perf_counter()
    first = cases_scan_deadlines(now=timezone.now())
    scan = time.perf_counter() - t0
    t0 = time.perf_counter()
    second = cases_scan_deadlines(now=timezone.now())
    idle = time.perf_counter() - t0
    print(
        f"overdue scan, {first['yellow'] + first['red']:,} newly flagged and notified        {scan:7.2f} s"
        f"  (target < 5 s)"
    )
    print(
        f"overdue scan, nothing new ({second['yellow'] + second['red']} flagged)                {idle:7.3f} s"
    )


if __name__ == "__main__":
    main()
