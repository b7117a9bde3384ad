"""The GovStack Registration BB API over govhall (issue 19 part 1; NET-2, STD-6, MODE-1, GOV-1): every operation
of the spec (api/GovStack_Registration_BB_API.json v0.1.1 and the statistics document) answers a success that
validates against the spec's schema, a JSON 404 for an unknown id, a refusal for a bad body and for a bad
header (the Information-Mediator-Client header where the spec requires it, the token everywhere)."""

from __future__ import annotations

import base64
import json

import jsonschema
import pytest

from govhall.cases.models import CaseFile, CaseStatus, Channel
from govhall.cases.services import case_accept, case_finish, case_reject, case_request_correction
from govhall.cases.services.inputs import CorrectionItem
from govhall.govstack import ids
from tests.govstack.conftest import BASE, applicant_data, assert_matches, receive

pytestmark = pytest.mark.django_db

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _service_id(gs) -> str:
    return ids.derived("service", gs.flow.matter.pk)


def _accepted(gs):
    return case_accept(case=receive(gs.flow), actor=gs.flow.front_desk)


def _file_id(case) -> str:
    return ids.derived("application", case.pk)


def _task_id(case) -> str:
    return ids.derived("task", case.current_step_id)


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] and body["message"] and "traceId" in body
    assert_matches(body, "systemError")
    return body


# --- services ------------------------------------------------------------------------------------


def test_services_lists_the_published_matters(gs):
    r = gs.get("/services", im=None)
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    assert_matches(r.json(), "service", array=True)
    names = {s["name"]: s for s in r.json()}
    assert {"最低生活保障申请", "残疾人证补办申请"} <= set(names)
    service = names["最低生活保障申请"]
    assert service["id"] == _service_id(gs)
    assert {"code": "matterCode", "value": gs.flow.matter.code} in service["serviceBody"]
    assert {"code": "guide", "value": f"/catalog/guide/{gs.flow.matter.code}/"} in service["serviceBody"]
    assert [s["name"] for s in gs.get("/services", name="残疾人证").json()] == ["残疾人证补办申请"]
    assert gs.get("/services", name="不存在的事项").json() == []


def test_services_need_a_valid_token(gs):
    r = gs.client.get(f"{BASE}/services", HTTP_AUTHORIZATION="Bearer gh_nope_nope")
    _error(r, 401)
    _error(gs.client.get(f"{BASE}/services"), 401)


def test_service_by_id(gs):
    r = gs.get(f"/services/{_service_id(gs)}", im=None)
    assert r.status_code == 200
    assert_matches(r.json(), "service")
    assert r.json()["name"] == "最低生活保障申请" and r.json()["isExecutable"] is True
    _error(gs.get("/services/n0t-ex1st1ng-serv1ce-1d"), 404)
    _error(gs.get(f"/services/{ids.derived('service', 999999)}"), 404)
    _error(
        gs.get(f"/services/{ids.derived('eform', gs.flow.matter.pk)}"), 404
    )  # an eForm id is no service id


def test_service_eforms_and_the_eform_schema(gs):
    r = gs.get(f"/services/{_service_id(gs)}/eForms")
    assert r.status_code == 200
    assert_matches(r.json(), "EFormListItem", array=True)
    (item,) = r.json()
    form = gs.get(f"/eForms/{item['eFormId']}")
    assert form.status_code == 200 and form["Content-Type"].startswith("application/json")
    assert_matches(form.json(), "EForm")
    schema = form.json()["schema"]
    jsonschema.Draft7Validator.check_schema(schema)
    titles = {p.get("title") for p in schema["properties"].values()}
    assert {"申请人居民身份证", "居民户口簿", "家庭收入情况证明", "近期免冠照片", "证件号码"} <= titles
    materials = {m.name: f"material_{m.pk}" for m in gs.flow.materials()}
    # Required and not 容缺/告知承诺: the ID card; 户口簿 may be 容缺, the income proof 告知承诺, the photo optional.
    assert materials["申请人居民身份证"] in schema["required"]
    assert not {materials[n] for n in ("居民户口簿", "家庭收入情况证明", "近期免冠照片")} & set(
        schema["required"]
    )
    filled = {**applicant_data(), materials["申请人居民身份证"]: True}
    jsonschema.validate(filled, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"applicantName": "张三"}, schema)
    _error(gs.get("/services/n0t-ex1st1ng/eForms"), 404)
    _error(gs.get("/eForms/n0t-ex1st1ng-eForm#-1d"), 404)


