"""Reads for the GovStack adapter: published matters (services, eForms), the cases and steps a user may see
(through cases.policy, the same access function as the case pages and /api/v1/cases) and the statistics."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from govhall.accounts.models import Role
from govhall.cases.models import (
    Case,
    CaseStatus,
    CaseStep,
    NoticeKind,
    ResultKind,
    Suspension,
    SuspensionKind,
)
from govhall.cases.policy import cases_visible_to
from govhall.catalog.models import Matter, MatterStatus
from govhall.core.errors import NotFound
from govhall.govstack import ids
from govhall.govstack.models import Applicant, Document, ExternalId, IdKind

SORTABLE = {"created": "received_at", "id": "pk", "name": "matter_name", "dueDate": "due_at"}


def external_ids(kind: str, pks: list[int]) -> dict[int, str]:
    """Each object's id as a client knows it: its ExternalId (the oldest) or the derived UUID."""
    known: dict[int, str] = {}
    for object_id, key in (
        ExternalId.objects.filter(kind=kind, object_id__in=pks)
        .order_by("-pk")
        .values_list("object_id", "key")
    ):
        known[object_id] = key
    return {pk: known.get(pk, ids.derived(kind, pk)) for pk in pks}


def object_pk(kind: str, value: str) -> int | None:
    row = (
        ExternalId.objects.filter(kind=kind, key=(value or "")[:100])
        .values_list("object_id", flat=True)
        .first()
    )
    return int(row) if row is not None else ids.parse_derived(kind, value)


def published_matters(name: str = "") -> QuerySet[Matter]:
    """The matters whose guide is public (the portal's rule: published, not cancelled)."""
    qs = (
        Matter.objects.filter(current_version__isnull=False)
        .exclude(status=MatterStatus.CANCELLED)
        .select_related("current_version__department")
        .order_by("code")
    )
    return qs.filter(name__icontains=name) if name else qs


def service(service_id: str) -> Matter:
    pk = object_pk(IdKind.SERVICE, service_id)
    matter = published_matters().filter(pk=pk).first() if pk else None
    if matter is None:
        raise NotFound("未找到该服务（事项）。")
    return matter


def eform(eform_id: str) -> Matter:
    pk = object_pk(IdKind.EFORM, eform_id)
    matter = published_matters().filter(pk=pk).first() if pk else None
    if matter is None:
        raise NotFound("未找到该电子表单。")
    return matter


def materials(matter: Matter) -> list[Any]:
    version = matter.current_version
    return list(version.materials.order_by("order")) if version is not None else []


def applicant(external_id: str) -> Applicant | None:
    return Applicant.objects.filter(external_id=(external_id or "")[:100]).first()


def sent_back_ids(cases: list[Case]) -> set[int]:
    """The suspended cases among these whose clock stops for 补正 (a step returned them to the applicant)."""
    suspended = [c.pk for c in cases if c.status == CaseStatus.SUSPENDED]
    if not suspended:
        return set()
    return set(
        Suspension.objects.filter(
            case_id__in=suspended, kind=SuspensionKind.CORRECTION, ended_at__isnull=True
        ).values_list("case_id", flat=True)
    )


def applicant_ids(cases: list[Case]) -> dict[int, str]:
    """Each case's applicantId: the GovStack applicant with the same ID number, else an opaque stable id
    (a prefix of the keyed digest; never the number)."""
    digests = {c.applicant_id_digest for c in cases}
    known = dict(Applicant.objects.filter(id_digest__in=digests).values_list("id_digest", "external_id"))
    return {c.pk: known.get(c.applicant_id_digest, c.applicant_id_digest[:32]) for c in cases}


def _cases(user: Any) -> QuerySet[Case]:
    return cases_visible_to(user).select_related("matter", "current_step", "current_assignee", "accepted_by")


def application(user: Any, file_id: str) -> Case:
    pk = object_pk(IdKind.APPLICATION, file_id)
    case = _cases(user).filter(pk=pk).first() if pk else None
    if case is None:
        raise NotFound("未找到该申请（办件），或您无权访问。")
    return case


def _order(sort_by: str, sort_order: str, default: str) -> str:
    field = SORTABLE.get(sort_by, default)
    return f"-{field}" if sort_order.lower() == "desc" else field


