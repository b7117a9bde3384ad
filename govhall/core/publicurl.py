"""Is GOVHALL_PUBLIC_URL an address citizens can reach?

Every QR code on a printed document (guide, 一次性告知单, 受理/办结通知书) and the rating pad's pairing
link point to settings.PUBLIC_URL. Its default, http://127.0.0.1:8000, is right on a developer's machine
and wrong everywhere else: a citizen's phone scanning it opens its own loopback. A development run is one
with GOVHALL_DEBUG on and none of the production flags (GOVHALL_SECURE_COOKIES, GOVHALL_BEHIND_PROXY);
anything else must name a public address. The system check (`govhall serve`, `manage.py check`) and
/healthz both ask `public_url_problem()`.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse

from django.conf import settings
from django.core import checks

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def host_problem(url: str) -> str:
    """Why a citizen's phone cannot reach `url` ('' when it can, as far as the address tells)."""
    host = (urlparse(url).hostname or "").lower()
    if not host:
        return f"{url} 没有主机名"
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return f"{url} 是本机地址，群众的手机扫码打不开"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if "." not in host:
            return f"{url} 的主机名 {host} 不是公网域名"
        return ""
    if address.is_loopback or address.is_unspecified:
        return f"{url} 是本机地址，群众的手机扫码打不开"
    if address.is_private or address.is_link_local:
        return f"{url} 是内网地址，群众的手机在外网扫码打不开"
    return ""


def is_development_run() -> bool:
    """GOVHALL_DEBUG on, and no production flag set."""
    production_flag = bool(settings.SECURE_PROXY_SSL_HEADER) or bool(settings.SESSION_COOKIE_SECURE)
    return bool(settings.DEBUG) and not production_flag


def public_url_problem() -> str:
    """'' when GOVHALL_PUBLIC_URL is fine for this run, else the reason (in Chinese, for operators)."""
    if is_development_run():
        return ""
    problem = host_problem(settings.PUBLIC_URL)
    if problem:
        return f"GOVHALL_PUBLIC_URL={problem}；请设置为本站的公网地址（如 https://zwfw.qidong.gov.cn）"
    return ""


def check_public_url(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    problem = public_url_problem()
    if not problem:
        return []
    return [
        checks.Warning(
            "!!! 二维码和短信链接指向群众打不开的地址 !!! " + problem,
            hint="办事指南、一次性告知单、受理/办结通知书上的二维码和评价器配对链接都用 GOVHALL_PUBLIC_URL。"
            "开发时可设 GOVHALL_DEBUG=1。",
            id="govhall.W001",
        )
    ]
