"""Backup, verify and restore of a whole installation: the database, the uploaded files, a manifest.

A backup is a folder (or the same folder as an uncompressed tarball) named ``govhall-backup-YYYYMMDD-HHMMSS``::

    manifest.json         what is in it, with the SM3 digest and size of every other file
    database.sqlite3      SQLite: a copy made with SQLite's online backup API (one consistent snapshot)
    database.dump         PostgreSQL: ``pg_dump -Fc`` of an exported snapshot
    media/…               the uploaded files exactly as stored (case materials stay SM4-encrypted)

The manifest also holds the field key's id (a keyed digest of GOVHALL_FIELD_KEY, the same id every encrypted
file's header names; never the key), the migrations applied in the copied database, and the audit chain's
head *as it is in the copy*: on PostgreSQL both are read inside the snapshot pg_dump dumps, on SQLite from the
copy itself, so they describe exactly the moment of the backup. A keyed SM3 (HMAC) of the manifest under the
field key lets `restore` notice an edited manifest. The backup is written under a ``.partial`` name and
renamed when complete: a failed run leaves nothing that looks like a backup. See docs/operations.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from govhall.core.crypto import sm3_hmac
from govhall.core.filecrypt import current_key

FORMAT = "govhall-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA = "media"
NAME_RE = re.compile(r"^govhall-backup-(\d{8}-\d{6})(\.tar)?$")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A failure an operator must act on: `message` in Chinese says what and what to do, `detail` is the
    technical reason (an exception's text, a tool's stderr)."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message}（技术原因：{self.detail}）" if self.detail else self.message


# --- helpers -------------------------------------------------------------------------------------


def key_id() -> str:
    """The configured field key's id: the 8-byte keyed digest uploaded files carry in their header."""
    return current_key().key_id.hex()


def _manifest_mac(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "mac"}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    master = bytes.fromhex(settings.FIELD_KEY)
    return sm3_hmac(sm3_hmac(master, b"govhall-backup-manifest"), canonical.encode()).hex()


def _sm3_stream(handle: IO[bytes], copy_to: IO[bytes] | None = None) -> tuple[str, int]:
    digest = hashes.Hash(hashes.SM3())
    size = 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return digest.finalize().hex(), size


