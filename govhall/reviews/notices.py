"""What 好差评 adds to the written notices: the rating QR code on a case's 受理通知书 and 办结通知书, and the
一事一评 QR code on a 一件事's 办结通知书. Registered with `govhall.cases.documents.register_notice_code` and
`govhall.onething.documents.register_result_code` from ReviewsConfig.ready()."""

from __future__ import annotations

from govhall.cases.models import CaseNotice, NoticeKind
from govhall.core.documents import QRCode
from govhall.onething.selectors import ThingCaseView
from govhall.reviews.links import case_rating_url, thing_rating_url


def rating_code(notice: CaseNotice) -> QRCode | None:
    if notice.kind not in (NoticeKind.ACCEPT, NoticeKind.RESULT):
        return None
    return QRCode(case_rating_url(notice.case.pk, via="qr"), "扫码评价（办结后可评价）")


def thing_rating_code(view: ThingCaseView) -> QRCode | None:
    """一事一评 (MODE-1): the whole 一件事 is rated once, at its result; the code leads to that rating."""
    return QRCode(thing_rating_url(view.parent.pk, via="qr"), "扫码评价整件事（一事一评）")
