"""What 好差评 adds to the case's written notices: the rating QR code on the 受理通知书 and the 办结通知书.
Registered with `govhall.cases.documents.register_notice_code` from ReviewsConfig.ready()."""

from __future__ import annotations

from govhall.cases.models import CaseNotice, NoticeKind
from govhall.core.documents import QRCode
from govhall.reviews.links import case_rating_url


def rating_code(notice: CaseNotice) -> QRCode | None:
    if notice.kind not in (NoticeKind.ACCEPT, NoticeKind.RESULT):
        return None
    return QRCode(case_rating_url(notice.case.pk, via="qr"), "扫码评价（办结后可评价）")
