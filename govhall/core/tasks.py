"""Nightly backup (huey) when GOVHALL_BACKUP_DIR is set: database, uploaded files and manifest, old ones
pruned after GOVHALL_BACKUP_KEEP_DAYS (govhall/core/backup.py)."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from govhall.core.backup import BackupError, make_backup

log = logging.getLogger("govhall.backup")


def backup_nightly() -> str:
    """The task's body: '' when no backup folder is configured, else the new backup's path. A failure is
    logged as an error (the operator's log watch sees it) and raised, so huey records the task as failed."""
    if not settings.BACKUP_DIR:
        return ""
    try:
        result = make_backup(
            Path(settings.BACKUP_DIR), tar=settings.BACKUP_TAR, keep_days=settings.BACKUP_KEEP_DAYS
        )
    except BackupError as exc:
        log.error("nightly backup failed: %s", exc)
        raise
    log.info("nightly backup written: %s (%d pruned)", result.path, len(result.pruned))
    return str(result.path)


@db_periodic_task(crontab(minute="30", hour="2"))
@lock_task("core-backup-nightly")
def backup_nightly_task() -> str:
    return backup_nightly()
