"""Private Redis and PostgreSQL servers for the fault tests and bench/faults.py (issue 20).

The shared servers on 6379 and 5432 belong to every helper and to CI: a fault is never injected there. Each
context manager starts its own server on a free loopback port in a temporary folder, lets the caller stop
and start it, and removes everything at the end. ``missing()`` names what is not installed, so a test can
skip with the reason."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


def real_clock_env() -> dict[str, str]:
    """The environment for a server that is not ours (redis-server, PostgreSQL): on the machine's real clock
    even in the clock-ahead pass, as in production, where only the clock of our own code is the question."""
    return {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, *, up: bool, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            is_up = s.connect_ex(("127.0.0.1", port)) == 0
        if is_up == up:
            return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} did not come {'up' if up else 'down'} within {seconds} s")


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def missing(what: str) -> str:
    """'' when the server can be run here, else why not."""
    if what == "redis":
        return "" if shutil.which("redis-server") else "redis-server is not installed"
    if postgres_bin() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "running as root without runuser: initdb refuses root"
    return ""


# --- Redis ----------------------------------------------------------------------------------------------


@dataclass
class PrivateRedis:
    port: int
    process: subprocess.Popen[bytes] | None = None
    downtime: list[float] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=real_clock_env(),
        )
        wait_for_port(self.port, up=True)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()  # as a crash would: no goodbye to the clients
            self.process.wait(10)
            self.process = None
        wait_for_port(self.port, up=False)


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis(free_port())
    server.start()
    try:
        yield server
    finally:
        if server.process is not None:
            server.process.kill()
            server.process.wait(10)


# --- PostgreSQL -------------------------------------------------------------------------------------------


@dataclass
class PrivatePostgres:
    port: int
    folder: Path
    bin: Path

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(
            [*prefix, *argv], capture_output=True, text=True, timeout=120, check=check, env=real_clock_env()
        )

    def pg_ctl(self, *args: str) -> None:
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.folder / "data"),
            "-l",
            str(self.folder / "server.log"),
            "-o",
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100",
            "-w",
            *args,
        )

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres")
        self.pg_ctl("start")

    def restart(self) -> None:
        """A fast restart, as an operator's `systemctl restart postgresql` does: open sessions are cut."""
        self.pg_ctl("-m", "fast", "restart")

    def stop(self) -> None:
        self.pg_ctl("-m", "immediate", "stop")


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    binaries = postgres_bin()
    assert binaries is not None, missing("postgres")
    folder = Path(tempfile.mkdtemp(prefix="govhall-pg-"))
    server = PrivatePostgres(free_port(), folder, binaries)
    try:
        server.init()
        yield server
    finally:
        server._run(
            str(binaries / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "stop", check=False
        )
        shutil.rmtree(folder, ignore_errors=True)
