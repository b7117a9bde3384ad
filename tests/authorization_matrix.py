"""The authorisation matrix: who gets what answer from every page and every API operation (docs/security.md).

`MATRIX` below is the expected answer of every endpoint for every role, one row per endpoint. The test
(tests/test_authorization_matrix.py) walks every URL pattern (django.urls.get_resolver()) and every OpenAPI
operation of the ninja API, fails naming any endpoint without a row, and asks each endpoint as each role.
`python -m tests.authorization_matrix --markdown` prints the table that docs/security.md carries; a test
checks the two are equal, so the document cannot drift from the rules the suite enforces.

Columns: the nine staff roles (govhall.accounts.models.Role), a citizen (portal account, person), an
enterprise (portal account, enterprise) and anonymous. Cells:

- a status code (200, 302, 400, 401, 403, 404, 405, 409, 422): exactly that answer;
- ``ok``: an unsafe operation the role may perform, sent with an empty body: anything but 401/403/5xx
  (typically 400/404/409/422: the request is refused for its content, not for who sent it);
- ``-``: not asked (reserved; no row uses it today).

The world the endpoints are asked about: the 吕四港镇 persona hall (tests/personas.py) with its villages, the
民政 matter and AB posts of tests/cases/conftest.py, one window case received by the town's front desk
(URL parameters `case_id`, `number`), and ids that exist nowhere (0, "x") for the other objects: a role
that may reach such an endpoint then gets 404, one that may not is refused before the lookup (302 to the
login page, 401, 403) or gets the same 404 (missing and forbidden look the same).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

ROLES = ["bureau_admin", "director", "front_desk", "back_office", "guide", "agent", "village_clerk",
         "dept_liaison", "inspector", "citizen", "enterprise", "anonymous"]
ROLE_LABELS = {"bureau_admin": "局管理员", "director": "中心主任", "front_desk": "前台受理", "back_office": "后台审批",
               "guide": "导服", "agent": "代办", "village_clerk": "村便民服务员", "dept_liaison": "部门联络员",
               "inspector": "考核员", "citizen": "市民", "enterprise": "企业", "anonymous": "匿名"}
STAFF_ROLES = ROLES[:9]

# Rows the secure rule still fails on main: the fix lives on another branch of issue 13; the row is
# asserted as xfail(strict=True), so merging the fix flips it to a pass and forces removing the mark.
PENDING = {
    "POST /api/v1/cases/{case_id}/reveal": (
        {"bureau_admin", "guide", "dept_liaison", "inspector"},
        "hole 2, branch trust-reveal: the cases API reveals full personal data without the core.pii role check",
    ),
}

# One row per endpoint: "METHOD path" then the 12 cells in ROLES order.
#   bureau director front back guide agent village dept inspector | citizen enterprise anonymous
MATRIX_TEXT = """
"""


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    cells: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    def expected(self, role: str) -> str:
        return self.cells[ROLES.index(role)]


def parse(text: str) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.replace("|", " ").split()
        if len(parts) != 2 + len(ROLES):
            raise ValueError(f"matrix line {number}: expected METHOD path and {len(ROLES)} cells: {raw!r}")
        method, path, *cells = parts
        row = Row(method.upper(), path, tuple(cells))
        if row.key in rows:
            raise ValueError(f"matrix line {number}: duplicate row {row.key}")
        rows[row.key] = row
    return rows


MATRIX = parse(MATRIX_TEXT)


# --- the endpoints -------------------------------------------------------------------------------------

API_PREFIX = "/api/v1"
_CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def _route_to_path(route: str) -> str:
    """`cases/<int:case_id>/` → `/cases/{case_id}/` (the OpenAPI spelling, one for pages and API)."""
    return "/" + _CONVERTER.sub(lambda m: "{" + m.group("name") + "}", route)


def url_patterns() -> list[tuple[str, str]]:
    """Every URL pattern as (path, name), walking the resolver recursively (admin and the API included)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[tuple[str, str]] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = namespace + (f"{entry.namespace}:" if entry.namespace else "")
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                found.append((_route_to_path(prefix + str(entry.pattern)), namespace + (entry.name or "")))

    walk(get_resolver(), "", "")
    return found


def api_operations() -> list[tuple[str, str]]:
    """Every OpenAPI operation of the ninja API as (METHOD, path)."""
    from govhall.api import api

    schema = api.get_openapi_schema()
    ops = []
    for path, item in schema["paths"].items():
        for method in item:
            if method.lower() in ("get", "post", "put", "patch", "delete"):
                ops.append((method.upper(), path))
    return ops


def is_admin(path: str) -> bool:
    return path.startswith("/admin/")


ADMIN_KEY = "GET /admin/*"


def endpoint_keys() -> list[str]:
    """The rows the matrix must have: each page pattern (GET), each API operation, and one row for the whole
    Django admin (every admin URL answers the same way per role: it is the bureau's back office)."""
    keys: list[str] = []
    api_paths = set()
    for method, path in api_operations():
        keys.append(f"{method} {path}")
        api_paths.add(path.rstrip("/"))
    admin = False
    for path, _name in url_patterns():
        if is_admin(path):
            admin = True
            continue
        if path.startswith(API_PREFIX + "/") and path.rstrip("/") in api_paths:
            continue  # asked through its OpenAPI operations
        keys.append(f"GET {path}")
    if admin:
        keys.append(ADMIN_KEY)
    return sorted(set(keys))


def admin_paths() -> list[str]:
    """The admin URLs the admin row is checked on: every one without parameters."""
    return sorted({p for p, _n in url_patterns() if is_admin(p) and "{" not in p})


# --- the table in docs/security.md --------------------------------------------------------------------

DOC_BEGIN = "<!-- authorization-matrix:begin (python -m tests.authorization_matrix --markdown) -->"
DOC_END = "<!-- authorization-matrix:end -->"


def markdown() -> str:
    head = "| 接口 | " + " | ".join(ROLE_LABELS[r] for r in ROLES) + " |"
    rule = "|---|" + "|".join(":-:" for _ in ROLES) + "|"
    lines = [head, rule]
    for key in sorted(MATRIX):
        row = MATRIX[key]
        cells = []
        for role in ROLES:
            cell = row.expected(role)
            pending = PENDING.get(key)
            if pending and role in pending[0]:
                cell += "†"
            cells.append(cell)
        lines.append(f"| `{key}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def doc_table(text: str) -> str:
    start, end = text.index(DOC_BEGIN) + len(DOC_BEGIN), text.index(DOC_END)
    return text[start:end].strip("\n") + "\n"


if __name__ == "__main__":
    if "--markdown" in sys.argv:
        sys.stdout.write(markdown())
    else:
        sys.stderr.write("usage: python -m tests.authorization_matrix --markdown\n")
        sys.exit(2)
