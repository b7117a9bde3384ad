"""Reads for the public pages. Matters come from the catalogue's own selectors (search, a centre's list,
the public guide); this module adds what only the portal shows: themes, the centres directory, where a
matter is served, disclosure (NET-3), and the queue and rating figures of other apps when they exist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from govhall.cases import selectors as cases_selectors
from govhall.cases.applicants import id_digest
from govhall.cases.models import Case, CaseNotice, IdType
from govhall.catalog.models import (
    TOWN_CATEGORIES,
    VILLAGE_CATEGORIES,
    CentreMatter,
    Material,
    Matter,
    MatterStatus,
    MatterVersion,
    NoticeCategory,
)
from govhall.catalog.selectors import current_versions, matter_search, matters_for_centre
from govhall.core.errors import NotFound, ServiceError
from govhall.onething import selectors as onething_selectors
from govhall.onething.models import ThingCase
from govhall.orgs.models import Centre, CentreLevel, Department, Window, WindowClass
from govhall.orgs.windows import window_takes
from govhall.portal import conf
from govhall.portal.content_cache import generation
from govhall.portal.models import CaseLink, Citizen, OnlineApplication, Policy, Theme, ThingLink
from govhall.queueing import services as queue_services
from govhall.queueing.models import WAITING_STATUSES, Ticket
from govhall.queueing.selectors import queue_labels
from govhall.queueing.services import QueueKey, waiting_counts
from govhall.reviews import selectors as reviews_selectors
from govhall.reviews import services as reviews_services
from govhall.reviews.links import case_rating_path, thing_rating_path

GUIDE_CACHE_SECONDS = 60  # how long the public lists may lag behind the bureau's edits


def public_matters(
    q: str = "", *, category: str = "", department: str = "", level: str = "", limit: int | None = 60
) -> QuerySet[MatterVersion]:
    """The catalogue's search with the filters the public pages offer (unknown filter values are ignored)."""
    return matter_search(
        q,
        category=category if category in NoticeCategory.values else None,
        department=department or None,
        level=int(level) if level in ("5", "6") else None,
        limit=limit,
    )


def categories() -> list[dict[str, str]]:
    return [
        {"value": c.value, "label": c.label, "level": "5" if c in TOWN_CATEGORIES else "6"}
        for c in (*TOWN_CATEGORIES, *VILLAGE_CATEGORIES)
    ]


def departments_with_matters() -> QuerySet[Department]:
    """Departments owning at least one matter in use, with the count."""
    return (
        Department.objects.annotate(
            matter_count=Count(
                "matter_versions",
                filter=Q(matter_versions__state="published", matter_versions__matter__status="active"),
            )
        )
        .filter(matter_count__gt=0)
        .order_by("code")
    )


def home_lists() -> dict[str, list[Any]]:
    """The home page's themes and departments with their counts; cached for a minute (they change when the
    bureau publishes or edits themes)."""
    return cache.get_or_set(
        "portal:home:lists",
        lambda: {  # type: ignore[return-value]
            "themes": list(themes_public()),
            "departments": list(departments_with_matters()),
        },
        GUIDE_CACHE_SECONDS,
    )


# --- themes (主题服务) ---------------------------------------------------------------------------


def themes_public() -> QuerySet[Theme]:
    return Theme.objects.filter(is_active=True).annotate(
        matter_count=Count(
            "links",
            filter=Q(links__matter__status=MatterStatus.ACTIVE, links__matter__current_version__isnull=False),
        )
    )


def theme_public(slug: str) -> Theme:
    theme = Theme.objects.filter(slug=slug, is_active=True).first()
    if theme is None:
        raise NotFound("未找到该主题。")
    return theme


def theme_matters(theme: Theme) -> QuerySet[MatterVersion]:
    return (
        current_versions()
        .filter(matter__status=MatterStatus.ACTIVE, matter__portal_theme_links__theme=theme)
        .order_by("matter__portal_theme_links__order", "matter__code")
    )


# --- centres -------------------------------------------------------------------------------------


def public_centres() -> QuerySet[Centre]:
    return Centre.objects.filter(is_active=True).select_related("division", "parent")


