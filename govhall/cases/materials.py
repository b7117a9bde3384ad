"""Material completeness, written once: which required materials are neither given nor excused. The
portal's online application (before it is sent) and 受理 at the window (`services.case_accept`) both ask it.

Pure: the callers say for each material whether it is given (received at the window, uploaded online)
and whether 容缺 (MODE-3) or a signed 告知承诺 (MODE-2) excuses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class MaterialState:
    key: int  # the caller's id for the material (catalogue material or case material)
    name: str
    required: bool
    given: bool
    rongque: bool = False  # missing under 容缺
    commitment: bool = False  # replaced by a signed 告知承诺书


def missing_required(items: Iterable[MaterialState]) -> list[MaterialState]:
    """The required materials still owed: not given, not under 容缺, not replaced by a 告知承诺."""
    return [m for m in items if m.required and not (m.given or m.rongque or m.commitment)]
