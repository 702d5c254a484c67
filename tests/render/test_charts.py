"""The cover's SVG bar chart: well-formed, escaped, and honest about small failing shares."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from scanner.render.charts import BAR_WIDTH, share_bars
from scanner.render.records import BoxShare

SVG = "{http://www.w3.org/2000/svg}"


def _bars(shares: list[BoxShare]) -> ET.Element:
    return ET.fromstring(str(share_bars(shares)))  # noqa: S314 - the renderer's own output


def test_chart_is_one_svg_with_a_bar_and_a_figure_per_box() -> None:
    shares = [BoxShare("a", "Box A", 3, 1, 0, 2), BoxShare("b", "Box B", 0, 0, 0, 4)]
    svg = _bars(shares)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts == ["Box A", "75\u00a0%", "Box B", "n/a", "passed", "failed", "could not be read"]


def test_labels_are_escaped_not_markup() -> None:
    markup = str(share_bars([BoxShare("x", "<script>alert(1)</script>", 1, 0, 0, 0)]))
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup


def test_a_single_failure_stays_visible_and_the_bar_never_looks_full() -> None:
    svg = _bars([BoxShare("a", "Box A", 9999, 1, 0, 0)])
    widths = sorted(float(r.get("width", "0")) for r in svg.iter(f"{SVG}rect") if r.get("height") != "10")
    track, passed, failed = widths[-1], widths[-2], widths[0]
    assert track == BAR_WIDTH
    assert failed >= 2
    assert passed < BAR_WIDTH
