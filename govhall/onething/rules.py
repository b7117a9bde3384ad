"""The rules of a 一件事 composition, pure and database-free (MODE-1, SCOPE-4, STD-2).

Services and selectors turn model rows into the plain values below and ask these functions; tests drive them
directly. Four rules live here and nowhere else:

- which members an applicant's answers include (``included_members``);
- the order of the members is a DAG: ``after`` names members that must finish first; no cycle
  (``order_errors``, ``stages``);
- the promised limit of the whole is no longer than the sum of its members' own (``limit_errors``);
- one set of materials: the same material asked once, a material another member produces is not asked of the
  applicant (``merge_materials``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# A limit in natural days counts as that many working days when the members' limits are summed: N natural
# days never hold more than N working days, so the sum is an upper bound and the check never lets a promise
# exceed what the members promise themselves.
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
_SPACE = re.compile(r"\s+")


def material_key(name: str) -> str:
    """A material's identity across matters: its name without spaces and bracketed qualifiers.

    「居民户口簿（新生儿页）」 and 「居民户口簿」 are the same document; the bureau links differently named
    documents explicitly (``MaterialSpec.same_as``)."""
    return _SPACE.sub("", _BRACKETS.sub("", name or ""))


@dataclass(frozen=True)
class Condition:
    """Include a member only when the applicant answered ``question`` with ``answer`` (是/否)."""

    question: str
    answer: bool


@dataclass(frozen=True)
class MaterialSpec:
    name: str
    issuer: str = ""
    originals: int = 0
    copies: int = 0
    required: bool = True
    rongque: bool = False
    commitment: bool = False
    same_as: str = ""  # the bureau's link: this material is the same document as the one named here


@dataclass(frozen=True)
class MemberSpec:
    key: str  # the member's stable key within a version (its order number as text, or the matter code)
    name: str
    promised_days: int  # the member's own promised limit, in working days (0 = 即办)
    result: str = ""  # the document the member produces (MatterVersion.result_name)
    after: tuple[str, ...] = ()  # keys of members that must finish first
    condition: Condition | None = None
    materials: tuple[MaterialSpec, ...] = ()


@dataclass
class MergedMaterial:
    name: str
    issuer: str
    originals: int
    copies: int
    required: bool
    rongque: bool  # 容缺 only where every member asking for it allows it
    commitment: bool  # 告知承诺 only where every member asking for it allows it
    members: list[str] = field(default_factory=list)  # names of the members that need it

    @property
    def key(self) -> str:
        """Its identity in the one checklist of an application (what the form ticks)."""
        return material_key(self.name)

    @property
    def upload_field(self) -> str:
        """The name of its file input on the online form: the same for the same material whatever the answers."""
        return "scan_" + hashlib.sha256(self.key.encode()).hexdigest()[:12]


@dataclass
class ProducedMaterial:
    """A material one member needs and another member produces: not asked of the applicant."""

    name: str
    produced_by: str
    needed_by: list[str] = field(default_factory=list)


@dataclass
class MergedMaterials:
    asked: list[MergedMaterial]
    produced: list[ProducedMaterial]


# --- members the answers include -------------------------------------------------------------------


def included_members(members: Sequence[MemberSpec], answers: Mapping[str, bool]) -> list[MemberSpec]:
    """The members an applicant's answers include; a member whose question is unanswered is included (the
    form asks every question first, so this only happens when a guide is shown before any answer)."""
    chosen = []
    for member in members:
        cond = member.condition
        if cond is None or cond.question not in answers or answers[cond.question] == cond.answer:
            chosen.append(member)
    return chosen


# --- order -----------------------------------------------------------------------------------------


def _cycle(members: Sequence[MemberSpec]) -> list[str] | None:
    """One cycle in the ``after`` relation as a list of keys (first repeated at the end), or None."""
    graph = {m.key: list(m.after) for m in members}
    state: dict[str, int] = {}  # 1 = on the path, 2 = done
    path: list[str] = []

    def visit(key: str) -> list[str] | None:
        state[key] = 1
        path.append(key)
        for nxt in graph.get(key, []):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt in graph and state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[key] = 2
        return None

    for member in members:
        if state.get(member.key) is None:
            found = visit(member.key)
            if found:
                return found
    return None


def order_errors(members: Sequence[MemberSpec]) -> list[str]:
    names = {m.key: m.name for m in members}
    errors = []
    for member in members:
        for before in member.after:
            if before == member.key:
                errors.append(f"「{member.name}」不能排在自己之后。")
            elif before not in names:
                errors.append(f"「{member.name}」的前置事项不在本一件事中。")
    if not errors:
        cycle = _cycle(members)
        if cycle:
            errors.append("办理顺序存在循环：" + " → ".join(names[k] for k in cycle) + "。")
    return errors


def stages(members: Sequence[MemberSpec]) -> list[list[MemberSpec]]:
    """The members in stages: every member of a stage may run in parallel once the earlier stages finish.

    A prerequisite that the applicant's answers left out does not hold the member back."""
    present = {m.key for m in members}
    done: set[str] = set()
    remaining = list(members)
    result: list[list[MemberSpec]] = []
    while remaining:
        ready = [m for m in remaining if all(k in done or k not in present for k in m.after)]
        if not ready:  # a cycle: order_errors refuses these before anything is saved
            raise ValueError("cycle in the order of members")
        result.append(ready)
        done.update(m.key for m in ready)
        remaining = [m for m in remaining if m.key not in done]
    return result


