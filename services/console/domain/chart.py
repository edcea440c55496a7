"""A horizontal bar chart as inline SVG, drawn on the server (no JavaScript library): the
week's counts per route, severity or offence. Suppressed counts (below 3) are drawn as such."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 190
BAR_WIDTH = 320


@dataclass(frozen=True)
class Bar:
    label: str
    count: int | None
    """None: suppressed (too small to show, or one it could be worked out from)."""


def bar_chart(title: str, bars: Sequence[Bar]) -> str:
    """An accessible SVG (role img, a title and a description listing every value)."""
    largest = max((b.count for b in bars if b.count is not None), default=0) or 1
    height = max(1, len(bars)) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + 60
    description = "; ".join(
        f"{b.label}: {b.count if b.count is not None else 'vises ikke'}" for b in bars
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" class="chart">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(description) or 'Ingen tal'}</desc>",
    ]
    for index, bar in enumerate(bars):
        y = GAP + index * (BAR_HEIGHT + GAP)
        middle = y + BAR_HEIGHT / 2 + 5
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle:.0f}" text-anchor="end">'
            f"{escape(bar.label)}</text>"
        )
        if bar.count is None:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="24" height="{BAR_HEIGHT}" '
                'class="suppressed"/>'
                f'<text x="{LABEL_WIDTH + 32}" y="{middle:.0f}">vises ikke</text>'
            )
            continue
        length = round(BAR_WIDTH * bar.count / largest)
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{max(length, 2)}" '
            f'height="{BAR_HEIGHT}" class="bar"/>'
            f'<text x="{LABEL_WIDTH + max(length, 2) + 8}" y="{middle:.0f}">{bar.count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
