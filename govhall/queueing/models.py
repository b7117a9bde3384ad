"""Queue tickets (取号), window calling (叫号), window status (暂停服务, STD-7), appointments (预约) and the
call log the hall's display screens (SITE-7, NET-3) read.

- A `Ticket` is numbered per centre, day and prefix; the number comes from a `TicketCounter` row that is
  incremented in one locked statement, and (centre, date, prefix, number) is unique in the database.
- A ticket waits in a *class queue*: a window class, plus the department for professional windows, and
  optionally one target window (a transfer to a named window). Any open window serving that class may
  call it; call-next locks the chosen row (`FOR UPDATE SKIP LOCKED` on PostgreSQL).
- One ticket follows the visitor to the end (一票到底): a transfer changes its queue, never its number,
  and is recorded in `TicketTransfer`.
"""

from __future__ import annotations

import secrets
from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q

from govhall.core.crypto import EncryptedTextField
from govhall.orgs.models import WindowClass
from govhall.queueing.voice import VoiceMode

# --- settings of a centre's queue -----------------------------------------------------------------

DEFAULT_PREFIXES = {
    WindowClass.MINSHENG: "A",
    WindowClass.JIANSHE: "B",
    WindowClass.SHIZHENG: "C",
    WindowClass.QITA: "D",
    WindowClass.QUANKE: "Q",
}
# Professional windows get their own letters, assigned per department (E, F, G … in department order)
# unless the centre sets them in `QueueSettings.department_prefixes`.
PROFESSIONAL_LETTERS = "EFGHJKLMNPRSTUVWXYZ"


class PriorityReason(models.TextChoices):
    ELDERLY = "elderly", "70岁以上老人"
    DISABLED = "disabled", "残疾人"
    MILITARY = "military", "军人及优抚对象"
    PREGNANT = "pregnant", "孕妇及怀抱婴儿者"
    APPOINTMENT = "appointment", "预约按时签到"
    OTHER = "other", "其他（经导服台确认）"


def default_prefixes() -> dict[str, str]:
    return {str(k): v for k, v in DEFAULT_PREFIXES.items()}


def default_priority_reasons() -> list[str]:
    return [
        PriorityReason.ELDERLY,
        PriorityReason.DISABLED,
        PriorityReason.MILITARY,
        PriorityReason.PREGNANT,
        PriorityReason.OTHER,
    ]


