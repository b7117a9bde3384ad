"""`govhall serve` (issue 2, part 3): the single-node shape runs uvicorn and the huey worker in one
process; Ctrl-C (SIGINT) stops both and the process exits; a second start is quick and keeps the data."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GOVHALL = Path(sys.executable).with_name("govhall")
PHONE = "13912345678"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def single_node_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVHALL_")}
    env.update(GOVHALL_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="govhall.settings", PYTHONUNBUFFERED="1")
    return env


def govhall(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GOVHALL), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=180
    )


def healthz(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return json.loads(response.read())
    except OSError:
        return None


class Served:
    def __init__(self, var_dir: Path, *extra: str) -> None:
        self.port = free_port()
        self.out = (var_dir / f"serve-{self.port}.out").open("w+")
        self.err = (var_dir / f"serve-{self.port}.err").open("w+")
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [str(GOVHALL), "serve", "--port", str(self.port), *extra],
            cwd=REPO,
            env=single_node_env(var_dir),
            stdout=self.out,
            stderr=self.err,
        )
        while healthz(self.port) is None:
            assert self.proc.poll() is None, self.output()
            assert time.monotonic() - started < 60, "server did not come up"
            time.sleep(0.1)
        self.ready_after = time.monotonic() - started

    def output(self) -> str:
        self.out.seek(0)
        self.err.seek(0)
        return self.out.read() + self.err.read()

    def stop(self, sig: int) -> tuple[int, float]:
        started = time.monotonic()
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=15)
        return code, time.monotonic() - started

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("single-node")
    result = govhall("migrate", "--no-input", "-v", "0", env=single_node_env(path))
    assert result.returncode == 0, result.stderr
    yield path


def notification_rows(var_dir: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(var_dir / "govhall.sqlite3") as db:
        return db.execute("SELECT status, attempts FROM exchange_notification").fetchall()


def test_single_node_serves_runs_tasks_and_stops_both_on_ctrl_c(var_dir):
    served = Served(var_dir)
    try:
        assert healthz(served.port) == {
            "status": "ok",
            "database_engine": "sqlite",
            "events": "local",
            "database": "ok",
            # Not a development run, default public URL: reported, node stays in service (issue 16).
            "public_url_ok": False,
            "public_url_problem": "GOVHALL_PUBLIC_URL=http://127.0.0.1:8000 是本机地址，群众的手机扫码打不开；"
            "请设置为本站的公网地址（如 https://zwfw.qidong.gov.cn）",
        }
        # Another process (a shell, a management command) queues an SMS; the worker inside `serve` sends it.
        queued = govhall(
            "shell",
            "-c",
            (
                "from django.db import transaction\n"
                "from govhall.exchange.services import notify_sms\n"
                "with transaction.atomic():\n"
                f"    notify_sms(phone='{PHONE}', text='您的验证码是 246810，5分钟内有效。', sensitive=True)\n"
            ),
            env=single_node_env(var_dir),
        )
        assert queued.returncode == 0, queued.stderr
        deadline = time.monotonic() + 30
        while notification_rows(var_dir) != [("sent", 1)] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert notification_rows(var_dir) == [("sent", 1)]
        assert "139****5678：您的验证码是 246810" in served.output()  # the log backend shows the developer

        code, took = served.stop(signal.SIGINT)
    finally:
        served.kill()
    output = served.output()
    assert code == 0, output
    assert took < 8, f"Ctrl-C took {took:.1f}s"
    assert "后台任务处理已停止" in output and "govhall 已停止" in output
    assert "Traceback" not in output
    for db_file in var_dir.glob("govhall.sqlite3*"):  # the database and its WAL: the number is encrypted
        assert PHONE.encode() not in db_file.read_bytes()


def test_second_start_is_quick_keeps_the_data_and_sigterm_stops_it(var_dir):
    if not notification_rows(var_dir):
        pytest.skip("runs after the first start above")
    served = Served(var_dir)
    try:
        output_before_stop = served.output()
        code, took = served.stop(signal.SIGTERM)  # what systemd sends
    finally:
        served.kill()
    assert served.ready_after < 20, f"second start took {served.ready_after:.1f}s"
    assert "尚未执行" not in output_before_stop  # nothing to install or migrate again
    assert notification_rows(var_dir) == [("sent", 1)]
    assert code == 0 and took < 8
    assert "后台任务处理已停止" in served.output()


def test_several_web_processes_need_redis(var_dir):
    result = govhall("serve", "--workers", "2", "--port", str(free_port()), env=single_node_env(var_dir))
    assert result.returncode != 0
    assert "GOVHALL_REDIS_URL" in result.stderr


def test_gunicorn_shape_serves_ordinary_requests_and_sigterm_stops_it(var_dir):
    """Issue 15: `serve --server gunicorn` runs ordinary requests under gunicorn's threaded WSGI workers
    (event streams stay with a uvicorn `serve` behind the proxy, docs/operations.md)."""
    served = Served(var_dir, "--server", "gunicorn", "--threads", "2", "--no-worker")
    try:
        assert healthz(served.port) is not None
        with urllib.request.urlopen(f"http://127.0.0.1:{served.port}/api/v1/queueing/ping", timeout=5) as r:
            assert json.loads(r.read())["ok"] is True
        code, took = served.stop(signal.SIGTERM)
    finally:
        served.kill()
    assert code == 0 and took < 15  # the workers' graceful stop (--graceful-timeout 5) on a busy machine
    assert "gunicorn" in served.output() and "govhall 已停止" in served.output()


def test_gunicorn_shape_needs_a_separate_task_worker(var_dir):
    result = govhall(
        "serve", "--server", "gunicorn", "--port", str(free_port()), env=single_node_env(var_dir)
    )
    assert result.returncode != 0
    assert "--no-worker" in result.stderr


def test_serve_refuses_a_schema_with_pending_migrations(tmp_path):
    """Issue 20: an upgrade whose migrations were not run does not start half-working; the message names
    the command to run. (Until issue 20 it started with a warning.)"""
    result = govhall("serve", "--no-worker", "--port", str(free_port()), env=single_node_env(tmp_path))
    assert result.returncode != 0
    assert "尚未执行" in result.stderr and "govhall migrate" in result.stderr
    assert "已启动" not in result.stdout