# --- applications ----------------------------------------------------------------------------------


def test_submit_json_receives_an_online_case(gs):
    """MODE-1: the application is a case received at the client's centre, online, through case_receive."""
    materials = {m.name: f"material_{m.pk}" for m in gs.flow.materials()}
    body = {
        "applicantId": "app-zhang",
        "applicationName": "张三的低保申请",
        "formData": {"data": {**applicant_data(), materials["申请人居民身份证"]: True}},
    }
    r = gs.post(f"/services/{_service_id(gs)}/applications", body)
    assert r.status_code == 200, r.content
    out = r.json()
    assert_matches(out, "applicationFileResponse")
    assert out["serviceId"] == _service_id(gs) and out["applicationData"]["applicantId"] == "app-zhang"
    assert out["status"]["code"] == "PENDING" and out["ended"] is False
    case = gs.flow.matter.case_set.get() if hasattr(gs.flow.matter, "case_set") else None
    from govhall.cases.models import Case

    case = Case.objects.get(pk=ids.parse_derived("application", out["fileId"]))
    assert (
        case.channel == Channel.ONLINE and case.centre == gs.flow.town and case.receiver == gs.flow.front_desk
    )
    assert case.applicant_name == "张三" and case.status == CaseStatus.RECEIVED
    assert case.materials.get(name="申请人居民身份证").status == "received"
    # The applicant is now known by its applicantId: a second application needs no identity.
    again = gs.post(f"/services/{_service_id(gs)}/applications", {"applicantId": "app-zhang"})
    assert again.status_code == 200 and again.json()["applicationData"]["applicationName"] == "张三"


