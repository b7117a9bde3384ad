"""Data for the restore drill (test_backup_restore.py), run inside `govhall shell` against a throw-away
installation: `load()` makes a small hall in one transaction (the persona hall and the 民政 case flow of
the tests: cases waiting, forwarded by a village, in review, under 容缺 and finished; served tickets rated
on site, one a 差评 with its work order; uploaded scans; their audit rows), a few hundred statements, so it
stays quick on PostgreSQL on a loaded machine (the full demo set is thousands); `write(stop, log)` keeps
receiving cases until the file `stop` exists, logging each committed case."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from pathlib import Path

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64 + b"drill-scan" * 400
FRONT = "drill_front"  # the front-desk clerk's username (the writer receives as them; the test logs in)
LEVELS = [1, 2, 4]  # 非常满意, 满意, 不满意 (a 差评: a work order)


def _applicant(name: str, serial: int) -> dict[str, str]:
    from govhall.core.ids import id_card_check_digit

    first17 = f"32068119900101{serial % 1000:03d}"
    return {
        "kind": "person",
        "name": name,
        "id_type": "id_card",
        "id_number": first17 + id_card_check_digit(first17),
        "phone": "13900001111",
        "address": "启东市吕四港镇",
    }


def _receive(name: str, serial: int) -> object:
    from govhall.accounts.models import User
    from govhall.cases.models import Case
    from govhall.cases.services import case_receive

    front = User.objects.get(username=FRONT)
    template = Case.objects.filter(receiver=front, window__isnull=False).order_by("pk").first()
    assert template is not None, "load() made no window case"
    return case_receive(
        actor=front,
        matter_id=template.matter_id,
        window_id=template.window_id,
        applicant=_applicant(name, serial),
        materials=[{"material_id": m.material_id, "status": "received"} for m in template.materials.all()],
    )


def load() -> None:
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers
    from django.db import transaction
    from django.utils import timezone

    # A throw-away installation: its staff's passwords need no costly hash (as in the test settings).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()

    from govhall.cases.services import (
        case_accept,
        case_attach_file,
        case_finish,
        case_receive,
        case_step_pass,
    )
    from govhall.orgs.models import WindowClass
    from govhall.queueing import services as queue
    from govhall.queueing.models import QueueSettings
    from govhall.reviews import services as reviews
    from govhall.reviews.models import ReviewSettings
    from tests.cases.conftest import make_flow
    from tests.personas import make_hall

    with transaction.atomic():
        hall = make_hall()
        flow = make_flow(hall)
        front, window = hall.front_desk, hall.windows[WindowClass.MINSHENG]
        front.username = FRONT
        front.save(update_fields=["username"])
        materials = flow.materials()
        everything = [{"material_id": m.pk, "status": "received"} for m in materials]

        def receive(serial: int, *, actor: object = front, given: list | None = None) -> object:
            return case_receive(
                actor=actor,
                matter_id=flow.matter.pk,
                window_id=window.pk if actor is front else None,
                applicant=_applicant(f"演练{serial}", serial),
                materials=everything if given is None else given,
            )

        receive(1)  # waiting for acceptance
        receive(2, actor=hall.village_clerk, given=[])  # forwarded by the village (MODE-4)
        in_review = case_accept(case=receive(3), actor=front)
        case_step_pass(case=in_review, actor=in_review.current_assignee or hall.back_office)
        rongque = [m for m in materials if m.rongque]
        waiting = receive(
            4,
            given=[
                {"material_id": m.pk, "status": "missing" if m.rongque else "received"} for m in materials
            ],
        )
        case_accept(
            case=waiting,
            actor=front,
            rongque_material_ids=[c.pk for c in waiting.materials.filter(material__in=rongque)],
            rongque_signed=True,
        )
        done = case_accept(case=receive(5), actor=front)
        while (
            done.current_step is not None
            and done.current_step.name != flow.matter.current_version.approval_steps[-1]
        ):
            done = case_step_pass(case=done, actor=done.current_assignee or flow.approver)
        case_finish(
            case=done,
            actor=done.current_assignee or flow.approver,
            result="approved",
            certificate_no="演练001号",
        )

        # A morning of served tickets at window 1, each rated on site (yesterday: inside opening hours).
        ReviewSettings.objects.get_or_create(centre=None)
        QueueSettings.objects.get_or_create(centre=hall.town)
        start = dt.datetime.combine(
            timezone.localdate() - dt.timedelta(days=1), dt.time(9, 0), tzinfo=timezone.get_default_timezone()
        )
        queue.window_open(window=window, by=front, now=start)
        for i, level in enumerate(LEVELS):
            at = start + dt.timedelta(minutes=12 * i)
            ticket = queue.ticket_issue(
                centre=hall.town, group=window.window_class, phone="13800000001", now=at
            ).ticket
            queue.ticket_call_next(window=window, by=front, now=at + dt.timedelta(minutes=1))
            queue.ticket_start(window=window, ticket_id=ticket.pk, by=front, now=at + dt.timedelta(minutes=2))
            queue.ticket_finish(
                window=window, ticket_id=ticket.pk, by=front, now=at + dt.timedelta(minutes=9)
            )
            reviews.rating_submit_visit(
                ticket_id=ticket.pk,
                channel="qr",
                level=level,
                now=at + dt.timedelta(minutes=10),
                aspects={"efficiency": level, "competence": level, "attitude": min(level, 3)},
                text="材料清单没讲清楚，跑了两趟" if level >= 4 else "",
                rater=reviews.Rater(device=f"drill-{i}"),
            )
        queue.window_close(window=window, by=front, now=start + dt.timedelta(hours=2))

    from govhall.cases.models import Case

    for case in Case.objects.filter(receiver=front).order_by("pk")[:3]:
        case_attach_file(case=case, actor=front, upload=io.BytesIO(PNG), name=f"scan-{case.pk}.png")


def write(stop: str, log: str) -> None:
    """Receive a case, note it, repeat, until `stop` appears (the test makes it; at most 10 minutes, so a
    slow backup on a loaded machine does not outlast the writer)."""
    from django.db import connection

    started = time.monotonic()
    serial = 0
    with Path(log).open("a") as out:
        while not Path(stop).exists() and time.monotonic() - started < 600:
            serial += 1
            case = _receive(f"并发{serial}", serial)
            out.write(json.dumps({"case": case.pk, "t": time.time()}) + "\n")  # type: ignore[attr-defined]
            out.flush()
            time.sleep(0.02)
    connection.close()
