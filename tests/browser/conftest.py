"""Browser-test fixtures shared by the modules of this folder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """``open_page(viewport, **context_options)``: a page in its own Chinese-locale context, closed after."""
    contexts = []

    def make(viewport: dict[str, int], **options: Any) -> Any:
        context = browser.new_context(locale="zh-CN", viewport=viewport, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10000)
        return page

    yield make
    for context in contexts:
        context.close()
