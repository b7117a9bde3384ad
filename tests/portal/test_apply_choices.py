"""Issue 16 (NET-1): the handling centre and the pick-up centre are the visitor's choice, never the first
centre of the list; an enterprise learns before filling the form that a matter serves natural persons only,
and the server refuses it with a clear error."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from govhall.cases.models import Case
from govhall.catalog import services as catalog
from tests.factories import TownCentreFactory
from tests.portal.conftest import citizen_client
from tests.portal.test_online_application import PDF, apply, citizen, form, signed_in, upload  # noqa: F401

pytestmark = pytest.mark.django_db


def selected_options(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select id="{select_id}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"[^>]*selected', select)


def test_with_several_centres_nothing_is_chosen_for_the_visitor(signed_in: Client, world: Any) -> None:  # noqa: F811
    """NET-1: two centres serve the matter: both selects start on 请选择, not on the first centre."""
    other = TownCentreFactory(name="启东市汇龙镇为民服务中心")
    catalog.centre_matter_assign(actor=None, centre=other, matter=world.dibao)
    html = signed_in.get(f"/portal/apply/{world.dibao.code}/").content.decode()
    assert "汇龙镇" in html
    assert selected_options(html, "ap-centre-id") == [""] and selected_options(html, "ap-del-centre") == [""]
    assert "请选择服务中心" in html and "请选择领取结果的服务中心" in html


def test_with_one_centre_it_is_the_only_choice(signed_in: Client, world: Any) -> None:  # noqa: F811
    html = signed_in.get(f"/portal/apply/{world.dibao.code}/").content.decode()
    town = str(world.town.pk)
    assert selected_options(html, "ap-centre-id") == [town] and selected_options(html, "ap-del-centre") == [
        town
    ]


def test_no_centre_chosen_is_refused_in_chinese(signed_in: Client, world: Any) -> None:  # noqa: F811
    """NET-1: a form sent without a handling or pick-up centre is refused with a clear error, nothing written."""
    response = apply(signed_in, world, centre_id="", delivery_centre_id="")
    html = response.content.decode()
    assert response.status_code == 400
    assert "请选择办理的服务中心。" in html and "请选择领取结果的服务中心。" in html
    assert Case.objects.count() == 0


def test_an_enterprise_is_told_before_the_form_and_refused(
    client: Client, world: Any, make_citizen: Any
) -> None:
    """NET-1: 最低生活保障 serves natural persons only: the guide says so to an enterprise, hides 网上申请, the
    form is not offered and a direct POST is refused."""
    enterprise = make_citizen(kind="enterprise", mobile="13962800019", real_name="张海")
    anonymous = client.get(f"/portal/guide/{world.dibao.code}/").content.decode()
    assert "本事项只面向自然人（个人）办理" in anonymous
    citizen_client(client, enterprise)
    guide = client.get(f"/portal/guide/{world.dibao.code}/").content.decode()
    assert "您当前登录的是企业账户" in guide and f"/portal/apply/{world.dibao.code}/" not in guide
    page = client.get(f"/portal/apply/{world.dibao.code}/")
    assert page.status_code == 400 and "只面向自然人（个人）办理，企业账户不能申请" in page.content.decode()
    m = {x.name: x for x in world.dibao.current_version.materials.all()}
    response = client.post(
        f"/portal/apply/{world.dibao.code}/",
        {
            "token": "a" * 32,
            "centre_id": world.town.pk,
            "delivery": "window",
            "delivery_centre_id": world.town.pk,
            f"material_{m['最低生活保障申请书'].pk}": upload("申请书.pdf", PDF),
        },
    )
    assert response.status_code == 400 and "企业账户不能申请" in response.content.decode()
    assert Case.objects.count() == 0
