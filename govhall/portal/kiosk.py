"""Kiosk mode (SITE-3 24-hour self-service area, SITE-7 自助取号, NET-1): the hall's one touch terminal,
one centre each, named in the URL by its division code (/portal/kiosk/<区划代码>/).

Take a ticket (through the queue service; the printed ticket is the queue's 80 mm ticket), check in an
appointment by its code or the ID card number, look up a case, read and print a guide. No login, big touch
targets, a large-text (长辈) toggle, "返回首页" on every page, back to the start (and to standard text) after
PORTAL_KIOSK_IDLE_SECONDS without a touch (kiosk.js; a <noscript> refresh does it without JavaScript), and
no link out of /portal/kiosk/<code>/. The old id-based URLs, and the queue's /queueing/kiosk/<id>/, redirect
here.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from govhall.cases.applicants import mask_applicant_name
from govhall.cases.models import IdType
from govhall.cases.selectors import track_by_id
from govhall.cases.tracking_limits import TrackClient, is_kiosk_address
from govhall.catalog.models import MatterStatus
from govhall.catalog.selectors import matter_search, public_matter
from govhall.core.errors import NotFound, ServiceError
from govhall.core.middleware import client_ip
from govhall.core.pages import page_errors
from govhall.onething import selectors as onething_selectors
from govhall.orgs.models import Centre
from govhall.portal import conf, prefs, selectors
from govhall.portal.views import thing_track_context, track_lookup
from govhall.queueing.models import TicketSource
from govhall.queueing.policy import public_ticket
from govhall.queueing.selectors import issue_options, ticket_context, ticketing_hours
from govhall.queueing.services import appointment_check_in_at_kiosk, ticket_issue


def _context(request: HttpRequest, centre: Centre, **extra: Any) -> dict[str, Any]:
    home = reverse("portal:kiosk", args=[centre.division.code])
    return {
        "centre": centre,
        "code": centre.division.code,
        "kiosk": True,
        "kiosk_home": home,
        "idle_seconds": conf.get("PORTAL_KIOSK_IDLE_SECONDS"),
        "hours": ticketing_hours(centre),
        **extra,
    }


@never_cache
@page_errors
def kiosk_home(request: HttpRequest, centre_code: str) -> HttpResponse:
    centre = selectors.kiosk_centre(centre_code)
    response = render(
        request, "portal/kiosk/home.html", _context(request, centre, waiting=selectors.centre_waiting(centre))
    )
    if request.GET.get("reset"):  # the idle reset: the next visitor starts with standard text
        prefs.write(response, prefs.Prefs())
    return response


@require_POST
def kiosk_display(request: HttpRequest, centre_code: str) -> HttpResponse:
    """The 长辈版 (large text) toggle, back to the kiosk page it was pressed on."""
    centre = selectors.kiosk_centre(centre_code)
    home = reverse("portal:kiosk", args=[centre.division.code])
    target = request.POST.get("next", "")
    if not target.startswith(home) or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        target = home
    current = prefs.read(request)
    response = redirect(target)
    prefs.write(response, prefs.Prefs(large=not current.large, contrast=current.contrast))
    return response


@page_errors
def kiosk_old_url(request: HttpRequest, centre_id: int, rest: str = "") -> HttpResponse:
    """The kiosk's former URLs by database id: the same page under the centre's code (308 keeps a POST)."""
    centre = selectors.public_centre(centre_id)
    query = f"?{request.META['QUERY_STRING']}" if request.META.get("QUERY_STRING") else ""
    target = reverse("portal:kiosk", args=[centre.division.code]) + rest + query
    return (
        HttpResponsePermanentRedirect(target, status=308)
        if request.method == "POST"
        else (HttpResponsePermanentRedirect(target))
    )


def _choice(options: dict[str, Any], data: Any) -> dict[str, Any] | None:
    matter = data.get("matter", "")
    if matter.isdigit():
        found = next((m for m in options["matters"] if m["id"] == int(matter)), None)
        return {"matter": found["id"], "label": found["name"]} if found else None
    group = data.get("group", "")
    label = dict(options["groups"]).get(group) if group else None
    return {"group": group, "label": label} if label else None


@never_cache
@page_errors
def kiosk_ticket(request: HttpRequest, centre_code: str) -> HttpResponse:
    """Pick a business group or a matter (the ticketing hours shown first), then (optionally) a phone or ID
    number, then the ticket."""
    centre = selectors.kiosk_centre(centre_code)
    options = issue_options(centre)
    choice = _choice(options, request.POST if request.method == "POST" else request.GET)
    context = _context(request, centre, options=options, choice=choice)
    if request.method == "POST" and choice is not None:
        try:
            result = ticket_issue(
                centre=centre,
                matter_id=choice.get("matter"),
                group=choice.get("group", ""),
                phone=request.POST.get("phone", ""),
                id_number=request.POST.get("id_number", ""),
                source=TicketSource.KIOSK,
            )
        except ServiceError as exc:
            context.update(error=exc, form=request.POST)
            return render(request, "portal/kiosk/ticket.html", context, status=400)
        return redirect(
            "portal:kiosk_ticket_done", centre_code=centre.division.code, token=result.ticket.public_token
        )
    return render(request, "portal/kiosk/ticket.html", context)


@never_cache
@page_errors
def kiosk_checkin(request: HttpRequest, centre_code: str) -> HttpResponse:
    """预约签到: the booking code or the ID card number given when booking gives the ticket."""
    centre = selectors.kiosk_centre(centre_code)
    context = _context(request, centre)
    if request.method == "POST":
        try:
            result = appointment_check_in_at_kiosk(centre=centre, value=request.POST.get("code", ""))
        except ServiceError as exc:
            context["error"] = exc
            return render(request, "portal/kiosk/checkin.html", context, status=400)
        return redirect(
            "portal:kiosk_ticket_done", centre_code=centre.division.code, token=result.ticket.public_token
        )
    return render(request, "portal/kiosk/checkin.html", context)


@never_cache
@page_errors
def kiosk_ticket_done(request: HttpRequest, centre_code: str, token: str) -> HttpResponse:
    """The ticket on screen and, printed, the queue's 80 mm ticket (the same one as the desk prints)."""
    centre = selectors.kiosk_centre(centre_code)
    ticket = public_ticket(token)
    if ticket.centre_id != centre.pk:
        raise NotFound("未找到该排队号。")
    return render(
        request,
        "portal/kiosk/ticket_done.html",
        {**ticket_context(request, ticket), **_context(request, centre)},
    )


