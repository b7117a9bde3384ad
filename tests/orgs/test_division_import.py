"""`govhall orgs import FILE.csv`: all rows checked first, a bad row named by its line, nothing written."""

import io

import pytest
from django.core.management import CommandError, call_command

from govhall.orgs.models import Centre, Division, DivisionChange
from govhall.orgs.services import ImportRejected, division_merge, division_rename, divisions_import_csv
from tests.factories import TownCentreFactory, TownFactory, VillageCentreFactory

HEADER = "code,name,streetCode,provinceCode,cityCode,areaCode\n"


@pytest.fixture
def town(db):
    return TownFactory(code="320681100000", name="汇龙镇")


def test_import_creates_villages_under_their_town(town):
    csv = (
        HEADER
        + '320681100001,"幸福一村居委会",320681100,32,3206,320681\n320681100002,"新港村委会",320681100,32,3206,320681\n'
    )
    report = divisions_import_csv(io.StringIO(csv))
    assert report.created == 2
    assert Division.objects.get(code="320681100002").name == "新港村"
    assert Division.objects.get(code="320681100002").parent == town


def test_a_bad_row_is_reported_with_its_line_number_and_nothing_is_written(town, tmp_path):
    path = tmp_path / "villages.csv"
    path.write_text(
        HEADER
        + '320681100001,"幸福一村居委会",320681100,32,3206,320681\n'
        + '32068110000X,"坏代码村委会",320681100,32,3206,320681\n'
        + '320681100003,"东洲新村居委会",320681100,32,3206,320681\n',
        encoding="utf-8",
    )
    before = Division.objects.count()
    with pytest.raises(CommandError) as excinfo:
        call_command("orgs_import", str(path))
    assert "第3行" in str(excinfo.value)
    assert Division.objects.count() == before


def test_unknown_town_and_duplicate_code_are_both_listed(town):
    csv = (
        HEADER
        + '320681100001,"甲村委会",320681100,32,3206,320681\n'
        + '320681100001,"乙村委会",320681100,32,3206,320681\n'
        + '320681777001,"丙村委会",320681777,32,3206,320681\n'
    )
    with pytest.raises(ImportRejected) as excinfo:
        divisions_import_csv(io.StringIO(csv))
    assert any("第3行" in e and "重复" in e for e in excinfo.value.errors)
    assert any("第4行" in e and "不存在" in e for e in excinfo.value.errors)
    assert not Division.objects.filter(code="320681100001").exists()


def test_reimport_with_a_new_name_renames_and_keeps_history(town):
    divisions_import_csv(io.StringIO(HEADER + '320681100001,"幸福一村居委会",320681100,32,3206,320681\n'))
    report = divisions_import_csv(
        io.StringIO(HEADER + '320681100001,"幸福社区居委会",320681100,32,3206,320681\n')
    )
    assert report.updated == 1
    village = Division.objects.get(code="320681100001")
    assert village.name == "幸福社区"
    assert village.changes.filter(kind="rename").exists()


def test_renaming_a_town_renames_its_centres_and_keeps_records(db):
    """ORG-1 history: a rename keeps the division row that records point at."""
    centre = TownCentreFactory(division__name="近海镇")
    village = VillageCentreFactory(parent=centre)
    division_rename(
        division=centre.division, new_name="滨海镇", effective=__import__("datetime").date(2024, 1, 1)
    )
    centre.refresh_from_db()
    village.refresh_from_db()
    assert centre.name == "启东市滨海镇为民服务中心"
    assert village.name.startswith("启东市滨海镇")
    assert DivisionChange.objects.filter(division=centre.division, kind="rename").exists()


def test_merging_towns_moves_villages_and_closes_the_old_centre(db):
    import datetime as dt

    old = TownCentreFactory(division__name="甲镇")
    new = TownCentreFactory(division__name="乙镇")
    village = VillageCentreFactory(parent=old)
    division_merge(source=old.division, target=new.division, effective=dt.date(2024, 6, 1))
    old.refresh_from_db()
    village.refresh_from_db()
    assert old.is_active is False and Centre.objects.filter(pk=old.pk).exists()
    assert village.parent == new
    assert village.division.parent == new.division
    assert old.division.successor == new.division
