"""Issue 13 hole 5 on the portal: an online application over the request cap gets the portal's 413 page in
Chinese and nothing is written (no case, no file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from govhall.cases.models import Case, CaseFile
from tests.portal.conftest import citizen_client
from tests.portal.test_online_application import PDF, apply, materials, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("spring_clock")]

MB = 1024 * 1024


def test_an_application_over_the_cap_gets_the_portal_413_page(
    client: Client, world: Any, make_citizen: Any, settings: Any
) -> None:
    settings.UPLOAD_MAX_BYTES = 4 * MB
    settings.MAX_REQUEST_BYTES = 2 * MB
    citizen_client(client, make_citizen(mobile="13962800021", real_name="李秀英"))
    m = materials(world)
    response = apply(
        client,
        world,
        **{f"material_{m['最低生活保障申请书'].pk}": upload("申请书.pdf", PDF + b"0" * (3 * MB))},
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "上传的内容过大（超过2 MB），请压缩后分批上传" in html and 'href="/portal/"' in html
    assert not Case.objects.exists() and not CaseFile.objects.exists()
    root = Path(django_settings.MEDIA_ROOT)
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]
