"""The conformance data set: the fixed ids of the GovStack Registration BB's API test suite
(GovStackWorkingGroup/bb-registration, test/openAPI: its feature files and test-data.json) bound to real
objects of the demo hall, so that suite can run against a live govhall.

Run after the demo data (``govhall loaddemo``): the suite's services become published matters at 吕四港镇
(copies of the demo's 民政 promised matter, under the suite's English names), its applicants GovStack
applicants with made-up identities, its applications and tasks real cases received and accepted through the
case services, and a client account (中心主任 at 吕四港镇) gets a fresh API token. Each run makes fresh
cases for the fixed ids (so the suite's task is pending again) and re-points the ids at them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from govhall.accounts.models import Role, User, UserRole
from govhall.accounts.tokens import token_create
from govhall.cases import services as case_services
from govhall.cases.applicants import id_digest
from govhall.cases.models import Case, CaseStatus, Channel
from govhall.catalog import services as catalog_services
from govhall.catalog.models import CentreMatter, Matter
from govhall.core.errors import ServiceError
from govhall.core.ids import id_card_check_digit
from govhall.govstack.models import Applicant, ExternalId, IdKind
from govhall.orgs.models import Centre

POST_PARTUM = "8b410187-e137-4487-b627-09b2b909e630"

# (serviceId, name, eFormId or "") — test-data.json "services", plus the statistics feature's "MCTS".
SERVICES = [
    (
        "f7d33db0-2809-484e-a780-76b7ccd4ecbf",
        "Mother and Child Registration",
        "d98a205a-679b-485b-823d-7a32a391e744",
    ),
    (
        "P2c9280957e579ad7017e58a3399f0068",
        "Good Health and Well-Being",
        "w12a205a-679b-xx34-823d-7a32a391e744",
    ),
    (
        "WWc9280957e579ad0007e58a3399f0068",
        "Industry and Infrastructure",
        "w12a89q9-679b-xx34-823d-7a32a391e744",
    ),
    ("DEc9280007e579ad7017e58a3399k5528", "Zero Hunger", "k02a20pa-679b-34xx-823d-7a32a391e744"),
    ("DEc9280007e579ad7017e58a3399k1234", "Hunger Zero v2", ""),
    ("c37b650a-24a9-4151-95d0-4d9c7437fe81", "Registration", ""),
    (POST_PARTUM, "Post partum registration service", "3f7d1b2e-6c51-473a-a583-814f868cf172"),
    ("", "MCTS", ""),
]
# Further serviceIds the suite's applications and tasks name: aliases of the post-partum service.
SERVICE_ALIASES = [
    "42962de0-xxxx-11ed-0000-0242ac120004",
    "0b4e529c-fe1a-11ed-be56-0242ac120002",
    "abc529c-fe34-11ud-be56-0242ac120002",
    "99be529c-fe1a-11ed-be56-0242ac120555",
    "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "e9353e68-ba57-463e-b393-2da8416679d9",
]
APPLICANTS = [
    "42962de0-bdb2-11ed-9397-0242ac120004",
    "sgh123h5-bdb2-11ed-9397-fdae352dfa10",
    "fdae352d-9397-bdb2-11ed-11ed9397bdb2",
    "11ed9397-11ed-9397-bdb2-sgh123h511ed",
    "23qwef41-bdb2-11ed-qwef-efg4345aqwef",
    "42962de0-xxxx-11ed-0000-0242ac120004",
    "42933de0-xxxx-33ed-0033-3342ac120004",
    "11962de0-11b2-11cc-9390-0242ac121114",
    "99b62de0-11b2-11cc-9390-0242ac121555",
    "622fcd1a-8070-4efc-9d26-29461f83a15b",
]
# (fileId, serviceId, applicantId, taskIds of its pending step)
APPLICATIONS = [
    ("81c4445c-bff6-11ed-afa1-0242ac120002", POST_PARTUM, "42962de0-xxxx-11ed-0000-0242ac120004", []),
    ("33c4445c-bff3-13ed-afa1-0332ac120033", POST_PARTUM, "42933de0-xxxx-33ed-0033-3342ac120004", []),
    ("77c4775c-b7f3-17ed-afa1-0772ac120077", POST_PARTUM, "11962de0-11b2-11cc-9390-0242ac121114", []),
    ("11c4115c-b7f3-17ed-afa1-0112ac120011", POST_PARTUM, "99b62de0-11b2-11cc-9390-0242ac121555", []),
    ("b8508d35-c2f3-442b-88a1-267ca25e85c0", POST_PARTUM, "622fcd1a-8070-4efc-9d26-29461f83a15b", []),
    (
        "99be529c-fe1a-11ed-be56-0242ac120555",
        POST_PARTUM,
        "42962de0-bdb2-11ed-9397-0242ac120004",
        ["42962de0-bdb2-11ed-9397-0242ac120033"],
    ),
    (
        "P2c9280957e579ad7017e58a3399f1234",
        "P2c9280957e579ad7017e58a3399f0068",
        "42962de0-bdb2-11ed-9397-0242ac120004",
        ["81c4445c-bff6-11ed-afa1-0242ac120002"],
    ),
    (
        "40f8df24-60a1-4558-9576-9a2264570e86",
        POST_PARTUM,
        "42962de0-bdb2-11ed-9397-0242ac120004",
        ["d1e33d56-c5c7-4272-aeb6-bc2732cce1f2"],
    ),
]
CLIENT_USERNAME = "govstack_client"


@dataclass(frozen=True)
class Loaded:
    services: int
    applications: int
    token: str
    username: str


def _alias(kind: str, key: str, pk: int) -> None:
    ExternalId.objects.update_or_create(kind=kind, key=key, defaults={"object_id": pk})


def _identity(n: int) -> dict[str, Any]:
    first17 = f"32068119900101{n:03d}"
    return {
        "kind": "person",
        "name": f"测试申请人{n:02d}",
        "id_type": "id_card",
        "id_number": first17 + id_card_check_digit(first17),
        "phone": f"1380013{n:04d}",
        "address": "启东市吕四港镇",
    }


def _client(centre: Centre) -> User:
    user, _ = User.objects.get_or_create(
        username=CLIENT_USERNAME,
        defaults={"full_name": "GovStack对接", "staff_no": "GS001", "unit_kind": "centre", "centre": centre},
    )
    user.set_unusable_password()
    user.save()
    UserRole.objects.get_or_create(user=user, role=Role.DIRECTOR)
    return user


def _matter(actor: Any, template: Matter, centre: Centre, n: int, name: str) -> Matter:
    code = f"GOVSTACK{n:03d}"
    matter = Matter.objects.filter(code=code).first()
    if matter is None:
        version = template.current_version
        assert version is not None
        data = {**catalog_services.version_data(version), "name": name}
        materials = [
            {k: v for k, v in catalog_services.material_data(m).items() if k != "id"}
            for m in version.materials.all()
        ]
        matter = catalog_services.matter_create(
            actor=actor, code=code, basic_code=f"GS{n:03d}", data=data, materials=materials
        )
        catalog_services.matter_publish(actor=actor, matter=matter, reason="GovStack 一致性测试数据")
        matter.refresh_from_db()
    if not CentreMatter.objects.filter(centre=centre, matter=matter, is_active=True).exists():
        catalog_services.centre_matter_assign(
            actor=actor, centre=centre, matter=matter, note="GovStack 一致性测试数据"
        )
    return matter


def _case(actor: User, matter: Matter, identity: dict[str, Any]) -> Case:
    version = matter.current_version
    assert version is not None
    case = case_services.case_receive(
        actor=actor,
        matter_id=matter.pk,
        applicant=identity,
        materials=[{"material_id": m.pk, "status": "received"} for m in version.materials.all()],
        channel=Channel.ONLINE,
    )
    case = case_services.case_accept(case=case, actor=actor)
    if case.status != CaseStatus.PROCESSING or case.current_step_id is None:
        raise ServiceError(f"一致性测试办件{case.number}受理后没有待办环节。")
    return case


def load() -> Loaded:
    """Bind the suite's ids; needs the demo data (吕四港镇, its director, the 民政 promised matter)."""
    centre = Centre.objects.filter(is_active=True, division__name="吕四港镇").first()
    admin = User.objects.filter(username="bureau_admin").first()
    template = (
        CentreMatter.objects.filter(
            centre=centre,
            is_active=True,
            matter__status="active",
            matter__current_version__department__code="MZ",
            matter__current_version__case_type=2,
        )
        .select_related("matter__current_version")
        .order_by("matter__code")
        .first()
    )
    if centre is None or admin is None or template is None:
        raise ServiceError("缺少演示数据（吕四港镇、局管理员、民政承诺件）：请先运行 govhall loaddemo。")
    with transaction.atomic():
        client = _client(centre)
        matters: dict[str, Matter] = {}
        for n, (service_id, name, eform_id) in enumerate(SERVICES, start=1):
            matter = _matter(admin, template.matter, centre, n, name)
            if service_id:
                _alias(IdKind.SERVICE, service_id, matter.pk)
                matters[service_id] = matter
            if eform_id:
                _alias(IdKind.EFORM, eform_id, matter.pk)
        for key in SERVICE_ALIASES:
            _alias(IdKind.SERVICE, key, matters[POST_PARTUM].pk)
        identities = {}
        for n, applicant_id in enumerate(APPLICANTS, start=1):
            who = _identity(n)
            identities[applicant_id] = who
            Applicant.objects.update_or_create(
                external_id=applicant_id,
                defaults={
                    "name": who["name"],
                    "id_number": who["id_number"],
                    "id_digest": id_digest(who["id_type"], who["id_number"]),
                    "phone": who["phone"],
                },
            )
        for file_id, service_id, applicant_id, task_ids in APPLICATIONS:
            case = _case(client, matters[service_id], identities[applicant_id])
            _alias(IdKind.APPLICATION, file_id, case.pk)
            assert case.current_step_id is not None  # _case checked it
            for task_id in task_ids:
                _alias(IdKind.TASK, task_id, case.current_step_id)
        _row, token = token_create(user=client, name="GovStack 一致性测试")
    return Loaded(
        services=len(SERVICES), applications=len(APPLICATIONS), token=token, username=client.username
    )
