"""Catalogue pages: the bureau edits, publishes and assigns; centres read their list; anyone reads a guide."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from govhall.core.documents import qr_svg
from govhall.core.errors import Forbidden, NotFound, ServiceError
from govhall.core.pages import HtmxHttpRequest, page_errors, paginate
from govhall.core.policy import is_bureau_admin
from govhall.core.responses import document_response
from govhall.orgs.models import Centre, CentreLevel
from govhall.orgs.policy import access_centre, can_edit_centre_contacts, centres_visible_to, sees_everything

from . import documents, selectors, services
from .forms import MaterialFormSet, MatterForm, ReasonForm, SheetItemFormSet, material_initial
from .models import (
    SUPPLY_DAYS_DEFAULT,
    SUPPLY_DAYS_MAX,
    CentreMatterSource,
    CentreServiceMode,
    Matter,
    MatterStatus,
    MatterVersion,
    NoticeCategory,
    VersionState,
)
from .xlsx import ImportRejected, catalog_export_xlsx, catalog_import_xlsx, coverage_xlsx


def _require_editor(request: HttpRequest) -> None:
    if not is_bureau_admin(request.user):
        raise Forbidden("只有市行政审批局管理员可以修改事项清单。")


def _matter(request: HttpRequest, code: str) -> Matter:
    return selectors.access_matter(request.user, code)


def _attach_errors(form: Any, formset: Any, exc: ServiceError) -> None:
    """Put a service's field messages onto the page's fields (materials.N.x onto the N-th material form)."""
    live = (
        [
            f
            for f in formset.forms
            if not f.is_blank() and not (formset.can_delete and f.cleaned_data.get("DELETE"))
        ]
        if formset is not None
        else []
    )
    for key, message in exc.fields.items():
        if key.startswith("materials."):
            parts = key.split(".")
            index, name = int(parts[1]), parts[2] if len(parts) > 2 else None
            if index < len(live):
                target = live[index]
                target.add_error(name if name in target.fields else None, message)
                continue
        form.add_error(key if key in form.fields else None, message)


# --- list, search ---------------------------------------------------------------------------------


@login_required
@page_errors
def matter_list(request: HtmxHttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    category = request.GET.get("category") or None
    department = request.GET.get("department") or None
    level = request.GET.get("level") or None
    status = request.GET.get("status") or ""
    editor = is_bureau_admin(request.user)
    if level and level not in ("5", "6"):
        level = None
    if category and category not in NoticeCategory.values:
        category = None
    if status == "draft" and sees_everything(request.user):
        results = selectors.draft_versions(q)
    else:
        results = selectors.matter_search(
            q,
            category=category,
            department=department,
            level=level,
            limit=None,
            include_inactive=status == "all",
        )
    context = {
        "page_obj": paginate(request, results),
        "q": q,
        "category": category or "",
        "department": department or "",
        "level": level or "",
        "status": status,
        "editor": editor,
        "categories": NoticeCategory.choices,
        "departments": selectors.departments(),
        "draft_count": selectors.draft_count() if editor else 0,
    }
    template = "catalog/_results.html" if request.htmx else "catalog/list.html"
    return render(request, template, context)


# --- a matter -------------------------------------------------------------------------------------


def _version_context(request: HttpRequest, matter: Matter, version: MatterVersion) -> dict[str, Any]:
    return {
        "matter": matter,
        "version": version,
        "materials": list(version.materials.all()),
        "draft": services.matter_draft(matter) if sees_everything(request.user) else None,
        "editor": is_bureau_admin(request.user),
        "guide_url": documents.guide_url(matter),
        "centre_count": selectors.centre_count(matter),
    }


@login_required
@page_errors
def matter_detail(request: HttpRequest, code: str) -> HttpResponse:
    matter = _matter(request, code)
    version = matter.current_version or services.matter_draft(matter)
    if version is None:
        raise NotFound()
    return render(request, "catalog/detail.html", _version_context(request, matter, version))


@login_required
@page_errors
def version_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    matter = _matter(request, code)
    version = selectors.access_version(request.user, matter, number)
    return render(request, "catalog/detail.html", _version_context(request, matter, version))


@login_required
@page_errors
def matter_history(request: HttpRequest, code: str) -> HttpResponse:
    matter = _matter(request, code)
    versions = selectors.version_history(matter, request.user)
    return render(
        request,
        "catalog/history.html",
        {"matter": matter, "versions": versions, "editor": is_bureau_admin(request.user)},
    )


def _edit(request: HttpRequest, matter: Matter | None) -> HttpResponse:
    _require_editor(request)
    base = None
    if matter is not None:
        if matter.status == MatterStatus.CANCELLED:
            messages.error(request, f"事项“{matter.name}”已取消，不能再修改。")
            return redirect("catalog:matter", code=matter.code)
        base = services.matter_draft(matter) or matter.current_version
    if request.method == "POST":
        form = MatterForm(request.POST, new=matter is None)
        formset = MaterialFormSet(request.POST, request.FILES, prefix="m")
        if form.is_valid() and formset.is_valid():
            items = [
                f.service_item()
                for f in formset.forms
                if not f.is_blank() and not f.cleaned_data.get("DELETE")
            ]
            try:
                if matter is None:
                    matter = services.matter_create(
                        actor=request.user,
                        code=form.cleaned_data["code"],
                        basic_code=form.cleaned_data["basic_code"],
                        data=form.service_data(),
                        materials=items,
                    )
                    messages.success(request, f"事项“{matter.name}”已保存为草稿，发布后生效。")
                else:
                    services.matter_draft_save(
                        actor=request.user,
                        matter=matter,
                        data=form.service_data(),
                        materials=items,
                        change_kind=form.cleaned_data.get("change_kind") or "change",
                        change_reason=form.cleaned_data.get("change_reason") or "",
                        basic_code=form.cleaned_data.get("basic_code") or matter.basic_code,
                    )
                    messages.success(request, "草稿已保存。核对无误后请发布；发布前现行版本不变。")
                return redirect("catalog:matter_draft", code=matter.code)
            except ServiceError as exc:
                _attach_errors(form, formset, exc)
                messages.error(request, exc.message)
        status = 400
    else:
        form = MatterForm(
            initial=MatterForm.initial_from(base)
            if base
            else {
                "levels": [5],
                "service_objects": [1],
                "handling_forms": [1],
                "approval_steps": "受理→审核→审批",
                "visits": 1,
                "promised_limit": 0,
            },
            new=matter is None,
        )
        formset = MaterialFormSet(initial=material_initial(base) if base else None, prefix="m")
        status = 200
    return render(
        request,
        "catalog/edit.html",
        {"form": form, "formset": formset, "matter": matter, "base": base},
        status=status,
    )


@login_required
@page_errors
def matter_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@login_required
@page_errors
def matter_edit(request: HttpRequest, code: str) -> HttpResponse:
    return _edit(request, _matter(request, code))


@login_required
@page_errors
def matter_draft_view(request: HttpRequest, code: str) -> HttpResponse:
    matter = _matter(request, code)
    draft = services.matter_draft(matter)
    if draft is None or not sees_everything(request.user):
        return redirect("catalog:matter", code=code)
    context = _version_context(request, matter, draft)
    context["problems"] = services.version_check(
        services.version_data(draft), [services.material_data(m) for m in draft.materials.all()]
    )
    return render(request, "catalog/detail.html", context)


@login_required
@page_errors
def matter_keywords(request: HttpRequest, code: str) -> HttpResponse:
    """The bureau keeps a matter's everyday search words (开饭店, 办证 …) used by the public search."""
    _require_editor(request)
    matter = _matter(request, code)
    keywords, error = matter.keywords, ""
    if request.method == "POST":
        keywords = request.POST.get("keywords", "")
        try:
            services.matter_keywords_set(actor=request.user, matter=matter, keywords=keywords)
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, "检索关键词已保存，群众搜索即时生效。")
            return redirect("catalog:matter", code=code)
    return render(request, "catalog/keywords.html", {"matter": matter, "keywords": keywords, "error": error})


