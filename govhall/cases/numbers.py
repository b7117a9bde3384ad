"""Case numbers (办件编号) and query passwords.

Format: ``YYYYMMDDHHMM-<centre division code, 12 digits>-<NNNNN>``, e.g. ``202603150930-320681100201-00042``
(31 characters; GB/T 39046 allows 50). Receipt time first (Asia/Shanghai, to the minute), so sorting the
strings sorts by time; then the receiving centre (ORG-4; a village's code for a case it forwards, and the
number never changes on the way, MODE-4); then that centre's sequence of the day, from a counter row
incremented with one atomic upsert, so numbers are unique under concurrent receipt.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.db import connection
from django.utils import timezone

from govhall.cases.models import CaseCounter
from govhall.orgs.models import Centre

NUMBER_RE = re.compile(r"^\d{12}-\d{12}-\d{5}$")
PASSWORD_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # noqa: S105 - no 0/O, 1/I: read aloud and typed from paper
PASSWORD_LENGTH = 6


def next_sequence(centre_id: int, day: dt.date) -> int:
    table = CaseCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (centre_id, day, last) VALUES (%s, %s, 1) "  # noqa: S608 - table name is ours
            f"ON CONFLICT (centre_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [centre_id, day],
        )
        return int(cursor.fetchone()[0])


def new_case_number(centre: Centre, at: dt.datetime | None = None) -> str:
    local = timezone.localtime(at or timezone.now())
    seq = next_sequence(centre.pk, local.date())
    if seq > 99999:
        raise OverflowError("a centre cannot receive more than 99,999 cases in one day")
    return f"{local:%Y%m%d%H%M}-{centre.division.code}-{seq:05d}"


def new_query_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
