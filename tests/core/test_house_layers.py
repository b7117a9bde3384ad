"""House style (style.md, docs/architecture.md "Where each kind of rule lives"): views and API modules parse
input, check access and call a selector or a service; they never query a model manager themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import govhall

ROOT = Path(govhall.__file__).parent


def _page_modules() -> list[Path]:
    found = [
        *ROOT.glob("*/views.py"),
        *ROOT.glob("*/api.py"),
        *ROOT.glob("*/views/*.py"),
        *ROOT.glob("*/api/*.py"),
    ]
    return sorted({*found, ROOT / "api.py", ROOT / "urls.py"})


def test_no_view_or_api_module_queries_a_model_manager():
    offenders = [
        f"{path.relative_to(ROOT.parent)}:{node.lineno}"
        for path in _page_modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "objects"
    ]
    assert offenders == [], "move these queries into the app's selectors.py"


def test_the_check_sees_every_apps_views():
    names = {p.parent.name for p in _page_modules()}
    assert {"cases", "portal", "reviews", "queueing", "catalog", "staffing", "standards"} <= names
