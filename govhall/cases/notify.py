"""Messages about cases go through the exchange app's notification outbox (queued in the same transaction
as the change they announce, sent and retried by its worker)."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger("govhall.cases")


def _send(phone: str, text: str, related: Any) -> None:
    from govhall.exchange.services import notify_sms

    notify_sms(phone=phone, text=text, related=related)


def notify_applicant(case: Any, text: str) -> None:
    phone = case.applicant_phone
    if phone:
        _send(phone, f"【{case.handling_centre.name}】{text}", case)
    if case.agent_phone and case.agent_phone != phone:
        _send(case.agent_phone, f"【{case.handling_centre.name}】{text}", case)


def staff_phone(user: Any) -> str:
    return str(getattr(user, "mobile", "") or getattr(user, "phone", "") or "")


def notify_staff(user: Any, text: str, *, related: Any) -> None:
    phone = staff_phone(user)
    if phone:
        _send(phone, text, related)
    else:
        logger.warning("staff member %s has no mobile number; not sent: %s", user.pk, text)
