"""Backup and restore time at scale (issue 20): the data set of bench/cases_scale.py (N generated cases, N/10
open with a pending step; default N = 1,000,000) on PostgreSQL, plus uploaded scans, then

  govhall backup         (pg_dump -Fc of an exported snapshot, media copy, SM3 of every part, manifest)
  govhall backup verify  (SM3 of every part again)
  govhall restore        (into a new empty database and media folder; pg_restore, media, audit verify)

each timed, and beside them the bare tools on the same data in the same run (`pg_dump -Fc`, `pg_restore`
into an empty database): the ratio is what govhall's checks add to what PostgreSQL itself needs.

    GOVHALL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_backup_bench \
    GOVHALL_REDIS_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/backup_restore.py [--cases N] [--reuse]

With N below 1,000,000 the figures are also extrapolated linearly to 1,000,000 cases (said so in the output).
The databases <name>_restored and <name>_bare are dropped and re-created.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("GOVHALL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gh_backup_bench")

import cases_scale

FULL = 1_000_000
SCAN = 400 * 1024  # one scanned page, about what a 高拍仪 JPEG weighs


def pg_env(url: str) -> dict[str, str]:
    parsed = urlparse(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVHALL_")}
    env.update(PGHOST=parsed.hostname or "", PGPORT=str(parsed.port or 5432), PGUSER=parsed.username or "")
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return env


def clock(label: str, fn: object) -> float:
    t0 = time.perf_counter()
    fn()  # type: ignore[operator]
    took = time.perf_counter() - t0
    print(f"  {label:<42} {took:8.1f} s")
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=FULL)
    parser.add_argument(
        "--files", type=int, default=200, help="encrypted scans of 400 KB in the media folder"
    )
    parser.add_argument("--reuse", action="store_true", help="reuse the data of an earlier run if present")
    args = parser.parse_args()
    url = os.environ["GOVHALL_DATABASE_URL"]
    if not urlparse(url).scheme.startswith("postgres"):
        raise SystemExit("this benchmark needs PostgreSQL (GOVHALL_DATABASE_URL=postgres://…)")
    work = Path(tempfile.mkdtemp(prefix="gh-backup-bench-"))
    media = work / "media"
    os.environ["GOVHALL_MEDIA_DIR"] = str(media)

    import django

    django.setup()
    from django.db import connection

    have = 0
    if args.reuse:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM cases_case")
                have = cursor.fetchone()[0]
        except Exception:
            have = 0
        connection.close()
    if have < args.cases:
        cases_scale.recreate_database(url)
        t0 = time.perf_counter()
        cases_scale.build(args.cases)
        print(f"data built in {time.perf_counter() - t0:.1f} s")
    from govhall.cases.models import Case
    from govhall.core.backup import make_backup, verify_backup
    from govhall.core.filecrypt import write_encrypted

    total = Case.objects.count()
    (media / "cases" / "2026" / "12").mkdir(parents=True, exist_ok=True)
    for i in range(args.files):
        write_encrypted(media / "cases" / "2026" / "12" / f"scan-{i}.jpg", os.urandom(SCAN))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        db_bytes = cursor.fetchone()[0]
    connection.close()
    print(
        f"{total:,} cases, database {db_bytes / 2**20:,.0f} MB, {args.files} scans "
        f"({args.files * SCAN / 2**20:,.0f} MB) — {os.cpu_count()} cores, shared, "
        f"load average {os.getloadavg()[0]:.1f}"
    )

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    env = pg_env(url)
    dest = work / "backups"
    made: list[Path] = []
    bare_dump = work / "bare.dump"
    figures = {
        "pg_dump -Fc (bare)": clock(
            "pg_dump -Fc (bare)",
            lambda: subprocess.run(["pg_dump", "-Fc", "-d", name, "-f", str(bare_dump)], env=env, check=True),
        ),
    }
    figures["govhall backup"] = clock("govhall backup", lambda: made.append(make_backup(dest).path))
    backup = made[0]
    size = sum(p.stat().st_size for p in backup.rglob("*") if p.is_file())
    figures["govhall backup verify"] = clock("govhall backup verify", lambda: verify_backup(backup))

    for suffix in ("restored", "bare"):
        subprocess.run(["dropdb", "--if-exists", "--force", f"{name}_{suffix}"], env=env, check=True)
        subprocess.run(["createdb", f"{name}_{suffix}"], env=env, check=True)
    figures["pg_restore (bare)"] = clock(
        "pg_restore (bare, same dump)",
        lambda: subprocess.run(
            ["pg_restore", "--no-owner", "--single-transaction", "-d", f"{name}_bare", str(bare_dump)],
            env=env,
            check=True,
        ),
    )
    target_env = {
        **os.environ,
        "GOVHALL_DATABASE_URL": parsed._replace(path=f"/{name}_restored").geturl(),
        "GOVHALL_VAR_DIR": str(work / "restored"),
        "GOVHALL_MEDIA_DIR": str(work / "restored" / "media"),
        "GOVHALL_DB_POOL_SIZE": "0",
    }
    govhall = Path(sys.executable).with_name("govhall")
    figures["govhall restore"] = clock(
        "govhall restore (incl. audit verify)",
        lambda: subprocess.run(
            [str(govhall), "restore", str(backup)], env=target_env, check=True, stdout=subprocess.DEVNULL
        ),
    )
    print(
        f"  backup size {size / 2**20:,.0f} MB (database dump + scans); load average now {os.getloadavg()[0]:.1f}"
    )
    print(
        f"  ratios: backup / bare pg_dump {figures['govhall backup'] / figures['pg_dump -Fc (bare)']:.2f}, "
        f"restore / bare pg_restore {figures['govhall restore'] / figures['pg_restore (bare)']:.2f}"
    )
    if total < FULL:
        scale = FULL / total
        print(f"  extrapolated linearly to {FULL:,} cases (x{scale:.1f}; measured at {total:,}):")
        for label in ("govhall backup", "govhall backup verify", "govhall restore"):
            print(f"    {label:<40} ~{figures[label] * scale / 60:6.1f} min")
    for suffix in ("restored", "bare"):
        subprocess.run(["dropdb", "--if-exists", "--force", f"{name}_{suffix}"], env=env, check=False)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
