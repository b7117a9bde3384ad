"""The public guide page's matter-specific part, rendered once and kept in Django's cache (issue 15; SCOPE-4).

A guide page is the same for every visitor except for a few live or personal bits: today's waiting count
per town centre (and the phone-ticket and booking buttons that go with it), the citizen's account (the
enterprise notice, the apply button) and the page frame (CSRF token, display preferences, messages). The
waiting counts come from the `portal:guide_waiting` fragment (`guide_waiting_counts`), the account and frame
parts stay live in `portal/guide.html` (for an anonymous visitor the whole page is shared too:
`guide_response`); the rest — the matter and its version, the town centres, the one-thing
notice, the materials and conditions, the village centres' links and the full guide fields — is a
`GuidePage` built once per *content generation* and kept in the cache for GUIDE_PAGE_CACHE_SECONDS.

Its cache key carries the portal's content generation (`content_cache`): a new version published, a
matter suspended or cancelled, a centre assigned, removed or edited, and the next request builds it afresh.

Nothing personal is cached: the fragments are rendered without a request, from catalogue and centre data.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string

from govhall.catalog.models import MaterialForm, Matter, MatterVersion
from govhall.catalog.selectors import public_matter
from govhall.core.memo import ProcessMemo
from govhall.onething.selectors import things_with_matter
from govhall.orgs.models import Centre, CentreLevel
from govhall.portal import selectors, services
from govhall.portal.content_cache import generation

GUIDE_PAGE_CACHE_SECONDS = 600  # a backstop: changes that send signals show at once
WAITING_CACHE_SECONDS = 5  # today's waiting counts on the guide: one query per matter per 5 s at most


@dataclass
class GuidePage:
    """What a guide page shows for everyone: the matter, its version, the town centres (for the live queue
    figures), and the HTML of the parts that need no request."""

    matter: Matter
    version: MatterVersion
    towns: list[Centre]
    online: bool
    persons_only: bool
    main_html: str = ""  # one-thing notice, suspension alert, materials, conditions, 告知承诺
    villages_html: str = ""  # the village centres' links, by town
    fields_html: str = ""  # the full guide (事项要素)

    def towns_with_waiting(self, waiting: dict[int, int]) -> list[Centre]:
        """Copies of the town centres with today's `.waiting` (None: no window serves the matter there)."""
        out = []
        for centre in self.towns:
            row = copy.copy(centre)
            row.waiting = waiting.get(centre.pk)  # type: ignore[attr-defined]
            out.append(row)
        return out


# The pages this process took from the cache lately, by generation and code: a warm guide costs one cache
# round trip (the generation) instead of two and no unpickling. Shared, so never changed by a request.
PAGES_MEMO: ProcessMemo[GuidePage] = ProcessMemo("portal-guide-pages")


def guide_page(code: str) -> GuidePage:
    """The cached guide of a public matter; `NotFound` for an unknown, unpublished or cancelled one (never
    cached). Callers must not change what it returns."""
    key = f"portal:guide:page:{generation()}:{code}"

    def load() -> GuidePage:
        page = cache.get(key)
        if page is None:
            page = build_guide_page(code)
            cache.set(key, page, GUIDE_PAGE_CACHE_SECONDS)
        return page  # type: ignore[no-any-return]

    return PAGES_MEMO.get(key, load)


def build_guide_page(code: str) -> GuidePage:
    matter = public_matter(code)
    version = matter.current_version
    assert version is not None
    materials = selectors.guide_materials(version)
    centres = selectors.matter_centres(matter)
    # Town centres in full (address, hours, today's queue); village centres — up to a few hundred for a
    # village matter — grouped by town as plain links, so the page stays light.
    towns = [c for c in centres if c.level == CentreLevel.TOWN]
    page = GuidePage(
        matter=matter,
        version=version,
        towns=towns,
        online=selectors.online_offered(matter),
        persons_only=services.persons_only(version),
    )
    context = {
        "matter": matter,
        "version": version,
        "materials": materials,
        "commitments": [m for m in materials if m.commitment],
        "one_things": things_with_matter(matter.pk),
        "towns": towns,
        "village_groups": selectors.villages_by_town([c for c in centres if c not in towns]),
        "MaterialForm": MaterialForm,
    }
    page.main_html = render_to_string("portal/_guide_main.html", context)
    page.villages_html = render_to_string("portal/_guide_villages.html", context)
    page.fields_html = render_to_string("portal/_guide_fields.html", context)
    return page


def guide_waiting_counts(page: GuidePage) -> dict[int, int]:
    """Today's waiting tickets per town centre of the guide (`selectors.matter_waiting`), kept in the cache
    for the current WAITING_CACHE_SECONDS slice of the clock: however many visitors poll the guide, the
    tickets are counted once per matter per slice, and a new ticket shows within the slice."""
    bucket = int(time.time() // WAITING_CACHE_SECONDS)
    key = f"portal:guide:waiting:{generation()}:{page.matter.code}:{bucket}"
    waiting = cache.get(key)
    if waiting is None:
        waiting = selectors.matter_waiting(page.version, page.towns)
        cache.set(key, waiting, WAITING_CACHE_SECONDS * 2)
    return waiting  # type: ignore[no-any-return]
