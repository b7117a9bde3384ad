"""NET-1: applying online — the case arrives through the case service (收件, channel 网上申请) with the uploaded
materials and a 告知承诺 signed online; later steps show in 我的办件 and go out by SMS; 补正 is uploaded online.
Bad input and abuse: a file that is not what it claims, too large, or a zip; a matter not offered online; a
double submit; another citizen's case by URL (404)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from govhall.cases import services as cases
from govhall.cases.models import Case, CaseFile, CaseStatus, Channel, MaterialStatus
from govhall.core.models import AuditEntry
from govhall.portal import services
from govhall.portal.models import OnlineApplication, OnlineCommitment, OnlineUpload, Supplement
from tests.portal.conftest import citizen_client, last_sms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("spring_clock")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def photo(width: int = 3000, height: int = 2000, fmt: str = "JPEG") -> bytes:
    image = Image.new("RGB", (width, height), (200, 180, 160))
    out = io.BytesIO()
    if fmt == "JPEG":
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        image.save(out, format=fmt, exif=exif)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def zip_bytes() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "x")
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def materials(world: Any) -> dict[str, Any]:
    return {m.name: m for m in world.dibao.current_version.materials.all()}


def form(client: Client, world: Any) -> dict[str, Any]:
    """The application page's fields as a browser would send them (token from the page)."""
    html = client.get(f"/portal/apply/{world.dibao.code}/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    m = materials(world)
    return {
        "token": token,
        "centre_id": world.town.pk,
        "delivery": "window",
        "delivery_centre_id": world.town.pk,
        "address": "启东市吕四港镇鹤南村3组",
        f"material_{m['最低生活保障申请书'].pk}": upload("申请书.pdf", PDF),
        f"material_{m['居民户口簿'].pk}": upload("户口簿.jpg", photo(), "image/jpeg"),
        f"commit_{m['家庭收入和财产状况声明'].pk}": "1",
    }


@pytest.fixture
def citizen(make_citizen: Any) -> Any:
    return make_citizen(mobile="13962800001", real_name="李秀英")


@pytest.fixture
def signed_in(client: Client, citizen: Any) -> Client:
    return citizen_client(client, citizen)


def media_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def apply(client: Client, world: Any, **changes: Any) -> Any:
    data = form(client, world)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return client.post(f"/portal/apply/{world.dibao.code}/", data)


# --- the happy path -----------------------------------------------------------------------------------------


def test_citizen_applies_online_with_a_commitment_material(
    signed_in: Client, world: Any, citizen: Any
) -> None:
    """NET-1: the case arrives at the centre through the case service with files, commitment and SMS."""
    response = apply(signed_in, world)
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert response["Location"] == f"/portal/my/cases/{case.number}/"
    assert case.channel == Channel.ONLINE and case.receiver is None and case.status == CaseStatus.RECEIVED
    assert (
        case.centre == world.town
        and case.applicant_name == "李秀英"
        and case.applicant_phone == citizen.mobile
    )
    assert case.applicant_id_number == citizen.id_number
    rows = {cm.name: cm for cm in case.materials.all()}
    assert rows["最低生活保障申请书"].status == MaterialStatus.RECEIVED
    assert rows["居民户口簿"].status == MaterialStatus.RECEIVED
    assert rows["家庭收入和财产状况声明"].status == MaterialStatus.MISSING
    assert "网上签署告知承诺书" in rows["家庭收入和财产状况声明"].note
    assert CaseFile.objects.filter(case=case).count() == 2
    commitment = OnlineCommitment.objects.get()
    assert commitment.citizen == citizen and commitment.material_name == "家庭收入和财产状况声明"
    assert commitment.text.startswith("本人承诺家庭收入") and commitment.signed_at is not None
    application = OnlineApplication.objects.get()
    assert (
        application.case == case
        and application.delivery == "window"
        and application.delivery_centre == world.town
    )
    assert AuditEntry.objects.filter(action="portal.application.submit").exists()
    sms = last_sms(citizen.mobile)
    assert case.number in sms and case.query_password in sms
    page = signed_in.get(response["Location"]).content.decode()
    assert case.number in page and "已收件" in page


def test_a_phone_browser_applies_through_the_mobile_channel(signed_in: Client, world: Any) -> None:
    data = form(signed_in, world)
    signed_in.post(
        f"/portal/apply/{world.dibao.code}/",
        data,
        HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 10) Mobile Safari/537.36",
    )
    assert Case.objects.get().channel == Channel.MOBILE


