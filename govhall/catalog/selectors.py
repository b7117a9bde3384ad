"""Catalogue reads for pages, the API and other apps: search, a centre's matters, the 应进必进 report."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length
from django.db.models.lookups import Lookup

from govhall.core.errors import NotFound
from govhall.orgs.models import Centre, CentreLevel, Department, contact_is_missing
from govhall.orgs.policy import centres_visible_to, sees_everything

from .models import (
    TOWN_CATEGORIES,
    VILLAGE_CATEGORIES,
    CentreMatter,
    ExerciseLevel,
    Material,
    Matter,
    MatterStatus,
    MatterVersion,
    NoticeCategory,
    NotificationSheet,
    VersionState,
)


class Like(Lookup):
    """SQL LIKE with a caller-built pattern (only [a-z0-9] and CJK characters reach it)."""

    lookup_name = "govhall_like"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs}", [*lhs_params, *rhs_params]


_CLEAN = re.compile(r"[^0-9a-z\u3400-\u9fff]+")


def _terms(q: str) -> list[str]:
    return [t for t in (_CLEAN.sub("", part) for part in q.lower().split()) if t]


def current_versions() -> QuerySet[MatterVersion]:
    """The current (published) version of every published matter."""
    return MatterVersion.objects.filter(state=VersionState.PUBLISHED).select_related(
        "matter", "department", "window_department"
    )


def _rank(first: str, prefix: str = "") -> Case:
    """Best first: code, name prefix, code prefix, name contains, pinyin initials prefix/contains, pinyin.
    Ties go to the shorter name, so an exact name comes before longer names that start with it."""
    p = prefix
    ranks = [
        When(Q(**{f"{p}code__iexact": first}) | Q(**{f"{p}basic_code__iexact": first}), then=Value(100)),
        When(**{f"{p}name__startswith": first}, then=Value(90)),
        When(**{f"{p}code__istartswith": first}, then=Value(85)),
        When(**{f"{p}name__contains": first}, then=Value(80)),
        When(**{f"{p}keywords__contains": first}, then=Value(75)),
    ]
    if first.isascii():
        ranks += [
            When(**{f"{p}pinyin_initials__startswith": first}, then=Value(70)),
            When(**{f"{p}pinyin_initials__contains": first}, then=Value(60)),
        ]
    ranks += [When(**{f"{p}search_key__contains": first}, then=Value(50))]
    return Case(*ranks, default=Value(10), output_field=IntegerField())


def _version_filters(
    prefix: str, *, category: str | None, department: Department | str | int | None, level: int | str | None
) -> Q:
    p = prefix
    cond = Q()
    if category:
        cond &= Q(**{f"{p}category": category})
    if department:
        if isinstance(department, Department):
            cond &= Q(**{f"{p}department_id": department.pk})
        elif isinstance(department, int) or str(department).isdigit():
            cond &= Q(**{f"{p}department_id": int(department)})
        else:
            cond &= Q(**{f"{p}department__code": department})
    if level:
        cond &= Q(**{f"{p}levels__contains": str(int(level))})
    return cond


def matter_search(
    q: str = "",
    *,
    category: str | None = None,
    department: Department | str | int | None = None,
    level: int | str | None = None,
    centre: Centre | int | None = None,
    limit: int | None = 50,
    include_inactive: bool = False,
) -> QuerySet[MatterVersion]:
    """Current versions matching `q`, best first (one query).

    `q` matches the 实施编码/基本编码 (exact or prefix), words of the name (Chinese; several words must all
    match; characters in order also match, so 低保申请 finds 最低生活保障申请), full pinyin, and pinyin
    initials (prefix, substring, or in order: `dbsq` finds 最低生活保障申请). Filters: notice category, department
    (row, id or code), 行使层级 code (5 town, 6 village), centre (matters active in that centre's hall).
    Suspended and cancelled matters are left out unless `include_inactive`. `limit=None` returns all matches
    (for a paginator)."""
    centre_id = (centre.pk if isinstance(centre, Centre) else int(centre)) if centre else None
    terms = _terms(q or "")
    if not terms:
        qs = current_versions().filter(
            _version_filters("", category=category, department=department, level=level)
        )
        if not include_inactive:
            qs = qs.filter(matter__status=MatterStatus.ACTIVE)
        if centre_id:
            qs = qs.filter(matter__centre_links__centre_id=centre_id, matter__centre_links__is_active=True)
        qs = qs.order_by("matter__code")
        return qs[:limit] if limit else qs
    # Match and rank on the narrow Matter table (name, codes, pinyin keys) and only then fetch the chosen
    # current versions by primary key: a search never sorts or scans the versions' long texts.
    hits = Matter.objects.filter(current_version__isnull=False).filter(
        _version_filters("current_version__", category=category, department=department, level=level)
    )
    if not include_inactive:
        hits = hits.filter(status=MatterStatus.ACTIVE)
    if centre_id:
        hits = hits.filter(centre_links__centre_id=centre_id, centre_links__is_active=True)
    for term in terms:
        cond = Q(search_key__contains=term)
        if term.isascii():
            cond |= Q(Like(F("pinyin_initials"), Value("%" + "%".join(term) + "%")))
        elif len(term) > 1:
            cond |= Q(Like(F("name"), Value("%" + "%".join(term) + "%")))
        hits = hits.filter(cond)
    ordering = ("-rank", "name_len", "code")
    hits = hits.annotate(rank=_rank(terms[0]), name_len=Length("name")).order_by(*ordering)
    chosen = hits.values("current_version_id")
    if limit:
        chosen = chosen[:limit]
    return (
        MatterVersion.objects.filter(pk__in=chosen)
        .select_related("matter", "department")
        .annotate(rank=_rank(terms[0], "matter__"), name_len=Length("matter__name"))
        .order_by("-rank", "name_len", "matter__code")
    )


def matters_for_centre(centre: Centre, *, include_suspended: bool = False) -> QuerySet[MatterVersion]:
    """Current versions of the matters in a centre's hall (SCOPE-3), by category then code. Each row is
    annotated with `service_mode` (受理办理 / 帮办代办) from the centre's link."""
    statuses = [MatterStatus.ACTIVE, MatterStatus.SUSPENDED] if include_suspended else [MatterStatus.ACTIVE]
    # One join to centre_links serves the filter and the annotation ((centre, matter) is unique).
    return (
        current_versions()
        .filter(
            matter__status__in=statuses,
            matter__centre_links__centre=centre,
            matter__centre_links__is_active=True,
        )
        .annotate(service_mode=F("matter__centre_links__service_mode"))
        .order_by("category", "matter__code")
    )


def access_matter(user: Any, code: str) -> Matter:
    """A matter by 实施编码 for a signed-in staff member. The catalogue is readable by all staff; drafts that
    were never published only by the bureau."""
    matter = Matter.objects.select_related("current_version").filter(code=code).first()
    if matter is None or not user.is_authenticated:
        raise NotFound()
    if not matter.is_published and not sees_everything(user):
        raise NotFound()
    return matter


def public_matter(code: str) -> Matter:
    """A matter whose guide is public (published, not cancelled)."""
    matter = (
        Matter.objects.select_related("current_version__department")
        .filter(code=code, current_version__isnull=False)
        .exclude(status=MatterStatus.CANCELLED)
        .first()
    )
    if matter is None:
        raise NotFound("未找到该事项的办事指南。")
    return matter


def access_notification_sheet(user: Any, serial: str) -> NotificationSheet:
    sheet = (
        NotificationSheet.objects.select_related("centre", "matter_version__matter")
        .filter(serial=serial, centre__in=centres_visible_to(user))
        .first()
        if user.is_authenticated
        else None
    )
    if sheet is None:
        raise NotFound()
    return sheet


def version_history(matter: Matter, user: Any) -> QuerySet[MatterVersion]:
    """A matter's versions, newest first; drafts only for the bureau (as ``access_version``)."""
    rows = matter.versions.select_related("created_by", "published_by").order_by("-number")
    return rows if sees_everything(user) else rows.exclude(state=VersionState.DRAFT)


def access_version(user: Any, matter: Matter, number: int) -> MatterVersion:
    """One version of a matter the user may read (``access_matter``): a draft only for the bureau."""
    version = matter.versions.select_related("matter", "department").filter(number=number).first()
    if version is None or (version.state == VersionState.DRAFT and not sees_everything(user)):
        raise NotFound()
    return version


# --- 应进必进 (SCOPE-3) -------------------------------------------------------------------------


def _expected_filter(centre: Centre) -> Q:
    if centre.level == CentreLevel.VILLAGE:
        return Q(levels__contains=str(ExerciseLevel.VILLAGE.value))
    town_class = centre.division.town_class or 3
    return Q(levels__contains=str(ExerciseLevel.TOWN.value)) & (
        Q(max_town_class__isnull=True) | Q(max_town_class__gte=town_class)
    )


def expected_matter_ids(centre: Centre) -> list[int]:
    """Matters that should be in this centre's hall: in use, exercised at its level (town 5 / village 6),
    and — for towns — not limited to a higher town class."""
    return list(
        current_versions()
        .filter(matter__status=MatterStatus.ACTIVE)
        .filter(_expected_filter(centre))
        .values_list("matter_id", flat=True)
    )


@dataclass
class CoverageRow:
    centre: Centre
    expected: int = 0
    present: int = 0
    missing: list[MatterVersion] = field(default_factory=list)
    extra: list[MatterVersion] = field(default_factory=list)
    by_category: dict[str, tuple[int, int]] = field(default_factory=dict)  # category -> (expected, present)
    contact_missing: list[str] = field(default_factory=list)  # what the centre's guides lack (SCOPE-4)
    guides_incomplete: int = 0  # guides of the matters in its hall that print without those data

    @property
    def guides_complete(self) -> bool:
        return self.guides_incomplete == 0

    @property
    def rate(self) -> float:
        return self.present / self.expected if self.expected else 1.0

    @property
    def complete(self) -> bool:
        return self.present == self.expected


@dataclass
class CoverageReport:
    rows: list[CoverageRow]
    categories: list[tuple[str, str]]
    totals: dict[str, tuple[int, int]]  # category -> (expected, present) over all rows

    @property
    def expected(self) -> int:
        return sum(r.expected for r in self.rows)

    @property
    def present(self) -> int:
        return sum(r.present for r in self.rows)


def coverage_report(*, centres: QuerySet[Centre] | list[Centre], level: str | None = None) -> CoverageReport:
    """Per centre: which matters should be in its hall (by level, delegation and town class) and which are,
    with totals per notice category. Two queries plus one per centre level/class combination."""
    centre_list = [c for c in centres if level is None or c.level == level]
    versions = list(current_versions().filter(matter__status=MatterStatus.ACTIVE))
    by_matter = {v.matter_id: v for v in versions}
    links: dict[int, set[int]] = defaultdict(set)
    for centre_id, matter_id in CentreMatter.objects.filter(
        centre__in=centre_list, is_active=True, matter__status=MatterStatus.ACTIVE
    ).values_list("centre_id", "matter_id"):
        links[centre_id].add(matter_id)
    expected_cache: dict[tuple[str, int | None], set[int]] = {}
    rows = []
    for centre in centre_list:
        key = (
            centre.level,
            None if centre.level == CentreLevel.VILLAGE else (centre.division.town_class or 3),
        )
        if key not in expected_cache:
            expected_cache[key] = {v.matter_id for v in versions if _expects(v, centre)}
        expected = expected_cache[key]
        present = links[centre.pk]
        row = CoverageRow(centre=centre, expected=len(expected), present=len(expected & present))
        row.missing = sorted((by_matter[m] for m in expected - present), key=lambda v: v.matter.code)
        row.extra = sorted(
            (by_matter[m] for m in present - expected if m in by_matter), key=lambda v: v.matter.code
        )
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for matter_id in expected:
            counts[by_matter[matter_id].category][0] += 1
            if matter_id in present:
                counts[by_matter[matter_id].category][1] += 1
        row.by_category = {k: (v[0], v[1]) for k, v in counts.items()}
        in_hall = [by_matter[m] for m in present if m in by_matter]
        gaps = [guide_contact_missing(v, centre) for v in in_hall]
        row.contact_missing = sorted({label for gap in gaps for label in gap}, key=GUIDE_CONTACT_LABELS.index)
        row.guides_incomplete = sum(1 for gap in gaps if gap)
        rows.append(row)
    categories = [(c.value, c.label) for c in (*TOWN_CATEGORIES, *VILLAGE_CATEGORIES)]
    if level == CentreLevel.TOWN:
        categories = [(c.value, c.label) for c in TOWN_CATEGORIES]
    elif level == CentreLevel.VILLAGE:
        categories = [(c.value, c.label) for c in VILLAGE_CATEGORIES]
    totals = {}
    for value, _ in categories:
        totals[value] = (
            sum(r.by_category.get(value, (0, 0))[0] for r in rows),
            sum(r.by_category.get(value, (0, 0))[1] for r in rows),
        )
    return CoverageReport(rows=rows, categories=categories, totals=totals)


GUIDE_CONTACT_LABELS = ["办理地点", "咨询电话", "办理时间"]


def guide_contact_missing(version: MatterVersion, centre: Centre) -> list[str]:
    """What the centre's printed guide of this matter would lack (SCOPE-4): a place, a phone and hours,
    each taken from the matter version or else from the centre; blank or the built-in 「（待填写）」 count
    as missing. The catalogue check (应进必进情况) fails a centre with any such guide."""
    pairs = (
        (version.location, centre.address),
        (version.consult_phone, centre.phone),
        (version.office_hours, centre.opening_hours),
    )
    return [
        label
        for label, (own, fallback) in zip(GUIDE_CONTACT_LABELS, pairs, strict=True)
        if contact_is_missing(own) and contact_is_missing(fallback)
    ]


def _expects(version: MatterVersion, centre: Centre) -> bool:
    codes = version.level_codes
    if centre.level == CentreLevel.VILLAGE:
        return ExerciseLevel.VILLAGE in codes
    town_class = centre.division.town_class or 3
    return ExerciseLevel.TOWN in codes and (
        version.max_town_class is None or version.max_town_class >= town_class
    )


def category_label(value: str) -> str:
    return NoticeCategory(value).label if value in NoticeCategory.values else value


# --- reads for the catalogue pages ---------------------------------------------------------------------------


def draft_versions(q: str = "") -> QuerySet[MatterVersion]:
    """Drafts waiting to be published, by code; `q` matches the name or a code prefix."""
    qs = MatterVersion.objects.filter(state=VersionState.DRAFT).select_related("matter", "department")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(matter__code__startswith=q))
    return qs.order_by("matter__code")


def draft_count() -> int:
    return MatterVersion.objects.filter(state=VersionState.DRAFT).count()


def departments() -> QuerySet[Department]:
    return Department.objects.order_by("code")


def centre_count(matter: Matter) -> int:
    """How many centres' halls have the matter (SCOPE-3)."""
    return CentreMatter.objects.filter(matter=matter, is_active=True).count()


def active_centre(centre_id: str | None) -> Centre | None:
    """An active centre by an id taken from a URL (anything else is None)."""
    if centre_id and centre_id.isdigit() and len(centre_id) < 16:
        return Centre.objects.filter(pk=int(centre_id), is_active=True).first()
    return None


def material_of(code: str, material_id: int) -> Material | None:
    return (
        Material.objects.select_related("version__matter")
        .filter(pk=material_id, version__matter__code=code)
        .first()
    )


def matter_by_code(code: str) -> Matter | None:
    return Matter.objects.filter(code=code).first()


def sheets_for(user: Any) -> QuerySet[NotificationSheet]:
    """一次性告知单 of the centres the user sees."""
    return NotificationSheet.objects.filter(centre__in=centres_visible_to(user)).select_related(
        "centre", "matter_version"
    )
