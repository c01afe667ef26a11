"""Server-drawn SVG bar charts: well-formed, named and described, labels escaped, bars to scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from bot.console.charts import HEIGHT, axis, bar_chart, nice_ceiling
from bot.dashboard.report import Chart, Series

SVG = "{http://www.w3.org/2000/svg}"


def chart(stacked: bool, labels: list[str] | None = None) -> Chart:
    labels = labels or ["Mon", "Tue", "<b>Wed</b>"]
    return Chart(
        id="chart-x",
        title="Things & stuff",
        description="Bars of things. Every value is in the table below.",
        labels=labels,
        series=[Series("A", [1, 0, 4][: len(labels)], "series-0"), Series("B <i>", [3, 0, 4][: len(labels)], "series-1")],
        stacked=stacked,
        table="things",
    )


def _bars(svg: ET.Element) -> list[ET.Element]:
    return [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


@pytest.mark.parametrize("stacked", [True, False])
def test_a_chart_is_an_accessible_well_formed_svg(stacked: bool) -> None:
    markup = str(bar_chart(chart(stacked)))
    svg = ET.fromstring(markup)  # escaped labels keep it well-formed
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "chart-x-title chart-x-desc"
    assert svg.find(f"{SVG}title").text == "Things & stuff"
    assert svg.find(f"{SVG}desc").text.startswith("Bars of things.")
    assert svg.get("data-table") == "things"
    assert "<b>" not in markup and "&lt;b&gt;Wed&lt;/b&gt;" in markup
    titles = [r.find(f"{SVG}title").text for r in _bars(svg)]
    assert titles == ["Mon, A: 1", "Mon, B <i>: 3", "<b>Wed</b>, A: 4", "<b>Wed</b>, B <i>: 4"]  # no bar for 0
    assert "style=" not in markup and "<script" not in markup  # the CSP allows neither


def test_bars_are_to_scale_stacked_or_side_by_side() -> None:
    stacked = _bars(ET.fromstring(str(bar_chart(chart(True)))))
    heights = [float(r.get("height")) for r in stacked]
    # Wednesday's stack (4 + 4) is the tallest bar and fills the axis up to 10.
    assert heights[2] == pytest.approx(heights[3]) and heights[1] == pytest.approx(3 * heights[0])
    assert float(stacked[3].get("y")) + heights[3] == pytest.approx(float(stacked[2].get("y")))
    side = _bars(ET.fromstring(str(bar_chart(chart(False)))))
    assert side[2].get("y") == side[3].get("y") and side[2].get("x") != side[3].get("x")
    assert all(0 <= float(r.get("y")) <= HEIGHT for r in stacked + side)


def test_long_periods_label_every_nth_bar_and_an_empty_chart_still_draws() -> None:
    labels = [f"day {i}" for i in range(60)]
    many = Chart("c", "t", "d", labels, [Series("A", [1] * 60, "series-0")], True, "t")
    texts = [t.text for t in ET.fromstring(str(bar_chart(many))).iter(f"{SVG}text") if (t.text or "").startswith("day")]
    assert texts == [f"day {i}" for i in range(0, 60, 4)]
    empty = Chart("e", "t", "d", ["x"], [Series("A", [0], "series-0")], True, "t")
    assert _bars(ET.fromstring(str(bar_chart(empty)))) == []


def test_axes_have_whole_round_steps() -> None:
    assert [nice_ceiling(v) for v in (0, 1, 3, 7, 10, 11, 23, 95, 101, 4999)] == [1, 1, 5, 10, 10, 20, 50, 100, 200, 5000]
    assert [axis(v) for v in (0, 1, 3, 4, 8, 41, 50, 1234)] == [
        (1, 1), (1, 1), (3, 1), (4, 1), (8, 2), (60, 20), (60, 20), (1500, 500),
    ]
