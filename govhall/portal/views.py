"""Public pages (NET-1, NET-3, SCOPE-4): find a service, read its guide, find a centre, read the
disclosure pages; citizen and enterprise accounts. Every page works without JavaScript; htmx only
swaps search results in place."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from govhall.cases.applicants import mask_applicant_name
from govhall.cases.models import Case, CaseStatus, Channel
from govhall.cases.selectors import track_by_number
from govhall.cases.tracking_limits import TrackClient
from govhall.cases.views import notice_response
from govhall.catalog.models import NoticeCategory
from govhall.catalog.selectors import public_matter
from govhall.core.errors import NotFound, ServiceError
from govhall.core.middleware import client_ip
from govhall.core.pages import HtmxHttpRequest, page_errors, paginate
from govhall.core.ratelimit import RateLimited
from govhall.core.responses import document_response
from govhall.onething import selectors as onething_selectors
from govhall.onething import services as onething_services
from govhall.orgs.selectors import active_villages
from govhall.portal import forms, guide_response, identity, notice_sheet, prefs, selectors, services, uploads
from govhall.portal.auth import (
    citizen_login,
    citizen_logout,
    citizen_required,
    get_citizen,
    identified_citizen_required,
    safe_next,
)
from govhall.portal.guide_page import guide_page, guide_waiting_counts
from govhall.portal.models import AccountKind, DeliveryChoice, SmsPurpose


def _is_partial(request: HtmxHttpRequest) -> bool:
    """An htmx request for a fragment (a boosted one wants the whole page)."""
    return bool(request.htmx) and not request.htmx.boosted


# --- display preferences ------------------------------------------------------------------------------


def same_origin(request: HttpRequest) -> bool:
    """Whether a browser sent this request from one of our own pages: Sec-Fetch-Site says so, or (a browser
    without it) the Origin, else the Referer, names this host. A request with none of them is refused."""
    site = request.META.get("HTTP_SEC_FETCH_SITE")
    if site:
        return site in ("same-origin", "none")
    source = request.META.get("HTTP_ORIGIN") or request.META.get("HTTP_REFERER") or ""
    if not source or source == "null":
        return False
    parsed = urlsplit(source)
    return parsed.scheme in ("http", "https") and parsed.netloc == request.get_host()


@csrf_exempt
@require_POST
def display_prefs(request: HttpRequest) -> HttpResponse:
    """Toggle large text / high contrast; back to the page the visitor was on.

    CSRF-exempt so that the pages carrying the switches need no CSRF token (the anonymous guide page is one
    shared response, `guide_response`); the same-origin check keeps another site from flipping them."""
    if not same_origin(request):
        return HttpResponseForbidden("请从本站页面切换显示方式。", content_type="text/plain; charset=utf-8")
    current = prefs.read(request)
    toggle = request.POST.get("toggle")
    if toggle in prefs.CHOICES:
        current = dataclasses.replace(current, **{toggle: not getattr(current, toggle)})
    response = redirect(safe_next(request, reverse("portal:home")))
    prefs.write(response, current)
    return response


# --- finding a service ---------------------------------------------------------------------------------


@page_errors
def home(request: HttpRequest) -> HttpResponse:
    if prefs.read(request).elder:
        return render(
            request, "portal/elder_home.html", {"nav": "home", "matters": selectors.most_used_matters()}
        )
    return render(
        request,
        "portal/home.html",
        {
            "nav": "home",
            "categories": selectors.categories(),
            **selectors.home_lists(),
        },
    )


@page_errors
def matter_list(request: HtmxHttpRequest) -> HttpResponse:
    """Search and browse (by category, department, level). htmx asks for the result list alone."""
    q = (request.GET.get("q") or "").strip()[:50]
    category = request.GET.get("category") or ""
    department = request.GET.get("department") or ""
    level = request.GET.get("level") or ""
    page = paginate(
        request,
        selectors.public_matters(q, category=category, department=department, level=level, limit=None),
    )
    context = {
        "nav": "matters",
        "q": q,
        "category": category,
        "department": department,
        "level": level,
        "results": page.object_list,
        "page": page,
        "results_target": "#results",
        "categories": selectors.categories(),
        "departments": selectors.departments_with_matters(),
        "category_label": NoticeCategory(category).label if category in NoticeCategory.values else "",
    }
    template = "portal/_results.html" if _is_partial(request) else "portal/matter_list.html"
    return render(request, template, context)


@page_errors
def theme_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/theme_list.html", {"nav": "themes", "themes": selectors.themes_public()})


@page_errors
def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    theme = selectors.theme_public(slug)
    page = paginate(request, list(selectors.theme_matters(theme)))
    return render(
        request,
        "portal/theme_detail.html",
        {
            "nav": "themes",
            "theme": theme,
            "results": page.object_list,
            "page": page,
        },
    )


@page_errors
def guide(request: HttpRequest, code: str) -> HttpResponse:
    """The public guide (SCOPE-4): where to go and what the visitor can do next. The matter's part is cached
    per content generation (`guide_page`); an anonymous visitor's whole page too (`guide_response`); today's
    queue comes from `guide_waiting`, and a signed-in visitor's page is rendered for them."""

    def render_page(*, shared: bool) -> HttpResponse:
        page = guide_page(code)
        return render(
            request,
            "portal/guide.html",
            {
                "nav": "matters",
                "page": page,
                "matter": page.matter,
                "version": page.version,
                "towns": page.towns,
                "online": page.online,
                "persons_only": page.persons_only,
                "shared_page": shared,
            },
        )

    if guide_response.shareable(request):
        return guide_response.whole_page_response(request, code, lambda: render_page(shared=True))
    return render_page(shared=False)


