from __future__ import annotations

from typing import Any

from django import template

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
