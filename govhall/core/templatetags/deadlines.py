"""Template filters that make a provisional (暂定) date visible wherever it is shown (STD-3).

`{{ case.due_waits_for|provisional }}` is the 「暂定」 mark beside the date (empty for a firm date);
`{{ case.due_waits_for|provisional_line }}` is the one line under it that says when it will be fixed.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from govhall.core.calendar import provisional_note

register = template.Library()


@register.filter
def provisional(year: int | None) -> str:
    if not year:
        return ""
    return format_html('<span class="badge warn provisional" title="{}">暂定</span>', provisional_note(year))


@register.filter
def provisional_line(year: int | None) -> str:
    if not year:
        return ""
    return format_html('<div class="provisional-note">※ {}</div>', provisional_note(year))
