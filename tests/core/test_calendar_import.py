"""STD-3: `govhall calendar import FILE` loads a year's State Council notice, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from govhall.cli import main
from govhall.core.calendar import add_working_days, is_working_day
from govhall.core.models import AuditEntry, CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

# Test data shaped like a notice; not the real 2027 arrangement.
NOTICE_2027 = """\
# 国务院办公厅关于2027年部分节假日安排的通知（测试数据）
year,2027
source,国办发明电〔2026〕99号
date,kind,name
2027-01-01~2027-01-03,放假,元旦
2027-02-06,上班,春节
2027-02-07~2027-02-13,放假,春节
2027-02-20,上班,春节
2027-10-01~2027-10-07,放假,国庆节
2027-09-26,上班,国庆节
"""


def write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "notice.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_import_makes_2027_dates_work(tmp_path, capsys):
    """STD-3: after importing 2027, 2027 deadlines compute and follow the notice."""
    call_command("calendar_import", str(write(tmp_path, NOTICE_2027, "utf-8-sig")))
    assert "已导入2027年（国办发明电〔2026〕99号）：放假17天，调休上班3天" in capsys.readouterr().out
    year = CalendarYear.objects.get(year=2027)
    assert year.complete and year.source == "国办发明电〔2026〕99号"
    assert CalendarDay.objects.filter(date__year=2027).count() == 20
    assert is_working_day(dt.date(2027, 2, 6)) and not is_working_day(dt.date(2027, 2, 8))
    # Friday 5 Feb 2027: day 1 is the make-up Saturday, day 2 is Monday 15 Feb.
    assert add_working_days(dt.date(2027, 2, 5), 2).date() == dt.date(2027, 2, 15)
    entry = AuditEntry.objects.get(action="calendar.import")
    assert entry.after["workdays"] == ["2027-02-06", "2027-02-20", "2027-09-26"]
    assert entry.before is None


def test_reimport_replaces_the_year(tmp_path):
    call_command("calendar_import", str(write(tmp_path, NOTICE_2027)))
    corrected = NOTICE_2027.replace("2027-09-26,上班,国庆节\n", "").replace("99号", "100号")
    call_command("calendar_import", str(write(tmp_path, corrected)))
    assert CalendarYear.objects.get(year=2027).source == "国办发明电〔2026〕100号"
    assert not CalendarDay.objects.filter(date=dt.date(2027, 9, 26)).exists()
    assert not is_working_day(dt.date(2027, 9, 26))
    second = AuditEntry.objects.filter(action="calendar.import").order_by("-seq").first()
    assert "2027-09-26" in second.before["workdays"] and "2027-09-26" not in second.after["workdays"]


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_written(tmp_path):
    bad = (
        NOTICE_2027.replace("2027-02-20,上班,春节", "2027-02-30,上班,春节").replace(
            "2027-09-26,上班,国庆节", "2027-09-29,上班,国庆节"
        )
        + "2026-12-31,放假,跨年\n2027-01-02,放假,元旦\n2027-05-01,请假,劳动节\n"
    )
    with pytest.raises(CommandError) as caught:
        call_command("calendar_import", str(write(tmp_path, bad)))
    message = str(caught.value)
    assert "未写入任何数据" in message
    assert "第8行：日期“2027-02-30”无法识别" in message
    assert "第10行：2027-09-29是星期三，本来就是工作日" in message
    assert "第11行：2026-12-31 不在2027年内" in message
    assert "第12行：2027-01-02 与第5行重复" in message
    assert "第13行：类型“请假”无法识别" in message
    assert not CalendarYear.objects.exists() and not CalendarDay.objects.exists()
    assert not AuditEntry.objects.exists()


def test_missing_year_and_source_are_reported(tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("calendar_import", str(write(tmp_path, "2027-01-01,放假,元旦\n")))
    assert "缺少 year 行" in str(caught.value) and "缺少 source 行" in str(caught.value)


def test_a_file_without_any_day_off_is_refused(tmp_path):
    with pytest.raises(CommandError, match="没有任何放假日期"):
        call_command("calendar_import", str(write(tmp_path, "year,2027\nsource,X\n2027-02-06,上班,春节\n")))


def test_non_utf8_file_is_refused_with_its_line(tmp_path):
    with pytest.raises(CommandError, match="第1行：文件不是 UTF-8 编码"):
        call_command("calendar_import", str(write(tmp_path, NOTICE_2027, "gbk")))
    assert not CalendarDay.objects.exists()


def test_dry_run_checks_without_writing(tmp_path, capsys):
    call_command("calendar_import", str(write(tmp_path, NOTICE_2027)), "--dry-run")
    assert "检查通过，未写入" in capsys.readouterr().out
    assert not CalendarYear.objects.exists()


def test_govhall_calendar_import_is_the_command(tmp_path, capsys):
    # Last: the command line closes the database connections when it finishes.
    main(["govhall", "calendar", "import", str(write(tmp_path, NOTICE_2027)), "--dry-run"])
    assert "检查通过，未写入：2027年" in capsys.readouterr().out


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("calendar_import", str(tmp_path / "nope.csv"))
