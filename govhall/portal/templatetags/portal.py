from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import escape, format_html

from govhall.orgs.models import contact_is_missing
from govhall.portal import prefs as display_prefs
from govhall.portal.auth import get_citizen

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_prefs(context: dict[str, Any]) -> display_prefs.Prefs:
    request = context.get("request")
    return display_prefs.read(request) if request is not None else display_prefs.Prefs()


@register.simple_tag(takes_context=True)
def portal_citizen(context: dict[str, Any]) -> Any:
    request = context.get("request")
    return get_citizen(request) if request is not None else None


@register.filter
def published(value: Any, blank: str = "暂未公布") -> str:
    """A centre's address, hours or location as published; blank, or still the built-in 「（待填写）」
    placeholder the bureau has not replaced, reads 「暂未公布」 to the public (issue 16: never a raw
    placeholder or a bare dash)."""
    text = str(value or "").strip()
    return blank if contact_is_missing(text) else text


@register.filter
def tel(value: Any, blank: str = "暂未公布") -> str:
    """A phone number as a `tel:` link a phone can dial (the first number when several are given); a blank
    one as 「暂未公布」 (issue 16: never a bare dash)."""
    text = str(value or "").strip()
    if contact_is_missing(
        text
    ):  # blank, or the built-in 「（待填写）」 placeholder the bureau has not replaced
        return escape(blank)
    first = re.split(r"[、,，;；/ ]+", text)[0] if text else ""
    digits = re.sub(r"[^\d+]", "", first)
    if not digits:
        return escape(text or blank)
    return format_html('<a href="tel:{}">{}</a>', digits, text)
