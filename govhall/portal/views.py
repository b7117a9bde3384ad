"""Public pages (NET-1, NET-3, SCOPE-4): find a service, read its guide, find a centre, read the
disclosure pages; citizen and enterprise accounts. Every page works without JavaScript; htmx only
swaps search results in place."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from govhall.catalog.models import MaterialForm, NoticeCategory
from govhall.catalog.selectors import public_matter
from govhall.core.errors import NotFound, ServiceError
from govhall.core.middleware import client_ip
from govhall.portal import forms, prefs, selectors, services
from govhall.portal.auth import citizen_login, citizen_logout, citizen_required, get_citizen, safe_next
from govhall.portal.models import AccountKind, SmsPurpose
from govhall.portal.ratelimit import RateLimited


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """NotFound from a selector is a 404 page; a rate limit is a 429 page with its message."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except RateLimited as exc:
            return render(request, "portal/error.html", {"title": "操作过于频繁", "message": exc.message},
                          status=429)

    return wrapper


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


# --- display preferences ------------------------------------------------------------------------------


@require_POST
def display_prefs(request: HttpRequest) -> HttpResponse:
    """Toggle large text / high contrast; back to the page the visitor was on."""
    current = prefs.read(request)
    toggle = request.POST.get("toggle")
    if toggle == "large":
        current = prefs.Prefs(large=not current.large, contrast=current.contrast)
    elif toggle == "contrast":
        current = prefs.Prefs(large=current.large, contrast=not current.contrast)
    response = redirect(safe_next(request, reverse("portal:home")))
    prefs.write(response, current)
    return response


# --- finding a service ---------------------------------------------------------------------------------


@page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {
        "nav": "home", "themes": selectors.themes_public(), "categories": selectors.categories(),
        "departments": selectors.departments_with_matters(),
    })


@page
def matter_list(request: HttpRequest) -> HttpResponse:
    """Search and browse (by category, department, level). htmx asks for the result list alone."""
    q = (request.GET.get("q") or "").strip()[:50]
    category = request.GET.get("category") or ""
    department = request.GET.get("department") or ""
    level = request.GET.get("level") or ""
    results = list(selectors.public_matters(q, category=category, department=department, level=level))
    context = {
        "nav": "matters", "q": q, "category": category, "department": department, "level": level,
        "results": results, "categories": selectors.categories(),
        "departments": selectors.departments_with_matters(),
        "category_label": NoticeCategory(category).label if category in NoticeCategory.values else "",
    }
    template = "portal/_results.html" if is_htmx(request) else "portal/matter_list.html"
    return render(request, template, context)


@page
def theme_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/theme_list.html", {"nav": "themes", "themes": selectors.themes_public()})


@page
def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    theme = selectors.theme_public(slug)
    return render(request, "portal/theme_detail.html", {
        "nav": "themes", "theme": theme, "results": list(selectors.theme_matters(theme)),
    })


@page
def guide(request: HttpRequest, code: str) -> HttpResponse:
    """The public guide (SCOPE-4) with where to go, the live queue and what the visitor can do next."""
    matter = public_matter(code)
    version = matter.current_version
    assert version is not None
    materials = list(version.materials.all())
    centres = selectors.matter_centres(matter)
    waiting = selectors.matter_waiting(version, centres)
    for centre in centres:
        centre.waiting = waiting.get(centre.pk)  # None: no window serves it there (forwarded)
    return render(request, "portal/guide.html", {
        "nav": "matters", "matter": matter, "version": version, "materials": materials,
        "commitments": [m for m in materials if m.commitment],
        "centres": centres,
        "online": selectors.online_offered(matter),
        "MaterialForm": MaterialForm,
    })


# --- centres -----------------------------------------------------------------------------------------


@page
def centre_list(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:30]
    return render(request, "portal/centre_list.html", {
        "nav": "centres", "q": q, "towns": selectors.centres_directory(q)})


@page
def centre_detail(request: HttpRequest, centre_id: int) -> HttpResponse:
    centre = selectors.public_centre(centre_id)
    return render(request, "portal/centre_detail.html", {
        "nav": "centres", "centre": centre, "windows": selectors.centre_windows(centre),
        "matters": selectors.centre_matters(centre),
        "villages": centre.village_centres.filter(is_active=True).select_related("division"),
        "waiting": selectors.centre_waiting(centre),
    })


# --- disclosure (NET-3) --------------------------------------------------------------------------------


@page
def disclosure(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/disclosure.html", {
        "nav": "disclosure", "centre": None, "policies": selectors.policies_for(None),
        "matters": selectors.public_matters(limit=None), "contacts": selectors.city_contacts(),
        "rating": selectors.rating_summary(None), "centres": selectors.public_centres().order_by("division__code"),
    })