class QueueSettings(models.Model):
    """Per-centre queue settings. Created with defaults the first time a centre's queue is used."""

    centre = models.OneToOneField(
        "orgs.Centre", verbose_name="服务中心", on_delete=models.CASCADE, related_name="queue_settings"
    )
    prefixes = models.JSONField(
        "各类窗口号码前缀",
        default=default_prefixes,
        help_text='窗口类别 → 字母，如 {"minsheng": "A", "jianshe": "B"}',
    )
    department_prefixes = models.JSONField(
        "专业窗口号码前缀",
        default=dict,
        blank=True,
        help_text='部门代码 → 字母，如 {"GA": "E"}；未设置的部门自动分配',
    )
    priority_reasons = models.JSONField(
        "可优先的情形", default=default_priority_reasons, help_text="可在取号时标记为优先的情形（代码列表）"
    )
    elderly_age = models.PositiveSmallIntegerField("老人优先年龄", default=70)
    appointment_priority = models.BooleanField("按时签到的预约号优先", default=True)
    checkin_early_minutes = models.PositiveSmallIntegerField("预约可提前签到（分钟）", default=30)
    checkin_late_minutes = models.PositiveSmallIntegerField(
        "预约迟到宽限（分钟）", default=15, help_text="超过宽限签到的，取普通号"
    )
    reinstate_minutes = models.PositiveSmallIntegerField(
        "过号可恢复时限（分钟）", default=30, help_text="过号后在此时限内可恢复一次"
    )
    default_service_minutes = models.PositiveSmallIntegerField(
        "预计每人办理时间（分钟）", default=8, help_text="当日尚无完成的号时用于估算等候时间"
    )
    opening_time = models.TimeField(
        "开始取号时间", default=time(8, 30), help_text="与中心公布的办公时间一致（默认上午8:30）"
    )
    closing_time = models.TimeField(
        "停止取号/闭厅时间", default=time(17, 30), help_text="闭厅后仍在等候的号记为“未办理”"
    )
    reminder_hours = models.PositiveSmallIntegerField("预约短信提前提醒（小时）", default=24)
    voice = models.CharField(
        "显示屏叫号语音",
        max_length=10,
        choices=VoiceMode.choices,
        default=VoiceMode.AUTO,
        help_text="自动：显示屏电脑有中文语音时由浏览器朗读，否则播放系统自带的预录语音（无需联网）",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "排队叫号设置"

    def __str__(self) -> str:
        return f"{self.centre} 排队设置"


# --- tickets --------------------------------------------------------------------------------------


class TicketSource(models.TextChoices):
    KIOSK = "kiosk", "自助取号机"
    DESK = "desk", "导服台"
    PHONE = "phone", "手机取号"
    APPOINTMENT = "appointment", "预约签到"
    API = "api", "接口"


class TicketStatus(models.TextChoices):
    WAITING = "waiting", "等候中"
    CALLED = "called", "已叫号"
    SERVING = "serving", "办理中"
    DONE = "done", "已办结"
    SKIPPED = "skipped", "过号"
    TRANSFERRED = "transferred", "已转移（等候中）"
    UNSERVED = "unserved", "未办理"
    CANCELLED = "cancelled", "已取消"


# A transferred ticket waits again in its new queue, keeping its number (一票到底).
WAITING_STATUSES = (TicketStatus.WAITING, TicketStatus.TRANSFERRED)
AT_WINDOW_STATUSES = (TicketStatus.CALLED, TicketStatus.SERVING)
OPEN_STATUSES = (*WAITING_STATUSES, *AT_WINDOW_STATUSES, TicketStatus.SKIPPED)


def new_public_token() -> str:
    return secrets.token_urlsafe(12)


class Ticket(models.Model):
    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="服务中心", on_delete=models.PROTECT, related_name="tickets"
    )
    date = models.DateField("取号日期")
    prefix = models.CharField("号码前缀", max_length=4)
    number = models.PositiveIntegerField("序号")

    # The class queue the ticket waits in.
    window_class = models.CharField("窗口类别", max_length=16, choices=WindowClass.choices)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="专业窗口部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_window = models.ForeignKey(
        "orgs.Window",
        verbose_name="指定窗口",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="转移到指定窗口时，只由该窗口叫号",
    )
    matter = models.ForeignKey(
        "catalog.Matter",
        verbose_name="事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    business_group = models.CharField(
        "业务类别", max_length=60, blank=True, help_text="未选择具体事项时的业务类别"
    )
    source = models.CharField(
        "取号方式", max_length=12, choices=TicketSource.choices, default=TicketSource.KIOSK
    )

    priority = models.BooleanField("优先", default=False)
    priority_reason = models.CharField("优先情形", max_length=12, choices=PriorityReason.choices, blank=True)
    priority_note = models.CharField("优先说明", max_length=100, blank=True)

    # Optional personal data: stored encrypted, looked up by digest, shown masked.
    phone = EncryptedTextField("手机号码", blank=True)
    phone_digest = models.CharField("手机号码摘要", max_length=64, blank=True, db_index=True)
    id_number = EncryptedTextField("身份证号码", blank=True)
    id_digest = models.CharField("身份证号码摘要", max_length=64, blank=True, db_index=True)

    status = models.CharField(
        "状态", max_length=12, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    called_window = models.ForeignKey(
        "orgs.Window",
        verbose_name="叫号窗口",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="called_tickets",
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="served_tickets",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="取号经办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    issued_at = models.DateTimeField("取号时间")
    # Position in the queue: the issue time, kept on transfer and on reinstatement.
    queued_at = models.DateTimeField("排队时间")
    called_at = models.DateTimeField("叫号时间", null=True, blank=True)
    started_at = models.DateTimeField("开始办理时间", null=True, blank=True)
    finished_at = models.DateTimeField(
        "结束时间", null=True, blank=True, help_text="办结、未办理或取消的时间"
    )
    skipped_at = models.DateTimeField("过号时间", null=True, blank=True)
    reinstated_at = models.DateTimeField("恢复时间", null=True, blank=True)
    recall_count = models.PositiveSmallIntegerField("重呼次数", default=0)
    transfer_count = models.PositiveSmallIntegerField("转移次数", default=0)
    close_note = models.CharField("结束说明", max_length=200, blank=True)

    # For following the queue from a phone (QR on the printed ticket) without logging in.
    public_token = models.CharField("查询码", max_length=24, unique=True, default=new_public_token)

    class Meta:
        verbose_name = verbose_name_plural = "排队号"
        # No related field here: a FOR UPDATE on a default-ordered query would join and lock the centre.
        ordering = ["-date", "-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "date", "prefix", "number"], name="ticket_number_unique"
            ),
            models.CheckConstraint(
                condition=~Q(window_class="professional") | Q(department__isnull=False),
                name="ticket_professional_has_department",
            ),
            models.CheckConstraint(
                condition=Q(matter__isnull=False) | ~Q(business_group=""), name="ticket_matter_or_group"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["called", "serving"]) | Q(called_window__isnull=False),
                name="ticket_at_window_has_window",
            ),
        ]
        indexes = [
            # call-next: the waiting tickets of a centre's class, priority first then oldest.
            models.Index(
                fields=["centre", "status", "window_class", "priority", "queued_at"], name="ticket_queue_idx"
            ),
            models.Index(fields=["called_window", "status"], name="ticket_window_idx"),
            models.Index(fields=["centre", "date", "status"], name="ticket_day_idx"),
            # The waiting tickets only (a small part of a day's, a tiny part of the table): the screens'
            # waiting counts per queue, call-next's pick in calling order, those ahead of a ticket.
            models.Index(
                fields=["centre", "date", "window_class", "department", "-priority", "queued_at", "id"],
                condition=Q(status__in=WAITING_STATUSES),
                name="ticket_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        """The printed number, e.g. A005."""
        return f"{self.prefix}{self.number:03d}"

    @property
    def matter_label(self) -> str:
        """The matter's name, or the business group when the visitor named none."""
        return self.matter.name if self.matter is not None else self.business_group

    @property
    def window_number(self) -> int | None:
        return self.called_window.number if self.called_window is not None else None

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING_STATUSES

    @property
    def wait_seconds(self) -> int | None:
        if self.called_at is None:
            return None
        return int((self.called_at - self.issued_at).total_seconds())

    @property
    def service_seconds(self) -> int | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return int((self.finished_at - self.started_at).total_seconds())


class TicketCounter(models.Model):
    """The last number handed out per centre, day and prefix. Incremented by one locked upsert."""

    centre = models.ForeignKey("orgs.Centre", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    prefix = models.CharField(max_length=4)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "取号计数器"
        constraints = [
            models.UniqueConstraint(fields=["centre", "date", "prefix"], name="ticket_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.date} {self.prefix}{self.last_number}"


class TicketTransfer(models.Model):
    """One transfer of a ticket to another class or window (一票到底)."""

    ticket = models.ForeignKey(
        Ticket, verbose_name="排队号", on_delete=models.CASCADE, related_name="transfers"
    )
    from_window = models.ForeignKey(
        "orgs.Window",
        verbose_name="转出窗口",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_class = models.CharField("原窗口类别", max_length=16, choices=WindowClass.choices)
    from_department = models.ForeignKey(
        "orgs.Department",
        verbose_name="原部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_class = models.CharField("转入窗口类别", max_length=16, choices=WindowClass.choices)
    to_department = models.ForeignKey(
        "orgs.Department",
        verbose_name="转入部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_window = models.ForeignKey(
        "orgs.Window",
        verbose_name="转入窗口",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField("转移原因", max_length=200, blank=True)
    warning = models.CharField("提示", max_length=200, blank=True, help_text="如：转入的类别当前没有开放窗口")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("转移时间")

    class Meta:
        verbose_name = verbose_name_plural = "排队号转移记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket} → {self.get_to_class_display()}"


class CallKind(models.TextChoices):
    CALL = "call", "叫号"
    RECALL = "recall", "重呼"


class CallLog(models.Model):
    """Every call and recall, with the sentence the screens speak. Display screens start from the last
    few rows and then follow live events."""

    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="服务中心", on_delete=models.CASCADE, related_name="+"
    )
    ticket = models.ForeignKey(Ticket, verbose_name="排队号", on_delete=models.CASCADE, related_name="calls")
    window = models.ForeignKey("orgs.Window", verbose_name="窗口", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=8, choices=CallKind.choices, default=CallKind.CALL)
    text = models.CharField("播报内容", max_length=200)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "叫号记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["centre", "-at"], name="calllog_centre_at_idx")]

    def __str__(self) -> str:
        return self.text


# --- windows: open / paused (暂停服务, STD-7) ------------------------------------------------------


class WindowStatus(models.TextChoices):
    OPEN = "open", "服务中"
    PAUSED = "paused", "暂停服务"
    CLOSED = "closed", "未开放"


class PauseReason(models.TextChoices):
    BREAK = "break", "临时离开"
    MEETING = "meeting", "会议/培训"
    OUTING = "outing", "外出办事"
    SYSTEM = "system", "系统故障"
    OTHER = "other", "其他"


class WindowState(models.Model):
    """A window's current state. Only an open window gets calls; a paused one shows its reason."""

    window = models.OneToOneField(
        "orgs.Window", verbose_name="窗口", on_delete=models.CASCADE, related_name="queue_state"
    )
    status = models.CharField("状态", max_length=8, choices=WindowStatus.choices, default=WindowStatus.CLOSED)
    reason = models.CharField("暂停原因", max_length=12, choices=PauseReason.choices, blank=True)
    note = models.CharField("说明", max_length=100, blank=True)
    since = models.DateTimeField("起始时间", null=True, blank=True)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="当前窗口人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "窗口状态"

    def __str__(self) -> str:
        return f"{self.window} {self.get_status_display()}"


class WindowPause(models.Model):
    """The log of pauses: when, why, who, until when."""

    window = models.ForeignKey(
        "orgs.Window", verbose_name="窗口", on_delete=models.CASCADE, related_name="pauses"
    )
    reason = models.CharField("暂停原因", max_length=12, choices=PauseReason.choices)
    note = models.CharField("说明", max_length=100, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="恢复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "暂停服务记录"
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["window"], condition=Q(ended_at__isnull=True), name="one_open_pause_per_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.window} {self.get_reason_display()} {self.started_at:%Y-%m-%d %H:%M}"


# --- display notices (NET-3) ----------------------------------------------------------------------


class DisplayNotice(models.Model):
    """A policy or announcement rolled on a centre's big screen (beside the matters, limits and fees the
    screen takes from the catalogue, and the complaint phone)."""

    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="服务中心", on_delete=models.CASCADE, related_name="display_notices"
    )
    title = models.CharField("标题", max_length=60)
    text = models.CharField("内容", max_length=500)
    order = models.PositiveSmallIntegerField("顺序", default=1)
    is_active = models.BooleanField("启用", default=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "滚动公告"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


# --- appointments (预约) ---------------------------------------------------------------------------


class AppointmentSlot(models.Model):
    """A bookable period of a class queue at a centre, with its capacity."""

    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="服务中心", on_delete=models.CASCADE, related_name="appointment_slots"
    )
    window_class = models.CharField("窗口类别", max_length=16, choices=WindowClass.choices)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="专业窗口部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    date = models.DateField("日期")
    start = models.TimeField("开始时间")
    end = models.TimeField("结束时间")
    capacity = models.PositiveSmallIntegerField("可预约人数")
    booked = models.PositiveSmallIntegerField("已预约人数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "预约时段"
        ordering = ["date", "start", "window_class"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "window_class", "date", "start"],
                condition=Q(department__isnull=True),
                name="appointment_slot_unique",
            ),
            models.UniqueConstraint(
                fields=["centre", "department", "date", "start"],
                condition=Q(department__isnull=False),
                name="appointment_dept_slot_unique",
            ),
            models.CheckConstraint(condition=Q(booked__lte=models.F("capacity")), name="slot_not_overbooked"),
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="slot_start_before_end"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.start:%H:%M}-{self.end:%H:%M} {self.get_window_class_display()}"

    @property
    def remaining(self) -> int:
        return self.capacity - self.booked


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "已预约"
    CHECKED_IN = "checked_in", "已签到"
    NO_SHOW = "no_show", "爽约"
    CANCELLED = "cancelled", "已取消"


def new_booking_code() -> str:
    # Eight digits, easy to type at a kiosk; uniqueness is enforced by the database.
    return f"{secrets.randbelow(10**8):08d}"


class Appointment(models.Model):
    slot = models.ForeignKey(
        AppointmentSlot, verbose_name="预约时段", on_delete=models.PROTECT, related_name="appointments"
    )
    matter = models.ForeignKey(
        "catalog.Matter", verbose_name="事项", on_delete=models.PROTECT, related_name="appointments"
    )
    code = models.CharField("预约码", max_length=12, unique=True, default=new_booking_code)
    name = models.CharField("预约人", max_length=60)
    phone = EncryptedTextField("手机号码")
    phone_digest = models.CharField("手机号码摘要", max_length=64, db_index=True)
    id_number = EncryptedTextField("身份证号码", blank=True)
    id_digest = models.CharField("身份证号码摘要", max_length=64, blank=True, db_index=True)
    status = models.CharField(
        "状态", max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    ticket = models.OneToOneField(
        Ticket,
        verbose_name="签到取号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointment",
    )
    created_at = models.DateTimeField("预约时间", auto_now_add=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    closed_at = models.DateTimeField("取消/爽约时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "预约"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["slot", "status"])]

    def __str__(self) -> str:
        return f"{self.code} {self.slot}"
