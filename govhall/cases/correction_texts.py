"""What the applicant's SMS says when materials must be corrected (补正, STD-2): an online applicant can
upload them on the portal (我的办件), a window applicant brings them (issue 16)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from govhall.cases.models import Channel
from govhall.core.calendar import Deadline, tentative

ONLINE_CHANNELS = (Channel.ONLINE, Channel.MOBILE)


def applies_online(case: Any) -> bool:
    return case.channel in ONLINE_CHANNELS


def correction_sms(case: Any, due: Deadline | None = None) -> str:
    """Before acceptance: the 一次性告知单 was issued (case_request_correction); ``due`` is its 补正 deadline."""
    head = f"您申请的「{case.matter_name}」（办件编号{case.number}）材料需补正，"
    by = ""
    if due is not None:
        local = timezone.localtime(due.at)
        by = f"于{tentative(f'{local.month}月{local.day}日', due.waits_for_year)}前"
    if applies_online(case):
        return (
            head
            + f"请{by}补齐，可在网上补交（登录政务服务网「我的办件」按一次性告知单上传补正材料），也可到窗口补交。"
        )
    return head + f"请{by}按一次性告知单补齐后再来办理。"


def return_correction_sms(case: Any) -> str:
    """During processing: the back office returned the case to the applicant (补正 suspends the clock)."""
    if applies_online(case):
        return (
            f"您的办件{case.number}需补正材料，可在网上补交：登录政务服务网「我的办件」按一次性告知单上传，"
            "补正期间暂停计时。"
        )
    return f"您的办件{case.number}需补正材料，请按一次性告知单补齐，补正期间暂停计时。"
