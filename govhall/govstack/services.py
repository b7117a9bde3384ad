"""Writes for the GovStack adapter. Each one calls the case services the pages and /api/v1/cases call
(receive, update materials, attach a file, 通过, 退回, 前台复核): the rules, the roles and the audit trail are
theirs. What lives here is only the translation of a GovStack request into their arguments."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from govhall.cases import services as case_services
from govhall.cases.models import Case, CaseStep, Channel, StepKind, StepStatus
from govhall.cases.uploads import check_and_store, media_path, remove_stored
from govhall.core.audit import audit_record
from govhall.core.errors import Conflict, field_error
from govhall.core.filecrypt import read_plaintext
from govhall.govstack import selectors
from govhall.govstack.models import Applicant, Document

APPROVE = {"approve", "approved", "pass", "complete", "通过"}
SEND_BACK = {"sendback", "send_back", "return", "退回"}
DOCUMENT_URL = "/api/govstack/registration/documents/"


@dataclass(frozen=True)
class Submission:
    applicant_id: str
    application_name: str = ""
    data: dict[str, Any] | None = None
    document_urls: tuple[str, ...] = ()


def _identity(sub: Submission) -> dict[str, Any]:
    """The applicant a case needs: named in formData.data (applicantName, idType, idNumber, phone) or, for an
    applicantId the hall already knows, the identity stored for it."""
    data = sub.data or {}
    if data.get("idNumber"):
        return {
            "kind": str(data.get("applicantKind") or "person"),
            "name": str(data.get("applicantName") or sub.application_name),
            "id_type": str(data.get("idType") or "id_card"),
            "id_number": str(data.get("idNumber")),
            "phone": str(data.get("phone") or ""),
            "address": str(data.get("address") or ""),
        }
    who = selectors.applicant(sub.applicant_id)
    if who is None:
        raise field_error(
            "applicantId",
            "申请人未登记：请在 formData.data 中提供 applicantName、idType、idNumber、phone，或使用已登记的 applicantId。",
        )
    return {"kind": who.kind, "name": who.name, "id_type": who.id_type, "id_number": who.id_number, "phone": who.phone}


def _ticks(matter_materials: list[Any], data: dict[str, Any]) -> list[case_services.MaterialTick]:
    """formData.data's ``material_<id>`` keys: true (received) or one of the material statuses."""
    ticks = []
    for m in matter_materials:
        value = data.get(f"material_{m.pk}")
        if value is None:
            continue
        status = "received" if value is True else str(value)
        ticks.append(case_services.MaterialTick(material_id=m.pk, status=status))
    return ticks


def _attach(case: Case, actor: Any, urls: tuple[str, ...]) -> None:
    """Our own document URLs become the case's files (through case_attach_file); other URLs are left alone."""
    for url in urls:
        key = url.rsplit("/", 1)[-1] if DOCUMENT_URL in url else ""
        doc = selectors.document(key) if key else None
        if doc is None:
            continue
        data = read_plaintext(media_path(doc.storage_name))
        case_services.case_attach_file(
            case=case, actor=actor, upload=io.BytesIO(data), name=doc.original_name, size=len(data)
        )
        doc.case_id = case.pk
        doc.save(update_fields=["case_id"])


def submit_application(*, actor: Any, matter: Any, sub: Submission) -> Case:
    """An application from a GovStack client: received online at the client's centre (case_receive). An
    applicant named in formData is registered under the client's applicantId for later look-ups."""
    with transaction.atomic():
        ticks = _ticks(selectors.materials(matter), sub.data or {})
        identity = _identity(sub)
        case = case_services.case_receive(
            actor=actor,
            matter_id=matter.pk,
            applicant=identity,
            materials=ticks,
            channel=Channel.ONLINE,
        )
        Applicant.objects.update_or_create(
            external_id=sub.applicant_id[:100],
            defaults={
                "kind": case.applicant_kind,
                "name": case.applicant_name,
                "id_type": case.applicant_id_type,
                "id_number": case.applicant_id_number,
                "id_digest": case.applicant_id_digest,
                "phone": case.applicant_phone,
            },
        )
        _attach(case, actor, sub.document_urls)
    return case


def update_application(*, actor: Any, case: Case, sub: Submission) -> Case:
    """The operator's form data: material ticks (case_update_materials) and documents (case_attach_file)."""
    with transaction.atomic():
        ticks = _ticks([m.material for m in case.materials.select_related("material") if m.material], sub.data or {})
        if ticks:
            case = case_services.case_update_materials(case=case, actor=actor, materials=ticks)
        _attach(case, actor, sub.document_urls)
    return case


def upload_document(*, actor: Any, data: bytes, name: str, note: str = "") -> Document:
    stored = check_and_store(io.BytesIO(data), name=name, size=len(data))
    try:
        doc = Document.objects.create(
            key=secrets.token_hex(16),
            storage_name=stored.storage_name,
            original_name=stored.original_name,
            kind=stored.kind,
            size=stored.size,
            note=note[:300],
            uploaded_by=actor,
        )
        audit_record(action="govstack.document.upload", obj=doc, actor=actor, after={"size": stored.size})
    except Exception:
        remove_stored(stored.storage_name)
        raise
    return doc


def complete_task(*, actor: Any, step: CaseStep, data: dict[str, Any]) -> Case:
    """``complete``: 通过 (the default) or 退回 (``decision: "sendBack"``, with ``reason`` and ``to``:
    applicant for 补正, front for 前台复核), by the same services as the case page's buttons."""
    case = step.case
    if step.status != StepStatus.PENDING or case.current_step_id != step.pk:
        raise Conflict(f"该任务（{step.name}）已{step.get_status_display()}，不能再办理。")
    decision = str(data.get("decision") or "approve").strip().lower()
    opinion = str(data.get("opinion") or data.get("reason") or "")
    if decision in APPROVE:
        if step.kind == StepKind.FRONT:
            return case_services.case_resubmit(case=case, actor=actor, opinion=opinion)
        return case_services.case_step_pass(case=case, actor=actor, opinion=opinion)
    if decision in SEND_BACK:
        return case_services.case_step_return(
            case=case, actor=actor, to=str(data.get("to") or "applicant"), reason=opinion
        )
    raise field_error("data.decision", "decision 只能是 approve（通过）或 sendBack（退回）。")