@login_required
@require_POST
@page_errors
def matter_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    _require_editor(request)
    matter = _matter(request, code)
    form = ReasonForm(request.POST)
    reason = form.data.get("reason", "").strip()
    operations: dict[str, tuple[Callable[..., MatterVersion], str]] = {
        "publish": (services.matter_publish, "已发布，新版本即时生效。"),
        "suspend": (services.matter_suspend, "已暂停：不再受理新的办件。"),
        "resume": (services.matter_resume, "已恢复受理。"),
        "cancel": (services.matter_cancel, "已取消该事项。"),
    }
    if action == "discard":
        try:
            services.matter_draft_discard(actor=request.user, matter=matter)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("catalog:matter", code=code)
        messages.success(request, "草稿已删除。")
        if matter.is_published:
            return redirect("catalog:matter", code=code)
        return redirect("catalog:list")
    if action not in operations:
        raise NotFound()
    func, done = operations[action]
    try:
        func(actor=request.user, matter=matter, reason=reason)
    except ServiceError as exc:
        messages.error(request, exc.message)
        target = "catalog:matter_draft" if action == "publish" else "catalog:matter"
        return redirect(target, code=code)
    messages.success(request, f"“{matter.name}”{done}")
    return redirect("catalog:matter", code=code)


# --- public guide ------------------------------------------------------------------------------


