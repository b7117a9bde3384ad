"""Data for the restore drill (test_backup_restore.py), run inside `govhall shell` against a throw-away
installation: `load()` makes the demo set (cases in several states, ratings, tickets, audit rows) plus uploaded
scans; `write(stop, log)` keeps receiving cases until the file `stop` exists, logging each committed case."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64 + b"drill-scan" * 400


def _receive(name: str, serial: int) -> object:
    from govhall.accounts.models import User
    from govhall.cases.models import Case
    from govhall.cases.services import case_receive
    from govhall.core.ids import id_card_check_digit

    front = User.objects.get(username="lvsi_front")
    template = Case.objects.filter(receiver=front, window__isnull=False).order_by("pk").first()
    assert template is not None, "loaddemo made no window case"
    first17 = f"32068119900101{serial % 1000:03d}"
    return case_receive(
        actor=front,
        matter_id=template.matter_id,
        window_id=template.window_id,
        applicant={
            "kind": "person",
            "name": name,
            "id_type": "id_card",
            "id_number": first17 + id_card_check_digit(first17),
            "phone": "13900001111",
            "address": "启东市吕四港镇",
        },
        materials=[{"material_id": m.material_id, "status": "received"} for m in template.materials.all()],
    )


def load() -> None:
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers
    from django.core.management import call_command

    # A throw-away installation: the demo accounts' passwords need no costly hash (as in the test settings).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()

    from govhall.accounts.models import User
    from govhall.cases.models import Case
    from govhall.cases.services import case_attach_file

    call_command("loaddemo", verbosity=0)
    front = User.objects.get(username="lvsi_front")
    for case in Case.objects.filter(receiver=front).order_by("pk")[:3]:
        case_attach_file(case=case, actor=front, upload=io.BytesIO(PNG), name=f"scan-{case.pk}.png")


def write(stop: str, log: str) -> None:
    """Receive a case, note it, repeat, until `stop` appears (at most 60 s)."""
    from django.db import connection

    started = time.monotonic()
    serial = 0
    with Path(log).open("a") as out:
        while not Path(stop).exists() and time.monotonic() - started < 60:
            serial += 1
            case = _receive(f"并发{serial}", serial)
            out.write(json.dumps({"case": case.pk, "t": time.time()}) + "\n")  # type: ignore[attr-defined]
            out.flush()
            time.sleep(0.02)
    connection.close()
