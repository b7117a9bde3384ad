"""Who may see and act on the outboxes (SMS notifications, provincial sync records, NET-2).

- The city bureau (superusers, 市行政审批局 staff) sees both outboxes: it runs the SMS gateway account and
  the provincial platform connection. Nobody else sees them (missing and forbidden: the same NotFound).
- Only the bureau's admins resend a failed notification or sync record and send a test SMS. The page, the
  API and the admin action ask the same `can_retry`.
"""

from __future__ import annotations

from typing import Any

from govhall.core.policy import is_bureau_admin, is_bureau_staff, require


def can_see_outbox(user: Any) -> bool:
    return is_bureau_staff(user)


def require_see_notifications(user: Any) -> None:
    require(can_see_outbox(user), "只有市行政审批局可以查看短信发送记录。")


def require_see_sync(user: Any) -> None:
    require(can_see_outbox(user), "只有市行政审批局可以查看省平台同步记录。")


def can_retry(user: Any, row: Any = None) -> bool:
    """Resend a failed notification or sync record: a bureau admin."""
    return is_bureau_admin(user)


def require_retry_notification(user: Any, row: Any = None) -> None:
    require(can_retry(user, row), "只有局管理员可以重新发送短信。")


def require_retry_sync(user: Any, row: Any = None) -> None:
    require(can_retry(user, row), "只有局管理员可以重新发送省平台同步记录。")


def can_send_test_sms(user: Any) -> bool:
    return is_bureau_admin(user)


def require_send_test_sms(user: Any) -> None:
    require(can_send_test_sms(user), "只有局管理员可以发送测试短信。")
