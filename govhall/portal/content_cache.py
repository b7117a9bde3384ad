"""The content generation of the portal's cached public pages (issue 15; SCOPE-4).

One cache key names the current generation of what the guide pages show; cached guides and their parts
carry it in their keys. Any save or delete of a row they show replaces it — at once, and again when the
transaction commits, as another request may have cached the old rows between the change and the commit —
so the next request builds afresh: a new version published, a matter suspended or cancelled, a centre
assigned or removed, a centre's address changed. With Redis (the cluster shape) every server process sees
the new generation at once; with the default in-process cache another process (a second server worker, a
management command) is not told, and its pages follow within the cache time of each entry. Bulk updates
that send no signals (`QuerySet.update`) are caught only by those cache times too.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from govhall.core import generations

GENERATION_KEY = "portal:content:generation"


def content_models() -> tuple[type, ...]:
    """Whatever the cached pages show; a save or delete of any of them starts a new generation."""
    from govhall.catalog.models import CentreMatter, Material, Matter, MatterVersion
    from govhall.onething.models import Member, OneThing, OneThingVersion
    from govhall.orgs.models import Centre, Department, Division

    return (
        Matter,
        MatterVersion,
        Material,
        CentreMatter,
        Centre,
        Division,
        Department,
        OneThing,
        OneThingVersion,
        Member,
    )


def generation() -> str:
    """The current content generation (a new one when none is cached, or the cache is down)."""
    return generations.current(GENERATION_KEY)


def content_changed(**_: object) -> None:
    generations.renew(GENERATION_KEY)


def connect_signals() -> None:
    """Called from `PortalConfig.ready`."""
    for model in content_models():
        for signal in (post_save, post_delete):
            signal.connect(
                content_changed, sender=model, weak=False, dispatch_uid=f"portal-content-{model.__name__}"
            )