@page_errors
def guide_waiting(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """Today's waiting count at each town centre serving the matter, with the phone-ticket and booking
    buttons: the guide page's live part, which htmx loads into it and refreshes; without JavaScript a page
    of its own. The counts are kept for a few seconds (`guide_waiting_counts`)."""
    page = guide_page(code)
    waiting = guide_waiting_counts(page)
    context = {
        "nav": "matters",
        "matter": page.matter,
        "version": page.version,
        "towns": page.towns_with_waiting(waiting),
        "live": True,
    }
    template = "portal/_guide_towns.html" if _is_partial(request) else "portal/guide_waiting.html"
    return render(request, template, context)


@page_errors
def guide_notice_sheet(request: HttpRequest, code: str) -> HttpResponse:
    """The matter's blank 一次性告知单 (SCOPE-4), the window's document with no personal data."""
    matter = public_matter(code)
    assert matter.current_version is not None
    return document_response(
        notice_sheet.blank_sheet_pdf(matter.current_version), f"一次性告知单-{matter.code}.pdf", inline=True
    )


# --- centres -----------------------------------------------------------------------------------------


@page_errors
def centre_list(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:30]
    return render(
        request,
        "portal/centre_list.html",
        {"nav": "centres", "q": q, "towns": selectors.centres_directory(q)},
    )


@page_errors
def centre_detail(request: HttpRequest, centre_id: int) -> HttpResponse:
    centre = selectors.public_centre(centre_id)
    return render(
        request,
        "portal/centre_detail.html",
        {
            "nav": "centres",
            "centre": centre,
            "windows": selectors.centre_windows(centre),
            "matters": selectors.centre_matters(centre),
            "villages": active_villages(centre),
            "waiting": selectors.centre_waiting(centre),
        },
    )


# --- disclosure (NET-3) --------------------------------------------------------------------------------


@page_errors
def disclosure(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/disclosure.html",
        {
            "nav": "disclosure",
            "centre": None,
            "policies": selectors.policies_for(None),
            "matters": selectors.public_matters(limit=None),
            "contacts": selectors.city_contacts(),
            "rating": selectors.rating_summary(None),
            "centres": selectors.public_centres().order_by("division__code"),
        },
    )


@page_errors
def centre_disclosure(request: HttpRequest, centre_id: int) -> HttpResponse:
    centre = selectors.public_centre(centre_id)
    return render(
        request,
        "portal/disclosure.html",
        {
            "nav": "disclosure",
            "centre": centre,
            "policies": selectors.policies_for(centre),
            "matters": selectors.centre_matters(centre),
            "contacts": selectors.city_contacts(),
            "rating": selectors.rating_summary(centre),
        },
    )


@page_errors
def policy_detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    return render(
        request,
        "portal/policy_detail.html",
        {"nav": "disclosure", "policy": selectors.public_policy(policy_id)},
    )


# --- accounts -------------------------------------------------------------------------------------------


def _send_code(request: HttpRequest, form: Any, purpose: str) -> bool:
    """The "获取验证码" button of a form: send the code for the form's mobile; errors go on the form. The
    page says the same whether or not the number has an account; the SMS tells the truth (NET-1)."""
    mobile = (request.POST.get("mobile") or "").strip()
    if not mobile:
        forms.show_error(form, "mobile", "请先填写手机号码。")
        return False
    try:
        services.sms_code_send(mobile=mobile, purpose=purpose, ip=client_ip(request))
    except ServiceError as exc:
        forms.show_error(form, "mobile", exc.fields.get("mobile") or exc.message)
        return False
    messages.success(request, services.CODE_SENT)
    return True


def _unbound_copy(form_class: type, request: HttpRequest, keep: tuple[str, ...]) -> Any:
    """A fresh form showing the visitor's entries (never the passwords) after the code was sent."""
    return form_class(initial={name: request.POST.get(name, "") for name in keep})


@page_errors
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if get_citizen(request) is not None:
        return redirect("portal:account")
    form = forms.RegisterForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "send_code":
            probe = forms.RegisterForm(initial={"mobile": request.POST.get("mobile", "")})
            if _send_code(request, probe, SmsPurpose.REGISTER):
                form = _unbound_copy(forms.RegisterForm, request, ("kind", "mobile"))
            else:
                form = probe
        elif form.is_valid():
            try:
                citizen = services.citizen_register(
                    mobile=form.cleaned_data["mobile"],
                    code=form.cleaned_data["code"],
                    password=form.cleaned_data["password"],
                    kind=form.cleaned_data["kind"],
                )
            except ServiceError as exc:
                forms.attach(form, exc)
            else:
                citizen_login(request, citizen)
                messages.success(request, "注册成功。请完成实名认证后办理业务。")
                return redirect(
                    reverse("portal:verify")
                    + "?"
                    + urlencode({"next": safe_next(request, reverse("portal:account"))})
                )
    return render(
        request, "portal/register.html", {"nav": "register", "form": form, "next": safe_next(request, "")}
    )


@page_errors
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    if get_citizen(request) is not None:
        return redirect(safe_next(request, reverse("portal:account")))
    form = forms.LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            citizen = services.citizen_authenticate(
                mobile=form.cleaned_data["mobile"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
            )
        except ServiceError as exc:  # wrong password or too many tries (RateLimited): said on the form
            form.add_error(None, exc.message)
        else:
            citizen_login(request, citizen)
            return redirect(safe_next(request, reverse("portal:account")))
    return render(
        request, "portal/login.html", {"nav": "login", "form": form, "next": safe_next(request, "")}
    )


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    citizen_logout(request)
    messages.success(request, "您已安全退出。")
    return redirect("portal:home")


@page_errors
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = forms.ResetForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "send_code":
            probe = forms.ResetForm(initial={"mobile": request.POST.get("mobile", "")})
            form = (
                _unbound_copy(forms.ResetForm, request, ("mobile",))
                if _send_code(request, probe, SmsPurpose.RESET)
                else probe
            )
        elif form.is_valid():
            try:
                services.citizen_password_reset(
                    mobile=form.cleaned_data["mobile"],
                    code=form.cleaned_data["code"],
                    password=form.cleaned_data["password"],
                )
            except ServiceError as exc:
                forms.attach(form, exc)
            else:
                citizen_logout(request)
                messages.success(request, "密码已重置，请用新密码登录。")
                return redirect("portal:login")
    return render(request, "portal/password_reset.html", {"nav": "login", "form": form})


@page_errors
@citizen_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/account.html", {"nav": "account", "citizen": request.citizen})  # type: ignore[attr-defined]


@citizen_required
@require_POST
def account_notice_dismiss(request: HttpRequest) -> HttpResponse:
    services.citizen_notice_dismiss(citizen=request.citizen)  # type: ignore[attr-defined]
    return redirect(safe_next(request, reverse("portal:account")))


def _show_check(request: HttpRequest, result: identity.IdentityResult) -> None:
    if result.matched:
        messages.success(request, result.message)
    elif result.outcome is identity.Outcome.NO_MATCH:
        messages.error(request, result.message)
    else:
        messages.warning(request, result.message)


@page_errors
@citizen_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Real-name details (a person's name and 身份证号, or an enterprise's code and legal representative),
    saved as self-declared, then checked by the 实名核验 backend when one is configured."""
    citizen = request.citizen  # type: ignore[attr-defined]
    if citizen.is_verified:
        return redirect(safe_next(request, reverse("portal:account")))
    backend = identity.get_backend()
    form_class = (
        forms.EnterpriseVerifyForm if citizen.kind == AccountKind.ENTERPRISE else forms.PersonVerifyForm
    )
    form = form_class(request.POST or None)
    here = reverse("portal:verify") + (
        "?" + urlencode({"next": safe_next(request, "")}) if safe_next(request, "") else ""
    )
    if request.method == "POST" and request.POST.get("action") == "check":
        _show_check(request, services.citizen_identity_check(citizen=citizen, ip=client_ip(request)))
        return redirect(safe_next(request, reverse("portal:account")) if citizen.is_verified else here)
    if request.method == "POST" and form.is_valid():
        try:
            if citizen.kind == AccountKind.ENTERPRISE:
                services.citizen_declare_enterprise(citizen=citizen, **form.cleaned_data)
            else:
                services.citizen_declare_person(citizen=citizen, **form.cleaned_data)
        except ServiceError as exc:
            forms.attach(form, exc)
        else:
            if not backend.available:
                messages.success(
                    request,
                    "实名信息已保存（自行填报，未核验）。可以办理网上申请；在窗口办理的办件，"
                    "请在“我的办件”用查询密码或短信验证码关联。",
                )
                return redirect(safe_next(request, reverse("portal:account")))
            result = services.citizen_identity_check(citizen=citizen, ip=client_ip(request))
            _show_check(request, result)
            return redirect(
                here
                if result.outcome is identity.Outcome.NO_MATCH
                else safe_next(request, reverse("portal:account"))
            )
    return render(
        request,
        "portal/verify.html",
        {
            "nav": "account",
            "form": form,
            "citizen": citizen,
            "backend": backend,
            "next": safe_next(request, ""),
        },
        status=400 if form.errors else 200,
    )


# --- online application (NET-1) -------------------------------------------------------------------------


def _clean_files(
    request: HttpRequest,
    materials: list[Any],
    errors: dict[str, str],
    field: Callable[[Any], str] | None = None,
) -> dict[Any, list[Any]]:
    """Every uploaded file checked (type by content, size, no archives; photos shrunk); errors per material.
    Inputs are named material_<id> and the result keyed by the id, or by the name `field` gives a material."""
    out: dict[Any, list[Any]] = {}
    for m in materials:
        name = field(m) if field is not None else f"material_{m.pk}"
        given = request.FILES.getlist(name)
        if len(given) > uploads.MAX_FILES_PER_MATERIAL:
            errors[name] = f"材料「{m.name}」最多上传{uploads.MAX_FILES_PER_MATERIAL}个文件。"
            continue
        cleaned = []
        for upload in given:
            try:
                cleaned.append(
                    uploads.clean_upload(
                        upload, name=upload.name or "", size=upload.size, field=name, label=m.name
                    )
                )
            except ServiceError as exc:
                errors[name] = exc.fields.get(name, exc.message)
        out[name if field is not None else m.pk] = cleaned
    return out


def _refusal(request: HttpRequest, matter: Any, title: str, message: str) -> HttpResponse:
    """A page that says why the visitor cannot go on with this matter, with the way back to its guide."""
    back = reverse("portal:guide", args=[matter.code])
    context = {"title": title, "back": back, "message": message}
    return render(request, "portal/error.html", context, status=400)


def _channel(request: HttpRequest) -> str:
    """GB 办理形式: 移动端网上申请 from a phone's browser, else 电脑端网上办理."""
    return Channel.MOBILE if "Mobi" in request.headers.get("User-Agent", "") else Channel.ONLINE


@page_errors
@identified_citizen_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    citizen = request.citizen  # type: ignore[attr-defined]
    matter = public_matter(code)
    version = matter.current_version
    assert version is not None
    if not selectors.online_offered(matter):
        return _refusal(
            request,
            matter,
            "暂不支持网上申请",
            f"事项「{matter.name}」暂不支持网上申请，请按办事指南到服务中心窗口办理。",
        )
    if citizen.is_enterprise and services.persons_only(version):
        return _refusal(request, matter, "企业账户不能申请该事项", services.persons_only_message(matter.name))
    materials = list(version.materials.all())
    centres = selectors.matter_centres(matter)
    errors: dict[str, str] = {}
    data = request.POST if request.method == "POST" else {}
    token = data.get("token") or services.form_token()
    if request.method == "POST":
        files = _clean_files(request, materials, errors)
        if not errors:
            given = {
                m.pk: services.MaterialInput(
                    files=files.get(m.pk, []), commitment=bool(data.get(f"commit_{m.pk}"))
                )
                for m in materials
            }
            try:
                result = services.application_submit(
                    citizen=citizen,
                    token=token,
                    matter=matter,
                    centre_id=data.get("centre_id"),
                    delivery=data.get("delivery", ""),
                    delivery_centre_id=data.get("delivery_centre_id"),
                    mail_address=data.get("mail_address", ""),
                    address=data.get("address", ""),
                    materials={pk: g for pk, g in given.items() if g.files or g.commitment},
                    channel=_channel(request),
                    ip=client_ip(request),
                )
            except ServiceError as exc:
                errors.update(exc.fields or {"_": exc.message})
            else:
                case = result.application.case
                assert case is not None
                if result.created:
                    messages.success(
                        request,
                        f"申请已提交，办件编号 {case.number}，查询密码 {case.query_password}"
                        "（已短信发送）。请留意受理进度。",
                    )
                else:
                    messages.info(request, f"该申请已经提交过（办件编号 {case.number}），没有重复提交。")
                return redirect("portal:my_case", number=case.number)
    for m in materials:
        m.error = errors.get(f"material_{m.pk}", "")  # type: ignore[attr-defined]
        m.committed = bool(data.get(f"commit_{m.pk}"))  # type: ignore[attr-defined]
    return render(
        request,
        "portal/apply.html",
        {
            "nav": "matters",
            "matter": matter,
            "version": version,
            "materials": materials,
            "centres": centres,
            "citizen": citizen,
            "token": token,
            "errors": errors,
            "data": data,
            "DeliveryChoice": DeliveryChoice,
            "max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        },
        status=400 if errors else 200,
    )


@page_errors
@citizen_required
def my_cases(request: HttpRequest) -> HttpResponse:
    """我的办件: the account's 一件事办件 (each parent with its members) and its cases; `?q=` finds one by
    办件编号 — a case's or a 一件事's parent number."""
    citizen = request.citizen  # type: ignore[attr-defined]
    q = request.GET.get("q", "").strip()[:50]
    cases = selectors.citizen_cases(citizen)
    if q:
        cases = cases.filter(Q(number=q) | Q(thing_member__parent__number=q))
    return render(
        request,
        "portal/my_cases.html",
        {
            "nav": "my",
            "citizen": citizen,
            "q": q,
            "things": selectors.citizen_thing_views(citizen, number=q),
            "page": paginate(request, cases),
        },
    )


# --- appointments (我的预约) ----------------------------------------------------------------------------


@page_errors
@identified_citizen_required
@require_http_methods(["GET", "POST"])
def guide_book(request: HttpRequest, code: str) -> HttpResponse:
    """预约办理 from a matter's guide: the matter is chosen; the visitor picks a centre (no default unless one
    centre serves it), then a slot of the window class that serves the matter there. Name and phone come
    from the account."""
    citizen = request.citizen  # type: ignore[attr-defined]
    matter = public_matter(code)
    version = matter.current_version
    assert version is not None
    if not version.supports_appointment:
        return _refusal(
            request,
            matter,
            "该事项不支持预约",
            f"事项「{matter.name}」不支持预约办理，请直接到服务中心取号。",
        )
    centres = selectors.matter_booking_centres(matter)
    data = request.POST if request.method == "POST" else request.GET
    chosen = next((c for c in centres if str(c.pk) == data.get("centre_id")), None)
    if chosen is None and len(centres) == 1:
        chosen = centres[0]
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            booking = services.appointment_book_for(
                citizen=citizen,
                matter=matter,
                centre_id=chosen.pk if chosen else None,
                slot_id=data.get("slot"),
            )
        except ServiceError as exc:
            errors.update(exc.fields or {"_": exc.message})
        else:
            slot = booking.slot
            messages.success(
                request,
                f"预约成功：{slot.date:%m月%d日} {slot.start:%H:%M}-{slot.end:%H:%M}，{slot.centre.name}，"
                f"预约码 {booking.code}（已短信发送）。请按时到中心签到取号。",
            )
            return redirect("portal:my_appointments")
    return render(
        request,
        "portal/book.html",
        {
            "nav": "matters",
            "matter": matter,
            "version": version,
            "centres": centres,
            "chosen": chosen,
            "slots": selectors.matter_open_slots(matter, chosen) if chosen else [],
            "citizen": citizen,
            "errors": errors,
            "data": data,
        },
        status=400 if errors else 200,
    )


@page_errors
@citizen_required
def my_appointments(request: HttpRequest) -> HttpResponse:
    citizen = request.citizen  # type: ignore[attr-defined]
    return render(
        request,
        "portal/my_appointments.html",
        {"nav": "appointments", "appointments": selectors.citizen_appointments(citizen)},
    )


@page_errors
@citizen_required
@require_POST
def my_appointment_cancel(request: HttpRequest, code: str) -> HttpResponse:
    try:
        booking = services.appointment_cancel_for(citizen=request.citizen, code=code)  # type: ignore[attr-defined]
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"预约 {booking.code} 已取消。")
    return redirect("portal:my_appointments")


@never_cache
@page_errors
@citizen_required
@require_http_methods(["GET", "POST"])
def my_case_link(request: HttpRequest) -> HttpResponse:
    """关联窗口办件: prove possession of a case received at a window — its number and query password, or a
    code sent to the mobile recorded on the case — and it shows in 我的办件."""
    citizen = request.citizen  # type: ignore[attr-defined]
    action = request.POST.get("action", "")
    by_password = forms.LinkPasswordForm(request.POST if action == "password" else None, prefix="pw")
    if action == "send_code":  # the "获取验证码" button: the number only, the form shown again
        by_sms = forms.LinkSmsForm(
            initial={"number": request.POST.get("sms-number", "").strip()}, prefix="sms"
        )
    else:
        by_sms = forms.LinkSmsForm(request.POST if action == "sms" else None, prefix="sms")
    sent_to, link, status = "", None, 200
    try:
        if (
            action == "password"
            and by_password.is_valid()
            and onething_selectors.is_thing_number(by_password.cleaned_data["number"])
        ):
            thing = services.thing_link_by_password(citizen=citizen, **by_password.cleaned_data)
            messages.success(request, f"一件事办件{thing.thing_case.number}已关联到您的账户。")
            return redirect("portal:my_case", number=thing.thing_case.number)
        if action == "password" and by_password.is_valid():
            link = services.case_link_by_password(citizen=citizen, **by_password.cleaned_data)
        elif action == "send_code":
            sent_to = services.case_link_code_send(
                citizen=citizen, number=request.POST.get("sms-number", ""), ip=client_ip(request)
            )
        elif action == "sms" and by_sms.is_valid():
            link = services.case_link_by_sms(citizen=citizen, **by_sms.cleaned_data)
    except ServiceError as exc:
        target = by_password if action == "password" else by_sms
        if target.is_bound:
            forms.attach(target, exc)
        else:
            forms.show_error(target, next(iter(exc.fields), None), exc.fields.get("number") or exc.message)
        status = 429 if exc.status == 429 else 400
    if link is not None:
        messages.success(request, f"办件{link.case.number}已关联到您的账户。")
        return redirect("portal:my_case", number=link.case.number)
    if by_password.errors or by_sms.errors:
        status = max(status, 400)
    return render(
        request,
        "portal/my_case_link.html",
        {
            "nav": "my",
            "citizen": citizen,
            "by_password": by_password,
            "by_sms": by_sms,
            "sent_to": sent_to,
        },
        status=status,
    )


@page_errors
@citizen_required
def my_case(request: HttpRequest, number: str) -> HttpResponse:
    citizen = request.citizen  # type: ignore[attr-defined]
    parent = selectors.access_citizen_thing(citizen, number)
    if parent is not None:  # a 一件事's parent number: the parent with each member (MODE-1)
        view = onething_selectors.thing_case_view(parent)
        return render(request, "portal/my_thing.html", {"nav": "my", **thing_track_context(view)})
    case = selectors.access_citizen_case(citizen, number)
    application = selectors.online_application_of(case)
    material_rows = selectors.case_material_rows(case, application)
    supplied = {r.pk: r.at for r in material_rows if r.supplied}
    to_supply = services.materials_to_supply(case)
    for row in to_supply:
        row.supplied_at = supplied.get(row.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "portal/my_case.html",
        {
            "nav": "my",
            "case": case,
            "application": application,
            "materials": material_rows,
            "timeline": selectors.case_public_timeline(case),
            "notices": selectors.case_notices(case),
            "to_supply": to_supply,
            "token": services.form_token(),
            "rating_url": selectors.rating_url(case),
            "finished": case.status in (CaseStatus.FINISHED, CaseStatus.DELIVERED),
            "max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        },
    )


@page_errors
@citizen_required
@require_POST
def my_case_supplement(request: HttpRequest, number: str) -> HttpResponse:
    citizen = request.citizen  # type: ignore[attr-defined]
    case = selectors.access_citizen_case(citizen, number)
    wanted = services.materials_to_supply(case)
    errors: dict[str, str] = {}
    files = _clean_files(request, wanted, errors)
    if not errors:
        try:
            services.supplement_submit(
                citizen=citizen,
                token=request.POST.get("token", ""),
                case=case,
                files=files,
                note=request.POST.get("note", ""),
            )
        except ServiceError as exc:
            errors.update(exc.fields or {"_": exc.message})
    if errors:
        for message in errors.values():
            messages.error(request, message)
    else:
        messages.success(request, "补正材料已上传，窗口工作人员审核后将更新办件进度。")
    return redirect("portal:my_case", number=case.number)


@page_errors
@citizen_required
def my_case_notice(request: HttpRequest, number: str, notice_id: int, fmt: str) -> HttpResponse:
    case = selectors.access_citizen_case(request.citizen, number)  # type: ignore[attr-defined]
    notice = case.notices.select_related("case__handling_centre", "sheet").filter(pk=notice_id).first()
    if notice is None or fmt not in ("pdf", "docx"):
        raise Http404("未找到该文书。")
    return notice_response(notice, fmt)


# --- tracking without an account ---------------------------------------------------------------------------


def track_lookup(request: HttpRequest, number: str, password: str, *, kiosk: bool = False) -> Case:
    """Number + query password. Only wrong guesses count, per (address, number) and, looser, per address
    across numbers; a paired hall kiosk (`kiosk`) is exempt from the per-address one (see
    govhall/cases/tracking_limits.py). A limit raises core.ratelimit.RateLimited (429)."""
    return track_by_number(number, password, client=TrackClient(client_ip(request), kiosk=kiosk))


def _track_thing(
    request: HttpRequest, template: str, context: dict[str, Any], number: str, password: str
) -> HttpResponse:
    """A 一件事办件 number: the parent with each member's state and public steps (NET-1)."""
    form = context["form"]
    try:
        view = onething_selectors.track_thing(number, password, client=TrackClient(client_ip(request)))
    except RateLimited as exc:
        form.add_error(None, exc.message)
        return render(request, template, context, status=429)
    except NotFound as exc:
        form.add_error(None, exc.message)
        return render(request, template, context, status=400)
    context.update(thing_track_context(view))
    return render(request, template, context)


def thing_track_context(view: Any, *, kiosk: bool = False) -> dict[str, Any]:
    """What portal/_track_thing.html shows of a 一件事办件: the parent, each member with its public steps and
    (on the portal, not the hall kiosk) its own rating link once finished, and the one rating of the whole
    thing (一事一评, MODE-1)."""
    member_urls = {} if kiosk else selectors.member_rating_urls(view)
    return {
        "thing": view,
        "kiosk": kiosk,
        "applicant": mask_applicant_name(view.parent.applicant_kind, view.parent.applicant_name),
        "member_timelines": [
            (m, events, member_urls.get(m.row.order))
            for m, events in onething_selectors.public_member_timeline(view)
        ],
        "rating_url": None if kiosk else selectors.thing_rating_url(view),
    }


@never_cache
@page_errors
@require_http_methods(["GET", "POST"])
def track(request: HtmxHttpRequest) -> HttpResponse:
    """The query form; htmx swaps the answer in place (portal/_track_body.html), and a refused query is a
    400 (a 429 after too many wrong guesses) with the form and its message, with or without JavaScript."""
    form = forms.TrackForm(request.POST or None, initial={"number": request.GET.get("no", "")})
    context: dict[str, Any] = {"nav": "track", "form": form}
    template = "portal/_track_body.html" if _is_partial(request) else "portal/track.html"
    if request.method == "POST" and form.is_valid():
        number, password = form.cleaned_data["number"], form.cleaned_data["password"]
        if onething_selectors.is_thing_number(number):
            return _track_thing(request, template, context, number, password)
        try:
            case = track_lookup(request, number, password)
        except RateLimited as exc:
            form.add_error(None, exc.message)
            return render(request, template, context, status=429)
        except NotFound as exc:
            form.add_error(None, exc.message)
        else:
            context.update(
                case=case,
                applicant=mask_applicant_name(case.applicant_kind, case.applicant_name),
                timeline=selectors.case_public_timeline(case),
                rating_url=selectors.rating_url(case),
            )
    return render(request, template, context, status=400 if form.errors else 200)


# --- 一件事一次办 online (MODE-1): one form, one number; tracking shows each member ----------------------


@page_errors
@identified_citizen_required
@require_http_methods(["GET", "POST"])
def apply_thing(request: HttpRequest, code: str) -> HttpResponse:
    """The merged form online: the questions first, one applicant (the account's real name), one address,
    the centre; the papers are brought to the window once (or 容缺/告知承诺 there)."""
    citizen = request.citizen  # type: ignore[attr-defined]
    thing = onething_selectors.public_thing(code)
    version = thing.current_version
    assert version is not None
    data = request.POST if request.method == "POST" else request.GET
    error: ServiceError | None = None
    try:
        answers = onething_services.answers_from_query(version, data)
    except ServiceError as exc:
        answers, error = None, exc
    guide = onething_selectors.guide(version, answers)
    first = guide.included[0].member.matter_version.matter if guide.included else None
    centres = selectors.matter_centres(first) if first is not None else []
    offline = [
        gm.member.matter_version.name
        for gm in guide.included
        if not selectors.online_offered(gm.member.matter_version.matter)
    ]
    if offline and error is None:
        error = ServiceError(
            "「" + "」「".join(offline) + "」暂不支持网上申请，请按办事指南到服务中心窗口一次办理。"
        )
    scan_errors: dict[str, str] = {}
    if request.method == "POST" and error is None and answers is not None:
        # One upload per material of the one set, checked like a case's (type by content, size, photos shrunk);
        # files for a material the answers no longer ask for are ignored.
        scans = _clean_files(request, guide.materials.asked, scan_errors, field=lambda m: m.upload_field)
        if scan_errors:
            error = ServiceError("上传的材料有误，请按提示修改后重新提交。", fields=scan_errors)
    if request.method == "POST" and error is None and answers is not None:
        try:
            parent = services.thing_application_submit(
                citizen=citizen,
                code=code,
                answers=answers,
                address=data.get("address", ""),
                centre_id=data.get("centre_id"),
                channel=_channel(request),
                scans={m.key: scans.get(m.upload_field, []) for m in guide.materials.asked},
            )
        except ServiceError as exc:
            error = exc
        else:
            messages.success(
                request,
                f"申请已提交，一件事办件编号 {parent.number}，查询密码 {parent.query_password}。"
                "请携带材料到所选服务中心一次提交。",
            )
            return redirect(reverse("portal:track") + f"?no={parent.number}")
    return render(
        request,
        "portal/apply_thing.html",
        {
            "nav": "onething",
            "g": guide,
            "citizen": citizen,
            "centres": centres,
            "error": error,
            "data": data,
            "answered": answers is not None,
            "uploads": [(m, scan_errors.get(m.upload_field, "")) for m in guide.materials.asked],
            "max_files": uploads.MAX_FILES_PER_MATERIAL,
            "max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        },
        status=400 if error else 200,
    )