def centres_directory(q: str = "") -> list[Centre]:
    """Town centres, each with `.villages` (its active village centres), in division order."""
    villages = public_centres().filter(level=CentreLevel.VILLAGE).order_by("division__code")
    towns = public_centres().filter(level=CentreLevel.TOWN).order_by("division__code")
    if q:
        matching_villages = villages.filter(name__contains=q)
        towns = towns.filter(Q(name__contains=q) | Q(village_centres__in=matching_villages)).distinct()
        villages = matching_villages
    towns = towns.prefetch_related(Prefetch("village_centres", queryset=villages, to_attr="villages"))
    return list(towns)


def public_centre(centre_id: int | str) -> Centre:
    try:
        return public_centres().get(pk=int(centre_id))
    except (Centre.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该服务中心。") from None


def kiosk_centre(code: str) -> Centre:
    """The centre of a kiosk, named in its URL by the division code (区划代码), not the database id."""
    centre = public_centres().filter(division__code=str(code or "")[:12]).first()
    if centre is None:
        raise NotFound("未找到该服务中心。")
    return centre


def centre_windows(centre: Centre) -> QuerySet[Window]:
    return centre.windows.filter(is_active=True).select_related("department").order_by("number")


def centre_matters(centre: Centre) -> QuerySet[MatterVersion]:
    return matters_for_centre(centre)


def guide_materials(version: MatterVersion) -> list[Material]:
    """A published version's materials. A published version is never edited (a change is a new version), so
    they are cached by version id."""
    rows = cache.get_or_set(
        f"portal:guide:materials:{generation()}:{version.pk}", lambda: list(version.materials.all()), 3600
    )
    return list(rows or [])


def matter_centres(matter: Matter) -> list[Centre]:
    """Active centres whose hall serves the matter (handling it or forwarding it, MODE-4), towns first.
    Each centre gets `.service_mode` from its link. Cached for a minute, in the portal's content generation:
    a centre assigned, removed or edited by the bureau shows at once (`content_cache`)."""
    rows = cache.get_or_set(
        f"portal:guide:centres:{generation()}:{matter.pk}",
        lambda: _matter_centres(matter),
        GUIDE_CACHE_SECONDS,
    )
    return list(rows or [])


def _matter_centres(matter: Matter) -> list[Centre]:
    links = CentreMatter.objects.filter(matter=matter, is_active=True, centre__is_active=True).select_related(
        "centre__division", "centre__parent__division"
    )
    out = []
    for link in links:
        centre = link.centre
        centre.service_mode = link.get_service_mode_display()  # type: ignore[attr-defined]
        out.append(centre)
    out.sort(key=lambda c: (c.level != CentreLevel.TOWN, c.division.code))
    return out


def villages_by_town(villages: list[Centre]) -> list[tuple[str, list[Centre]]]:
    """Village centres grouped under their town's name, in division order."""
    groups: dict[str, list[Centre]] = {}
    for village in sorted(villages, key=lambda c: c.division.code):
        town = village.parent.division.name if village.parent else "其他"
        groups.setdefault(town, []).append(village)
    return list(groups.items())


# --- live queue (the queue app) -----------------------------------------------------------------------


def matter_waiting(version: MatterVersion, centres: list[Centre]) -> dict[int, int]:
    """Today's waiting tickets, per centre, in the queue where this matter's visitors wait: the matter's
    window class (or its department's professional window), or the 全科 queue at a centre that has only 全科
    windows (the queue's own rule, `resolve_queue`). One query for the tickets; windows come from the queue's memory."""
    if not centres:
        return {}
    ids = [c.pk for c in centres]
    dept_id = version.window_department_id if version.window_class == WindowClass.PROFESSIONAL else None
    key = QueueKey(version.window_class, dept_id)
    queue_of: dict[int, QueueKey] = {}
    windows = _active_windows(ids)
    for centre_id in ids:
        own = windows.get(centre_id, [])
        if any(window_takes(w, key, desks=own) and w.window_class == key.window_class for w in own):
            queue_of[centre_id] = key
        elif any(w.window_class == WindowClass.QUANKE for w in own):
            queue_of[centre_id] = QueueKey(WindowClass.QUANKE)
    counts = {centre_id: 0 for centre_id in queue_of}
    rows = Ticket.objects.filter(
        centre_id__in=list(queue_of), date=timezone.localdate(), status__in=WAITING_STATUSES
    ).values_list("centre_id", "window_class", "department_id")
    for centre_id, window_class, department_id in rows:
        if QueueKey(window_class, department_id) == queue_of[centre_id]:
            counts[centre_id] += 1
    return counts


def _active_windows(centre_ids: list[int]) -> dict[int, list[Window]]:
    """The centres' active windows, from the queue's own per-process memory (`centre_windows`: emptied at
    once on any change of a window in this process, within HOT_CACHE_SECONDS in the others)."""
    return {pk: queue_services.centre_windows(pk) for pk in centre_ids}


def centre_waiting(centre: Centre) -> list[tuple[str, int]]:
    """(queue label, waiting) for every queue of the centre, today."""
    counts = waiting_counts(centre.pk)
    labels = queue_labels(centre)
    rows = [(label, counts.get(key, 0)) for key, label in labels.items()]
    rows += [(key, n) for key, n in counts.items() if key not in labels]
    return rows


# --- disclosure (NET-3) -------------------------------------------------------------------------------


def city_contacts() -> dict[str, str]:
    return {
        "complaint_phone": conf.get_str("PORTAL_CITY_COMPLAINT_PHONE"),
        "supervision_phone": conf.get_str("PORTAL_CITY_SUPERVISION_PHONE"),
    }


def policies_for(centre: Centre | None = None) -> QuerySet[Policy]:
    """City-wide policies, plus the centre's own when a centre is given."""
    cond = Q(centre__isnull=True)
    if centre is not None:
        cond |= Q(centre=centre)
    return Policy.objects.filter(cond, is_active=True).select_related("centre")


def public_policy(policy_id: int | str) -> Policy:
    try:
        return Policy.objects.select_related("centre").get(pk=int(policy_id), is_active=True)
    except (Policy.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该政策文件。") from None


@dataclass
class RatingSummary:
    """This year's 好差评 figures of a centre (from the ratings app) and its full public page."""

    period: str
    total: Any  # govhall.reviews.selectors.FigureRow
    url: str


def rating_summary(centre: Centre | None = None) -> RatingSummary | None:
    """A centre's published 好差评 figures for the current year (NET-3); None for the city page, which links
    to each centre's."""
    if centre is None:
        return None
    period = reviews_selectors.year_period(timezone.localdate().year)
    data = reviews_selectors.public_summary(centre, period=period)
    return RatingSummary(
        period=period.label, total=data["total"], url=reverse("reviews:public_summary", args=[centre.pk])
    )


def online_offered(matter: Matter) -> bool:
    """May this matter be applied for on the portal? In use, and its guide says it is handled online
    (是否支持网办, or 办理形式 电脑端/移动端网上办理)."""
    version = matter.current_version
    if version is None or not matter.is_serviceable:
        return False
    return bool(version.supports_online or {2, 3} & set(version.handling_form_codes))


# --- a citizen's cases (我的办件) ---------------------------------------------------------------------------


def citizen_identity_digest(citizen: Citizen) -> str | None:
    """The case service's look-up key of the account's identity (身份证号, or the enterprise's code), only
    once the 实名核验 backend verified it: self-declared details unlock nothing."""
    if not citizen.is_verified:
        return None
    if citizen.is_enterprise:
        return id_digest(IdType.USCC, citizen.uscc)
    return id_digest(IdType.ID_CARD, citizen.id_number)


def citizen_cases(citizen: Citizen) -> QuerySet[Case]:
    """The account's cases: those it applied for online, the window cases it proved it holds (`CaseLink`),
    and — for a verified account only — the cases received under its verified identity (as applicant)."""
    cond = (
        Q(online_application__citizen=citizen)
        | Q(pk__in=CaseLink.objects.filter(citizen=citizen).values("case_id"))
        # The members of the account's 一件事办件 (applied for online or linked by the parent number).
        | Q(thing_member__parent__in=ThingLink.objects.filter(citizen=citizen).values("thing_case_id"))
    )
    digest = citizen_identity_digest(citizen)
    if digest:
        cond |= Q(applicant_id_digest=digest)
    return (
        Case.objects.filter(cond)
        .select_related("handling_centre", "centre", "matter")
        .order_by("-received_at", "-id")
    )


def citizen_things(citizen: Citizen, *, number: str = "") -> QuerySet[ThingCase]:
    """The account's 一件事办件 (MODE-1): applied for online from it, linked by the parent number and query
    password, or — for a verified account — received under its verified identity. `number` narrows to one
    parent number (我的办件's search)."""
    cond = Q(pk__in=ThingLink.objects.filter(citizen=citizen).values("thing_case_id"))
    digest = citizen_identity_digest(citizen)
    if digest:
        cond |= Q(applicant_id_digest=digest)
    qs = ThingCase.objects.filter(cond)
    number = (number or "").strip()[:50]
    if number:
        qs = qs.filter(number=number)
    return qs.select_related("thing", "handling_centre").order_by("-received_at", "-id")


def citizen_thing_views(citizen: Citizen, *, number: str = "", limit: int = 20) -> list[Any]:
    """The account's 一件事办件 as the tracking shows them: the parent with each member's state."""
    return [onething_selectors.thing_case_view(p) for p in citizen_things(citizen, number=number)[:limit]]


def access_citizen_thing(citizen: Citizen, number: str) -> ThingCase | None:
    """One of the account's 一件事办件 by its parent number (None: not a parent number of this account)."""
    return citizen_things(citizen, number=number).first() if number else None


def case_by_number(number: str) -> Case | None:
    """A case by its 办件编号, for proving possession (query password, code to its phone); never shown as is."""
    return Case.objects.filter(number=number).first()


def access_citizen_case(citizen: Citizen, number: str) -> Case:
    """One of the citizen's cases by number; another citizen's case and a missing one look the same."""
    case = citizen_cases(citizen).filter(number=str(number or "").strip()[:50]).first()
    if case is None:
        raise NotFound("未找到该办件。")
    return case


def case_public_timeline(case: Case) -> list[dict[str, Any]]:
    """The applicant's view of the timeline: the case's public events, plus what was done on the portal
    (files uploaded for 补正 await the centre's check, so they are shown here)."""
    rows: list[dict[str, Any]] = [
        {"at": e.at, "label": e.label, "centre": e.centre_name, "detail": e.detail}
        for e in cases_selectors.public_timeline(case)
    ]
    for sup in case.online_supplements.prefetch_related("uploads__case_file__material"):
        names = sorted({u.case_file.material.name for u in sup.uploads.all() if u.case_file.material})
        rows.append(
            {
                "at": sup.submitted_at,
                "label": "网上提交补正材料",
                "centre": "",
                "detail": "已上传：" + "、".join(names) + "。等待窗口工作人员审核确认。",
            }
        )
    rows.sort(key=lambda r: r["at"])
    return rows


def case_notices(case: Case) -> QuerySet[CaseNotice]:
    return case.notices.order_by("issued_at", "id")


def rating_url(case: Case) -> str | None:
    """一事一评: the ratings app's page for this case once it is finished (a signed link, channel online)."""
    if not reviews_services.case_can_be_rated(case):
        return None
    return case_rating_path(case.pk, via="online")


def thing_rating_url(view: Any) -> str | None:
    """一事一评 of a 一件事 (`onething.selectors.ThingCaseView`): one rating of the whole thing (the parent
    itself is the subject, `reviews.Rating.thing_case`), once every member is finished or refused."""
    if not reviews_services.thing_can_be_rated(view.parent):
        return None
    return thing_rating_path(view.parent.pk, via="online")


def member_rating_urls(view: Any) -> dict[int, str]:
    """Per-member ratings where the standard asks for them (GB/T 39735: each matter's 办结评价): the
    member's order → its case's rating page, for every member finished (not refused)."""
    return {
        m.row.order: case_rating_path(m.case.pk, via="online")
        for m in view.members
        if m.case is not None and reviews_services.case_can_be_rated(m.case)
    }


def online_application_of(case: Case) -> OnlineApplication | None:
    """The online application a case came from, with its delivery centre (None for a window case)."""
    return OnlineApplication.objects.filter(case=case).select_related("delivery_centre").first()


@dataclass
class MaterialRow:
    """One material of a citizen's case as the citizen sees it: what the centre recorded, or what the citizen
    did since (signed a 告知承诺 online, uploaded a 补正 file) while the centre has not yet registered it."""

    pk: int
    name: str
    label: str
    tone: str  # "ok", "warn", "bad" or ""
    at: Any = None
    supplied: bool = False


def case_material_rows(case: Case, application: OnlineApplication | None) -> list[MaterialRow]:
    """The case's materials for 我的办件 (issue 16): a material still 缺少 but covered by the applicant's signed
    online 告知承诺 reads 已承诺; one 缺少/有误 for which the citizen uploaded a 补正 file after the latest
    correction notice reads 已补交 with the time (the window's check follows)."""
    from govhall.cases.models import CaseEvent, MaterialStatus
    from govhall.portal.models import OnlineUpload, UploadPurpose

    rows = list(case.materials.order_by("order", "id"))
    promised = {}
    if application is not None:
        promised = {c.material_id: c.signed_at for c in application.commitments.all()}
    asked = (
        CaseEvent.objects.filter(case=case, action__in=["correction", "return_applicant"])
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    uploads = OnlineUpload.objects.filter(
        purpose=UploadPurpose.SUPPLEMENT, case_file__case=case, case_file__material__isnull=False
    )
    if asked is not None:
        uploads = uploads.filter(uploaded_at__gte=asked)
    supplied: dict[int, Any] = {}
    for material_id, at in uploads.values_list("case_file__material_id", "uploaded_at"):
        if material_id is not None:
            supplied[material_id] = max(at, supplied.get(material_id, at))
    tones: dict[str, str] = {
        MaterialStatus.RECEIVED: "ok",
        MaterialStatus.COMMITMENT: "ok",
        MaterialStatus.MISSING: "bad",
        MaterialStatus.WRONG: "bad",
        MaterialStatus.RONGQUE: "warn",
    }
    out = []
    for row in rows:
        pending = row.status in (MaterialStatus.MISSING, MaterialStatus.WRONG, MaterialStatus.RONGQUE)
        if pending and row.pk in supplied:
            out.append(MaterialRow(row.pk, row.name, "已补交，待窗口审核", "ok", supplied[row.pk], True))
        elif row.status == MaterialStatus.MISSING and row.material_id in promised:
            out.append(
                MaterialRow(row.pk, row.name, "已承诺（告知承诺书已签署）", "ok", promised[row.material_id])
            )
        else:
            out.append(MaterialRow(row.pk, row.name, row.get_status_display(), tones.get(row.status, "")))
    return out


def most_used_matters(count: int = 5) -> list[MatterVersion]:
    """The matters with the most cases in the last year (the 长辈版 home page's five big buttons); the first
    matters of the catalogue fill up when there are fewer. Cached for an hour."""

    def load() -> list[MatterVersion]:
        since = timezone.now() - dt.timedelta(days=365)
        busiest = list(
            Case.objects.filter(received_at__gte=since, matter__status="active")
            .values("matter_id")
            .annotate(n=Count("id"))
            .order_by("-n", "matter_id")
            .values_list("matter_id", flat=True)[:count]
        )
        found = {
            v.matter_id: v for v in current_versions().filter(matter_id__in=busiest, matter__status="active")
        }
        chosen = [found[pk] for pk in busiest if pk in found]
        if len(chosen) < count:
            more = current_versions().filter(matter__status="active").exclude(matter_id__in=busiest)
            chosen += list(more.order_by("matter__code")[: count - len(chosen)])
        return chosen

    return cache.get_or_set("portal:elder:matters", load, 3600) or []


# --- appointments (我的预约) -------------------------------------------------------------------------------


def matter_booking_centres(matter: Matter) -> list[Centre]:
    """Centres serving the matter whose hall has a window for it (its slots can be offered), towns first."""
    return [c for c in matter_centres(matter) if matter_waiting_key(matter, c) is not None]


def matter_waiting_key(matter: Matter, centre: Centre) -> QueueKey | None:
    """The queue (window class, department) that serves the matter at the centre, None when none does."""
    from govhall.queueing.services import resolve_queue

    version = matter.current_version
    if version is None:
        return None
    dept = version.window_department_id if version.window_class == WindowClass.PROFESSIONAL else None
    try:
        return resolve_queue(centre, QueueKey(version.window_class, dept))
    except ServiceError:
        return None


def matter_open_slots(matter: Matter, centre: Centre) -> list[Any]:
    """The centre's future slots of the window class that serves the matter, with places left."""
    from govhall.queueing.selectors import open_slots

    key = matter_waiting_key(matter, centre)
    if key is None:
        return []
    return [
        s
        for s in open_slots(centre)
        if QueueKey(s.window_class, s.department_id) == key and s.booked < s.capacity
    ]


def citizen_appointments(citizen: Citizen) -> list[Any]:
    """The account's appointments, newest first, with slot, centre and matter."""
    from govhall.queueing.models import Appointment

    return list(
        Appointment.objects.filter(citizen_link__citizen=citizen)
        .select_related("slot__centre", "matter")
        .order_by("-slot__date", "-slot__start")
    )
