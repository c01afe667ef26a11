"""Bar charts drawn on the server as inline SVG: no script, no network, readable by a screen reader.

Each chart is an `<svg role="img">` named by its own `<title>` and described by
its `<desc>` (what the bars are, the totals, the largest bar), and the page
puts the same values in a table right below it. Colours come from classes in
console.css (the CSP allows no inline style); every label is escaped.
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from bot.dashboard.report import Chart

WIDTH = 760
HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 40, 84
MAX_X_LABELS = 16


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least `value` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # unreachable


def axis(highest: int) -> tuple[int, int]:
    """(top, step) of the value axis: whole, round steps, at most four of them above zero."""
    step = nice_ceiling(math.ceil(highest / 4))
    return max(step, step * math.ceil(highest / step)), step


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _heights(chart: Chart) -> list[int]:
    columns = list(zip(*(s.values for s in chart.series))) or [()]
    return [(sum(c) if chart.stacked else max(c, default=0)) for c in columns]


def _axis(top_value: int, step: int, plot_h: float) -> list[str]:
    parts = []
    for value in range(0, top_value + 1, step):
        y = TOP + plot_h - plot_h * value / top_value
        label = f"{value:,}"
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_num(y)}" y2="{_num(y)}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{_num(y + 4)}" text-anchor="end">{label}</text>'
        )
    return parts


def _legend(chart: Chart) -> list[str]:
    parts = []
    x = float(LEFT)
    for series in chart.series:
        parts.append(
            f'<rect class="{escape(series.css)}" x="{_num(x)}" y="12" width="12" height="12"/>'
            f'<text class="legend" x="{_num(x + 17)}" y="22">{escape(series.name)}</text>'
        )
        x += 30 + 7 * len(series.name)
    return parts


def _bars(chart: Chart, top_value: int, plot_w: float, plot_h: float) -> list[str]:
    count = max(1, len(chart.labels))
    slot = plot_w / count
    every = math.ceil(count / MAX_X_LABELS)
    scale = plot_h / top_value
    parts = []
    for i, label in enumerate(chart.labels):
        x0 = LEFT + i * slot + slot * 0.1
        width = slot * 0.8 if chart.stacked else slot * 0.8 / max(1, len(chart.series))
        base = TOP + plot_h
        for j, series in enumerate(chart.series):
            value = series.values[i]
            height = value * scale
            x = x0 if chart.stacked else x0 + j * width
            y = base - height
            if value:
                parts.append(
                    f'<rect class="{escape(series.css)}" x="{_num(x)}" y="{_num(y)}" '
                    f'width="{_num(max(width, 0.5))}" height="{_num(height)}">'
                    f"<title>{escape(label)}, {escape(series.name)}: {value:,}</title></rect>"
                )
            if chart.stacked:
                base = y
        if i % every == 0:
            cx, cy = LEFT + i * slot + slot / 2, TOP + plot_h + 12
            parts.append(
                f'<text class="tick" x="{_num(cx)}" y="{_num(cy)}" text-anchor="end" '
                f'transform="rotate(-40 {_num(cx)} {_num(cy)})">{escape(label)}</text>'
            )
    return parts


def bar_chart(chart: Chart) -> Markup:
    """The chart as an inline `<svg>` element."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    top_value, step = axis(max(_heights(chart), default=0))
    cid = escape(chart.id)
    parts = [
        f'<svg class="chart" id="{cid}" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg" data-table="{escape(chart.table)}">',
        f'<title id="{cid}-title">{escape(chart.title)}</title>',
        f'<desc id="{cid}-desc">{escape(chart.description)}</desc>',
        *_legend(chart),
        *_axis(top_value, step, plot_h),
        *_bars(chart, top_value, plot_w, plot_h),
        f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>',
        "</svg>",
    ]
    return Markup("".join(parts))
