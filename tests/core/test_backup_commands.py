"""`govhall backup`, `govhall backup verify`, `govhall restore` refusals, retention and the nightly task
(issue 20 part A). The full restore drill — back up while writing, restore, compare — is test_backup_restore.py."""

from __future__ import annotations

import datetime as dt
import io
import json
import tarfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from govhall.core.audit import audit_record, audit_verify
from govhall.core.backup import key_id, make_backup
from govhall.core.filecrypt import MAGIC, write_encrypted

pytestmark = pytest.mark.django_db(transaction=True)

MOMENT = dt.datetime(2026, 11, 20, 2, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
OTHER_KEY = "cd" * 16


@pytest.fixture
def installation(settings):
    """A few audit rows and two encrypted uploads, the way the case services leave them."""
    from tests.factories import UserFactory

    UserFactory(username="backup_clerk")
    for n in range(3):
        audit_record(action="test.backup", object_type="test", object_id=str(n))
    scans = Path(settings.MEDIA_ROOT) / "cases" / "2026" / "11"
    scans.mkdir(parents=True)
    write_encrypted(scans / "a.png", b"PNG-" + b"x" * 5000)
    write_encrypted(scans / "b.pdf", b"%PDF-" + b"y" * 70000)  # two segments
    return scans


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def backup_of(tmp_path: Path, *extra: str) -> Path:
    with time_machine.travel(MOMENT, tick=False):
        run("backup", "--dest", str(tmp_path / "backups"), *extra)
    made = sorted((tmp_path / "backups").iterdir())
    assert len(made) == 1, made
    return made[0]


def test_backup_holds_database_files_and_a_manifest(installation, tmp_path):
    backup = backup_of(tmp_path)
    assert backup.name == "govhall-backup-20261120-023000"
    manifest = json.loads((backup / "manifest.json").read_text())
    head = audit_verify()
    assert manifest["audit_head"] == {"seq": head.head_seq, "hash": head.head_hash}
    assert manifest["field_key"] == {"key_id": key_id()}
    assert "0001_initial" in manifest["migrations"]["core"]
    assert set(manifest["parts"]) >= {"media/cases/2026/11/a.png", "media/cases/2026/11/b.pdf"}
    # Uploads are copied as stored: ciphertext, byte for byte.
    copied = (backup / "media/cases/2026/11/b.pdf").read_bytes()
    assert copied.startswith(MAGIC) and copied == (installation / "b.pdf").read_bytes()
    assert b"%PDF" not in copied
    assert "OK 备份完整：" in run("backup_verify", str(backup))


def test_verify_and_restore_refuse_an_altered_file(installation, tmp_path):
    backup = backup_of(tmp_path)
    scan = backup / "media/cases/2026/11/a.png"
    data = bytearray(scan.read_bytes())
    data[-1] ^= 1
    scan.write_bytes(bytes(data))
    with pytest.raises(CommandError, match=r"media/cases/2026/11/a\.png 的摘要与清单不符") as failed:
        run("backup_verify", str(backup))
    assert failed.value.returncode == 1
    with pytest.raises(CommandError, match="摘要与清单不符"):
        run("restore", str(backup), "--force")


def test_verify_notices_a_missing_or_added_file_and_an_edited_manifest(installation, tmp_path):
    backup = backup_of(tmp_path)
    (backup / "media/cases/2026/11/a.png").unlink()
    with pytest.raises(CommandError, match="缺少 1 个文件"):
        run("backup_verify", str(backup))

    backup.rename(tmp_path / "old")
    backup = backup_of(tmp_path)
    (backup / "media/cases/2026/11/planted.png").write_bytes(b"x")
    with pytest.raises(CommandError, match="清单之外的文件"):
        run("backup_verify", str(backup))
    (backup / "media/cases/2026/11/planted.png").unlink()

    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["audit_head"]["seq"] += 1  # someone "adjusts" the head to hide a truncation
    (backup / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="清单被改动过"):
        run("backup_verify", str(backup))


def test_restore_refuses_another_field_key_and_names_the_one_expected(installation, tmp_path, settings):
    backup = backup_of(tmp_path, "--tar")
    assert backup.name.endswith(".tar")
    expected = key_id()
    settings.FIELD_KEY = OTHER_KEY
    # verify still works without the key (it says which key a restore will need) …
    assert f"恢复时须配置编号 {expected} 的密钥" in run("backup_verify", str(backup))
    # … restore refuses, naming it.
    with pytest.raises(CommandError, match=f"字段密钥编号 {expected} 下制作的") as failed:
        run("restore", str(backup))
    assert f"编号为 {key_id()}" in str(failed.value)


def test_restore_refuses_a_non_empty_installation_without_force(installation, tmp_path):
    backup = backup_of(tmp_path)
    with pytest.raises(CommandError, match="目标系统不是空的") as failed:
        run("restore", str(backup))
    assert "--force" in str(failed.value) and "审计日志记录" in str(failed.value)


def test_a_failed_backup_exits_non_zero_says_why_and_leaves_nothing(installation, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(CommandError, match="备份失败：无法创建备份目录") as failed:
        run("backup", "--dest", str(blocker / "sub"))
    assert failed.value.returncode == 1
    assert "技术原因" in str(failed.value)
    with pytest.raises(CommandError, match="GOVHALL_BACKUP_DIR"):
        run("backup")


def test_a_failed_copy_leaves_no_partial_backup(installation, tmp_path, settings, monkeypatch):
    from govhall.core import backup as module

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module, "_copy_media", disk_full)
    with pytest.raises(CommandError, match="磁盘空间不足") as failed:
        run("backup", "--dest", str(tmp_path / "b"))
    assert "No space left on device" in str(failed.value)
    assert list((tmp_path / "b").iterdir()) == []


def test_old_backups_are_pruned_after_a_good_one(installation, tmp_path):
    dest = tmp_path / "backups"
    for stamp in ("20261101-023000", "20261105-023000", "20261119-023000"):
        (dest / f"govhall-backup-{stamp}").mkdir(parents=True)
    (dest / "govhall-backup-20261102-023000.tar").write_bytes(b"")
    (dest / "notes.txt").write_text("kept")
    result = make_backup(dest, keep_days=14, now=MOMENT)
    assert sorted(p.name for p in dest.iterdir()) == [
        "govhall-backup-20261119-023000",
        result.path.name,
        "notes.txt",
    ]
    assert {p.name for p in result.pruned} == {
        "govhall-backup-20261101-023000",
        "govhall-backup-20261105-023000",
        "govhall-backup-20261102-023000.tar",
    }


def test_nightly_task_runs_only_when_a_folder_is_configured(installation, tmp_path, settings):
    from govhall.core.tasks import backup_nightly

    settings.BACKUP_DIR = ""
    assert backup_nightly() == ""
    settings.BACKUP_DIR = str(tmp_path / "nightly")
    settings.BACKUP_TAR = True
    with time_machine.travel(MOMENT, tick=False):
        made = Path(backup_nightly())
    assert made.name == "govhall-backup-20261120-023000.tar"
    with tarfile.open(made) as archive:
        assert "manifest.json" in archive.getnames()


def test_backup_verify_is_a_two_word_command(monkeypatch):
    from govhall import cli

    seen: list[list[str]] = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", seen.append)
    cli.main(["govhall", "backup", "verify", "/srv/b"])
    cli.main(["govhall", "backup", "--dest", "/srv"])
    assert seen == [["govhall", "backup_verify", "/srv/b"], ["govhall", "backup", "--dest", "/srv"]]


def test_migrate_check_says_in_chinese_that_the_schema_is_current():
    assert "没有待执行的迁移" in run("migrate", "--check")
