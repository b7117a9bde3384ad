"""Catalogue search latency over 5,000 generated matters, on SQLite and on PostgreSQL (SCOPE-1).

    .venv/bin/python bench/catalog_search.py                 # both databases
    .venv/bin/python bench/catalog_search.py --only sqlite   # one of them

Each database run: a fresh database, migrations, 5,000 published matters with 3 materials each (names
generated from the starter catalogue's vocabulary), then timed:
- a plain primary-key read of a matter version (for scale, in the same run);
- `matter_search(q, limit=20)` for 2-character Chinese queries (the target: p95 under 50 ms);
- 2-4 letter pinyin-initial queries and 实施编码 prefixes.
PostgreSQL: GOVHALL_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/gh_catalog_bench; the database
is dropped and re-created).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MATTERS = 5000
ROUNDS = 400
LONG_TEXT = (
    "问：申请人需要本人到场吗？答：原则上需要本人到场，确有困难的可委托他人代为办理，并提交授权委托书和受托人"
    "身份证件。问：办理进度如何查询？答：可凭受理通知书上的办件编号和查询密码，在政务服务网、自助终端或"
    "扫描二维码查询。问：材料不齐怎么办？答：窗口将出具一次性告知单，列明全部需补正的材料。"
) * 2


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _fmt(name: str, samples: list[float], base: float) -> str:
    p50, p95 = statistics.median(samples), _pct(samples, 95)
    return f"  {name:<34} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   (p50 = {p50 / base:5.1f}× pk read)"


def run_one() -> None:
    """Inside a child process whose GOVHALL_DATABASE_URL points at the database to measure."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from govhall.catalog.models import Material, Matter, MatterStatus, MatterVersion, VersionState
    from govhall.catalog.seed import TOWN, VILLAGE
    from govhall.catalog.selectors import matter_search
    from govhall.catalog.services import search_keys
    from govhall.orgs.models import Department
    from govhall.orgs.seed import DEPARTMENTS

    call_command("migrate", verbosity=0)
    for code, name, short in DEPARTMENTS:
        Department.objects.update_or_create(code=code, defaults={"name": name, "short_name": short})
    departments = list(Department.objects.all())
    rng = random.Random(20201)
    specs = [*TOWN, *VILLAGE]
    prefixes = [
        "",
        "",
        "",
        "城乡",
        "农村",
        "个人",
        "企业",
        "居民",
        "困难群众",
        "退役军人",
        "残疾人",
        "老年人",
    ]
    suffixes = [
        "",
        "",
        "",
        "（首次）",
        "（变更）",
        "（补办）",
        "（注销）",
        "（延续）",
        "（迁移）",
        "（换领）",
    ]
    with transaction.atomic():
        matters, versions = [], []
        for i in range(MATTERS):
            spec = specs[i % len(specs)]
            name = f"{rng.choice(prefixes)}{spec.name}{rng.choice(suffixes)}"
            code = f"320681B{i:06d}"
            key, initials = search_keys(name=name, code=code, basic_code=f"B{i:06d}")
            matters.append(
                Matter(
                    code=code,
                    basic_code=f"B{i:06d}",
                    name=name,
                    status=MatterStatus.ACTIVE,
                    search_key=key,
                    pinyin_initials=initials,
                )
            )
        Matter.objects.bulk_create(matters, batch_size=1000)
        matters = list(Matter.objects.order_by("pk"))
        for i, matter in enumerate(matters):
            spec = specs[i % len(specs)]
            # Real guides carry long texts (basis, conditions, process, FAQ): about 2 KB a version here.
            versions.append(
                MatterVersion(
                    matter=matter,
                    number=1,
                    state=VersionState.PUBLISHED,
                    change_kind="create",
                    name=matter.name,
                    matter_type=spec.mtype,
                    legal_basis=spec.basis * 4,
                    levels=spec.levels,
                    department=rng.choice(departments),
                    implementing_body="启东市",
                    category=spec.category,
                    delivery_mode=spec.delivery,
                    window_class="minsheng",
                    promised_limit=spec.promised,
                    case_type=spec.case_type,
                    acceptance_conditions=LONG_TEXT[:150],
                    process=LONG_TEXT[:200],
                    faq=LONG_TEXT,
                )
            )
        MatterVersion.objects.bulk_create(versions, batch_size=1000)
        versions = list(MatterVersion.objects.order_by("matter_id"))
        for matter, version in zip(matters, versions, strict=True):
            matter.current_version = version
        Matter.objects.bulk_update(matters, ["current_version"], batch_size=1000)
        Material.objects.bulk_create(
            [Material(version=v, order=n, name=f"材料{n}") for v in versions for n in (1, 2, 3)],
            batch_size=2000,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    names = [m.name for m in matters]
    bigrams = [
        n[j : j + 2]
        for n in names
        for j in range(len(n) - 1)
        if all("\u4e00" <= c <= "\u9fff" for c in n[j : j + 2])
    ]
    initials = [m.pinyin_initials[j : j + rng.choice((2, 3, 4))] for m in matters for j in (0, 1)]
    pks = [v.pk for v in versions]

    def timed(fn: object, args: list[object]) -> list[float]:
        for a in args[:20]:  # warm-up
            fn(a)  # type: ignore[operator]
        out = []
        for a in args:
            start = time.perf_counter()
            fn(a)  # type: ignore[operator]
            out.append((time.perf_counter() - start) * 1000)
        return out

    pk_read = timed(lambda pk: MatterVersion.objects.get(pk=pk), rng.choices(pks, k=ROUNDS))
    two_char = timed(lambda q: list(matter_search(q, limit=20)), rng.choices(bigrams, k=ROUNDS))
    pinyin = timed(lambda q: list(matter_search(q, limit=20)), rng.choices(initials, k=ROUNDS))
    codes = timed(
        lambda q: list(matter_search(q, limit=20)),
        [f"320681B{rng.randrange(MATTERS):06d}"[: rng.choice((10, 14))] for _ in range(ROUNDS)],
    )
    filtered = timed(
        lambda q: list(matter_search(q, limit=20, level=5, category="public_service")),
        rng.choices(bigrams, k=ROUNDS),
    )
    base = statistics.median(pk_read)
    hits = statistics.median([len(list(matter_search(q, limit=None))) for q in rng.choices(bigrams, k=50)])
    print(
        f"{connection.vendor}: {MATTERS} matters, {ROUNDS} queries each (median hits of a 2-char query: {hits:.0f})"
    )
    print(_fmt("primary-key read", pk_read, base))
    print(_fmt("2-char Chinese query", two_char, base))
    print(_fmt("2-char query + level + category", filtered, base))
    print(_fmt("pinyin initials (2-4 letters)", pinyin, base))
    print(_fmt("实施编码 prefix", codes, base))
    verdict = "OK" if _pct(two_char, 95) < 50 else "OVER TARGET"
    print(f"  target p95 < 50 ms for a 2-char query: {verdict}")


def _pg_reset(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one()
        return
    runs = ["sqlite", "postgres"] if args.only is None else [args.only]
    for kind in runs:
        with tempfile.TemporaryDirectory() as var:
            env = {**os.environ, "GOVHALL_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "govhall.settings"}
            env.pop("GOVHALL_REDIS_URL", None)
            if kind == "sqlite":
                env["GOVHALL_DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"
            else:
                url = os.environ.get(
                    "GOVHALL_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/gh_catalog_bench"
                )
                _pg_reset(url)
                env["GOVHALL_DATABASE_URL"] = url
            subprocess.run([sys.executable, __file__, "--child"], env=env, cwd=ROOT, check=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
