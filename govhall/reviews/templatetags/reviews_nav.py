"""The reviews pages' sub-navigation: which links a user sees comes from `reviews.policy`, the same checks
the linked pages make, not from the user object in the template."""

from __future__ import annotations

from typing import Any

from django import template

from govhall.reviews.policy import nav_flags

register = template.Library()


@register.inclusion_tag("reviews/_subnav.html", takes_context=True)
def reviews_subnav(context: template.Context) -> dict[str, Any]:
    return {"nav": nav_flags(context.get("user"))}