# --- limits ----------------------------------------------------------------------------------------


def members_limit_sum(members: Iterable[MemberSpec]) -> int:
    return sum(m.promised_days for m in members)


def critical_path_days(members: Sequence[MemberSpec]) -> int:
    """The working days the members need when parallel members run side by side: the longest chain."""
    by_key = {m.key: m for m in members}
    memo: dict[str, int] = {}

    def finish(key: str) -> int:
        if key not in memo:
            member = by_key[key]
            memo[key] = member.promised_days + max(
                (finish(k) for k in member.after if k in by_key), default=0
            )
        return memo[key]

    return max((finish(m.key) for m in members), default=0)


def limit_errors(promised_days: int, members: Sequence[MemberSpec]) -> list[str]:
    total = members_limit_sum(members)
    if promised_days < 0:
        return ["承诺办结时限不能为负数。"]
    if promised_days > total:
        return [f"承诺办结时限（{promised_days}个工作日）不能超过各成员事项承诺时限之和（{total}个工作日）。"]
    return []


# --- materials -------------------------------------------------------------------------------------


def merge_materials(members: Sequence[MemberSpec]) -> MergedMaterials:
    """One set of materials for the members (已按回答筛选): same document asked once, with the larger number
    of originals and copies; a document produced by another member is listed apart and not asked."""
    producers: dict[str, MemberSpec] = {}
    for member in members:
        if member.result:
            producers.setdefault(material_key(member.result), member)
    asked: dict[str, MergedMaterial] = {}
    produced: dict[str, ProducedMaterial] = {}
    for member in members:
        for spec in member.materials:
            key = material_key(spec.same_as or spec.name)
            producer = producers.get(key)
            if producer is not None and producer.key != member.key:
                item = produced.setdefault(key, ProducedMaterial(name=spec.name, produced_by=producer.name))
                if member.name not in item.needed_by:
                    item.needed_by.append(member.name)
                continue
            merged = asked.get(key)
            if merged is None:
                asked[key] = MergedMaterial(
                    name=spec.same_as or spec.name,
                    issuer=spec.issuer,
                    originals=spec.originals,
                    copies=spec.copies,
                    required=spec.required,
                    rongque=spec.rongque,
                    commitment=spec.commitment,
                    members=[member.name],
                )
                continue
            merged.originals = max(merged.originals, spec.originals)
            merged.copies = max(merged.copies, spec.copies)
            merged.required = merged.required or spec.required
            merged.rongque = merged.rongque and spec.rongque
            merged.commitment = merged.commitment and spec.commitment
            if member.name not in merged.members:
                merged.members.append(member.name)
    return MergedMaterials(asked=list(asked.values()), produced=list(produced.values()))


def _ancestors(members: Sequence[MemberSpec]) -> dict[str, set[str]]:
    by_key = {m.key: m for m in members}
    memo: dict[str, set[str]] = {}

    def up(key: str) -> set[str]:
        if key not in memo:
            memo[key] = set()
            for before in by_key[key].after:
                if before in by_key:
                    memo[key] |= {before} | up(before)
        return memo[key]

    return {m.key: up(m.key) for m in members}


def produce_order_errors(members: Sequence[MemberSpec]) -> list[str]:
    """A member that needs what another member produces must come after it, or the document is not there."""
    producers = {material_key(m.result): m for m in members if m.result}
    ancestors = _ancestors(members)
    errors = []
    for member in members:
        for spec in member.materials:
            producer = producers.get(material_key(spec.same_as or spec.name))
            if (
                producer is not None
                and producer.key != member.key
                and producer.key not in ancestors[member.key]
            ):
                errors.append(
                    f"「{member.name}」需要的「{spec.name}」由「{producer.name}」产生，应排在其之后办理。"
                )
    return errors


def composition_errors(promised_days: int, members: Sequence[MemberSpec]) -> list[str]:
    """Everything wrong with a composition, in the order the bureau should fix it."""
    if not members:
        return ["一件事至少要包含一个成员事项。"]
    keys = [m.key for m in members]
    if len(set(keys)) != len(keys):
        return ["同一事项不能在一件事中出现两次。"]
    errors = order_errors(members)
    if errors:
        return errors
    return produce_order_errors(members) + limit_errors(promised_days, members)
