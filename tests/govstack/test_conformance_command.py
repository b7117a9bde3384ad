"""`govhall govstack conformance-data` (issue 19 part 1): a two-word command; without the demo data it stops
with a clear Chinese message and writes nothing. (Against the demo data it was run for the BB's suite: see
docs/exchange.md, "Conformance data and the BB's test suite".)"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from govhall.govstack.models import Applicant, ExternalId


def test_cli_maps_the_two_words_onto_the_django_command(monkeypatch: Any) -> None:
    from govhall import cli

    seen: list[list[str]] = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", seen.append)
    cli.main(["govhall", "govstack", "conformance-data", "--no-demo"])
    assert seen == [["govhall", "govstack_conformance_data", "--no-demo"]]


@pytest.mark.django_db
def test_without_the_demo_data_it_refuses_and_writes_nothing() -> None:
    with pytest.raises(CommandError) as exc:
        call_command("govstack_conformance_data", "--no-demo")
    assert "govhall loaddemo" in str(exc.value)
    assert not ExternalId.objects.exists() and not Applicant.objects.exists()
