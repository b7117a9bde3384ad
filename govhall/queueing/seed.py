"""Queue settings for every centre with windows, and the demo towns' rolling notices (NET-3)."""

from __future__ import annotations

from govhall.orgs.models import Centre, CentreLevel
from govhall.queueing.models import DisplayNotice, QueueSettings

DEMO_NOTICES = [
    ("一次告知", "办事材料不齐全的，窗口工作人员一次性告知需补正的全部材料。"),
    ("帮办代办", "老年人、残疾人等群体可到导服台申请帮办代办服务，全程免费。"),
    ("好差评", "请对本次服务作出评价，您的评价是我们改进工作的依据。"),
]


def load_demo() -> str:
    centres = Centre.objects.filter(is_active=True, windows__is_active=True).distinct()
    created = 0
    for centre in centres:
        created += QueueSettings.objects.get_or_create(centre=centre)[1]
    notices = 0
    for centre in centres.filter(level=CentreLevel.TOWN):
        for order, (title, text) in enumerate(DEMO_NOTICES, start=1):
            notices += DisplayNotice.objects.get_or_create(
                centre=centre, title=title, defaults={"text": text, "order": order}
            )[1]
    return f"排队叫号：{created} 个中心的排队设置，{notices} 条滚动公告"
