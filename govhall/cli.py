"""The `govhall` command: a wrapper of Django's manage.py."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    # `govhall orgs import F` / `govhall calendar import F` / `govhall audit verify` / `govhall media encrypt`:
    # `govhall reports rebuild --from D --to D`:
    # `govhall govstack conformance-data`:
    # two-word commands map onto Django commands named orgs_import, calendar_import, audit_verify, media_encrypt
    # (a dash becomes an underscore: govstack_conformance_data).
    if len(args) >= 3 and args[1] in {
        "orgs",
        "calendar",
        "audit",
        "catalog",
        "standards",
        "media",
        "reports",
        "govstack",
    }:
        args = [args[0], f"{args[1]}_{args[2]}".replace("-", "_"), *args[3:]]
    # `govhall backup verify B` is backup_verify; `govhall backup [--dest D]` stays the backup itself.
    elif len(args) >= 3 and args[1] == "backup" and args[2] == "verify":
        args = [args[0], "backup_verify", *args[3:]]
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
