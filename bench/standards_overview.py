"""Benchmark: the bureau's overview (GOV-1) and one assessment, against a trivial read in the same run.

Builds a throw-away SQLite database (or uses GOVHALL_DATABASE_URL) with Qidong's built-in divisions and
centres (~340), assesses every town and N villages, then times:
- a trivial read (count of centres),
- ``overview()`` over every centre,
- ``assessment_run`` of one town (org data read, ~45 rules, rectification list).

    .venv/bin/python bench/standards_overview.py [villages=200] [repeats=20]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable


def timed(fn: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    villages = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    os.environ.setdefault("GOVHALL_VAR_DIR", tempfile.mkdtemp(prefix="govhall-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    from govhall.accounts.models import Role, User, UserRole
    from govhall.orgs.models import Centre, CentreLevel
    from govhall.orgs.seed import load_builtin as orgs_builtin
    from govhall.standards.seed import load_builtin as standards_builtin
    from govhall.standards.selectors import overview, survey_items
    from govhall.standards.services import assessment_run, survey_finish, survey_save, survey_start

    orgs_builtin()
    standards_builtin()
    inspector, _ = User.objects.get_or_create(
        username="bench_inspector", defaults={"full_name": "考核员", "unit_kind": "bureau"}
    )
    UserRole.objects.get_or_create(user=inspector, role=Role.INSPECTOR)
    inspector = User.objects.get(pk=inspector.pk)
    centres = list(Centre.objects.filter(is_active=True, level=CentreLevel.TOWN)) + list(
        Centre.objects.filter(is_active=True, level=CentreLevel.VILLAGE).order_by("pk")[:villages]
    )
    for centre in centres:
        if centre.assessments.exists():
            continue
        survey = survey_start(centre=centre, actor=inspector)
        answers = {i.measure.key: {"value": 120 if i.measure.numeric else True} for i in survey_items(survey)}
        survey_save(survey=survey, answers=answers, actor=inspector)
        survey_finish(survey=survey, signed_name=inspector.display_name, actor=inspector)
        assessment_run(centre=centre, actor=inspector)

    town = centres[0]
    trivial = timed(lambda: Centre.objects.count(), repeats)
    full = timed(lambda: overview(), repeats)
    one = timed(lambda: assessment_run(centre=town, actor=inspector), max(3, repeats // 4))
    total = Centre.objects.filter(is_active=True).count()
    print(f"centres {total}, assessed {len(centres)}, database {settings.DATABASES['default']['ENGINE']}")
    print(f"trivial read (count centres)      {trivial:8.2f} ms   1.0x")
    print(f"overview() of every centre        {full:8.2f} ms   {full / trivial:6.1f}x")
    print(f"assessment_run of one town        {one:8.2f} ms   {one / trivial:6.1f}x")


if __name__ == "__main__":
    main()