def applications(
    user: Any, *, service_id: str = "", applicant_id: str = "", sort_by: str = "", sort_order: str = ""
) -> QuerySet[Case]:
    qs = _cases(user)
    if service_id:
        qs = qs.filter(matter_id=object_pk(IdKind.SERVICE, service_id) or 0)
    if applicant_id:
        who = applicant(applicant_id)
        qs = qs.filter(applicant_id_digest=who.id_digest) if who else qs.none()
    return qs.order_by(_order(sort_by, sort_order, "received_at"), "pk")


def task(user: Any, task_id: str) -> CaseStep:
    pk = object_pk(IdKind.TASK, task_id)
    step = tasks(user).filter(pk=pk).first() if pk else None
    if step is None:
        raise NotFound("未找到该任务（办理环节），或您无权访问。")
    return step


def tasks(
    user: Any,
    *,
    file_id: str = "",
    main_task_id: str = "",
    assignee_id: str = "",
    sort_by: str = "",
    sort_order: str = "",
) -> QuerySet[CaseStep]:
    qs = CaseStep.objects.filter(case__in=cases_visible_to(user)).select_related(
        "case__matter", "assignee", "post"
    )
    for value in (file_id, main_task_id):  # a task's main task is its application
        if value:
            qs = qs.filter(case_id=object_pk(IdKind.APPLICATION, value) or 0)
    if assignee_id:
        qs = qs.filter(assignee__staff_no=assignee_id[:20])  # an operator's id is their 工号
    field = {"created": "started_at", "id": "pk", "name": "name", "assignee": "assignee_id"}.get(
        sort_by, "started_at"
    )
    return qs.order_by(f"-{field}" if sort_order.lower() == "desc" else field, "pk")


def document(key: str) -> Document | None:
    return Document.objects.filter(key=key, case_id__isnull=True).first()


# --- statistics --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatRow:
    matter: str
    processed: int
    approved: int
    sent_back: int
    rejected: int


def matter_named(name: str) -> Matter | None:
    return published_matters().filter(Q(name=name) | Q(code=name)).first()


def statistics(
    user: Any,
    *,
    start: dt.date | None,
    end: dt.date | None,
    matter: Matter | None,
    operator: str,
    role: str,
) -> list[StatRow]:
    """Per matter, the cases received in the period that the user may see: processed (a decision was
    taken: accepted or not), approved (准予), sent back (a 一次性告知单 of 补正 issued, at the window or by a
    back-office step), rejected (不予受理 or
    不予许可). ``operator`` and ``role`` keep the cases that staff member, or a holder of that role, decided
    or handled a step of."""
    qs = cases_visible_to(user)
    tz = timezone.get_current_timezone()
    if start is not None:
        qs = qs.filter(received_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    if end is not None:
        qs = qs.filter(
            received_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        )
    if matter is not None:
        qs = qs.filter(matter=matter)
    # Who decided: accepted (受理), finished (办结 or 不予受理), or handled a step.
    deciders = ("accepted_by", "finished_by", "steps__handler")
    if operator:
        match = Q()
        for who in deciders:
            match |= Q(**{f"{who}__full_name": operator}) | Q(**{f"{who}__staff_no": operator})
        qs = qs.filter(match).distinct()
    if role:
        code = next((r.value for r in Role if role in (r.value, r.label)), role)
        match = Q()
        for who in deciders:
            match |= Q(**{f"{who}__role_rows__role": code})
        qs = qs.filter(match).distinct()
    decided = Q(accepted_at__isnull=False) | Q(status=CaseStatus.NOT_ACCEPTED)
    rejected = Q(status=CaseStatus.NOT_ACCEPTED) | Q(result=ResultKind.DENIED)
    rows = (
        Case.objects.filter(pk__in=qs.values("pk"))
        .values("matter_name")
        .annotate(
            processed=Count("pk", filter=decided, distinct=True),
            approved=Count("pk", filter=Q(result=ResultKind.APPROVED), distinct=True),
            sent_back=Count("pk", filter=Q(notices__kind=NoticeKind.CORRECTION), distinct=True),
            rejected=Count("pk", filter=rejected, distinct=True),
        )
        .order_by("matter_name")
    )
    return [
        StatRow(r["matter_name"], r["processed"], r["approved"], r["sent_back"], r["rejected"]) for r in rows
    ]
