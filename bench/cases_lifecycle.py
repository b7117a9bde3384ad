"""Full case lifecycles through the HTTP API from concurrent clients, in the cluster shape: `govhall serve
--workers W --no-worker` (uvicorn processes) plus a separate `govhall run_huey` task worker, PostgreSQL and
Redis. Each lifecycle is five API calls: receive (收件), accept (受理), pass (审核 通过), finish (审批 准予),
deliver (窗口出件, with the ID check). A trivial endpoint (GET /healthz: SELECT 1 and a Redis PING) is
loaded by the same clients in the same run, for the ratio, and so is a trivial API read with the same token
authentication as the actions (GET /api/v1/orgs/centres/<id>: one row by primary key).

    GOVHALL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_cases_life \
    GOVHALL_REDIS_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/cases_lifecycle.py [--clients 16]

The database named in the URL is dropped and re-created. Data: 4 towns, each with a front-desk clerk, a
民政 审核岗 and 审批岗 (A and B), the same published matter; clients are spread over the towns (so case
numbers are drawn from 4 counters) and each runs lifecycles back to back for --seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
os.environ.setdefault("GOVHALL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gh_cases_life")
os.environ.setdefault("GOVHALL_FIELD_KEY", "be" * 16)
TOWNS = 4
ID_NUMBER = "110101199003071233"
APPLICANT = {
    "kind": "person",
    "name": "张三",
    "id_type": "id_card",
    "id_number": ID_NUMBER,
    "phone": "13800138000",
}
ACTIONS = ("receive", "accept", "pass", "finish", "deliver")


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def build() -> list[dict[str, object]]:
    """Migrate and create the towns; return per town the tokens and ids a client needs."""
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command

    from govhall.accounts.models import Role, User, UserRole
    from govhall.accounts.tokens import token_create
    from govhall.catalog.models import CentreMatter, Material, Matter, MatterVersion
    from govhall.orgs.models import Centre, Department, Division, Post, Window
    from govhall.staffing.models import AttendanceSettings

    call_command("migrate", verbosity=0)
    dept = Department.objects.create(code="MZ", name="启东市民政局", short_name="民政")
    matter = Matter.objects.create(
        code="320681MZ05001005", basic_code="MZ05001", name="最低生活保障申请", status="active"
    )
    version = MatterVersion.objects.create(
        matter=matter,
        number=1,
        state="published",
        name="最低生活保障申请",
        matter_type="05",
        legal_basis="基准",
        department=dept,
        implementing_body="启东市民政局",
        category="social_management",
        promised_limit=10,
        approval_steps=["受理", "审核", "审批"],
        result_name="最低生活保障证",
    )
    materials = [
        Material.objects.create(version=version, order=i, name=n, originals=1)
        for i, n in enumerate(["申请人居民身份证", "居民户口簿", "家庭收入情况证明"], start=1)
    ]
    matter.current_version = version
    matter.save(update_fields=["current_version"])
    towns = []
    for t in range(TOWNS):
        div = Division.objects.create(code=f"3206819{t:02d}000", name=f"基准{t}镇", kind="town", town_class=1)
        centre = Centre.objects.create(division=div, level="town", name=f"启东市基准{t}镇为民服务中心")
        AttendanceSettings.objects.create(centre=centre, sign_in_deadline=dt.time(23, 59))
        CentreMatter.objects.create(centre=centre, matter=matter)
        window = Window.objects.create(centre=centre, number=1, name="民生综合窗口", window_class="minsheng")
        people = {}
        for key, role in (
            ("clerk", Role.FRONT_DESK),
            ("reviewer", Role.BACK_OFFICE),
            ("reviewer_b", Role.BACK_OFFICE),
            ("approver", Role.BACK_OFFICE),
            ("approver_b", Role.BACK_OFFICE),
        ):
            user = User.objects.create(
                username=f"{key}{t}", full_name=f"{key}{t}", staff_no=f"{key.upper()}{t:03d}", centre=centre
            )
            UserRole.objects.create(user=user, role=role)
            people[key] = user
        Post.objects.create(
            centre=centre,
            name="民政审核岗",
            department=dept,
            a_staff=people["reviewer"],
            b_staff=people["reviewer_b"],
        )
        Post.objects.create(
            centre=centre,
            name="民政审批岗",
            department=dept,
            a_staff=people["approver"],
            b_staff=people["approver_b"],
        )
        towns.append(
            {
                "window": window.pk,
                "matter": matter.pk,
                "materials": [m.pk for m in materials],
                "clerk": token_create(user=people["clerk"], name="bench")[1],
                "reviewer": token_create(user=people["reviewer"], name="bench")[1],
                "approver": token_create(user=people["approver"], name="bench")[1],
                "centre": centre.pk,
            }
        )
    return towns


def start_server(port: int, workers: int) -> list[subprocess.Popen]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "bench") + os.pathsep + env.get("PYTHONPATH", "")
    env["DJANGO_SETTINGS_MODULE"] = "cases_server_settings"
    bin_dir = Path(sys.executable).parent
    web = subprocess.Popen(
        [str(bin_dir / "govhall"), "serve", "--workers", str(workers), "--no-worker", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    worker = subprocess.Popen(
        [str(bin_dir / "govhall"), "run_huey", "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import httpx

    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return [web, worker]
        except httpx.HTTPError:
            pass
        if web.poll() is not None:
            raise SystemExit(f"server did not start: {web.stderr.read().decode()[-2000:]}")
        time.sleep(0.5)
    raise SystemExit("server did not answer within 60 s")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def run_trivial(
    base: str, clients: int, seconds: float, path: str = "/healthz", token: str = ""
) -> tuple[int, float, list[float]]:
    import httpx

    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        mine = []
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        with httpx.Client(base_url=base, timeout=30, headers=headers) as http:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                assert http.get(path).status_code == 200
                mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return len(latencies), time.perf_counter() - t0, latencies


def run_lifecycles(
    base: str, towns: list[dict[str, object]], clients: int, seconds: float
) -> tuple[int, float, dict[str, list[float]], list[str]]:
    import httpx

    per_action: dict[str, list[float]] = {a: [] for a in ACTIONS}
    errors: list[str] = []
    done = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(n: int) -> None:
        town = towns[n % len(towns)]
        mine: dict[str, list[float]] = {a: [] for a in ACTIONS}
        count = 0
        heads = {k: {"Authorization": f"Bearer {town[k]}"} for k in ("clerk", "reviewer", "approver")}
        with httpx.Client(base_url=base, timeout=60) as http:

            def call(action: str, who: str, url: str, body: dict[str, object]) -> dict[str, object]:
                t0 = time.perf_counter()
                response = http.post(url, json=body, headers=heads[who])
                mine[action].append(time.perf_counter() - t0)
                if response.status_code not in (200, 201):
                    raise RuntimeError(f"{action}: {response.status_code} {response.text[:300]}")
                return response.json()

            while time.perf_counter() < stop:
                try:
                    created = call(
                        "receive",
                        "clerk",
                        "/api/v1/cases/",
                        {
                            "matter_id": town["matter"],
                            "window_id": town["window"],
                            "applicant": APPLICANT,
                            "materials": [
                                {"material_id": m, "status": "received"} for m in town["materials"]
                            ],
                        },
                    )
                    case = f"/api/v1/cases/{created['id']}"
                    call("accept", "clerk", f"{case}/accept", {})
                    call("pass", "reviewer", f"{case}/pass", {"opinion": "同意"})
                    call(
                        "finish",
                        "approver",
                        f"{case}/finish",
                        {"result": "approved", "certificate_no": "B-1"},
                    )
                    call(
                        "deliver",
                        "clerk",
                        f"{case}/deliver",
                        {"method": "window", "collector_name": "张三", "collector_id_number": ID_NUMBER},
                    )
                    count += 1
                except Exception as exc:  # a benchmark reports failures, it does not stop at the first
                    with lock:
                        errors.append(str(exc)[:300])
        with lock:
            done[0] += count
            for a in ACTIONS:
                per_action[a].extend(mine[a])

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return done[0], time.perf_counter() - t0, per_action, errors


def main() -> None:
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn processes")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    url = os.environ["GOVHALL_DATABASE_URL"]
    if not urlparse(url).scheme.startswith("postgres") or not os.environ.get("GOVHALL_REDIS_URL"):
        raise SystemExit(
            "the cluster shape needs PostgreSQL and Redis (GOVHALL_DATABASE_URL, GOVHALL_REDIS_URL)"
        )
    recreate_database(url)
    towns = build()
    from django.db import connection

    connection.close()
    procs = start_server(args.port, args.workers)
    base = f"http://127.0.0.1:{args.port}"
    # The trivial API read: the same token authentication as the actions, then one row by primary key.
    api_path, api_token = f"/api/v1/orgs/centres/{towns[0]['centre']}", str(towns[0]["clerk"])
    try:
        run_trivial(base, args.clients, 3)  # warm up every worker process
        run_trivial(base, args.clients, 3, api_path, api_token)
        trivial_n, trivial_s, trivial_lat = run_trivial(base, args.clients, args.seconds / 4)
        api_n, api_s, api_lat = run_trivial(base, args.clients, args.seconds / 4, api_path, api_token)
        done, elapsed, per_action, errors = run_lifecycles(base, towns, args.clients, args.seconds)
        after_n, after_s, _ = run_trivial(base, args.clients, args.seconds / 4)
        api_after_n, api_after_s, _ = run_trivial(base, args.clients, args.seconds / 4, api_path, api_token)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    import django

    # The machine may be shared: each trivial rate is measured before and after; the ratios use the means.
    trivial_rate = (trivial_n / trivial_s + after_n / after_s) / 2
    api_rate = (api_n / api_s + api_after_n / api_after_s) / 2
    actions = sum(len(v) for v in per_action.values())
    action_rate = actions / elapsed
    print(
        f"PostgreSQL + Redis; {args.workers} uvicorn workers + 1 huey worker; {args.clients} clients; "
        f"Django {django.get_version()}; {os.cpu_count()} CPUs"
    )
    print(
        f"trivial GET /healthz             {trivial_rate:7.1f} req/s  (before {trivial_n / trivial_s:.1f}, after "
        f"{after_n / after_s:.1f})  p50 {statistics.median(trivial_lat) * 1000:6.1f} ms"
        f"  p95 {pct(trivial_lat, 0.95) * 1000:6.1f} ms"
    )
    print(
        f"trivial API read (token, 1 row)  {api_rate:7.1f} req/s  (before {api_n / api_s:.1f}, after "
        f"{api_after_n / api_after_s:.1f})  p50 {statistics.median(api_lat) * 1000:6.1f} ms"
        f"  p95 {pct(api_lat, 0.95) * 1000:6.1f} ms"
    )
    print(
        f"lifecycles                       {done / elapsed:7.2f} cases/s ({done} in {elapsed:.0f} s, "
        f"{len(errors)} failed)"
    )
    print(
        f"lifecycle actions                {action_rate:7.1f} req/s  = {action_rate / api_rate:.2f} of the trivial "
        f"API read, {action_rate / trivial_rate:.2f} of /healthz (target ≥ 0.25)"
    )
    for action in ACTIONS:
        values = per_action[action]
        if values:
            print(
                f"  {action:8s}  n {len(values):5d}   p50 {statistics.median(values) * 1000:7.1f} ms"
                f"   p95 {pct(values, 0.95) * 1000:7.1f} ms"
            )
    for message in errors[:5]:
        print("  error:", message)


if __name__ == "__main__":
    main()
