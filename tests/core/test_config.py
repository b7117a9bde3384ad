"""Configuration from GOVHALL_* variables only (issue 2, part 2): a wrong value stops start-up with a
message naming the variable; keys that are not set are generated into var/ with mode 0600."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SETUP = "import django; django.setup(); from django.conf import settings; print(settings.FIELD_KEY)"


def launch(var_dir: Path, **overrides: str) -> subprocess.Popen[str]:
    """Start Django in a fresh interpreter with only the given GOVHALL_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVHALL_")}
    env.update(DJANGO_SETTINGS_MODULE="govhall.settings", GOVHALL_VAR_DIR=str(var_dir), **overrides)
    return subprocess.Popen(
        [sys.executable, "-c", SETUP],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    stdout, stderr = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def start(var_dir: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    return finish(launch(var_dir, **overrides))


BAD_VALUES = [
    ("GOVHALL_DATABASE_URL", "mysql://root@127.0.0.1/govhall", "is not understood"),
    ("GOVHALL_FIELD_KEY", "zz", "32 hexadecimal characters"),
    ("GOVHALL_FIELD_KEY", "00112233445566778899aabbccddee", "32 hexadecimal characters"),  # 15 bytes
    ("GOVHALL_SECRET_KEY", "short", "at least 32 characters"),
    ("GOVHALL_DEBUG", "maybe", "is not a boolean"),
    ("GOVHALL_REDIS_URL", "http://127.0.0.1:6379/0", "is not a redis:// URL"),
    ("GOVHALL_SESSION_IDLE_SECONDS", "half an hour", "is not an integer"),
    ("GOVHALL_SMS_BACKEND", "carrier-pigeon", "is not one of"),
    ("GOVHALL_LOG_LEVEL", "LOUD", "is not one of"),
    ("GOVHALL_PUBLIC_URL", "qidong.gov.cn", "is not an http(s)://host URL"),
]


@pytest.fixture(scope="module")
def bad_starts(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[tuple[str, str], subprocess.CompletedProcess[str]]:
    """All the failing start-ups at once, in parallel: each is a fresh interpreter."""
    procs = {
        (var, value): launch(tmp_path_factory.mktemp("var"), **{var: value}) for var, value, _ in BAD_VALUES
    }
    return {key: finish(proc) for key, proc in procs.items()}


@pytest.mark.parametrize(("variable", "value", "says"), BAD_VALUES)
def test_wrong_value_stops_start_up_naming_the_variable(bad_starts, variable, value, says):
    result = bad_starts[(variable, value)]
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert variable in last_line and says in last_line


def test_http_sms_backend_without_its_url_names_the_missing_variable(tmp_path):
    result = start(tmp_path, GOVHALL_SMS_BACKEND="http")
    assert result.returncode != 0
    assert "GOVHALL_SMS_URL" in result.stderr.strip().splitlines()[-1]


def test_good_values_start(tmp_path):
    result = start(
        tmp_path,
        GOVHALL_DATABASE_URL=f"sqlite:///{tmp_path / 'other.sqlite3'}",
        GOVHALL_FIELD_KEY="00112233445566778899aabbccddeeff",
        GOVHALL_DEBUG="off",
        GOVHALL_REDIS_URL="redis://127.0.0.1:6379/15",
        GOVHALL_SMS_BACKEND="http",
        GOVHALL_SMS_URL="https://sms.example.internal/send",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "00112233445566778899aabbccddeeff"
    assert not (tmp_path / "field_key").exists()  # a key given in the environment is not written down


def test_unset_keys_are_generated_into_var_once_with_owner_only_permissions(tmp_path):
    first = start(tmp_path)
    assert first.returncode == 0, first.stderr
    for name, length in [("secret_key", 64), ("field_key", 32)]:
        path = tmp_path / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert len(path.read_text().strip()) == length
    assert first.stdout.strip() == (tmp_path / "field_key").read_text().strip()
    second = start(tmp_path)
    assert second.stdout == first.stdout  # the same key on every later start
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_damaged_key_file_is_named_in_the_message(tmp_path):
    (tmp_path / "field_key").write_text("not hex at all")
    result = start(tmp_path)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "GOVHALL_FIELD_KEY" in last_line and str(tmp_path / "field_key") in last_line


def test_var_directory_is_created_private(tmp_path):
    var_dir = tmp_path / "fresh" / "var"
    assert start(var_dir).returncode == 0
    assert stat.S_IMODE(var_dir.stat().st_mode) == 0o700
