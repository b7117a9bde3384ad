"""deploy/ (issue 20): the nginx configuration, the systemd units and the compose file parse, and what they
name exists in govhall — the commands and options the units run, the GOVHALL_* variables settings.py reads,
the event-stream routes, the body limit. `nginx -t` is not available here: a small parser reads the
configuration into directives and blocks."""

from __future__ import annotations

import configparser
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands, load_command_class
from django.urls import Resolver404, resolve

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


# --- a small nginx configuration parser ------------------------------------------------------------------


@dataclass
class Directive:
    name: str
    args: list[str]
    block: list[Directive] | None = None
    line: int = 0

    def find(self, name: str) -> list[Directive]:
        return [d for d in self.block or [] if d.name == name]


_TOKEN = re.compile(r"""\s*(?:(\#[^\n]*)|("(?:[^"\\]|\\.)*")|('(?:[^'\\]|\\.)*')|([{};])|([^\s{};"'#]+))""")


def tokenize(text: str) -> list[tuple[str, int]]:
    tokens: list[tuple[str, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            raise SyntaxError(f"line {text.count(chr(10), 0, pos) + 1}: cannot read {text[pos : pos + 20]!r}")
        line = text.count("\n", 0, match.start()) + 1
        comment, dquoted, squoted, punct, word = match.groups()
        if not comment:
            tokens.append(((dquoted or squoted or punct or word), line))
        pos = match.end()
    return tokens


def parse_nginx(text: str) -> list[Directive]:
    """Directives end with ';' or open a '{ … }' block; a '}' without its '{' or a missing ';' is an error."""
    tokens = tokenize(text)
    stack: list[list[Directive]] = [[]]
    current: list[tuple[str, int]] = []
    for token, line in tokens:
        if token == ";":
            if not current:
                raise SyntaxError(f"line {line}: empty directive")
            stack[-1].append(Directive(current[0][0], [t for t, _ in current[1:]], None, current[0][1]))
            current = []
        elif token == "{":
            if not current:
                raise SyntaxError(f"line {line}: block without a name")
            directive = Directive(current[0][0], [t for t, _ in current[1:]], [], current[0][1])
            stack[-1].append(directive)
            stack.append(directive.block)  # type: ignore[arg-type]
            current = []
        elif token == "}":
            if current:
                raise SyntaxError(f"line {line}: directive {current[0][0]} is missing its ';'")
            if len(stack) == 1:
                raise SyntaxError(f"line {line}: '}}' without '{{'")
            stack.pop()
        else:
            current.append((token, line))
    if current or len(stack) != 1:
        raise SyntaxError("unexpected end of file: a block or directive is not closed")
    return stack[0]


def test_the_parser_refuses_broken_configurations():
    assert parse_nginx("server { listen 80; }")[0].find("listen")[0].args == ["80"]
    for broken in ["server { listen 80 }", "server { listen 80;", "listen 80; }", "listen 80"]:
        with pytest.raises(SyntaxError):
            parse_nginx(broken)


def _size_bytes(value: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    return int(value[:-1]) * units[value[-1].lower()] if value[-1].lower() in units else int(value)


@pytest.fixture(scope="module")
def nginx() -> list[Directive]:
    return parse_nginx((DEPLOY / "nginx" / "govhall.conf").read_text(encoding="utf-8"))


def _servers(nginx: list[Directive]) -> tuple[Directive, Directive]:
    servers = [d for d in nginx if d.name == "server"]
    tls = [s for s in servers if any("ssl" in d.args for d in s.find("listen"))]
    plain = [s for s in servers if s not in tls]
    assert len(tls) == 1 and len(plain) == 1
    return plain[0], tls[0]


def test_nginx_redirects_to_tls_and_serves_with_a_certificate(nginx):
    plain, tls = _servers(nginx)
    assert plain.find("return")[0].args[0] == "301"
    assert plain.find("return")[0].args[1].startswith("https://")
    assert tls.find("ssl_certificate") and tls.find("ssl_certificate_key")
    protocols = tls.find("ssl_protocols")[0].args
    assert set(protocols) <= {"TLSv1.2", "TLSv1.3"}, "no SSLv3 / TLS 1.0 / 1.1"


def test_nginx_upload_cap_lets_govhall_answer_oversized_bodies_in_chinese(nginx):
    _, tls = _servers(nginx)
    cap = _size_bytes(tls.find("client_max_body_size")[0].args[0])
    # Above govhall's own limit (so govhall's Chinese 413 answers), but not by more than 1 MB.
    assert settings.MAX_REQUEST_BYTES < cap <= settings.MAX_REQUEST_BYTES + 1024 * 1024


def test_nginx_forwards_the_headers_govhall_trusts_behind_a_proxy(nginx):
    _, tls = _servers(nginx)
    headers = {d.args[0]: d.args[1] for d in tls.find("proxy_set_header")}
    assert headers["X-Forwarded-For"] == "$remote_addr"  # govhall takes the first address (client_ip)
    assert headers["X-Forwarded-Proto"] == "$scheme"  # SECURE_PROXY_SSL_HEADER with GOVHALL_BEHIND_PROXY
    assert headers["Host"] == "$host"
    assert headers["X-Request-ID"] == "$request_id"  # kept by RequestIdMiddleware: one id end to end
    # nginx's $request_id is 32 hex characters: the middleware keeps it.
    from govhall.core.middleware import request_id_for

    assert request_id_for("0123456789abcdef0123456789abcdef") == "0123456789abcdef0123456789abcdef"


def _stream_paths() -> list[str]:
    """Every route whose view answers text/event-stream, as a sample path."""
    return ["/queueing/screen/1/events/", "/reports/events/"]


def test_nginx_does_not_buffer_the_event_streams(nginx):
    _, tls = _servers(nginx)
    regex_locations = [d for d in tls.find("location") if d.args[0] == "~"]
    unbuffered = [loc for loc in regex_locations if ["off"] in [d.args for d in loc.find("proxy_buffering")]]
    assert unbuffered, "no location turns proxy_buffering off"
    for path in _stream_paths():
        resolve(path)  # the route exists in govhall
        assert any(re.search(loc.args[1], path) for loc in unbuffered), path
    # and nothing else is unbuffered by accident
    for path in ["/queueing/screen/1/", "/cases/", "/api/v1/cases"]:
        assert not any(re.search(loc.args[1], path) for loc in unbuffered), path


def test_nginx_proxies_to_the_upstream_it_defines(nginx):
    upstreams = {d.args[0]: d for d in nginx if d.name == "upstream"}
    _, tls = _servers(nginx)
    targets = {
        d.args[0].removeprefix("http://") for loc in tls.find("location") for d in loc.find("proxy_pass")
    }
    assert targets and targets <= set(upstreams)
    for upstream in upstreams.values():
        assert len(upstream.find("server")) >= 2, "two web nodes"


def test_nginx_does_not_expose_metrics(nginx):
    _, tls = _servers(nginx)
    metrics = [loc for loc in tls.find("location") if loc.args == ["=", "/metrics"]]
    assert metrics and metrics[0].find("return")[0].args == ["404"]
    with pytest.raises(Resolver404):
        resolve("/metrics/")  # the route is exactly /metrics
    assert resolve("/metrics").url_name == "metrics"


# --- systemd units ------------------------------------------------------------------------------------


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / "systemd" / name).read_text(encoding="utf-8"))
    return parser


def _check_govhall_command(argv: list[str]) -> str:
    """argv is `…/govhall <command> [options]`: the command exists and parses these options."""
    assert Path(argv[0]).name == "govhall", argv
    command = argv[1]
    assert command in get_commands(), f"govhall has no command {command}"
    cmd = load_command_class(get_commands()[command], command)
    parser = cmd.create_parser("govhall", command)
    parser.parse_args(argv[2:])  # SystemExit on an unknown option
    return command


@pytest.mark.parametrize(
    ("unit", "command", "options"),
    [
        ("govhall-web.service", "serve", {"--workers", "--no-worker"}),
        ("govhall-worker.service", "run_huey", set()),
    ],
)
def test_systemd_units_run_govhall_commands_that_exist(unit, command, options):
    parsed = _unit(unit)
    assert {"Unit", "Service", "Install"} <= set(parsed.sections())
    service = parsed["Service"]
    argv = shlex.split(service["ExecStart"])
    assert _check_govhall_command(argv) == command
    assert options <= set(argv)
    assert service["Restart"] in ("always", "on-failure")
    assert service["User"] != "root"
    env_file = service["EnvironmentFile"]
    assert env_file.startswith("/etc/")
    assert parsed["Install"]["WantedBy"] == "multi-user.target"
    for assignment in service.get("Environment", "").split():
        name = assignment.split("=", 1)[0]
        assert name in _settings_env_names(), name


def test_web_unit_asks_for_several_workers_and_no_task_worker():
    argv = shlex.split(_unit("govhall-web.service")["Service"]["ExecStart"])
    assert int(argv[argv.index("--workers") + 1]) > 1
    assert "--no-worker" in argv


# --- compose ------------------------------------------------------------------------------------------


def _settings_env_names() -> set[str]:
    text = (REPO / "govhall" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r"\"(GOVHALL_[A-Z0-9_]+)\"", text))


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_has_postgres_redis_two_web_nodes_and_a_worker(compose):
    services = compose["services"]
    assert {"postgres", "redis", "web1", "web2", "worker"} <= set(services)
    for name in ("web1", "web2"):
        argv = services[name]["command"]
        assert _check_govhall_command(["govhall", *argv[1:]]) == "serve"
        assert "--no-worker" in argv
    assert _check_govhall_command(["govhall", *services["worker"]["command"][1:]]) == "run_huey"
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_compose_environment_names_are_govhall_settings(compose):
    known = _settings_env_names()
    for name in ("web1", "web2", "worker"):
        env = compose["services"][name]["environment"]
        assert {"GOVHALL_DATABASE_URL", "GOVHALL_REDIS_URL", "GOVHALL_FIELD_KEY"} <= set(env)
        unknown = sorted(k for k in env if k not in known)
        assert unknown == [], f"{name}: settings.py reads no {unknown}"
        assert env["GOVHALL_DATABASE_URL"].startswith("postgres://")
        assert env["GOVHALL_REDIS_URL"].startswith("redis://redis:")
    # the web nodes share one media folder (uploads written by one are read by the other)
    assert compose["services"]["web1"]["volumes"] == compose["services"]["web2"]["volumes"]


def test_compose_nginx_mounts_the_tested_configuration(compose):
    volumes = compose["services"]["nginx"]["volumes"]
    assert any(v.startswith("./nginx/govhall.conf:") for v in volumes)
