"""Charts drawn on the server as SVG: readable, labelled, printable, nothing to download.

No viewBox: positions across are per cent of the chart's width and text sizes are CSS pixels,
so a 14 px label stays 14 px in a third of a 1366 px page or on a phone (a viewBox scaled the
same label down to 9 px). Numbers and months are written by Babel in the page's language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from html import escape

from babel.dates import format_skeleton
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

GREEN, CACAO, INK, GRID = "#1f6f3f", "#6b3e26", "#1d2a22", "#c9cfc4"
TEXT, SMALL, TITLE = 14, 13, 16  # px as rendered
#: Month labels under the trend: at most this many where the chart is wide, and where it is
#: narrow (CSS hides the `minor` ones on a phone).
WIDE_LABELS, NARROW_LABELS = 8, 4
BAR_SPAN = 78  # per cent of the width for the longest bar; its value is written after it
GUTTER = 9  # per cent of the trend's width left of its bars, for the scale's figures


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    return ((value // magnitude) + 1) * magnitude


def _number(value: float) -> str:
    return format_decimal(value, format="#,##0.#")


def _month(month: str) -> str:
    """ "dic 2025" for "2025-12" (anything else is shown as it is)."""
    try:
        day = date(int(month[:4]), int(month[5:7]), 1)
    except ValueError:
        return month
    return format_skeleton("yMMM", day, locale=get_locale())


def _open(title: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="{height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="20" font-size="{TITLE}" font-weight="bold" fill="{INK}">'
        f"{escape(title)}</text>",
    ]


def _empty(y: int) -> str:
    return (
        f'<text x="0" y="{y}" font-size="{TEXT}" fill="{INK}">'
        f"{escape(_('Sin datos para este periodo.'))}</text>"
    )


def bars(title: str, data: list[Bar], *, row: int = 46) -> str:
    """Horizontal bars, each with its label above it and its value at its end."""
    height = 36 + row * max(len(data), 1)
    top = max((d.value for d in data), default=0) or 1
    parts = _open(title, height)
    if not data:
        parts.append(_empty(56))
    for index, item in enumerate(data):
        y = 36 + index * row
        length = BAR_SPAN * item.value / top
        value = _number(item.value)
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="{TEXT}" fill="{INK}">'
            f"{escape(item.label[:40])}</text>"
        )
        parts.append(
            f'<rect x="0" y="{y + 20}" width="{length:.2f}%" height="18" fill="{GREEN}">'
            f"<title>{escape(item.label)}: {value}</title></rect>"
        )
        parts.append(
            f'<text x="{length:.2f}%" dx="6" y="{y + 34}" font-size="{TEXT}" '
            f'fill="{INK}">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def trend(title: str, data: list[Bar], *, height: int = 320) -> str:
    """Vertical bars per month (labels "YYYY-MM"), with a few month names below; the scale's
    figures sit above their lines in the left gutter (on a white halo where a phone's narrow
    gutter lets them touch the first bar)."""
    bottom, top_pad = 40, 48
    plot_h = height - bottom - top_pad
    top = _nice_max(max((d.value for d in data), default=0))
    step = (100 - GUTTER) / max(len(data), 1)
    parts = _open(title, height)
    if not data:
        parts.append(_empty(top_pad + 20))
    wide = max(1, math.ceil(len(data) / WIDE_LABELS))
    narrow = wide * max(1, math.ceil(len(data) / (NARROW_LABELS * wide)))
    for index, item in enumerate(data):
        h = plot_h * item.value / top
        x = GUTTER + index * step
        parts.append(
            f'<rect x="{x + step * 0.15:.2f}%" y="{top_pad + plot_h - h:.1f}" '
            f'width="{step * 0.7:.2f}%" height="{h:.1f}" fill="{CACAO}">'
            f"<title>{escape(_month(item.label))}: {_number(item.value)}</title></rect>"
        )
        if index % wide == 0:
            minor = "" if index % narrow == 0 else ' class="minor"'
            # The first and last names keep inside the chart: aligned on their bar's edge.
            anchor, at = (
                ("start", x + step * 0.15)
                if index == 0
                else ("end", x + step * 0.85)
                if index == len(data) - 1
                else ("middle", x + step / 2)
            )
            parts.append(
                f'<text x="{at:.2f}%" y="{height - bottom + 22}" font-size="{SMALL}" '
                f'text-anchor="{anchor}" fill="{INK}"{minor}>{escape(_month(item.label))}</text>'
            )
    for fraction in (0, 0.5, 1):
        y = top_pad + plot_h * (1 - fraction)
        parts.append(f'<line x1="0" x2="100%" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="2" y="{y - 5:.1f}" font-size="{SMALL}" fill="{INK}" stroke="#fff" '
            f'stroke-width="4" paint-order="stroke">{_number(top * fraction)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
