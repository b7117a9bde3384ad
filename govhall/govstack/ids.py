"""GovStack ids for our objects. The spec types every id as a string (services' as a UUID); an object a
client already named (ExternalId, loaded by the conformance data set) keeps that id, any other gets a UUID
derived from its key, which reads back without a table: ``60700001-0000-4000-8000-00000000002a`` is
matter 42 (the first group says the kind)."""

from __future__ import annotations

import re

from govhall.govstack.models import IdKind

_PREFIX = {
    IdKind.SERVICE: "60700001",
    IdKind.EFORM: "60700002",
    IdKind.APPLICATION: "60700003",
    IdKind.TASK: "60700004",
}
_DERIVED = re.compile(r"^(6070000[1-4])-0000-4000-8000-([0-9a-f]{12})$")


def derived(kind: str, pk: int) -> str:
    return f"{_PREFIX[IdKind(kind)]}-0000-4000-8000-{pk:012x}"


def parse_derived(kind: str, value: str) -> int | None:
    """The key a derived id names, if ``value`` is one of this kind."""
    match = _DERIVED.fullmatch((value or "").strip().lower())
    if match is None or match.group(1) != _PREFIX[IdKind(kind)]:
        return None
    pk = int(match.group(2), 16)
    return pk if pk > 0 else None