def _sm3_file(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        sm3, size = _sm3_stream(handle)
    return {"size": size, "sm3": sm3}


def _vendor() -> str:
    return connections[DEFAULT_DB_ALIAS].vendor


def _pg_env() -> dict[str, str]:
    """libpq's environment for pg_dump/pg_restore/psycopg: the configured database, password not on argv."""
    db = settings.DATABASES[DEFAULT_DB_ALIAS]
    env = dict(os.environ)
    for var, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _run_tool(args: list[str], what: str) -> None:
    try:
        done = subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError(f"{what}失败：找不到 {args[0]}（请安装 PostgreSQL 客户端工具）", str(exc)) from exc
    if done.returncode != 0:
        raise BackupError(f"{what}失败", (done.stderr or done.stdout).strip()[-800:])


def _close_connections() -> None:
    connections.close_all()
    close_pool = getattr(connections[DEFAULT_DB_ALIAS], "close_pool", None)
    if close_pool is not None:
        close_pool()


# --- backup --------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    pruned: list[Path] = field(default_factory=list)


def _snapshot_sqlite(target: Path) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """SQLite's online backup API, in one step: a consistent copy of a live database (WAL included)."""
    from govhall.core.models import AuditHead

    conn = connections[DEFAULT_DB_ALIAS]
    conn.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        conn.connection.backup(copy)
    finally:
        copy.close()
    copy = sqlite3.connect(target)
    try:
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        migrations = copy.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
        head = copy.execute(f'SELECT seq, hash FROM "{AuditHead._meta.db_table}" WHERE id = 1').fetchone()  # noqa: S608 - our table name
    finally:
        copy.close()
    return _group(migrations), _head(head)


def _snapshot_postgres(target: Path) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """pg_dump -Fc of a snapshot exported from our own REPEATABLE READ transaction, in which the migration
    state and the audit head are read too: all three describe the same moment."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    from govhall.core.models import AuditHead

    env = _pg_env()
    kwargs = {
        k: env[v]
        for k, v in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("password", "PGPASSWORD"))
        if v in env
    }
    conninfo = make_conninfo("", dbname=env["PGDATABASE"], **kwargs)
    with psycopg.connect(conninfo) as db:
        db.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        db.read_only = True
        with db.transaction():
            row = db.execute("SELECT pg_export_snapshot()").fetchone()
            snapshot = str(row[0]) if row else ""
            migrations = db.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
            head = db.execute(f'SELECT seq, hash FROM "{AuditHead._meta.db_table}" WHERE id = 1').fetchone()  # noqa: S608
            _run_tool(
                ["pg_dump", "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(target)],
                "导出 PostgreSQL 数据库（pg_dump）",
            )
    return _group(migrations), _head(head)


def _group(rows: list[Any]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for app, name in rows:
        grouped.setdefault(str(app), []).append(str(name))
    return grouped


def _head(row: Any) -> dict[str, Any]:
    return {"seq": int(row[0]), "hash": str(row[1])} if row else {"seq": 0, "hash": "0" * 64}


def _copy_media(source: Path, target: Path) -> dict[str, dict[str, Any]]:
    """Copy every file as stored (ciphertext stays ciphertext), hashing as it goes."""
    parts: dict[str, dict[str, Any]] = {}
    if not source.is_dir():
        return parts
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        relative = path.relative_to(source).as_posix()
        out = target / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("rb") as src, out.open("wb") as dst:
                sm3, size = _sm3_stream(src, dst)
        except FileNotFoundError:
            continue  # removed while we walked (a replaced temporary file): not part of the backup
        shutil.copystat(path, out)
        parts[f"{MEDIA}/{relative}"] = {"size": size, "sm3": sm3}
    return parts


def make_backup(
    dest: Path, *, tar: bool = False, keep_days: int | None = None, now: dt.datetime | None = None
) -> BackupResult:
    now = timezone.localtime(now or timezone.now())
    name = f"govhall-backup-{now:%Y%m%d-%H%M%S}"
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"无法创建备份目录 {dest}", str(exc)) from exc
    final = dest / (name + (".tar" if tar else ""))
    if final.exists():
        raise BackupError(f"备份 {final.name} 已存在（同一秒内重复运行？），请稍后再试")
    work = dest / f".{name}.partial"
    shutil.rmtree(work, ignore_errors=True)
    try:
        work.mkdir()
        vendor = _vendor()
        if vendor == "sqlite":
            db_file = SQLITE_FILE
            migrations, head = _snapshot_sqlite(work / db_file)
        elif vendor == "postgresql":
            db_file = PG_FILE
            migrations, head = _snapshot_postgres(work / db_file)
        else:
            raise BackupError(f"不支持备份 {vendor} 数据库")
        parts = {db_file: _sm3_file(work / db_file)}
        # After the snapshot: every file the copied database refers to was written before it, so is here.
        parts.update(_copy_media(Path(settings.MEDIA_ROOT), work / MEDIA))
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "name": name,
            "created_at": now.isoformat(),
            "govhall_version": _version(),
            "database": {"vendor": vendor, "file": db_file},
            "field_key": {"key_id": key_id()},
            "migrations": migrations,
            "audit_head": head,
            "parts": parts,
        }
        manifest["mac"] = _manifest_mac(manifest)
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
        if tar:
            partial_tar = dest / f".{name}.tar.partial"
            with tarfile.open(partial_tar, "w") as archive:
                archive.add(work / MANIFEST, arcname=MANIFEST)
                for part in parts:
                    archive.add(work / part, arcname=part)
            _fsync(partial_tar)
            partial_tar.rename(final)
            shutil.rmtree(work)
        else:
            work.rename(final)
    except BackupError:
        _discard(work, dest / f".{name}.tar.partial")
        raise
    except OSError as exc:
        _discard(work, dest / f".{name}.tar.partial")
        raise BackupError(f"写入备份失败（磁盘空间不足或没有写权限？）：{dest}", str(exc)) from exc
    except Exception as exc:
        _discard(work, dest / f".{name}.tar.partial")
        raise BackupError("备份失败", f"{exc.__class__.__name__}: {exc}") from exc
    pruned = prune(dest, keep_days, now) if keep_days else []
    return BackupResult(final, manifest, pruned)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("govhall")
    except PackageNotFoundError:
        return "unknown"


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _discard(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            path.unlink()


def prune(dest: Path, keep_days: int, now: dt.datetime) -> list[Path]:
    """Remove backups older than keep_days (by the moment in their name); never the newest one."""
    backups = sorted(
        (p for p in dest.iterdir() if NAME_RE.match(p.name)),
        key=lambda p: NAME_RE.match(p.name).group(1),  # type: ignore[union-attr]
    )
    cutoff = timezone.localtime(now) - dt.timedelta(hours=24 * keep_days)
    removed = []
    for path in backups[:-1]:
        stamp = NAME_RE.match(path.name).group(1)  # type: ignore[union-attr]
        made = dt.datetime.strptime(stamp, "%Y%m%d-%H%M%S").replace(tzinfo=cutoff.tzinfo)
        if made < cutoff:
            _discard(path)
            removed.append(path)
    return removed


# --- reading a backup (folder or tarball) -----------------------------------------------------------


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._tar: tarfile.TarFile | None = None
        if path.is_file():
            try:
                self._tar = tarfile.open(path, "r:*")
            except (tarfile.TarError, OSError) as exc:
                raise BackupError(f"{path} 不是可读的备份压缩包", str(exc)) from exc
        elif not path.is_dir():
            raise BackupError(f"找不到备份 {path}")

    def names(self) -> set[str]:
        if self._tar is not None:
            return {m.name for m in self._tar.getmembers() if m.isfile()}
        return {p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file()}

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        if self._tar is not None:
            handle = self._tar.extractfile(name)
            if handle is None:
                raise BackupError(f"备份中的 {name} 不是普通文件")
            with handle:
                yield handle
        else:
            with (self.path / name).open("rb") as handle:
                yield handle

    def close(self) -> None:
        if self._tar is not None:
            self._tar.close()


@dataclass
class VerifyReport:
    manifest: dict[str, Any]
    parts_checked: int
    bytes_checked: int
    key_matches: bool


def verify_backup(path: Path) -> VerifyReport:
    """Check a backup without restoring it: the manifest is readable and complete, every part is there
    with its size and SM3 digest, nothing unlisted was added, and (when the configured field key is the
    backup's) the manifest's keyed digest."""
    reader = _Reader(path)
    try:
        manifest = _read_manifest(reader)
        listed: dict[str, dict[str, Any]] = manifest["parts"]
        present = reader.names() - {MANIFEST}
        missing = sorted(set(listed) - present)
        if missing:
            raise BackupError(f"备份不完整：缺少 {len(missing)} 个文件，如 {missing[0]}")
        extra = sorted(present - set(listed))
        if extra:
            raise BackupError(f"备份中有清单之外的文件 {len(extra)} 个，如 {extra[0]}（备份被改动过？）")
        total = 0
        for name, expected in sorted(listed.items()):
            with reader.open(name) as handle:
                sm3, size = _sm3_stream(handle)
            if size != expected.get("size") or sm3 != expected.get("sm3"):
                raise BackupError(
                    f"备份文件 {name} 的摘要与清单不符（文件损坏或被改动）",
                    f"SM3 {sm3} 大小 {size}，清单记录 SM3 {expected.get('sm3')} 大小 {expected.get('size')}",
                )
            total += size
        matches = manifest["field_key"]["key_id"] == key_id()
        if matches and manifest.get("mac") != _manifest_mac(manifest):
            raise BackupError("备份清单被改动过（清单的密钥摘要不符）")
        return VerifyReport(manifest, len(listed), total, matches)
    finally:
        reader.close()


def _read_manifest(reader: _Reader) -> dict[str, Any]:
    try:
        with reader.open(MANIFEST) as handle:
            manifest = json.loads(handle.read().decode())
    except (KeyError, FileNotFoundError) as exc:
        raise BackupError(f"{reader.path} 中没有 {MANIFEST}：不是 govhall 备份") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"备份清单 {MANIFEST} 已损坏，无法读取", str(exc)) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式 {manifest.get('format') if isinstance(manifest, dict) else '?'}")
    for key in ("parts", "database", "field_key", "audit_head", "migrations"):
        if not isinstance(manifest.get(key), dict):
            raise BackupError(f"备份清单缺少 {key}：清单已损坏")
    return manifest


# --- restore -------------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    media_files: int
    audit_checked: int
    pending_migrations: int


def target_contents() -> list[str]:
    """What the configured installation already holds; empty when it is safe to restore into."""
    from django.contrib.auth import get_user_model

    from govhall.core.models import AuditEntry

    found = []
    conn = connections[DEFAULT_DB_ALIAS]
    tables = set(conn.introspection.table_names())
    for model, label in ((AuditEntry, "审计日志记录"), (get_user_model(), "用户")):
        if model._meta.db_table in tables and model.objects.exists():
            found.append(f"{model.objects.count()} 条{label}")
    media = Path(settings.MEDIA_ROOT)
    files = sum(1 for p in media.rglob("*") if p.is_file()) if media.is_dir() else 0
    if files:
        found.append(f"{files} 个上传文件（{media}）")
    return found


def restore_backup(path: Path, *, force: bool = False, say: Callable[[str], None] = print) -> RestoreResult:
    report = verify_backup(path)
    manifest = report.manifest
    say(f"备份核验通过：{report.parts_checked} 个文件，{report.bytes_checked} 字节。")
    expected = manifest["field_key"]["key_id"]
    if not report.key_matches:
        raise BackupError(
            f"字段密钥不符：该备份是在字段密钥编号 {expected} 下制作的，当前配置的 GOVHALL_FIELD_KEY 编号为 {key_id()}。"
            f"请把 GOVHALL_FIELD_KEY 设为编号 {expected} 的那把密钥（与备份分开保管的那份）后重试；"
            "用别的密钥恢复，身份证号、手机号和上传的扫描件都将无法读取。"
        )
    vendor = manifest["database"]["vendor"]
    if vendor != _vendor():
        raise BackupError(
            f"该备份来自 {vendor} 数据库，当前配置的是 {_vendor()}：请把 GOVHALL_DATABASE_URL 指向一个 {vendor} 数据库"
        )
    if not force:
        found = target_contents()
        if found:
            raise BackupError(
                "目标系统不是空的（" + "，".join(found) + "）：恢复会覆盖这些数据。"
                "请恢复到一套新的空系统；确需覆盖时加 --force。"
            )
    with _unpacked(path) as folder:
        _close_connections()
        db_file = folder / manifest["database"]["file"]
        if vendor == "sqlite":
            _restore_sqlite(db_file)
        else:
            _restore_postgres(db_file, clean=force)
        media_files = _restore_media(folder / MEDIA)
    say(f"数据库和 {media_files} 个上传文件已恢复。")
    return _check_restored(manifest, media_files)


@contextmanager
def _unpacked(path: Path) -> Iterator[Path]:
    if path.is_dir():
        yield path
        return
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=settings.VAR_DIR) as tmp:
        try:
            with tarfile.open(path, "r:*") as archive:
                archive.extractall(tmp, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise BackupError("解开备份压缩包失败（磁盘空间不足？）", str(exc)) from exc
        yield Path(tmp)


def _restore_sqlite(source: Path) -> None:
    target = str(settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"])
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target, timeout=20)
        try:
            src.backup(dst)  # replaces the whole target database, in one transaction
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise BackupError(f"写入 SQLite 数据库 {target} 失败（govhall 仍在运行？）", str(exc)) from exc
    finally:
        src.close()


def _restore_postgres(dump: Path, *, clean: bool) -> None:
    args = [
        "pg_restore",
        "--no-owner",
        "--exit-on-error",
        "--single-transaction",
        "-d",
        _pg_env()["PGDATABASE"],
    ]
    if clean:
        args += ["--clean", "--if-exists"]
    _run_tool([*args, str(dump)], "恢复 PostgreSQL 数据库（pg_restore）")


def _restore_media(source: Path) -> int:
    target = Path(settings.MEDIA_ROOT)
    count = 0
    if not source.is_dir():
        return 0
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.restoring")
        shutil.copy2(path, tmp)
        os.replace(tmp, out)
        count += 1
    return count


def _check_restored(manifest: dict[str, Any], media_files: int) -> RestoreResult:
    from django.db.migrations.executor import MigrationExecutor

    from govhall.core.audit import audit_verify

    result = audit_verify()
    head = manifest["audit_head"]
    if not result.ok:
        raise BackupError(f"恢复后审计日志链核验失败：第{result.broken_seq}条，{result.reason}")
    if (result.head_seq, result.head_hash) != (head["seq"], head["hash"]) and result.checked:
        raise BackupError(
            "恢复后的审计日志链尾与备份清单不符",
            f"链尾 #{result.head_seq} {result.head_hash}，清单 #{head['seq']} {head['hash']}",
        )
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    _close_connections()
    return RestoreResult(manifest, media_files, result.checked, len(pending))
