"""Typed input of the case services, for callers that have parsed it already (the API's schemas). Pages
may still pass the plain dicts of a form; the services parse those into these at the door."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from govhall.cases.models import MaterialForm, MaterialStatus


@dataclass(frozen=True)
class MaterialTick:
    """One line of the 收件 checklist: the catalogue material, received / missing / wrong, the originals
    and copies taken (None: the catalogue's numbers when received, else none), paper or electronic."""

    material_id: int
    status: str = MaterialStatus.MISSING
    originals: int | None = None
    copies: int | None = None
    form: str = MaterialForm.PAPER
    note: str = ""


@dataclass(frozen=True)
class CorrectionItem:
    """One line of a 一次性告知单 (STD-2): the case's material (its CaseMaterial id), 缺少 or 有误, and
    what the applicant is to bring."""

    material: int
    problem: str = MaterialStatus.MISSING
    reason: str = ""


MaterialInput: TypeAlias = MaterialTick | Mapping[str, Any]
CorrectionInput: TypeAlias = CorrectionItem | Mapping[str, Any]
