"""Layout checks for the hall's devices in Chromium (screen 1920×1080, kiosk 1080×1920, pad 800×1280):
nothing outside the viewport, no element on top of another, axe-core's serious and critical findings."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"


def shots_dir(name: str) -> Path:
    """Where browser tests leave screenshots to look at: $GOVHALL_SHOTS/<name>, else a temporary folder."""
    folder = Path(os.environ.get("GOVHALL_SHOTS") or Path(tempfile.gettempdir()) / "govhall-shots") / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pdf_to_png(pdf: Path, png_stem: Path) -> None:
    """Render a PDF's first page for looking at (poppler's pdftoppm); skipped where it is not installed."""
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf), str(png_stem)], check=True)


SHOTS = shots_dir("hall-devices")


def axe_serious(page: Any, selector: str = "document") -> list[dict[str, Any]]:
    """axe-core violations of impact serious or critical on the page (or the elements of `selector`)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    context = "document" if selector == "document" else f"{{include: [[{selector!r}]]}}"
    return page.evaluate(
        """async (ctx) => {
        const r = await axe.run(ctx === 'document' ? document : eval('(' + ctx + ')'),
                                {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
          .map(v => ({id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""",
        context,
    )


def layout_problems(page: Any, boxes: str) -> list[str]:
    """Elements matched by the CSS selector `boxes` that leave the viewport, overlap each other, or whose
    content is wider than their box; and a page that scrolls sideways."""
    return page.evaluate(
        """(sel) => {
        const out = [];
        const vw = window.innerWidth, vh = window.innerHeight;
        if (document.documentElement.scrollWidth > vw) out.push('page scrolls sideways: ' + document.documentElement.scrollWidth);
        const els = [...document.querySelectorAll(sel)].filter(e => e.getClientRects().length);
        const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '') + (e.dataset.window ? '[' + e.dataset.window + ']' : '') + ' ' + (e.textContent || '').trim().slice(0, 20);
        const rects = els.map(e => e.getBoundingClientRect());
        els.forEach((e, i) => {
          const r = rects[i];
          if (r.left < -0.5 || r.top < -0.5 || r.right > vw + 0.5 || (vh && r.bottom > document.documentElement.scrollHeight + 0.5))
            out.push('outside the page: ' + name(e));
          if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'auto' && getComputedStyle(e).overflowX !== 'scroll' && getComputedStyle(e).textOverflow !== 'ellipsis')
            out.push('content wider than its box: ' + name(e));
        });
        for (let i = 0; i < els.length; i++) for (let j = i + 1; j < els.length; j++) {
          if (els[i].contains(els[j]) || els[j].contains(els[i])) continue;
          const a = rects[i], b = rects[j];
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (w > 0.5 && h > 0.5) out.push('overlap: ' + name(els[i]) + ' / ' + name(els[j]));
        }
        return out;
    }""",
        boxes,
    )
