"""Material completeness, one rule for 受理 at the window and the portal's online application."""

from __future__ import annotations

from govhall.cases.materials import MaterialState, missing_required


def test_required_materials_are_owed_unless_given_or_excused():
    """MODE-2, MODE-3: a required material is owed unless received, under 容缺 or replaced by a 告知承诺;
    an optional one never is."""
    items = [
        MaterialState(key=1, name="身份证", required=True, given=True),
        MaterialState(key=2, name="户口簿", required=True, given=False, rongque=True),
        MaterialState(key=3, name="收入证明", required=True, given=False, commitment=True),
        MaterialState(key=4, name="照片", required=False, given=False),
        MaterialState(key=5, name="结婚证", required=True, given=False),
    ]
    assert [m.name for m in missing_required(items)] == ["结婚证"]
