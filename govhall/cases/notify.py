"""Messages about cases go through the exchange app's notification outbox (queued in the same transaction
as the change they announce, sent and retried by its worker)."""

from __future__ import annotations

import logging
from typing import Any

from govhall.accounts.selectors import staff_phones  # cases.services calls it from here too
from govhall.exchange.services import notify_sms

logger = logging.getLogger("govhall.cases")


def notify_applicant(case: Any, text: str, *, template: str = "case.update") -> None:
    """The applicant, and the agent who acts for them, by SMS."""
    message = f"【{case.handling_centre.name}】{text}"
    phones = [p for p in (case.applicant_phone, case.agent_phone) if p]
    for phone in dict.fromkeys(phones):
        notify_sms(phone=phone, text=message, related=case, template=template)


def notify_staff(
    user: Any,
    text: str,
    *,
    related: Any,
    template: str = "case.supervision",
    phones: dict[int, str] | None = None,
) -> bool:
    """A handler or director, at their notification mobile (`StaffContact`: a staff account carries no phone
    number). Returns False (and logs) when they have none. Pass `phones` (from staff_phones) when notifying
    many."""
    phone = (phones if phones is not None else staff_phones([user.pk])).get(user.pk, "")
    if not phone:
        logger.warning("staff member %s has no notification mobile; warning not sent: %s", user.pk, text)
        return False
    notify_sms(phone=phone, text=text, related=related, template=template)
    return True