def test_photos_are_shrunk_and_stripped_of_exif(signed_in: Client, world: Any) -> None:
    apply(signed_in, world)
    record = CaseFile.objects.get(kind="jpg")
    from govhall.cases.uploads import media_path
    from govhall.core.filecrypt import read_plaintext

    with Image.open(io.BytesIO(read_plaintext(media_path(record.storage_name)))) as image:
        assert max(image.size) == 2000 and image.format == "JPEG"
        assert not image.getexif()
    assert OnlineUpload.objects.get(case_file=record).original_size > record.size


def test_mail_delivery_needs_an_address(signed_in: Client, world: Any) -> None:
    response = apply(signed_in, world, delivery="mail", mail_address="")
    assert response.status_code == 400 and "请填写详细的邮寄地址" in response.content.decode()
    assert not Case.objects.exists()
    response = apply(signed_in, world, delivery="mail", mail_address="启东市汇龙镇人民中路100号")
    assert response.status_code == 302
    application = OnlineApplication.objects.get()
    assert application.delivery == "mail" and application.mail_address == "启东市汇龙镇人民中路100号"


def test_mail_is_refused_for_a_matter_without_express(
    signed_in: Client, world: Any, make_matter: Any, citizen: Any
) -> None:
    matter = make_matter(
        name="临时救助申请",
        centres=(world.town,),
        supports_express=False,
        materials=[{"name": "临时救助申请书", "originals": 1}],
    )
    with pytest.raises(services.ServiceError) as exc:
        services.application_submit(
            citizen=citizen,
            token="t" * 32,
            matter=matter,
            centre_id=world.town.pk,
            delivery="mail",
            mail_address="启东市汇龙镇人民中路100号",
            materials={
                matter.current_version.materials.get().pk: services.MaterialInput(
                    files=[services.CleanFile("a.pdf", PDF, "pdf", len(PDF))]
                )
            },
        )
    assert "不支持邮寄" in str(exc.value.fields)
    assert not Case.objects.exists()


# --- double submit ----------------------------------------------------------------------------------------


def test_submitting_the_same_form_twice_creates_one_case(signed_in: Client, world: Any) -> None:
    data = form(signed_in, world)
    first = signed_in.post(f"/portal/apply/{world.dibao.code}/", data)
    for f in data.values():
        if hasattr(f, "seek"):
            f.seek(0)
    second = signed_in.post(f"/portal/apply/{world.dibao.code}/", data)
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1 and OnlineApplication.objects.count() == 1
    assert CaseFile.objects.count() == 2 and len(media_files()) == 2
    page = signed_in.get(second["Location"]).content.decode()
    assert "没有重复提交" in page


def test_a_token_of_another_account_is_refused(signed_in: Client, world: Any, make_citizen: Any) -> None:
    data = form(signed_in, world)
    signed_in.post(f"/portal/apply/{world.dibao.code}/", data)
    other = citizen_client(Client(), make_citizen(mobile="13962800002"))
    for f in data.values():
        if hasattr(f, "seek"):
            f.seek(0)
    response = other.post(f"/portal/apply/{world.dibao.code}/", data)
    assert response.status_code == 400 and "表单已失效" in response.content.decode()
    assert Case.objects.count() == 1


# --- bad input -------------------------------------------------------------------------------------------------


def assert_nothing_written() -> None:
    assert not Case.objects.exists()
    assert not OnlineApplication.objects.exists()
    assert not CaseFile.objects.exists()
    assert media_files() == []


def test_a_file_that_is_not_what_it_claims_is_refused(signed_in: Client, world: Any) -> None:
    m = materials(world)
    response = apply(
        signed_in, world, **{f"material_{m['最低生活保障申请书'].pk}": upload("申请书.pdf", photo(fmt="PNG"))}
    )
    assert response.status_code == 400
    assert "文件名是 .pdf，但内容是 PNG" in response.content.decode()
    assert_nothing_written()


