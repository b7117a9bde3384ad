"""Pages. Public: the rating pad at a window, rating a case (QR / SMS / online) or a visit (QR on the ticket),
a centre's published summary. Staff: ratings (read only), work orders, appeals, abuse flags, figures,
rankings, pads, settings. Each view: parse input → one access check → one service or selector → render."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from govhall.core.calendar import first_of_month
from govhall.core.errors import ServiceError
from govhall.core.ids import mask_mobile, mask_name
from govhall.core.pages import get_or_404 as _get
from govhall.core.pages import paginate
from govhall.core.pages import run_service as _run
from govhall.core.pii import pii_reveal
from govhall.orgs.policy import access_centre, can_manage_centre, centres_visible_to
from govhall.queueing.policy import public_ticket
from govhall.queueing.streams import event_stream
from govhall.reviews import selectors, services
from govhall.reviews.fingerprint import ensure_cookie, rater_from
from govhall.reviews.forms import (
    AppealForm,
    DecideForm,
    DecisionForm,
    FlagDecisionForm,
    LookupForm,
    NoteForm,
    RatingForm,
    ReplyForm,
    SettingsForm,
    SupplementForm,
    VerifyForm,
    VisitForm,
)
from govhall.reviews.links import case_rating_path
from govhall.reviews.models import (
    ONSITE_ASPECTS,
    AppealStatus,
    Channel,
    FlagStatus,
    Level,
    OrderStatus,
    Stage,
)
from govhall.reviews.policy import (
    COMPLAINT_ROLES,
    access_appeal,
    access_flag,
    access_pad,
    access_pad_window,
    access_rating,
    access_work_order,
    appeals_visible_to,
    can_appeal,
    can_decide_appeals,
    can_handle_order,
    can_manage_settings,
    can_see_rankings,
    can_see_rater,
    flags_visible_to,
    orders_visible_to,
    pads_visible_to,
    public_centre,
    sees_whole_centre,
)


def _period(request: HttpRequest, *, allow_year: bool = False) -> tuple[selectors.Period, str]:
    """The month asked for (?month=YYYY-MM, default this month), or with `allow_year` a whole year (?year=YYYY)."""
    year = _int(request.GET.get("year")) if allow_year else None
    if year is not None and 2000 <= year <= 2100:
        return selectors.year_period(year), ""
    default = first_of_month(timezone.localdate())
    month = selectors.parse_month(request.GET.get("month"), default) or default
    return selectors.month_period(month), f"{month:%Y-%m}"


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


# --- public: rating a case -------------------------------------------------------------------------------


def _via(request: HttpRequest) -> str:
    via = request.GET.get("via") or request.POST.get("via") or "online"
    return via if via in (Channel.QR, Channel.SMS, Channel.ONLINE) else Channel.ONLINE


@never_cache
def rate_lookup(request: HttpRequest) -> HttpResponse:
    """Rate a case online by 办件编号 + 查询密码 (without the notice's QR code)."""
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_by_number_and_password(
                number=form.cleaned_data["number"], password=form.cleaned_data["password"]
            )
        except ServiceError as exc:  # wrong number or password (NotFound) and throttling alike
            form.add_error(None, exc.message)
        else:
            return redirect(case_rating_path(case.pk, via="online"))
    return ensure_cookie(
        request,
        render(request, "reviews/rate_lookup.html", {"form": form}, status=400 if form.errors else 200),
    )


def _case_or_404(token: str) -> Any:
    case = selectors.case_for_rating_token(token)
    if case is None:
        raise Http404("评价链接无效，请核对二维码或短信中的链接。")
    return case


def _rate_result_page(
    request: HttpRequest,
    *,
    rating: Any,
    aspects: dict[str, str],
    submit: Callable[..., Any],
    context: dict[str, Any],
) -> HttpResponse:
    """The 办结评价 page of a case or of a whole 一件事: the rating once, then one 补充评价."""
    via = _via(request)
    form = RatingForm(None, aspects=aspects, ask_phone=False)
    supplement_form = SupplementForm(None)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "supplement" and rating is not None:
            supplement_form = SupplementForm(request.POST)
            if supplement_form.is_valid() and _run(
                request,
                supplement_form,
                lambda: services.rating_supplement(
                    rating=rating,
                    text=supplement_form.cleaned_data["text"],
                    channel=via,
                    rater=rater_from(request),
                ),
            ):
                messages.success(request, "补充评价已提交，谢谢！")
                return redirect(request.get_full_path())
        else:
            form = RatingForm(request.POST, aspects=aspects, ask_phone=False)
            if form.is_valid() and _run(
                request,
                form,
                lambda: submit(
                    channel=via,
                    level=form.cleaned_data["level"],
                    aspects=form.aspects(),
                    text=form.cleaned_data["text"],
                    rater=rater_from(request),
                ),
            ):
                return redirect(request.get_full_path())
        status = 400
    context = {
        **context,
        "rating": rating,
        "form": form,
        "supplement_form": supplement_form,
        "via": via,
        "can_supplement": rating is not None and not hasattr(rating, "supplement"),
    }
    return ensure_cookie(request, render(request, "reviews/rate_case.html", context, status=status))


@never_cache
def rate_case(request: HttpRequest, token: str) -> HttpResponse:
    case = _case_or_404(token)
    return _rate_result_page(
        request,
        rating=case.ratings.select_related("supplement").filter(stage=Stage.RESULT).first(),
        aspects=services.aspects_for_case(case),
        submit=lambda **kw: services.rating_submit_case(case_id=case.pk, **kw),
        context={
            "centre": case.handling_centre,
            "number": case.number,
            "subject": case.matter_name,
            "status_label": case.get_status_display(),
            "finished": services.case_can_be_rated(case),
        },
    )


@never_cache
def rate_thing(request: HttpRequest, token: str) -> HttpResponse:
    """一事一评 of a whole 一件事 (MODE-1): one rating of the parent, from its tracking page or notice."""
    parent = selectors.thing_for_rating_token(token)
    if parent is None:
        raise Http404("评价链接无效，请核对二维码或短信中的链接。")
    return _rate_result_page(
        request,
        rating=parent.ratings.select_related("supplement").first(),
        aspects=services.aspects_for_case(parent),
        submit=lambda **kw: services.rating_submit_thing(thing_case_id=parent.pk, **kw),
        context={
            "centre": parent.handling_centre,
            "number": parent.number,
            "number_label": "一件事办件编号",
            "subject": f"{parent.thing.name}（一件事一次办，含全部成员事项）",
            "status_label": parent.get_status_display(),
            "finished": services.thing_can_be_rated(parent),
        },
    )


@never_cache
def rate_ticket(request: HttpRequest, token: str) -> HttpResponse:
    """Rate a visit by the QR code on the printed ticket (the ticket's own follow token)."""
    ticket = _get(lambda: public_ticket(token))
    rating = ticket.ratings.select_related("supplement").filter(stage=Stage.VISIT).first()
    form = RatingForm(None, aspects=ONSITE_ASPECTS)
    supplement_form = SupplementForm(None)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "supplement" and rating is not None:
            supplement_form = SupplementForm(request.POST)
            if supplement_form.is_valid() and _run(
                request,
                supplement_form,
                lambda: services.rating_supplement(
                    rating=rating,
                    text=supplement_form.cleaned_data["text"],
                    channel=Channel.QR,
                    rater=rater_from(request),
                ),
            ):
                messages.success(request, "补充评价已提交，谢谢！")
                return redirect(request.path)
        else:
            form = RatingForm(request.POST, aspects=ONSITE_ASPECTS)
            if form.is_valid() and _run(
                request,
                form,
                lambda: services.rating_submit_visit(
                    ticket_id=ticket.pk,
                    channel=Channel.QR,
                    level=form.cleaned_data["level"],
                    aspects=form.aspects(),
                    text=form.cleaned_data["text"],
                    rater=rater_from(request, phone=form.cleaned_data.get("phone", "")),
                ),
            ):
                return redirect(request.path)
        status = 400
    served = services.ticket_rating_open(
        ticket, now=timezone.now(), hours=services.review_settings_in_force(ticket.centre).visit_rating_hours
    )
    context = {
        "ticket": ticket,
        "rating": rating,
        "form": form,
        "supplement_form": supplement_form,
        "open": served,
        "can_supplement": rating is not None and not hasattr(rating, "supplement"),
    }
    return ensure_cookie(request, render(request, "reviews/rate_ticket.html", context, status=status))


# --- public: the rating pad ------------------------------------------------------------------------------


def _pad(token: str, *, touch: bool = True) -> Any:
    return _get(lambda: services.pad_by_token(token, touch=touch))


@never_cache
@require_GET
def pad(request: HttpRequest, token: str) -> HttpResponse:
    """The tablet facing the visitor (一次一评): the clerk's card, and right after the clerk finishes a
    ticket, the rating form. Live over SSE (the queue's events), with polling as a fallback."""
    p = _pad(token)
    state = selectors.pad_state(p)
    context = {
        "pad": p,
        "token": token,
        "state": state,
        "form": RatingForm(None, aspects=ONSITE_ASPECTS),
        "thanks": request.GET.get("thanks") == "1",
        "centre_id": p.window.centre_id,
    }
    return render(request, "reviews/pad.html", context)


@never_cache
@require_GET
def pad_state(request: HttpRequest, token: str) -> HttpResponse:
    p = _pad(token)  # "last seen" is refreshed at most once a minute
    state = selectors.pad_state(p)
    response = render(
        request,
        "reviews/_pad_state.html",
        {"pad": p, "token": token, "state": state, "form": RatingForm(None, aspects=ONSITE_ASPECTS)},
    )
    response["X-Pad-Key"] = state.key
    return response


@never_cache
@require_GET
def pad_events(request: HttpRequest, token: str) -> HttpResponseBase:
    """SSE: the queue's ticket and window events of the pad's centre (the page picks its window's)."""
    p = _pad(token, touch=False)
    centre_id = p.window.centre_id
    return event_stream(
        request,
        [f"queueing.centre.{centre_id}.*", f"reviews.centre.{centre_id}.*"],
        initial=lambda: {"key": selectors.pad_state(p).key, "window": p.window.number},
    )


@require_POST
def pad_rate(request: HttpRequest, token: str) -> HttpResponse:
    p = _pad(token)
    form = RatingForm(request.POST, aspects=ONSITE_ASPECTS)
    ticket_id = _int(request.POST.get("ticket"))
    if (
        form.is_valid()
        and ticket_id
        and _run(
            request,
            form,
            lambda: services.rating_submit_visit(
                ticket_id=ticket_id,
                channel=Channel.PAD,
                pad=p,
                level=form.cleaned_data["level"],
                aspects=form.aspects(),
                text=form.cleaned_data["text"],
                rater=rater_from(request, phone=form.cleaned_data.get("phone", "")),
            ),
        )
    ):
        return redirect(reverse("reviews:pad", kwargs={"token": token}) + "?thanks=1")
    state = selectors.pad_state(p)
    return render(
        request,
        "reviews/pad.html",
        {"pad": p, "token": token, "state": state, "form": form, "centre_id": p.window.centre_id},
        status=400,
    )


@never_cache
@require_GET
def pad_photo(request: HttpRequest, token: str) -> HttpResponseBase:
    """The photo of the clerk the pad shows (staff photos are never in a web root)."""
    p = _pad(token, touch=False)
    clerk = selectors.pad_state(p).clerk
    if clerk is None or not clerk.photo:
        raise Http404
    try:
        kind = mimetypes.guess_type(clerk.photo.name)[0] or "application/octet-stream"
        return FileResponse(clerk.photo.open("rb"), content_type=kind)
    except FileNotFoundError:
        raise Http404 from None


# --- public: a centre's summary ---------------------------------------------------------------------------


@never_cache
def public_summary(request: HttpRequest, centre_id: int) -> HttpResponse:
    centre = _get(lambda: public_centre(centre_id))
    period, month = _period(request)
    year = selectors.public_summary(centre, period=selectors.year_period(period.start.year))
    data = selectors.public_summary(centre, period=period)
    return render(request, "reviews/public_summary.html", {**data, "year": year, "month": month})


# --- staff: ratings -------------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    period, month = _period(request)
    level = _int(request.GET.get("level"))
    centre_id = _int(request.GET.get("centre"))
    bad = request.GET.get("bad") == "1"
    qs = selectors.ratings_for_list(request.user, centre_id=centre_id, level=level, bad=bad, period=period)
    page = paginate(request, qs)
    totals = selectors.totals(request.user, period=period, centre_id=centre_id)
    return render(
        request,
        "reviews/index.html",
        {
            "page": page,
            "totals": totals,
            "month": month,
            "period": period,
            "level": level,
            "bad": bad,
            "levels": Level.choices,
            "centres": centres_visible_to(request.user).order_by("division__code")
            if sees_whole_centre(request.user)
            else [],
            "centre_id": centre_id,
            "whole": sees_whole_centre(request.user),
        },
    )


def _rating_page(request: HttpRequest, rating: Any, *, revealed_phone: str | None = None) -> HttpResponse:
    see = can_see_rater(request.user, rating)
    appeal = getattr(rating, "appeal", None)
    phone = mask_mobile(rating.rater_phone) if see and rating.rater_phone else ""
    if revealed_phone is not None:
        phone = revealed_phone or "（未留）"
    response = render(
        request,
        "reviews/rating_detail.html",
        {
            "rating": rating,
            "see_rater": see,
            "rater_name": mask_name(rating.rater_name) if see else "",
            "rater_phone": phone,
            "phone_revealed": revealed_phone is not None,
            "order": getattr(rating, "work_order", None),
            "appeal": appeal,
            "supplement": getattr(rating, "supplement", None),
            "appeal_form": AppealForm()
            if rating.is_bad and appeal is None and not rating.excluded and can_appeal(request.user, rating)
            else None,
        },
    )
    if revealed_phone is not None:
        add_never_cache_headers(response)
    return response


@login_required
@require_GET
def rating_detail(request: HttpRequest, rating_id: int) -> HttpResponse:
    return _rating_page(request, _get(lambda: access_rating(request.user, rating_id)))


@login_required
@require_POST
def rating_reveal(request: HttpRequest, rating_id: int) -> HttpResponse:
    """The whole phone is shown on this response only (never stored in a session or cookie message)."""
    rating = _get(lambda: access_rating(request.user, rating_id))
    if not can_see_rater(request.user, rating):
        raise PermissionDenied("只有处理投诉的角色可以查看评价人信息，被评价人本人不能查看。")
    phone = _get(
        lambda: pii_reveal(
            user=request.user,
            obj=rating,
            field="rater_phone",
            reason=request.POST.get("reason", "差评回访"),
            roles=COMPLAINT_ROLES,
        )
    )
    return _rating_page(request, rating, revealed_phone=phone)


@login_required
@require_POST
def rating_appeal(request: HttpRequest, rating_id: int) -> HttpResponse:
    rating = _get(lambda: access_rating(request.user, rating_id))
    form = AppealForm(request.POST)
    if form.is_valid() and _run(
        request,
        form,
        lambda: services.appeal_file(
            rating=rating,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            statement=form.cleaned_data["statement"],
        ),
    ):
        messages.success(request, "申诉已提交，等待市行政审批局复核。")
        return redirect("reviews:rating", rating_id=rating.pk)
    for error in form.errors.values():
        messages.error(request, "；".join(str(e) for e in error))
    return redirect("reviews:rating", rating_id=rating.pk)


# --- staff: work orders --------------------------------------------------------------------------------------------


@login_required
def orders(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    qs = orders_visible_to(request.user).select_related("rating", "centre").order_by("-created_at", "-id")
    if status == "open":
        qs = qs.exclude(status__in=(OrderStatus.CLOSED, OrderStatus.EXCLUDED))
    elif status in OrderStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs)
    return render(
        request, "reviews/orders.html", {"page": page, "status": status, "statuses": OrderStatus.choices}
    )


ORDER_ACTIONS: dict[str, tuple[type[forms.Form], Callable[..., Any]]] = {
    "verify": (VerifyForm, lambda o, u, d: services.work_order_verify(order=o, actor=u, **d)),
    "decide": (DecideForm, lambda o, u, d: services.work_order_decide(order=o, actor=u, **d)),
    "ledger": (NoteForm, lambda o, u, d: services.work_order_ledger_complete(order=o, actor=u, **d)),
    "reply": (ReplyForm, lambda o, u, d: services.work_order_reply(order=o, actor=u, **d)),
    "visit": (VisitForm, lambda o, u, d: services.work_order_visit(order=o, actor=u, **d)),
}


@login_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _get(lambda: access_work_order(request.user, order_id))
    forms_by_action = {name: cls() for name, (cls, _) in ORDER_ACTIONS.items()}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "close":
            if _run(request, None, lambda: services.work_order_close(order=order, actor=request.user)):
                messages.success(request, "工单已办结。")
                return redirect("reviews:order", order_id=order.pk)
            status = 409
        elif action in ORDER_ACTIONS:
            cls, call = ORDER_ACTIONS[action]
            form = cls(request.POST)
            forms_by_action[action] = form
            if form.is_valid() and _run(request, form, lambda: call(order, request.user, form.cleaned_data)):
                messages.success(request, "已保存。")
                return redirect("reviews:order", order_id=order.pk)
            status = 400
        else:
            raise Http404
        order.refresh_from_db()
    rating = order.rating
    return render(
        request,
        "reviews/order_detail.html",
        {
            "order": order,
            "rating": rating,
            "forms": forms_by_action,
            "can_handle": can_handle_order(request.user, order),
            "see_rater": can_see_rater(request.user, rating),
            "rater_name": mask_name(rating.rater_name),
            "rater_phone": mask_mobile(rating.rater_phone) if rating.rater_phone else "",
            "appeal": getattr(rating, "appeal", None),
            "supplement": getattr(rating, "supplement", None),
        },
        status=status,
    )


# --- staff: appeals and flags (the bureau) -----------------------------------------------------------------------------


def _post_decision(
    request: HttpRequest, form: forms.Form, decide: Callable[[dict[str, Any]], Any], done: str, back: str
) -> HttpResponse:
    """A decision posted from a list page (appeals, flags): run it, say how it went, back to the list."""
    if form.is_valid() and _run(request, form, lambda: decide(form.cleaned_data)):
        messages.success(request, done)
    else:
        for error in form.errors.values():
            messages.error(request, "；".join(str(e) for e in error))
    return redirect(back)


@login_required
def appeals(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        appeal = _get(lambda: access_appeal(request.user, request.POST.get("appeal", "")))
        return _post_decision(
            request,
            DecisionForm(request.POST),
            lambda d: services.appeal_decide(
                appeal=appeal, actor=request.user, upheld=d["upheld"], note=d["note"]
            ),
            "复核结论已保存。",
            "reviews:appeals",
        )
    qs = (
        appeals_visible_to(request.user)
        .select_related("rating", "centre", "filed_by")
        .order_by("status", "-filed_at")
    )
    return render(
        request,
        "reviews/appeals.html",
        {
            "appeals": qs[:200],
            "decide": can_decide_appeals(request.user),
            "form": DecisionForm(),
            "pending": AppealStatus.PENDING,
        },
    )


@login_required
def flags(request: HttpRequest) -> HttpResponse:
    if not can_decide_appeals(request.user):
        raise PermissionDenied("异常评价线索由市行政审批局核查。")
    if request.method == "POST":
        flag = _get(lambda: access_flag(request.user, request.POST.get("flag", "")))
        return _post_decision(
            request,
            FlagDecisionForm(request.POST),
            lambda d: services.flag_decide(
                flag=flag, actor=request.user, confirmed=d["confirmed"], note=d["note"]
            ),
            "核查结论已保存。",
            "reviews:flags",
        )
    qs = (
        flags_visible_to(request.user)
        .select_related("rating", "rating__centre")
        .order_by("status", "-created_at")
    )
    return render(
        request,
        "reviews/flags.html",
        {"flags": qs[:200], "form": FlagDecisionForm(), "open": FlagStatus.OPEN},
    )


# --- staff: figures and rankings -------------------------------------------------------------------------------------


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    period, month = _period(request, allow_year=True)
    by = request.GET.get("by", "centre" if sees_whole_centre(request.user) else "month")
    if by not in selectors.DIMENSIONS:
        by = "centre"
    centre_id = _int(request.GET.get("centre"))
    if centre_id is not None:
        _get(lambda: access_centre(request.user, centre_id))
    rows = selectors.figures(request.user, by=by, period=period, centre_id=centre_id)
    totals = selectors.totals(request.user, period=period, centre_id=centre_id)
    return render(
        request,
        "reviews/figures.html",
        {
            "rows": rows,
            "totals": totals,
            "by": by,
            "dimensions": selectors.DIMENSIONS,
            "month": month,
            "period": period,
            "centre_id": centre_id,
            "levels": Level.labels,
            "centres": centres_visible_to(request.user).order_by("division__code")
            if sees_whole_centre(request.user)
            else [],
        },
    )


@login_required
def rankings(request: HttpRequest) -> HttpResponse:
    if not can_see_rankings(request.user):
        raise PermissionDenied("好评榜、差评榜由市行政审批局查看。")
    period, month = _period(request)
    by = request.GET.get("by", "centre")
    if by not in ("centre", "town", "clerk", "window", "matter"):
        by = "centre"
    min_count = _int(request.GET.get("min")) or 10
    result = selectors.rankings(request.user, by=by, period=period, min_count=max(1, min_count))
    return render(
        request,
        "reviews/rankings.html",
        {"result": result, "month": month, "by": by, "dimensions": selectors.DIMENSIONS, "min": min_count},
    )


# --- staff: pads and settings ------------------------------------------------------------------------------------------


@login_required
def pads(request: HttpRequest) -> HttpResponse:
    token_url = ""
    if request.method == "POST":
        if request.POST.get("revoke"):
            p = _get(lambda: access_pad(request.user, request.POST["revoke"]))
            if _run(request, None, lambda: services.pad_revoke(pad=p, actor=request.user)):
                messages.success(request, f"{p.window}的评价器已解除配对。")
            return redirect("reviews:pads")
        window = _get(lambda: access_pad_window(request.user, request.POST.get("window", "")))
        result = _run(
            request,
            None,
            lambda: services.pad_pair(window=window, actor=request.user, label=request.POST.get("label", "")),
        )
        if result:
            token_url = settings.PUBLIC_URL + reverse("reviews:pad", kwargs={"token": result[1]})
    visible = [c for c in centres_visible_to(request.user) if can_manage_centre(request.user, c)]
    windows = selectors.pad_windows(visible)
    return render(
        request,
        "reviews/pads.html",
        {
            "pads": pads_visible_to(request.user)
            .filter(revoked_at__isnull=True)
            .order_by("window__centre", "window__number"),
            "windows": windows,
            "token_url": token_url,
        },
    )


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    if not can_manage_settings(request.user):
        raise PermissionDenied("只有市行政审批局管理员可以修改好差评设置。")
    centre_id = _int(request.GET.get("centre") or request.POST.get("centre"))
    centre = _get(lambda: access_centre(request.user, centre_id)) if centre_id else None
    current = services.review_settings_in_force(centre)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in services.SETTING_FIELDS}
        if _run(
            request,
            form,
            lambda: services.review_settings_save(actor=request.user, centre=centre, values=values),
        ):
            messages.success(request, "好差评设置已保存。")
            return redirect(request.get_full_path())
    return render(
        request,
        "reviews/settings.html",
        {
            "form": form,
            "centre": centre,
            "own": current.centre_id == (centre.pk if centre else None) and current.pk,
            "centres": centres_visible_to(request.user).order_by("division__code"),
        },
        status=400 if form.errors else 200,
    )
