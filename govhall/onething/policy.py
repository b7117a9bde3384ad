"""Who may do what with 一件事: the bureau composes and publishes; everyone may read a published one."""

from __future__ import annotations

from typing import Any

from govhall.core.policy import is_bureau_admin, require


def can_compose(user: Any) -> bool:
    return is_bureau_admin(user)


def require_compose(actor: Any) -> None:
    """actor None is the system (built-in samples, the CLI)."""
    if actor is not None:
        require(can_compose(actor), "只有市行政审批局管理员可以编排“一件事”。")


def require_compose_page(user: Any) -> None:
    """The composition pages: the bureau admin only (a signed-in user, never the system)."""
    require(can_compose(user), "只有市行政审批局管理员可以编排“一件事”。")
