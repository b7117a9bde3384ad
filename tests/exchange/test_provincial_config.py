"""NET-2: the provincial platform settings — a wrong URL or a URL without its app id and secret stops
start-up naming the variable; a full set starts."""

from __future__ import annotations

from tests.core.test_config import finish, launch

SETUP_GOOD = {
    "GOVHALL_PROVINCE_URL": "https://zwfw.jiangsu.example/exchange",
    "GOVHALL_PROVINCE_APP_ID": "qd",
    "GOVHALL_PROVINCE_SECRET": "s3cret",
    "GOVHALL_PROVINCE_TIMEOUT": "20",
}


def test_province_settings_are_checked_at_start_up(tmp_path):
    """NET-2: bad scheme, missing app id/secret refused; a complete configuration starts."""
    procs = {
        "scheme": launch(tmp_path / "a", GOVHALL_PROVINCE_URL="ftp://zwfw.jiangsu.example/"),
        "no_secret": launch(
            tmp_path / "b",
            GOVHALL_PROVINCE_URL="https://zwfw.jiangsu.example/x",
            GOVHALL_PROVINCE_APP_ID="qd",
        ),
        "timeout": launch(tmp_path / "c", **(SETUP_GOOD | {"GOVHALL_PROVINCE_TIMEOUT": "soon"})),
        "good": launch(tmp_path / "d", **SETUP_GOOD),
    }
    results = {name: finish(proc) for name, proc in procs.items()}
    for name, says in (
        ("scheme", "GOVHALL_PROVINCE_URL='ftp://zwfw.jiangsu.example/' must be an http(s)"),
        ("no_secret", "GOVHALL_PROVINCE_SECRET are required"),
        ("timeout", "GOVHALL_PROVINCE_TIMEOUT"),
    ):
        assert results[name].returncode != 0
        last_line = results[name].stderr.strip().splitlines()[-1]
        assert "ImproperlyConfigured" in last_line and says in last_line
    assert results["good"].returncode == 0, results["good"].stderr
