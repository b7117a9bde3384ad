"""What is sent to the provincial platform (NET-2): the GB/T 39046-2020 datasets.

- 事项 (table 4): `matter_payload(version)`, English keys, one per data item; docs/exchange.md lists each
  key with its GB/T 39046 name. Codes follow the standard's appendix A (事项类型 "01", 行使层级 "5", …).
- 申请 / 受理 / 办理 / 办结 (tables 5–8): `case_payload(case, dataset)`, taken from the case app's own
  export (`govhall.cases.export.case_datasets`), so the exchange and the export never disagree. The case
  app sits above exchange (docs/architecture.md): it registers that function and its model with
  `register_case_source` from CasesConfig.ready().

`masked_payload` is what the bureau's pages show: a case dataset with identity numbers, phones and
applicant names masked (the full values only leave the system in the request to the platform).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone

from govhall.catalog.models import SpecialProcedure
from govhall.core.ids import mask_id_card, mask_mobile, mask_name
from govhall.exchange.models import SyncDataset, SyncItem, SyncKind


@dataclass(frozen=True)
class CaseSource:
    """Where case data comes from: the case export's datasets of one case, and the case model (for the
    bulk sync of every case)."""

    datasets: Callable[[Any], dict[str, Any]]
    model: type[models.Model]


_case_source: list[CaseSource] = []


def register_case_source(*, datasets: Callable[[Any], dict[str, Any]], model: type[models.Model]) -> None:
    """The case app's registration (CasesConfig.ready()); registering again replaces the source."""
    _case_source[:] = [CaseSource(datasets=datasets, model=model)]


def case_source() -> CaseSource:
    if not _case_source:
        raise ImproperlyConfigured(
            "no case source registered for the provincial sync: is govhall.cases installed?"
        )
    return _case_source[0]


# 特别程序 (GB/T 39046 附录A): 1 延长审批, 2 其他.
SPECIAL_PROCEDURE_GB = {"extension": "1"}


def _t(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else None


def _codes(values: list[int]) -> list[str]:
    return [str(v) for v in values]


def matter_payload(version: Any) -> dict[str, Any]:
    """The 事项 dataset of one published matter version (GB/T 39046 table 4)."""
    matter = version.matter
    department = version.department
    materials = sorted(version.materials.all(), key=lambda m: (m.order, m.pk))
    return {
        "implement_code": matter.code,
        "basic_code": matter.basic_code,
        "name": version.name,
        "version": version.number,
        "status": matter.status,
        "status_name": matter.get_status_display(),
        "change_type": version.change_kind,
        "change_type_name": version.get_change_kind_display(),
        "change_reason": version.change_reason or None,
        "published_at": _t(version.published_at),
        "matter_type": version.matter_type,
        "legal_basis": version.legal_basis,
        "exercise_levels": _codes(version.level_codes),
        "implementing_body": version.implementing_body,
        "implementing_body_credit_code": version.implementing_body_credit_code or None,
        "department_code": department.code,
        "department_name": department.name,
        "handling_org": version.handling_org or None,
        "legal_limit": version.legal_limit,
        "legal_limit_unit": version.get_legal_limit_unit_display()
        if version.legal_limit is not None
        else None,
        "legal_limit_note": version.legal_limit_note or None,
        "promised_limit": version.promised_limit,
        "promised_limit_unit": version.get_promised_limit_unit_display(),
        "promised_limit_note": version.promised_limit_note or None,
        "case_type": str(version.case_type),
        "acceptance_conditions": version.acceptance_conditions or None,
        "process": version.process or None,
        "special_procedures": [
            {"code": SPECIAL_PROCEDURE_GB.get(code, "2"), "name": SpecialProcedure(code).label}
            for code in version.special_procedures
        ],
        "result_name": version.result_name or None,
        "charges": version.charges,
        "fee_basis": version.fee_basis or None,
        "fee_amount": str(version.fee_amount) if version.fee_amount is not None else None,
        "fee_note": version.fee_note or None,
        "service_objects": _codes(version.service_object_codes),
        "handling_forms": _codes(version.handling_form_codes),
        "visits": version.visits,
        "supports_appointment": version.supports_appointment,
        "supports_online": version.supports_online,
        "supports_online_payment": version.supports_online_payment,
        "supports_express": version.supports_express,
        "online_url": version.online_url or None,
        "location": version.location or None,
        "office_hours": version.office_hours or None,
        "consult_phone": version.consult_phone or None,
        "supervision_phone": version.supervision_phone or None,
        "faq": version.faq or None,
        "materials": [
            {
                "order": m.order,
                "name": m.name,
                "issuer": m.issuer or None,
                "form": m.get_material_form_display(),
                "originals": m.originals,
                "copies": m.copies,
                "required": m.required,
                "rongque": m.rongque,
                "commitment": m.commitment,
                "commitment_text": m.commitment_text or None,
                "has_blank_form": bool(m.blank_form),
                "has_sample": bool(m.sample),
                "fill_notes": m.fill_notes or None,
            }
            for m in materials
        ],
    }


def case_payload(case: Any, dataset: str, data: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """One case dataset, or None when the case has not reached it (not accepted, not finished …).
    `data`: the case's datasets when the caller already has them (case_source().datasets(case)), so that
    picking several datasets reads the case once."""
    data = case_source().datasets(case) if data is None else data
    if dataset == SyncDataset.APPLY:
        return dict(data["申请"])
    if dataset == SyncDataset.ACCEPT:
        return dict(data["受理"]) if data["受理"] else None
    if dataset == SyncDataset.PROCESS:
        if not data["办理"] and not data["特别程序"]:
            return None
        return {"办件编号": case.number, "办理环节": data["办理"], "特别程序": data["特别程序"]}
    if dataset == SyncDataset.FINISH:
        return dict(data["办结"]) if data["办结"] else None
    raise ValueError(f"not a case dataset: {dataset}")


# Case dataset keys that hold personal data, and how the bureau's pages show them.
_MASKS: dict[str, Callable[[str], str]] = {
    "申请人证件号码": mask_id_card,
    "代理人证件号码": mask_id_card,
    "联系人手机号码": mask_mobile,
    "代理人手机号码": mask_mobile,
    "申请人名称": mask_name,
    "代理人姓名": mask_name,
    "法定代表人": mask_name,
}


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (_MASKS[k](v) if k in _MASKS and isinstance(v, str) and v else _mask(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def masked_payload(item: SyncItem) -> dict[str, Any]:
    payload = item.payload
    return payload if item.kind == SyncKind.MATTER else _mask(payload)
