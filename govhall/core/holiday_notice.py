"""Reading one year's State Council holiday notice (国务院办公厅关于X年部分节假日安排的通知) from a
small text file, for ``govhall calendar import FILE``.

Format (UTF-8, with or without BOM; comma-separated; ``#`` starts a comment; blank lines ignored)::

    # 国务院办公厅关于2027年部分节假日安排的通知
    year,2027
    source,国办发明电〔2026〕X号
    date,kind,name
    2027-01-01,放假,元旦
    2027-02-06~2027-02-12,放假,春节
    2027-02-14,上班,春节

* ``year`` and ``source`` (the notice's number) are required, once each.
* The ``date,kind,name`` header line is optional.
* ``date`` is ``YYYY-MM-DD`` (or ``YYYY/MM/DD``), or a range ``FROM~TO`` (both ends included);
  every date must be in ``year`` and appear once.
* ``kind`` is ``放假`` (also 休 / holiday) for a day off, ``上班`` (also 班 / 调休上班 / workday) for a
  make-up working day, which must be a Saturday or Sunday.
* ``name`` is the festival (元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节 …), optional.

List every day off of the notice, weekends inside a holiday included; days not listed follow the
weekly rule (Monday–Friday working). Errors are reported with their line numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from govhall.core.models import CalendarDay, DayKind, calendar_day_problem

KINDS = {
    "放假": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "休息": DayKind.HOLIDAY,
    "holiday": DayKind.HOLIDAY,
    "上班": DayKind.WORKDAY,
    "班": DayKind.WORKDAY,
    "调休上班": DayKind.WORKDAY,
    "workday": DayKind.WORKDAY,
}
NAME_MAX = CalendarDay._meta.get_field("name").max_length or 40
MAX_RANGE_DAYS = 31


class NoticeError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class NoticeDay:
    date: dt.date
    kind: str
    name: str
    line: int


@dataclass
class Notice:
    year: int
    source: str
    days: list[NoticeDay] = field(default_factory=list)

    @property
    def holidays(self) -> list[NoticeDay]:
        return [d for d in self.days if d.kind == DayKind.HOLIDAY]

    @property
    def workdays(self) -> list[NoticeDay]:
        return [d for d in self.days if d.kind == DayKind.WORKDAY]


def _parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text.strip().replace("/", "-"))


def _parse_dates(text: str) -> list[dt.date]:
    text = text.strip().replace("～", "~").replace("至", "~")
    if "~" not in text:
        return [_parse_date(text)]
    start_text, end_text = text.split("~", 1)
    start, end = _parse_date(start_text), _parse_date(end_text)
    if end < start:
        raise ValueError(f"日期范围 {text} 的结束日期早于开始日期")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise ValueError(f"日期范围 {text} 超过{MAX_RANGE_DAYS}天，请检查")
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def decode_notice(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise NoticeError([f"第{line}行：文件不是 UTF-8 编码，请另存为 UTF-8 后再导入。"]) from None


def parse_notice(text: str) -> Notice:
    """Parse the whole file; raise NoticeError listing every problem (with line numbers)."""
    errors: list[str] = []
    year: int | None = None
    source = ""
    rows: list[tuple[int, list[str]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        cells = [c.strip() for c in next(csv.reader(io.StringIO(stripped)))]
        key = cells[0].lower()
        if key == "year":
            if year is not None:
                errors.append(f"第{number}行：year 只能写一次")
            elif len(cells) < 2 or not cells[1].isdigit() or not 2000 <= int(cells[1]) <= 2100:
                errors.append(f"第{number}行：year 应为四位年份，如 year,2027")
            else:
                year = int(cells[1])
        elif key == "source":
            if source:
                errors.append(f"第{number}行：source 只能写一次")
            elif len(cells) < 2 or not ",".join(cells[1:]).strip():
                errors.append(f"第{number}行：source 应写通知文号，如 source,国办发明电〔2026〕X号")
            else:
                source = ",".join(cells[1:]).strip()[:200]
        elif key == "date":
            continue  # the optional header line
        else:
            rows.append((number, cells))
    if year is None:
        errors.append("缺少 year 行（如 year,2027）")
    if not source:
        errors.append("缺少 source 行（通知文号，如 source,国办发明电〔2026〕X号）")

    days: list[NoticeDay] = []
    seen: dict[dt.date, int] = {}
    for number, cells in rows:
        if len(cells) < 2 or len(cells) > 3:
            errors.append(f"第{number}行：应为“日期,类型,名称”三列，实为{len(cells)}列")
            continue
        try:
            dates = _parse_dates(cells[0])
        except ValueError as exc:
            message = str(exc) if "日期范围" in str(exc) else f"日期“{cells[0]}”无法识别，应为 YYYY-MM-DD"
            errors.append(f"第{number}行：{message}")
            continue
        kind = KINDS.get(cells[1].lower())
        if kind is None:
            errors.append(f"第{number}行：类型“{cells[1]}”无法识别，应为“放假”或“上班”")
            continue
        name = cells[2] if len(cells) == 3 else ""
        if len(name) > NAME_MAX:
            errors.append(f"第{number}行：名称“{name}”超过{NAME_MAX}个字")
            continue
        for day in dates:
            if year is not None and day.year != year:
                errors.append(f"第{number}行：{day:%Y-%m-%d} 不在{year}年内")
                continue
            if day in seen:
                errors.append(f"第{number}行：{day:%Y-%m-%d} 与第{seen[day]}行重复")
                continue
            problem = calendar_day_problem(day, kind)
            if problem:
                errors.append(f"第{number}行：{problem}")
                continue
            seen[day] = number
            days.append(NoticeDay(date=day, kind=kind, name=name, line=number))
    if not errors and not any(d.kind == DayKind.HOLIDAY for d in days):
        errors.append("文件中没有任何放假日期：一年的放假安排至少应有元旦、春节等节日")
    if errors:
        raise NoticeError(errors)
    assert year is not None
    return Notice(year=year, source=source, days=sorted(days, key=lambda d: d.date))
