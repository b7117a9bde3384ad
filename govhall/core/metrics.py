"""Prometheus metrics (issue 20): what every request costs, counted in the request, and what the system holds
(queues, outboxes, overdue cases), counted when /metrics is scraped.

Several web processes (``govhall serve --workers N``) each count their own requests: prometheus_client's
multiprocess mode keeps every process's counters in files under ``PROMETHEUS_MULTIPROC_DIR`` (settings.py
points it at ``GOVHALL_VAR_DIR/metrics``; ``govhall serve`` empties it at start) and a scrape of any one
process adds them up. Figures about records are computed on scrape from the database, so every process
answers the same. Per request the cost is one dictionary look-up and two memory-mapped writes.

Views are labelled by route name (``cases:detail``, ``api-1.0.0:case_accept``), never by the raw path, so
the number of series stays bounded whatever URLs clients invent.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from govhall.core.requestlog import log_request, view_name

REQUESTS = Counter(
    "govhall_http_requests_total",
    "HTTP requests answered, by route name, method and status",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "govhall_http_request_duration_seconds",
    "Time to answer a request, by route name",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TASK_FAILURES = Counter("govhall_task_failures_total", "Background tasks that raised, by task name", ["task"])


def observe_request(request: HttpRequest, status: int, seconds: float) -> None:
    view = view_name(request)
    REQUESTS.labels(view, request.method or "", str(status)).inc()
    LATENCY.labels(view).observe(seconds)


def task_failed(signal: str, task: Any, exc: BaseException | None = None) -> None:
    """huey's SIGNAL_ERROR handler (connected in CoreConfig.ready)."""
    TASK_FAILURES.labels(getattr(task, "name", "unknown")).inc()


# --- the scrape ---------------------------------------------------------------------------------------

# One figure on scrape: (name, help, labels, rows of (label values, value)).
Figure = tuple[str, str, list[str], list[tuple[list[str], float]]]


class ScrapeCollector:
    """The figures of settings.OPS_FIGURES (a dotted path; the project's apps sit above core), read from
    the database when /metrics is asked."""

    def collect(self) -> Iterator[Metric]:
        source: Callable[[], Iterable[Figure]] = import_string(settings.OPS_FIGURES)
        for name, documentation, labels, rows in source():
            family = GaugeMetricFamily(name, documentation, labels=labels)
            for values, value in rows:
                family.add_metric(values, value)
            yield family


def render() -> tuple[bytes, str]:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:  # pragma: no cover - settings.py always names the directory
        from prometheus_client import REGISTRY

        registry = REGISTRY
    registry.register(ScrapeCollector())  # type: ignore[arg-type]
    return generate_latest(registry), CONTENT_TYPE_LATEST


def scrape_allowed(request: HttpRequest, client_address: str) -> int:
    """200 when the caller may read /metrics; 404 when metrics are not configured (no token and no
    address list: the URL does not exist), 403 when they are and the caller is neither."""
    token: str = settings.METRICS_TOKEN
    networks: list[str] = settings.METRICS_ALLOW
    if not token and not networks:
        return 404
    if token:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        given = header[7:].strip() if header[:7].lower() == "bearer " else ""
        if given and hmac.compare_digest(given.encode(), token.encode()):
            return 200
    if networks and client_address:
        try:
            address = ipaddress.ip_address(client_address)
        except ValueError:
            return 403
        if any(address in ipaddress.ip_network(n, strict=False) for n in networks):
            return 200
    return 403


class RequestMetricsMiddleware:
    """Counts each request by route name and, with GOVHALL_LOG_FORMAT=json, writes its log line
    (govhall.core.requestlog). Placed right after RequestIdMiddleware, so it times the whole stack."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        observe_request(request, response.status_code, seconds)
        log_request(request, response.status_code, seconds)
        return response


def render_response() -> HttpResponse:
    body, content_type = render()
    return HttpResponse(body, content_type=content_type)


def remove_dead_process_files(folder: str | None = None) -> int:
    """Delete the counting files of processes that no longer run (called by ``govhall serve`` at start):
    Prometheus takes the drop as a counter reset. Files of live processes (another test worker, a second
    server on the same folder) are kept."""
    folder = folder or os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    removed = 0
    if not folder or not os.path.isdir(folder):
        return 0
    for name in os.listdir(folder):
        stem = name.rsplit(".", 1)[0]
        pid_text = stem.rsplit("_", 1)[-1]
        if not name.endswith(".db") or not pid_text.isdigit():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            os.unlink(os.path.join(folder, name))
            removed += 1
        except PermissionError:
            pass
    return removed
