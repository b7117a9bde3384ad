"""The blank 一次性告知单 of a matter, published with its public guide (SCOPE-4, STD-2): the catalogue's own
notification-sheet document, filled with the matter's materials and nobody's personal data, so a visitor sees
before coming what a window would list. Read-only: nothing is saved and no serial number is drawn."""

from __future__ import annotations

from govhall.catalog.documents import notification_sheet_pdf
from govhall.catalog.models import MatterVersion, NotificationItem, NotificationSheet
from govhall.orgs.models import Centre

BLANK_SERIAL = "（空白样式，窗口出具时编号）"


def blank_sheet(version: MatterVersion, centre: Centre | None = None) -> NotificationSheet:
    """An unsaved sheet for the version: one row per material, problem and reason left blank."""
    hall = centre or Centre(
        name="启东市镇（村）为民服务中心", phone="", supervision_phone="", complaint_phone="12345"
    )
    sheet = NotificationSheet(
        pk=0,  # never saved; lets the document read its (prefetched) rows
        serial=BLANK_SERIAL,
        centre=hall,
        matter_version=version,
        clerk_name="____________",
        clerk_staff_no="______",
        applicant_name="",
    )
    rows = [
        NotificationItem(order=i, name=m.name, problem="", reason="")
        for i, m in enumerate(version.materials.all(), start=1)
    ]
    sheet._prefetched_objects_cache = {"items": rows}  # type: ignore[attr-defined]
    return sheet


def blank_sheet_pdf(version: MatterVersion, centre: Centre | None = None) -> bytes:
    return notification_sheet_pdf(blank_sheet(version, centre))
