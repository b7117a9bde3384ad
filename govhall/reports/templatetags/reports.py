from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def reasons(parts: dict[str, int]) -> list[tuple[str, int]]:
    """Paused windows by reason, in Chinese (a reason left blank is 未说明)."""
    from govhall.queueing.models import PauseReason

    labels = dict(PauseReason.choices)
    return [(labels.get(k, "未说明") if k else "未说明", n) for k, n in sorted(parts.items()) if n]


@register.simple_tag
def cells(row: Any, indicators: list[Any], fold: str = "") -> str:
    """One dashboard row: its label and a cell per indicator, each figure a link to the list that makes it.
    Built in one pass (a city table has some 350 rows × 19 figures: a template include per row was most of
    the page's time). `fold` (a town row): "open" when its villages are on the page, else the address of
    its villages, fetched (htmx) into the row's tbody on the first unfold."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    button = ""
    if fold == "open":
        button = '<button type="button" class="r-fold link" aria-label="展开村（社区）" aria-expanded="true">▾</button> '
    elif fold:
        url = escape(f"{fold}&town={row.centre_id}")
        button = (
            f'<button type="button" class="r-fold link" aria-label="展开村（社区）" aria-expanded="false" '
            f'hx-get="{url}" hx-trigger="click once" hx-target="closest tbody" hx-swap="beforeend">▸</button> '
        )
    out = [f'<th scope="row">{button}{escape(row.label)}</th>']
    for ind in indicators:
        cell = row.cells.get(ind.code)
        mark = ""
        if ind.code == "cases_open_red" and cell.value:
            mark = " bad"
        elif ind.code == "cases_open_yellow" and cell.value:
            mark = " warn"
        out.append(f'<td class="r-{ind.code}{mark}" data-indicator="{ind.code}">')
        if cell.value is None:
            out.append('<span class="muted">—</span>')
        else:
            out.append(f'<a href="{escape(cell.href)}">{escape(cell.text)}</a>')
            if cell.parts:
                text = "，".join(f"{escape(k)}{n}" for k, n in reasons(cell.parts))
                out.append(f'<small class="r-parts">{text}</small>')
            if ind.combine == "rate" and cell.den:
                out.append(f'<small class="r-parts">{cell.num}/{cell.den}</small>')
        out.append("</td>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