@page
def centre_disclosure(request: HttpRequest, centre_id: int) -> HttpResponse:
    centre = selectors.public_centre(centre_id)
    return render(request, "portal/disclosure.html", {
        "nav": "disclosure", "centre": centre, "policies": selectors.policies_for(centre),
        "matters": selectors.centre_matters(centre), "contacts": selectors.city_contacts(),
        "rating": selectors.rating_summary(centre),
    })


@page
def policy_detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    return render(request, "portal/policy_detail.html", {
        "nav": "disclosure", "policy": selectors.public_policy(policy_id)})


# --- accounts -------------------------------------------------------------------------------------------


def _send_code(request: HttpRequest, form: Any, purpose: str) -> bool:
    """The "获取验证码" button of a form: send the code for the form's mobile; errors go on the form."""
    mobile = (request.POST.get("mobile") or "").strip()
    if not mobile:
        forms.show_error(form, "mobile", "请先填写手机号码。")
        return False
    try:
        services.sms_code_send(mobile=mobile, purpose=purpose, ip=client_ip(request))
    except ServiceError as exc:
        forms.show_error(form, "mobile", exc.fields.get("mobile") or exc.message)
        return False
    messages.success(request, "验证码已发送，请查收短信（5分钟内有效）。")
    return True


def _unbound_copy(form_class: type, request: HttpRequest, keep: tuple[str, ...]) -> Any:
    """A fresh form showing the visitor's entries (never the passwords) after the code was sent."""
    return form_class(initial={name: request.POST.get(name, "") for name in keep})


@page
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
                    mobile=form.cleaned_data["mobile"], code=form.cleaned_data["code"],
                    password=form.cleaned_data["password"], kind=form.cleaned_data["kind"])
            except ServiceError as exc:
                forms.attach(form, exc)
            else:
                citizen_login(request, citizen)
                messages.success(request, "注册成功。请完成实名认证后办理业务。")
                return redirect(reverse("portal:verify") + "?next=" + safe_next(request, reverse("portal:account")))
    return render(request, "portal/register.html", {"nav": "register", "form": form,
                                                    "next": safe_next(request, "")})


@page
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    if get_citizen(request) is not None:
        return redirect(safe_next(request, reverse("portal:account")))
    form = forms.LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            citizen = services.citizen_authenticate(mobile=form.cleaned_data["mobile"],
                                                    password=form.cleaned_data["password"], ip=client_ip(request))
        except RateLimited as exc:
            form.add_error(None, exc.message)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            citizen_login(request, citizen)
            return redirect(safe_next(request, reverse("portal:account")))
    return render(request, "portal/login.html", {"nav": "login", "form": form, "next": safe_next(request, "")})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    citizen_logout(request)
    messages.success(request, "您已安全退出。")
    return redirect("portal:home")


@page
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = forms.ResetForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "send_code":
            probe = forms.ResetForm(initial={"mobile": request.POST.get("mobile", "")})
            form = _unbound_copy(forms.ResetForm, request, ("mobile",)) if _send_code(
                request, probe, SmsPurpose.RESET) else probe
        elif form.is_valid():
            try:
                services.citizen_password_reset(mobile=form.cleaned_data["mobile"], code=form.cleaned_data["code"],
                                                password=form.cleaned_data["password"])
            except ServiceError as exc:
                forms.attach(form, exc)
            else:
                citizen_logout(request)
                messages.success(request, "密码已重置，请用新密码登录。")
                return redirect("portal:login")
    return render(request, "portal/password_reset.html", {"nav": "login", "form": form})


@page
@citizen_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/account.html", {"nav": "account", "citizen": request.citizen})  # type: ignore[attr-defined]


@page
@citizen_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Real-name details: a person's name and 身份证号, or an enterprise's code and legal representative."""
    citizen = request.citizen  # type: ignore[attr-defined]
    if citizen.is_verified:
        return redirect(safe_next(request, reverse("portal:account")))
    form_class = forms.EnterpriseVerifyForm if citizen.kind == AccountKind.ENTERPRISE else forms.PersonVerifyForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if citizen.kind == AccountKind.ENTERPRISE:
                services.citizen_verify_enterprise(citizen=citizen, **form.cleaned_data)
            else:
                services.citizen_verify_person(citizen=citizen, **form.cleaned_data)
        except ServiceError as exc:
            forms.attach(form, exc)
        else:
            messages.success(request, "实名认证信息已保存。")
            return redirect(safe_next(request, reverse("portal:account")))
    return render(request, "portal/verify.html", {"nav": "account", "form": form, "citizen": citizen,
                                                  "next": safe_next(request, "")})