@never_cache
@page_errors
def kiosk_guides(request: HttpRequest, centre_code: str) -> HttpResponse:
    centre = selectors.kiosk_centre(centre_code)
    q = (request.GET.get("q") or "").strip()[:30]
    results = list(matter_search(q, centre=centre, limit=60))
    return render(request, "portal/kiosk/guides.html", _context(request, centre, q=q, results=results))


@never_cache
@page_errors
def kiosk_guide(request: HttpRequest, centre_code: str, code: str) -> HttpResponse:
    centre = selectors.kiosk_centre(centre_code)
    matter = public_matter(code)
    version = matter.current_version
    assert version is not None
    materials = selectors.guide_materials(version)
    for material in materials:  # no downloads at the kiosk: nothing may lead out of it
        material.blank_form = material.sample = None  # type: ignore[assignment]
    issuable = matter.status == MatterStatus.ACTIVE and any(
        m["id"] == matter.pk for m in issue_options(centre)["matters"]
    )
    return render(
        request,
        "portal/kiosk/guide.html",
        _context(
            request,
            centre,
            matter=matter,
            version=version,
            materials=materials,
            commitments=[m for m in materials if m.commitment],
            issuable=issuable,
        ),
    )


@never_cache
@page_errors
def kiosk_track(request: HttpRequest, centre_code: str) -> HttpResponse:
    """Look up a case by number + query password (full timeline) or by 身份证号 (a masked list only). A
    kiosk whose address is listed in GOVHALL_KIOSK_ADDRESSES is a paired hall kiosk: the look-up limits
    treat it as the whole hall's terminal (govhall/cases/tracking_limits.py)."""
    centre = selectors.kiosk_centre(centre_code)
    context = _context(request, centre, mode=request.POST.get("mode", "number"))
    status = 200
    if request.method == "POST":
        try:
            paired = is_kiosk_address(client_ip(request))
            if context["mode"] == "id":
                cases = track_by_id(
                    IdType.ID_CARD,
                    request.POST.get("id_number", ""),
                    client=TrackClient(client_ip(request), kiosk=paired),
                )
                parents = onething_selectors.parents_of([c.pk for c in cases])
                context["id_results"] = [
                    {
                        "number": c.number,
                        "matter": c.matter_name,
                        "thing": parents.get(c.pk),
                        "status": c.get_status_display(),
                        "applicant": mask_applicant_name(c.applicant_kind, c.applicant_name),
                        "centre": c.handling_centre.name,
                        "received_at": c.received_at,
                    }
                    for c in cases
                ]
            elif onething_selectors.is_thing_number(request.POST.get("number", "")):
                # A 一件事办件's parent number: the parent with each member (MODE-1, NET-1).
                view = onething_selectors.track_thing(
                    request.POST.get("number", ""),
                    request.POST.get("password", ""),
                    client=TrackClient(client_ip(request), kiosk=paired),
                )
                context.update(thing_track_context(view, kiosk=True))
            else:
                case = track_lookup(
                    request, request.POST.get("number", ""), request.POST.get("password", ""), kiosk=paired
                )
                context.update(
                    case=case,
                    applicant=mask_applicant_name(case.applicant_kind, case.applicant_name),
                    timeline=selectors.case_public_timeline(case),
                )
        except ServiceError as exc:
            context["error"] = exc.message
            status = exc.status if exc.status in (400, 429) else 200
    return render(request, "portal/kiosk/track.html", context, status=status)
