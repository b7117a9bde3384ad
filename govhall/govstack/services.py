"""Writes for the GovStack adapter. Each one calls the case services the pages and /api/v1/cases call
(receive, update materials, attach a file, 通过, 退回, 前台复核): the rules, the roles and the audit trail are
theirs. What lives here is only the translation of a GovStack request into their arguments."""

from __future__ import annotations

import io
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filetype
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from govhall.cases import services as case_services
from govhall.cases.models import Case, CaseStep, Channel, StepAction, StepKind, StepStatus
from govhall.cases.uploads import media_path, remove_stored
from govhall.core.audit import audit_record
from govhall.core.errors import Conflict, PayloadTooLarge, field_error
from govhall.core.filecrypt import read_plaintext, write_encrypted
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
    return {
        "kind": who.kind,
        "name": who.name,
        "id_type": who.id_type,
        "id_number": who.id_number,
        "phone": who.phone,
    }


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
        ticks = _ticks(
            [m.material for m in case.materials.select_related("material") if m.material], sub.data or {}
        )
        if ticks:
            case = case_services.case_update_materials(case=case, actor=actor, materials=ticks)
        _attach(case, actor, sub.document_urls)
    return case


def upload_document(*, actor: Any, data: bytes, name: str, note: str = "") -> Document:
    """A document waiting for its application: size-capped and SM4-encrypted like a case scan, never served.
    Its type is checked when an application links it (case_attach_file, by content), not here: the staging
    area takes any file a client sends."""
    limit = settings.UPLOAD_MAX_BYTES
    if not data:
        raise field_error("file", "文件是空的，请重新上传。")
    if len(data) > limit:
        raise PayloadTooLarge(
            f"文件过大，单个文件不能超过 {limit // (1024 * 1024)} MB。", fields={"file": "文件过大"}
        )
    guess = filetype.guess(data[:8192])
    kind = guess.extension if guess else "bin"
    storage_name = f"govstack/{timezone.localtime():%Y/%m}/{uuid.uuid4().hex}"
    path = media_path(storage_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_encrypted(path, data)
    try:
        doc = Document.objects.create(
            key=secrets.token_hex(16),
            storage_name=storage_name,
            original_name=Path(name or f"document.{kind}").name[:200],
            kind=kind[:10],
            size=len(data),
            note=note[:300],
            uploaded_by=actor,
        )
        audit_record(
            action="govstack.document.upload", obj=doc, actor=actor, after={"size": len(data), "kind": kind}
        )
    except Exception:
        remove_stored(storage_name)
        raise
    return doc


def _correction_items(case: Case, items: Any) -> list[case_services.CorrectionItem]:
    """``items``: [{"material": "material_<id>" (the eForm's key), "problem": "missing"|"wrong", "reason": …}],
    each turned into the case's own material line for the 一次性告知单."""
    if items in (None, ""):
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise field_error("data.items", "items 应为列表，每项含 material、problem、reason。")
    rows = {f"material_{m.material_id}": m.pk for m in case.materials.all() if m.material_id}
    out = []
    for item in items:
        key = str(item.get("material") or "")
        if key not in rows:
            raise field_error("data.items", f"材料 {key or '（未填）'} 不属于本办件。")
        out.append(
            case_services.CorrectionItem(
                material=rows[key],
                problem=str(item.get("problem") or "missing"),
                reason=str(item.get("reason") or ""),
            )
        )
    return out


def _repeated(step: CaseStep, actor: Any, decision: str) -> bool:
    if step.status != StepStatus.DONE or step.handler_id != getattr(actor, "pk", None):
        return False
    passed = step.action in (StepAction.PASS, StepAction.RESUBMIT)
    return (decision in APPROVE and passed) or (decision in SEND_BACK and not passed)


def complete_task(*, actor: Any, step: CaseStep, data: dict[str, Any]) -> Case:
    """``complete``: 通过 (the default) or 退回 (``decision: "sendBack"``, with ``reason`` and ``to``:
    applicant for 补正, front for 前台复核), by the same services as the case page's buttons."""
    case = step.case
    decision = str(data.get("decision") or "approve").strip().lower()
    opinion = str(data.get("opinion") or data.get("reason") or "")
    if step.status != StepStatus.PENDING or case.current_step_id != step.pk:
        if _repeated(step, actor, decision):
            return case  # a retried request of the one who completed it: the same answer, nothing changes
        raise Conflict(f"该任务（{step.name}）已{step.get_status_display()}，不能再办理。")
    if decision in APPROVE:
        if step.kind == StepKind.FRONT:
            return case_services.case_resubmit(case=case, actor=actor, opinion=opinion)
        return case_services.case_step_pass(case=case, actor=actor, opinion=opinion)
    if decision in SEND_BACK:
        return case_services.case_step_return(
            case=case,
            actor=actor,
            to=str(data.get("to") or "applicant"),
            reason=opinion,
            items=_correction_items(case, data.get("items")),
        )
    raise field_error("data.decision", "decision 只能是 approve（通过）或 sendBack（退回）。")
