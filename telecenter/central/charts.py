"""Charts drawn on the server as SVG: readable, labelled, printable, nothing to download."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

GREEN, CACAO, INK, GRID = "#1f6f3f", "#6b3e26", "#1d2a22", "#c9cfc4"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    return ((value // magnitude) + 1) * magnitude


def bars(title: str, data: list[Bar], *, width: int = 640, row: int = 30) -> str:
    """Horizontal bars with the label on the left and the value at the end of each bar."""
    label_width, value_width = 190, 70
    height = 40 + row * max(len(data), 1)
    top = _nice_max(max((d.value for d in data), default=0))
    span = width - label_width - value_width
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="20" font-size="16" font-weight="bold" fill="{INK}">{escape(title)}</text>',
    ]
    for index, item in enumerate(data):
        y = 34 + index * row
        length = span * item.value / top
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 18}" font-size="14" '
            f'text-anchor="end" fill="{INK}">{escape(item.label[:28])}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="{row - 8}" '
            f'fill="{GREEN}"/>'
        )
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + 18}" font-size="14" '
            f'fill="{INK}">{_format(item.value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def trend(title: str, data: list[Bar], *, width: int = 640, height: int = 240) -> str:
    """Vertical bars per month, labelled below (every other label when crowded)."""
    left, bottom, top_pad = 50, 40, 40
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    top = _nice_max(max((d.value for d in data), default=0))
    step = plot_w / max(len(data), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="20" font-size="16" font-weight="bold" fill="{INK}">{escape(title)}</text>',
    ]
    for fraction in (0, 0.5, 1):
        y = top_pad + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="12" text-anchor="end" '
            f'fill="{INK}">{_format(top * fraction)}</text>'
        )
    every = 1 if len(data) <= 12 else 2 if len(data) <= 24 else 6
    for index, item in enumerate(data):
        h = plot_h * item.value / top
        x = left + index * step
        parts.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{top_pad + plot_h - h:.1f}" '
            f'width="{step * 0.7:.1f}" height="{h:.1f}" fill="{CACAO}">'
            f"<title>{escape(item.label)}: {_format(item.value)}</title></rect>"
        )
        if index % every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{height - bottom + 18}" '
                f'font-size="11" text-anchor="middle" fill="{INK}">'
                f"{escape(item.label)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _format(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ") if value == int(value) else f"{value:,.1f}"
