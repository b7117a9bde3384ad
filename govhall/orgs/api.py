from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from govhall.core.api_params import Id, Mapped, paged
from govhall.orgs.models import Centre
from govhall.orgs.policy import access_centre
from govhall.orgs.selectors import centres_for_list, posts_of, windows_of

router = Router(tags=["组织机构"])


class CentreOut(Schema):
    id: int
    name: str
    level: str
    division_code: str
    town_class: int | None
    parent_id: int | None
    address: str
    phone: str
    opening_hours: str


class WindowOut(Schema):
    id: int
    number: int
    name: str
    window_class: str
    department: str | None
    same_city: bool


class PostOut(Schema):
    id: int
    name: str
    window_number: int | None
    a_staff: str
    b_staff: str


def _centre_out(c: Centre) -> CentreOut:
    return CentreOut(
        id=c.pk,
        name=c.name,
        level=c.level,
        division_code=c.division.code,
        town_class=(c.division.town or c.division).town_class,
        parent_id=c.parent_id,
        address=c.address,
        phone=c.phone,
        opening_hours=c.opening_hours,
    )


@router.get("/centres", response=list[CentreOut], summary="可见的服务中心")
@paged
def list_centres(request: HttpRequest, level: str | None = None, q: str = "") -> Any:
    return Mapped(
        centres_for_list(request.user, level=level, q=q).select_related("division__parent"), _centre_out
    )


@router.get("/centres/{centre_id}", response=CentreOut, summary="服务中心详情")
def get_centre(request: HttpRequest, centre_id: Id) -> CentreOut:
    return _centre_out(access_centre(request.user, centre_id))


@router.get("/centres/{centre_id}/windows", response=list[WindowOut], summary="中心的窗口")
@paged
def get_windows(request: HttpRequest, centre_id: Id) -> Any:
    centre = access_centre(request.user, centre_id)
    return Mapped(
        windows_of(centre),
        lambda w: WindowOut(
            id=w.pk,
            number=w.number,
            name=w.name,
            window_class=w.window_class,
            department=w.department.short_name if w.department else None,
            same_city=w.same_city,
        ),
    )


@router.get("/centres/{centre_id}/posts", response=list[PostOut], summary="中心的AB角岗位")
@paged
def get_posts(request: HttpRequest, centre_id: Id) -> Any:
    centre = access_centre(request.user, centre_id)
    return Mapped(
        posts_of(centre),
        lambda p: PostOut(
            id=p.pk,
            name=p.name,
            window_number=p.window.number if p.window else None,
            a_staff=str(p.a_staff),
            b_staff=str(p.b_staff),
        ),
    )