def test_an_unknown_file_type_is_refused(signed_in: Client, world: Any) -> None:
    m = materials(world)
    response = apply(
        signed_in, world, **{f"material_{m['最低生活保障申请书'].pk}": upload("申请书.pdf", b"hello " * 50)}
    )
    assert response.status_code == 400 and "文件类型不支持" in response.content.decode()
    assert_nothing_written()


def test_a_zip_is_refused(signed_in: Client, world: Any) -> None:
    m = materials(world)
    response = apply(
        signed_in, world, **{f"material_{m['最低生活保障申请书'].pk}": upload("材料.zip", zip_bytes())}
    )
    assert response.status_code == 400 and "不接受压缩包" in response.content.decode()
    assert_nothing_written()


def test_a_too_large_file_is_refused(signed_in: Client, world: Any, settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 1024
    response = apply(signed_in, world)
    assert response.status_code == 400 and "文件过大" in response.content.decode()
    assert_nothing_written()


def test_a_corrupt_photo_is_refused(signed_in: Client, world: Any) -> None:
    m = materials(world)
    broken = photo()[:600]
    response = apply(signed_in, world, **{f"material_{m['居民户口簿'].pk}": upload("户口簿.jpg", broken)})
    assert response.status_code == 400 and "图片已损坏" in response.content.decode()
    assert_nothing_written()


def test_a_missing_required_material_is_named(signed_in: Client, world: Any) -> None:
    m = materials(world)
    response = apply(signed_in, world, **{f"material_{m['最低生活保障申请书'].pk}": None})
    assert response.status_code == 400 and "请上传「最低生活保障申请书」" in response.content.decode()
    assert_nothing_written()


def test_a_commitment_for_a_material_that_does_not_allow_it_is_refused(signed_in: Client, world: Any) -> None:
    m = materials(world)
    response = apply(
        signed_in,
        world,
        **{f"material_{m['最低生活保障申请书'].pk}": None, f"commit_{m['最低生活保障申请书'].pk}": "1"},
    )
    assert response.status_code == 400 and "不可告知承诺" in response.content.decode()
    assert_nothing_written()


def test_a_matter_not_offered_online_cannot_be_applied_for(
    signed_in: Client, world: Any, citizen: Any
) -> None:
    response = signed_in.get(f"/portal/apply/{world.water.code}/")
    assert response.status_code == 400 and "暂不支持网上申请" in response.content.decode()
    response = signed_in.post(
        f"/portal/apply/{world.water.code}/", {"token": "x" * 32, "centre_id": world.town.pk}
    )
    assert response.status_code == 400
    with pytest.raises(services.ServiceError) as exc:
        services.application_submit(
            citizen=citizen,
            token="y" * 32,
            matter=world.water,
            centre_id=world.town.pk,
            delivery="window",
            materials={},
        )
    assert exc.value.code == "not_online"
    assert_nothing_written()


def test_a_failure_inside_the_case_service_leaves_nothing_behind(
    signed_in: Client, world: Any, monkeypatch: Any
) -> None:
    """The files written before a later step fails are removed with the rolled-back rows."""
    real = services.OnlineCommitment.objects.create

    def boom(**kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.OnlineCommitment.objects, "create", boom)
    with pytest.raises(RuntimeError):
        apply(signed_in, world)
    monkeypatch.setattr(services.OnlineCommitment.objects, "create", real)
    assert_nothing_written()


def test_anonymous_and_unverified_visitors_are_sent_to_sign_in_and_verify(
    client: Client, world: Any, make_citizen: Any
) -> None:
    response = client.get(f"/portal/apply/{world.dibao.code}/")
    assert response.status_code == 302 and response["Location"].startswith("/portal/account/login/?next=")
    citizen_client(client, make_citizen(verified=False))
    response = client.get(f"/portal/apply/{world.dibao.code}/")
    assert response.status_code == 302 and response["Location"].startswith("/portal/account/verify/?next=")


def test_an_enterprise_applies_as_an_organisation(
    client: Client, world: Any, make_citizen: Any, make_matter: Any
) -> None:
    matter = make_matter(
        name="食品经营许可（小餐饮）",
        department="SG",
        service_objects="2",
        centres=(world.town,),
        materials=[{"name": "食品经营许可申请书", "originals": 1}],
        check_method="",
        check_days=None,
        rongque_supply_days=None,
    )
    enterprise = make_citizen(kind="enterprise", mobile="13962800009", real_name="张海")
    citizen_client(client, enterprise)
    html = client.get(f"/portal/apply/{matter.code}/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    material = matter.current_version.materials.get()
    response = client.post(
        f"/portal/apply/{matter.code}/",
        {
            "token": token,
            "centre_id": world.town.pk,
            "delivery": "window",
            "delivery_centre_id": world.town.pk,
            f"material_{material.pk}": upload("申请书.pdf", PDF),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert case.applicant_kind == "organisation" and case.applicant_id_number == enterprise.uscc
    assert case.legal_representative == "张海" and case.applicant_name == enterprise.org_name


# --- 我的办件 and access --------------------------------------------------------------------------------------


def test_another_citizens_case_is_404_everywhere(signed_in: Client, world: Any, make_citizen: Any) -> None:
    """NET-1: changing the number in the URL shows nothing of another citizen's case."""
    apply(signed_in, world)
    case = Case.objects.get()
    notice_url = f"/portal/my/cases/{case.number}/notices/1.pdf"
    other = citizen_client(Client(), make_citizen(mobile="13962800003"))
    assert other.get(f"/portal/my/cases/{case.number}/").status_code == 404
    assert other.post(f"/portal/my/cases/{case.number}/supplement/", {"token": "z" * 32}).status_code == 404
    assert other.get(notice_url).status_code == 404
    assert case.number not in other.get("/portal/my/cases/").content.decode()
    assert signed_in.get("/portal/my/cases/NO-SUCH-NUMBER/").status_code == 404


def test_cases_received_at_a_window_under_the_same_id_show_in_my_cases(
    signed_in: Client, world: Any, citizen: Any
) -> None:
    m = world.dibao.current_version.materials.all()
    window_case = cases.case_receive(
        actor=world.front_desk,
        matter_id=world.dibao.pk,
        window_id=world.windows["minsheng"].pk,
        applicant={
            "kind": "person",
            "name": "李秀英",
            "id_type": "id_card",
            "id_number": citizen.id_number,
            "phone": "13800138000",
        },
        materials=[{"material_id": x.pk, "status": "received"} for x in m],
    )
    html = signed_in.get("/portal/my/cases/").content.decode()
    assert window_case.number in html
    assert signed_in.get(f"/portal/my/cases/{window_case.number}/").status_code == 200


def accept_with_commitment(world: Any, case: Case) -> Case:
    promised = case.materials.get(name="家庭收入和财产状况声明")
    return cases.case_accept(
        case=case, actor=world.front_desk, commitment_material_ids=[promised.pk], commitment_signed=True
    )


def test_acceptance_by_the_clerk_shows_in_my_cases_with_its_notice_and_sms(
    signed_in: Client, world: Any, citizen: Any
) -> None:
    apply(signed_in, world)
    case = accept_with_commitment(world, Case.objects.get())
    assert "已受理" in last_sms(citizen.mobile)
    html = signed_in.get(f"/portal/my/cases/{case.number}/").content.decode()
    assert "办理中" in html and "受理" in html and "告知承诺" in html and "受理通知书" in html
    notice = case.notices.get(kind="accept")
    response = signed_in.get(f"/portal/my/cases/{case.number}/notices/{notice.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_correction_is_uploaded_online_and_shown_until_the_clerk_registers_it(
    signed_in: Client, world: Any, citizen: Any
) -> None:
    """NET-1: 补正 done online by uploading what was asked for."""
    apply(signed_in, world)
    case = Case.objects.get()
    wrong = case.materials.get(name="居民户口簿")
    cases.case_request_correction(
        case=case,
        actor=world.front_desk,
        items=[{"id": wrong.pk, "problem": "wrong", "reason": "户口簿照片不清晰，请重新拍摄首页和本人页"}],
    )
    assert "材料需补正" in last_sms(citizen.mobile)
    html = signed_in.get(f"/portal/my/cases/{case.number}/").content.decode()
    assert "需要补交的材料" in html and f'name="material_{wrong.pk}"' in html
    token = re.findall(r'name="token" value="([^"]+)"', html)[0]
    data = {"token": token, f"material_{wrong.pk}": upload("户口簿-重拍.jpg", photo(1200, 900), "image/jpeg")}
    response = signed_in.post(f"/portal/my/cases/{case.number}/supplement/", data)
    assert response.status_code == 302
    data[f"material_{wrong.pk}"].seek(0)
    signed_in.post(f"/portal/my/cases/{case.number}/supplement/", data)  # double click
    supplement = Supplement.objects.get()
    assert supplement.uploads.count() == 1
    assert CaseFile.objects.filter(case=case, material=wrong).count() == 2  # original + 补正
    html = signed_in.get(f"/portal/my/cases/{case.number}/").content.decode()
    assert "网上提交补正材料" in html and "等待窗口工作人员审核确认" in html
    cases.case_supply(case=case, actor=world.front_desk, material_ids=[wrong.pk])
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED
    html = signed_in.get(f"/portal/my/cases/{case.number}/").content.decode()
    assert "补交材料" in html and "需要补交的材料" not in html


def test_correction_upload_refused_when_nothing_is_asked(signed_in: Client, world: Any) -> None:
    apply(signed_in, world)
    case = Case.objects.get()
    first = case.materials.first()
    response = signed_in.post(
        f"/portal/my/cases/{case.number}/supplement/",
        {"token": "k" * 32, f"material_{first.pk}": upload("a.pdf", PDF)},
    )
    assert response.status_code == 302
    assert "没有需要补正的材料" in signed_in.get(response["Location"]).content.decode()
    assert not Supplement.objects.exists()


def test_finished_case_links_to_online_rating_and_the_centre_shows_the_figures(
    signed_in: Client, world: Any, client: Client
) -> None:
    """NET-1 一事一评 from 我的办件 once finished; NET-3 the centre's 好差评 figures on its disclosure page."""
    from django.utils import timezone

    from govhall.reviews.services import rating_submit_case

    apply(signed_in, world)
    case = Case.objects.get()
    assert "评价本次办件" not in signed_in.get(f"/portal/my/cases/{case.number}/").content.decode()
    # Only the status and result matter to the rating link; the finishing flow itself is the case app's.
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.FINISHED, result="approved", finished_at=timezone.now()
    )
    html = signed_in.get(f"/portal/my/cases/{case.number}/").content.decode()
    link = re.search(r'href="(/reviews/rate/c/[^"]+\?via=online)"', html)
    assert link and "评价本次办件" in html
    assert signed_in.get(link.group(1).replace("&amp;", "&")).status_code == 200
    rating_submit_case(case_id=case.pk, channel="online", level=1)
    page = signed_in.get(f"/portal/disclosure/centres/{world.town.pk}/").content.decode()
    assert re.search(r"<dt>评价总数</dt><dd>1</dd>", page) and "100" in page.split("满意率")[1][:40]
    assert f"/reviews/public/{world.town.pk}/" in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_of_one_form_make_one_case(world: Any, make_citizen: Any) -> None:
    """A double click that reaches two server processes at once: the form token's unique row makes the second
    wait for the first and then return the same application; no second case, no stray files."""
    import threading

    from django.db import connection

    citizen = make_citizen(mobile="13962800021")
    m = materials(world)
    barrier = threading.Barrier(4)
    results: list[Any] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait()
            results.append(
                services.application_submit(
                    citizen=citizen,
                    token="same-form-token-0123456789",
                    matter=world.dibao,
                    centre_id=world.town.pk,
                    delivery="window",
                    delivery_centre_id=world.town.pk,  # the pick-up centre is a required choice (issue 16)
                    materials={
                        m["最低生活保障申请书"].pk: services.MaterialInput(
                            files=[services.CleanFile("a.pdf", PDF, "pdf", len(PDF))]
                        ),
                        m["居民户口簿"].pk: services.MaterialInput(
                            files=[services.CleanFile("b.pdf", PDF, "pdf", len(PDF))]
                        ),
                        m["家庭收入和财产状况声明"].pk: services.MaterialInput(files=[], commitment=True),
                    },
                )
            )
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Case.objects.count() == 1 and OnlineApplication.objects.count() == 1
    assert sorted(r.created for r in results) == [False, False, False, True]
    assert len({r.application.pk for r in results}) == 1
    assert CaseFile.objects.count() == 2 and len(media_files()) == 2
