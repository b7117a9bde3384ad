"""Which window takes which matter (SITE-5, MODE-1): the one rule that receiving (`cases`), the new-case
wizard's matter list (`cases.views`) and the queues (`queueing`) all ask.

- A classified comprehensive window (民生, 建设, 市政公共服务, 其他) takes the matters of its class.
- A 全科窗口 takes every comprehensive matter (it merges the classified windows, notice §5), and a
  professional matter too where its centre has no professional window of that matter's department: a
  village centre runs only 全科 windows in 一窗受(办)理 mode and takes every matter of its catalogue.
- A professional window (专窗) takes its own department's professional matters, nothing else.

The matter is anything with a `window_class` and a `window_department_id` (a `catalog.MatterVersion`, a
queue key of `queueing`): orgs sits below both and names neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from govhall.orgs.models import COMPREHENSIVE_CLASSES, Window, WindowClass


class WindowMatter(Protocol):
    """What the rule reads of a matter: its 受理窗口类别 and, for a professional one, the department."""

    @property
    def window_class(self) -> str: ...

    @property
    def window_department_id(self) -> int | None: ...


def _takes_class(window: Window, window_class: str, department_id: int | None) -> bool:
    if window.window_class == WindowClass.PROFESSIONAL:
        return window_class == WindowClass.PROFESSIONAL and department_id == window.department_id
    if window.window_class == WindowClass.QUANKE:
        return window_class in (*COMPREHENSIVE_CLASSES, WindowClass.QUANKE)
    return window_class == window.window_class


def window_takes(window: Window, matter: WindowMatter, *, desks: Sequence[Window] | None = None) -> bool:
    """Whether `window` takes `matter`. `desks` are the active windows of the window's centre when the
    caller has them already (one query otherwise, and only for a 全科 window asked about a professional
    matter)."""
    department_id = matter.window_department_id if matter.window_class == WindowClass.PROFESSIONAL else None
    if _takes_class(window, matter.window_class, department_id):
        return True
    if window.window_class != WindowClass.QUANKE or matter.window_class != WindowClass.PROFESSIONAL:
        return False
    if desks is None:
        desks = list(Window.objects.filter(centre_id=window.centre_id, is_active=True))
    # No 专窗 of the department here: the 全科 window takes the matter (一窗受理).
    return not any(_takes_class(w, WindowClass.PROFESSIONAL, department_id) for w in desks)
