"""The changes section's line chart: the org-wide pass rate of each box over the last runs, as inline SVG.

Built in Python with ElementTree, like the cover's bars, so every label is escaped on serialization and
the HTML needs no script. Each box has its own colour *and* marker shape, so the lines stay apart in
grayscale. A run in which no account was applicable to a box leaves a gap in that box's line rather than
a point at 0 %.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from markupsafe import Markup

from scanner.render.charts import FONT_FAMILY
from scanner.render.records import Trend, TrendSeries

WIDTH = 640
LEFT, RIGHT, TOP = 44, 20, 8
INSET = 14  # between the axis labels and the first run, the last run and the edge
PLOT_HEIGHT = 140
LABEL_SPACE = 58  # below the plot: the rotated run dates
LEGEND_HEIGHT = 22
FONT_SIZE = 10  # px: 7.5 pt in the PDF, its smallest type
MARKER = 3.5
GRID = (0, 25, 50, 75, 100)
# Okabe-Ito colours, distinguishable with the common colour-vision deficiencies.
COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00")
SHAPES = ("circle", "square", "triangle", "diamond", "down")


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _marker(parent: ET.Element, shape: str, x: float, y: float, colour: str) -> None:
    r = MARKER
    if shape == "circle":
        ET.SubElement(parent, "circle", {"cx": _number(x), "cy": _number(y), "r": _number(r), "fill": colour})
        return
    points = {
        "square": ((x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)),
        "triangle": ((x, y - r * 1.2), (x + r * 1.1, y + r), (x - r * 1.1, y + r)),
        "diamond": ((x, y - r * 1.3), (x + r * 1.1, y), (x, y + r * 1.3), (x - r * 1.1, y)),
        "down": ((x - r * 1.1, y - r), (x + r * 1.1, y - r), (x, y + r * 1.2)),
    }[shape]
    ET.SubElement(parent, "polygon", {"points": " ".join(f"{_number(px)},{_number(py)}" for px, py in points),
                                      "fill": colour})


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT - 2 * INSET
    return LEFT + INSET + (span / 2 if count == 1 else span * index / (count - 1))


def _y(rate: float) -> float:
    return TOP + PLOT_HEIGHT * (1 - rate)


def _runs(svg: ET.Element, labels: Sequence[str]) -> None:
    """The rate grid and the run dates, rotated so twelve of them fit side by side."""
    for percent in GRID:
        y = _number(_y(percent / 100))
        ET.SubElement(svg, "line", {"x1": str(LEFT), "y1": y, "x2": str(WIDTH - RIGHT), "y2": y,
                                    "stroke": "#999" if percent == 0 else "#ddd", "stroke-width": "0.8"})
        text = ET.SubElement(svg, "text", {"x": str(LEFT - 6), "y": _number(_y(percent / 100) + 3),
                                           "text-anchor": "end"})
        text.text = f"{percent}\u00a0%"
    base = TOP + PLOT_HEIGHT + 12
    for index, label in enumerate(labels):
        x = _x(index, len(labels))
        text = ET.SubElement(svg, "text", {
            "x": _number(x), "y": _number(base), "text-anchor": "end",
            "transform": f"rotate(-35 {_number(x)} {_number(base)})",
        })
        text.text = label


def _series(svg: ET.Element, series: TrendSeries, colour: str, shape: str) -> None:
    count = len(series.rates)
    runs: list[list[tuple[float, float]]] = [[]]
    for index, rate in enumerate(series.rates):
        if rate is None:
            runs.append([])
            continue
        runs[-1].append((_x(index, count), _y(rate)))
    for run in runs:
        if len(run) > 1:
            ET.SubElement(svg, "polyline", {
                "points": " ".join(f"{_number(x)},{_number(y)}" for x, y in run),
                "fill": "none", "stroke": colour, "stroke-width": "1.6",
            })
    for run in runs:
        for x, y in run:
            _marker(svg, shape, x, y, colour)


def _legend(svg: ET.Element, series: Sequence[TrendSeries], top: float) -> None:
    x = float(LEFT)
    for line, colour, shape in zip(series, COLOURS, SHAPES, strict=False):
        _marker(svg, shape, x + 4, top + 5, colour)
        text = ET.SubElement(svg, "text", {"x": _number(x + 12), "y": _number(top + 8)})
        text.text = line.title
        x += 12 + len(line.title) * FONT_SIZE * 0.6 + 14


def trend_chart(trend: Trend) -> Markup:
    """Pass rate per box per run, oldest run left; one run gives one point per box."""
    height = TOP + PLOT_HEIGHT + LABEL_SPACE + LEGEND_HEIGHT
    svg = ET.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg",
        "class": "chart",
        "width": str(WIDTH),
        "height": str(height),
        "viewBox": f"0 0 {WIDTH} {height}",
        "role": "img",
        "font-family": FONT_FAMILY,
        "font-size": str(FONT_SIZE),
    })
    ET.SubElement(svg, "title").text = (
        f"Share of applicable accounts that pass each box, over the last {len(trend.labels)} "
        f"run{'' if len(trend.labels) == 1 else 's'}"
    )
    _runs(svg, trend.labels)
    for series, colour, shape in zip(trend.series, COLOURS, SHAPES, strict=False):
        _series(svg, series, colour, shape)
    _legend(svg, trend.series, TOP + PLOT_HEIGHT + LABEL_SPACE)
    return Markup(ET.tostring(svg, encoding="unicode"))  # noqa: S704 - ElementTree escaped every value