def _public_version(code: str) -> MatterVersion:
    try:
        matter = selectors.public_matter(code)
    except NotFound:
        raise Http404("未找到该事项的办事指南。") from None
    version = matter.current_version
    assert version is not None
    version.matter = matter
    return version


def guide(request: HttpRequest, code: str) -> HttpResponse:
    """The public online guide (SCOPE-4): no login. The portal may serve the same at /guide/<code>/."""
    version = _public_version(code)
    matter = version.matter
    url = documents.guide_url(matter)
    return render(
        request,
        "catalog/guide.html",
        {
            "matter": matter,
            "version": version,
            "materials": list(version.materials.all()),
            "qr": qr_svg(url),
            "guide_url": url,
            "commitments": [m for m in version.materials.all() if m.commitment],
        },
    )


def _guide_centre(request: HttpRequest) -> Centre | None:
    return selectors.active_centre(request.GET.get("centre"))


def guide_file(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The guide as PDF (shown in the browser) or .docx; `?centre=<id>` puts that centre's address on it."""
    version = _public_version(code)
    centre = _guide_centre(request)
    if fmt == "pdf":
        return document_response(
            documents.guide_pdf(version, centre=centre), f"{version.name}办事指南.pdf", inline=True
        )
    if fmt == "docx":
        return document_response(documents.guide_docx(version, centre=centre), f"{version.name}办事指南.docx")
    raise Http404


def material_file(request: HttpRequest, code: str, material_id: int, kind: str) -> FileResponse:
    """A material's blank form or filled sample. Public for the current version (they are part of the guide);
    staff may fetch those of any version they can see."""
    if kind not in ("blank_form", "sample"):
        raise Http404
    material = selectors.material_of(code, material_id)
    if material is None:
        raise Http404
    public = (
        material.version.state == VersionState.PUBLISHED
        and material.version.matter.status != MatterStatus.CANCELLED
    )
    staff_ok = request.user.is_authenticated and (
        material.version.state != VersionState.DRAFT or sees_everything(request.user)
    )
    stored = getattr(material, kind)
    if not (public or staff_ok) or not stored:
        raise Http404
    content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    suffix = stored.name[stored.name.rfind(".") :]
    label = "空白表格" if kind == "blank_form" else "示例样表"
    return FileResponse(
        stored.open("rb"),
        content_type=content_type,
        as_attachment=True,
        filename=f"{material.name}-{label}{suffix}",
    )


# --- centres (SCOPE-3) ----------------------------------------------------------------------------


@login_required
@page_errors
def centre_list(request: HttpRequest) -> HttpResponse:
    centres = (
        centres_visible_to(request.user)
        .filter(is_active=True)
        .select_related("division", "parent")
        .annotate(matters=Count("centre_matters", filter=Q(centre_matters__is_active=True)))
    )
    level = request.GET.get("level")
    if level in CentreLevel.values:
        centres = centres.filter(level=level)
    if not sees_everything(request.user) and centres.count() == 1:
        return redirect("catalog:centre", pk=centres[0].pk)
    return render(
        request,
        "catalog/centres.html",
        {"page_obj": paginate(request, centres.order_by("level", "division__code")), "level": level or ""},
    )


@login_required
@page_errors
def centre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_centre(request.user, pk)
    editor = is_bureau_admin(request.user)
    if request.method == "POST":
        _require_editor(request)
        code = request.POST.get("code", "").strip()
        matter = selectors.matter_by_code(code)
        try:
            if matter is None:
                raise ServiceError(f"实施编码“{code}”不存在。", fields={"code": "事项不存在"})
            if request.POST.get("action") == "remove":
                services.centre_matter_remove(
                    actor=request.user, centre=centre, matter=matter, reason=request.POST.get("reason", "")
                )
                messages.success(request, f"已从本中心撤出“{matter.name}”。")
            else:
                mode = request.POST.get("service_mode") or None
                services.centre_matter_assign(
                    actor=request.user,
                    centre=centre,
                    matter=matter,
                    service_mode=mode,
                    source=CentreMatterSource.ASSIGNED,
                )
                messages.success(request, f"“{matter.name}”已进驻本中心。")
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("catalog:centre", pk=centre.pk)
    rows = list(selectors.matters_for_centre(centre, include_suspended=True))
    report = selectors.coverage_report(centres=[centre])
    return render(
        request,
        "catalog/centre.html",
        {
            "centre": centre,
            "rows": rows,
            "row": report.rows[0],
            "report": report,
            "editor": editor,
            "modes": CentreServiceMode.choices,
        },
    )


@login_required
@page_errors
def coverage(request: HttpRequest) -> HttpResponse:
    """应进必进 (SCOPE-3): per centre, what should be in its hall and what is."""
    level = request.GET.get("level") or CentreLevel.TOWN
    if level not in CentreLevel.values:
        level = CentreLevel.TOWN
    centres = centres_visible_to(request.user).filter(is_active=True, level=level).select_related("division")
    report = selectors.coverage_report(centres=centres, level=level)
    if request.GET.get("format") == "xlsx":
        stamp = timezone.localdate().strftime("%Y%m%d")
        return document_response(
            coverage_xlsx(report), f"应进必进情况-{CentreLevel(level).label}-{stamp}.xlsx"
        )
    only_gaps = request.GET.get("gaps") == "1"
    rows = [r for r in report.rows if not only_gaps or not (r.complete and r.guides_complete)]
    return render(
        request,
        "catalog/coverage.html",
        {
            "report": report,
            "page_obj": paginate(request, rows),
            "level": level,
            "levels": CentreLevel.choices,
            "editor": is_bureau_admin(request.user),
            "only_gaps": only_gaps,
            "contact_gaps": sum(1 for r in report.rows if not r.guides_complete),
            "contacts_editor": can_edit_centre_contacts(request.user),
        },
    )


@login_required
@require_POST
@page_errors
def coverage_fill(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    created = services.centre_matters_assign_expected(actor=request.user)
    messages.success(request, f"已按层级补齐进驻：新增 {created} 条（曾被撤出的事项保持撤出）。")
    return redirect(reverse("catalog:coverage") + f"?level={request.POST.get('level', 'town')}")


# --- Excel -------------------------------------------------------------------------------------------


@login_required
@page_errors
def export_xlsx(request: HttpRequest) -> HttpResponse:
    stamp = timezone.localdate().strftime("%Y%m%d")
    return document_response(catalog_export_xlsx(), f"事项清单-{stamp}.xlsx")


@login_required
@page_errors
def import_xlsx(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    errors: list[str] = []
    result = None
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = ["请选择要导入的 .xlsx 文件。"]
        elif (upload.size or 0) > settings.UPLOAD_MAX_BYTES:
            errors = [f"文件超过 {settings.UPLOAD_MAX_BYTES // 1024 // 1024} MB。"]
        else:
            try:
                result = catalog_import_xlsx(actor=request.user, source=upload.read())
                messages.success(request, f"导入完成：{result.summary()}")
            except ImportRejected as exc:
                errors = exc.errors
        status = 400 if errors else 200
    return render(request, "catalog/import.html", {"errors": errors, "result": result}, status=status)


# --- notification sheets (STD-2) ---------------------------------------------------------------------


def _clerk_centre(request: HttpRequest) -> Centre:
    centre = getattr(request.user, "centre", None)
    if centre is None:
        raise Forbidden("只有服务中心工作人员可以出具一次性告知单。")
    return centre


@login_required
@page_errors
def sheet_new(request: HttpRequest, code: str) -> HttpResponse:
    matter = _matter(request, code)
    centre = _clerk_centre(request)
    version = matter.current_version
    if version is None or not matter.is_serviceable:
        messages.error(request, f"事项“{matter.name}”当前不受理，不能出具告知单。")
        return redirect("catalog:matter", code=code)
    materials = list(version.materials.all())
    initial = [{"material": m.pk, "name": m.name} for m in materials] + [{"name": ""}, {"name": ""}]
    if request.method == "POST":
        formset = SheetItemFormSet(request.POST, prefix="s", initial=initial)
        applicant = request.POST.get("applicant_name", "").strip()
        note = request.POST.get("note", "").strip()
        supply_days = request.POST.get("supply_days", "").strip()
        if formset.is_valid():
            by_id = {m.pk: m for m in materials}
            items = []
            for f in formset.forms:
                problem = f.cleaned_data.get("problem")
                if not problem:
                    continue
                material = by_id.get(f.cleaned_data.get("material") or 0)
                items.append(
                    (material or f.cleaned_data.get("name", ""), problem, f.cleaned_data.get("reason", ""))
                )
            try:
                sheet = services.notification_sheet_create(
                    matter_version=version,
                    centre=centre,
                    clerk=request.user,
                    items=items,
                    applicant_name=applicant,
                    note=note,
                    supply_days=supply_days or None,
                )
                messages.success(request, f"告知单 {sheet.serial} 已生成。")
                return redirect("catalog:sheet", serial=sheet.serial)
            except ServiceError as exc:
                messages.error(request, exc.message)
        status = 400
    else:
        formset = SheetItemFormSet(prefix="s", initial=initial)
        status = 200
    rows = list(
        zip(formset.forms, [*materials, *([None] * (len(formset.forms) - len(materials)))], strict=True)
    )
    return render(
        request,
        "catalog/sheet_new.html",
        {
            "matter": matter,
            "version": version,
            "formset": formset,
            "rows": rows,
            "centre": centre,
            "supply_days_default": SUPPLY_DAYS_DEFAULT,
            "supply_days_max": SUPPLY_DAYS_MAX,
        },
        status=status,
    )


@login_required
@page_errors
def sheet_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "catalog/sheets.html", {"page_obj": paginate(request, selectors.sheets_for(request.user))}
    )


@login_required
@page_errors
def sheet_detail(request: HttpRequest, serial: str) -> HttpResponse:
    sheet = selectors.access_notification_sheet(request.user, serial)
    return render(request, "catalog/sheet.html", {"sheet": sheet, "items": sheet.items.all()})


@login_required
@page_errors
def sheet_file(request: HttpRequest, serial: str, fmt: str) -> HttpResponse:
    sheet = selectors.access_notification_sheet(request.user, serial)
    if fmt == "pdf":
        return document_response(
            documents.notification_sheet_pdf(sheet), f"一次性告知单-{sheet.serial}.pdf", inline=True
        )
    if fmt == "docx":
        return document_response(
            documents.notification_sheet_docx(sheet), f"一次性告知单-{sheet.serial}.docx"
        )
    raise NotFound()