def test_submit_form_urlencoded_and_multipart(gs):
    data = applicant_data()
    form = {"applicantId": "app-form", "formData": json.dumps({"data": data})}
    from urllib.parse import urlencode

    r = gs.post(
        f"/services/{_service_id(gs)}/applications",
        urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 200, r.content
    assert_matches(r.json(), "applicationFileResponse")
    r = gs.post(f"/services/{_service_id(gs)}/applications", {"applicantId": "app-form"}, multipart=True)
    assert r.status_code == 200, r.content
    assert r.json()["applicationData"]["applicantId"] == "app-form"


def test_submit_refuses_unknown_service_bad_body_and_bad_header(gs):
    sid = _service_id(gs)
    _error(gs.post("/services/n0t-ex1st1ng-serv1ce-1d/applications", {"applicantId": "x"}), 404)
    assert _error(gs.post(f"/services/{sid}/applications", {}), 422)["fields"]["applicantId"]
    _error(gs.post(f"/services/{sid}/applications", "{not json", content_type="application/json"), 400)
    _error(gs.post(f"/services/{sid}/applications", "[1, 2]", content_type="application/json"), 400)
    unknown = _error(gs.post(f"/services/{sid}/applications", {"applicantId": "nobody"}), 400)
    assert "applicantId" in unknown["fields"]
    bad_id = {"applicantId": "a", "formData": {"data": applicant_data(idNumber="110101199003071234")}}
    assert _error(gs.post(f"/services/{sid}/applications", bad_id), 400)["fields"]
    for header in (None, "", "invalid_header", "eGovStack/GOV/90000009/", "a/b/c/d/e"):
        _error(gs.post(f"/services/{sid}/applications", {"applicantId": "x"}, im=header), 400)
    # A role that may not receive (后台审批员) is refused by case_receive itself.
    _error(
        gs.post(
            f"/services/{sid}/applications",
            {"applicantId": "x", "formData": {"data": applicant_data()}},
            who="back_office",
        ),
        403,
    )
    from govhall.cases.models import Case

    assert not Case.objects.exists()  # nothing half-written


def test_applications_list_filters_and_visibility(gs):
    case = _accepted(gs)
    r = gs.get("/applications")
    assert r.status_code == 200
    assert_matches(r.json(), "applicantApplicationFileListResponse", array=True)
    (row,) = r.json()
    assert row["fileId"] == _file_id(case) and row["status"]["code"] == "PENDING"
    assert row["mainTaskId"] == _task_id(case) and row["taskTitle"] == "审核"
    assert gs.get("/applications", serviceId=_service_id(gs)).json()[0]["fileId"] == _file_id(case)
    assert gs.get("/applications", serviceId="n0t-ex1st1ng-serv1ce#-1d").json() == []
    assert gs.get("/applications", applicantId="n0t-ex1st1ng-applicant#-1d").json() == []
    assert gs.get("/applications", firstResult=1).json() == []
    assert gs.get("/applications", sortBy="created", sortOrder="desc", maxResult=1).json()[0]["fileId"]
    _error(gs.get("/applications", maxResult=0), 422)
    _error(gs.get("/applications", im=None), 400)
    # GOV-1: another village's clerk sees none of the town's cases (cases.policy).
    assert gs.get("/applications", who="other_village_clerk").json() == []


def test_application_by_id(gs):
    case = _accepted(gs)
    r = gs.get(f"/applications/{_file_id(case)}")
    assert r.status_code == 200
    assert_matches(r.json(), "applicationFileResponse")
    assert r.json()["fileId"] == _file_id(case) and r.json()["serviceName"] == "最低生活保障申请"
    _error(gs.get("/applications/n0t-ex1st1ng-serv1ce#-1d"), 404)
    _error(gs.get(f"/applications/{_file_id(case)}", who="other_village_clerk"), 404)  # missing = forbidden
    _error(gs.get(f"/applications/{_file_id(case)}", im="bad"), 400)


def test_update_application_ticks_materials(gs):
    case = receive(gs.flow, missing=("居民户口簿",))
    booklet = gs.flow.materials()[1]
    body = {
        "applicantId": "any",
        "formData": {"data": {f"material_{booklet.pk}": True}},
        "documentUrls": ["string"],
    }
    r = gs.put(f"/applications/{_file_id(case)}", body)
    assert r.status_code == 200, r.content
    assert_matches(r.json(), "applicationFileResponse")
    assert case.materials.get(name="居民户口簿").status == "received"
    _error(gs.put("/applications/n0t-ex1st1ng-file#-1d", body), 404)
    _error(gs.put(f"/applications/{_file_id(case)}", {"formData": {}}), 422)
    _error(gs.put(f"/applications/{_file_id(case)}", body, im=None), 400)
    bad = {"applicantId": "x", "formData": {"data": {f"material_{booklet.pk}": "lost"}}}
    _error(gs.put(f"/applications/{_file_id(case)}", bad), 400)


# --- documents -------------------------------------------------------------------------------------


def test_upload_a_document_and_link_it_to_an_application(gs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = gs.post(
        "/documents?additionalMetadata=户口簿首页",
        {"file": SimpleUploadedFile("hukou.png", PNG)},
        multipart=True,
    )
    assert r.status_code == 200, r.content
    assert_matches(r.json(), "uploadResponse")
    url = r.json()["url"]
    assert url.startswith("/api/govstack/registration/documents/") and r.json()["type"] == "png"
    b64 = gs.post(
        "/documents",
        f"file={base64.b64encode(PNG).decode()}".replace("+", "%2B"),
        content_type="application/x-www-form-urlencoded",
    )
    assert b64.status_code == 200, b64.content
    body = {"applicantId": "app-doc", "formData": {"data": applicant_data()}, "documentUrls": [url]}
    created = gs.post(f"/services/{_service_id(gs)}/applications", body)
    assert created.status_code == 200, created.content
    (stored,) = CaseFile.objects.all()
    assert stored.original_name == "hukou.png" and stored.kind == "png" and stored.size == len(PNG)


def test_upload_refuses_a_missing_file_and_a_link_checks_the_type(gs):
    """The staging area takes any file; linking it to a case applies the case scans' rule (type by content)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from govhall.cases.models import Case

    _error(gs.post("/documents", b"", content_type="application/json"), 400)
    _error(gs.post("/documents", "other=1", content_type="application/x-www-form-urlencoded"), 400)
    _error(gs.client.post(f"{BASE}/documents", {"file": SimpleUploadedFile("a.png", PNG)}), 401)
    text = gs.post("/documents", {"file": SimpleUploadedFile("a.png", b"not an image")}, multipart=True)
    assert text.status_code == 200
    body = {
        "applicantId": "app-doc",
        "formData": {"data": applicant_data()},
        "documentUrls": [text.json()["url"]],
    }
    refused = _error(gs.post(f"/services/{_service_id(gs)}/applications", body), 400)
    assert "file" in refused["fields"]
    assert not Case.objects.exists()  # nothing half-written


# --- tasks ---------------------------------------------------------------------------------------


def test_tasks_list_and_filters(gs):
    case = _accepted(gs)
    r = gs.get("/tasks", who="back_office")
    assert r.status_code == 200
    assert_matches(r.json(), "userTaskResponse", array=True)
    pending = [t for t in r.json() if t["status"]["code"] == "PENDING"]
    assert [t["taskId"] for t in pending] == [_task_id(case)] and pending[0]["name"] == "审核"
    assert pending[0]["assigneeId"] == gs.flow.back_office.staff_no
    assert {t["fileId"] for t in gs.get("/tasks", fileId=_file_id(case)).json()} == {_file_id(case)}
    assert gs.get("/tasks", fileId="n0t-ex1st1ng-file#-1d").json() == []
    assert gs.get("/tasks", mainTaskId="n0t-ex1st1ng-main-task#-1d").json() == []
    assert gs.get("/tasks", assigneeId="n0t-ex1st1ng-assignee#-1d").json() == []
    assert gs.get("/tasks", assigneeId=gs.flow.back_office.staff_no).json()[0]["taskId"] == _task_id(case)
    _error(gs.get("/tasks", firstResult=-1), 422)
    assert gs.get("/tasks", who="other_village_clerk").json() == []


def test_task_by_id(gs):
    case = _accepted(gs)
    r = gs.get(f"/tasks/{_task_id(case)}")
    assert r.status_code == 200
    assert_matches(r.json(), "dataUserTaskResponse")
    assert r.json()["taskId"] == _task_id(case) and r.json()["taskName"] == "审核"
    _error(gs.get("/tasks/n0t-ex1st1ng-task#-1d"), 404)
    _error(gs.get(f"/tasks/{_task_id(case)}", who="other_village_clerk"), 404)


def test_complete_passes_the_step_like_the_case_page(gs):
    """MODE-1: complete = 通过 through case_step_pass; the next step goes to the 审批岗 (STD-4 AB角)."""
    case = _accepted(gs)
    task_id = _task_id(case)
    # Only the step's A/B or the director may act (cases.policy.can_handle_step): the front desk may not.
    _error(gs.post(f"/tasks/{task_id}/complete", {"data": {}}, who="front_desk"), 403)
    r = gs.post(f"/tasks/{task_id}/complete", {"data": {"opinion": {"text": "符合条件"}}}, who="back_office")
    assert r.status_code == 200, r.content
    assert_matches(r.json(), "completedTaskResponse")
    assert r.json()["taskId"] == task_id and r.json()["fileId"] == _file_id(case)
    case.refresh_from_db()
    assert case.steps.get(name="审核").action == "pass" and case.current_step.name == "审批"
    # A retried request of the one who completed it answers the same and changes nothing; anyone else: 409.
    again = gs.post(f"/tasks/{task_id}/complete", {"data": {}}, who="back_office")
    assert again.status_code == 200 and again.json()["taskId"] == task_id
    assert case.steps.filter(action="pass").count() == 1
    refused = _error(
        gs.post(
            f"/tasks/{task_id}/complete", {"data": {"decision": "sendBack", "reason": "x"}}, who="back_office"
        ),
        409,
    )
    assert "审核" in refused["message"]
    _error(gs.post(f"/tasks/{task_id}/complete", {"data": {}}, who="director"), 409)


def test_complete_send_back_asks_the_applicant_for_correction(gs):
    case = _accepted(gs)
    booklet = f"material_{gs.flow.materials()[1].pk}"
    item = {"material": booklet, "problem": "wrong", "reason": "户口簿信息不清晰，请提供原件"}
    body = {
        "data": {"decision": "sendBack", "reason": "户口簿信息不清晰", "to": "applicant", "items": [item]}
    }
    r = gs.post(f"/tasks/{_task_id(case)}/complete", body, who="back_office")
    assert r.status_code == 200, r.content
    assert r.json()["status"]["code"] == "SENDBACK"
    case.refresh_from_db()
    assert case.status == CaseStatus.SUSPENDED and case.notices.filter(kind="correction").exists()
    assert gs.get(f"/applications/{_file_id(case)}").json()["status"]["code"] == "SENDBACK"
    bad = {"data": {"decision": "sendBack", "reason": "x", "items": [{"material": "material_0"}]}}
    case = _accepted(gs)
    _error(gs.post(f"/tasks/{_task_id(case)}/complete", bad, who="back_office"), 400)


def test_complete_refuses_unknown_task_and_bad_body(gs):
    case = _accepted(gs)
    _error(gs.post("/tasks/n0t-ex1st1ng-task#-1d/complete", {"data": {}}), 404)
    _error(gs.post("/tasks/n0t-ex1st1ng-task", {"data": {}}), 404)  # what an unencoded "#" leaves of the path
    _error(gs.post(f"/tasks/{_task_id(case)}", {"data": {}}), 405)
    _error(
        gs.post(f"/tasks/{_task_id(case)}/complete", {"data": {"decision": "maybe"}}, who="back_office"), 400
    )
    _error(gs.post(f"/tasks/{_task_id(case)}/complete", {"data": "x"}, who="back_office"), 422)
    _error(
        gs.post(
            f"/tasks/{_task_id(case)}/complete", "nope", content_type="application/json", who="back_office"
        ),
        400,
    )
    send_back_without_reason = {"data": {"decision": "sendBack"}}
    _error(gs.post(f"/tasks/{_task_id(case)}/complete", send_back_without_reason, who="back_office"), 400)
    _error(
        gs.client.post(f"{BASE}/tasks/{_task_id(case)}/complete", "{}", content_type="application/json"), 401
    )
    case.refresh_from_db()
    assert case.current_step.name == "审核" and case.status == CaseStatus.PROCESSING


# --- statistics --------------------------------------------------------------------------------------


def _stats_world(gs):
    flow = gs.flow
    approved = _accepted(gs)
    from govhall.cases.services import case_step_pass

    approved = case_step_pass(case=approved, actor=flow.back_office)
    case_finish(case=approved, actor=flow.approver, result="approved", certificate_no="MZ-1")
    case_reject(case=receive(flow), actor=flow.front_desk, reason="不属于本中心受理范围")
    sent_back = receive(flow)
    first = sent_back.materials.get(name="申请人居民身份证")
    case_request_correction(
        case=sent_back,
        actor=flow.front_desk,
        items=[CorrectionItem(material=first.pk, problem="missing", reason="缺身份证")],
    )
    receive(flow)  # not decided yet


def test_statistics_count_decisions_per_matter(gs):
    _stats_world(gs)
    r = gs.get("/data/statistics/1.0", who="director")
    assert r.status_code == 200 and r["Content-Type"] == "application/json; charset=utf-8"
    assert_matches(r.json(), "inline_response_200", array=True, stats=True)
    (row,) = r.json()
    assert (row["processed"], row["approved"], row["sentBack"], row["rejected"]) == (2, 1, 1, 1)
    assert row["references"]["registrationName"] == "最低生活保障申请"
    one = gs.get(
        "/data/statistics/1.0",
        who="director",
        registrationName="最低生活保障申请",
        startDate="2026-06-09",
        endDate="2026-06-09",
        timeframe="day",
    ).json()
    assert one[0]["approved"] == 1 and one[0]["references"]["timeframeDay"] is True
    assert gs.get("/data/statistics/1.0", who="director", startDate="2026-06-10").json() == []
    by_operator = gs.get("/data/statistics/1.0", who="director", operator="李秀梅").json()
    assert by_operator[0]["approved"] == 1 and by_operator[0]["rejected"] == 0
    by_role = gs.get("/data/statistics/1.0", who="director", role="front_desk").json()
    assert by_role[0]["processed"] == 2  # the front desk decided both the accepted and the rejected case
    # GOV-1: another village's clerk counts none of the town's cases.
    assert gs.get("/data/statistics/1.0", who="other_village_clerk").json() == []


def test_statistics_refuse_bad_header_unknown_registration_and_bad_dates(gs):
    for header in (None, "", "''", "invalid_header", "eGovStack/GOV/90000009/"):
        _error(gs.get("/data/statistics/1.0", im=header), 400)
    _error(gs.get("/data/statistics/1.0", registrationName="n0tex1st"), 404)
    _error(gs.get("/data/statistics/1.0", startDate="2026-13-01"), 422)
    _error(gs.get("/data/statistics/1.0", timeframe="decade"), 422)
    _error(gs.get("/data/statistics/1.0", startDate="2026-06-10", endDate="2026-06-01"), 400)


# --- the API itself ----------------------------------------------------------------------------------


def test_own_openapi_document_and_json_404(gs):
    doc = gs.client.get(f"{BASE}/openapi.json")
    assert doc.status_code == 200
    paths = {p.removeprefix(BASE) for p in doc.json()["paths"]}
    from tests.govstack.conftest import SPEC

    assert set(SPEC["paths"]) | {"/data/statistics/1.0"} == paths
    _error(gs.get("/no/such/operation"), 404)
