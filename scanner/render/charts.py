"""The cover's bar chart as inline SVG, built in Python so the HTML needs no JavaScript to be read.

The SVG is assembled with ElementTree, which escapes every text and attribute value, so no label can
become markup; the result is marked safe for the template only after that serialization.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from markupsafe import Markup

from scanner.render.filters import percent
from scanner.render.records import BoxShare

LABEL_WIDTH = 250
BAR_WIDTH = 330
FIGURE_WIDTH = 70
ROW_HEIGHT = 24
BAR_HEIGHT = 14
FONT_SIZE = 11
FONT_FAMILY = "'Orgscan Sans', 'DejaVu Sans', Verdana, Arial, sans-serif"
COLOURS = {"pass": "#0072b2", "fail": "#d55e00", "error": "#e6a700", "track": "#e8e8e8"}  # Okabe-Ito
LEGEND = (("pass", "passed"), ("fail", "failed"), ("error", "could not be read"))


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _segment(parent: ET.Element, x: float, y: float, width: float, colour: str) -> float:
    if width > 0:
        ET.SubElement(parent, "rect", {
            "x": _number(x), "y": _number(y), "width": _number(width), "height": str(BAR_HEIGHT),
            "fill": colour,
        })
    return x + width


def _widths(share: BoxShare) -> tuple[float, float, float]:
    """Segment widths; a failing or unreadable minority stays visible however small it is."""
    if share.applicable == 0:
        return 0.0, 0.0, 0.0
    minimum = 2.0
    fail = max(BAR_WIDTH * share.failed / share.applicable, minimum if share.failed else 0.0)
    error = max(BAR_WIDTH * share.errors / share.applicable, minimum if share.errors else 0.0)
    passed = BAR_WIDTH - fail - error if share.passed else 0.0
    return max(passed, 0.0), fail, error


def _legend(svg: ET.Element, top: float) -> None:
    x = float(LABEL_WIDTH)
    for key, label in LEGEND:
        ET.SubElement(svg, "rect", {"x": _number(x), "y": _number(top), "width": "10", "height": "10",
                                    "fill": COLOURS[key]})
        text = ET.SubElement(svg, "text", {"x": _number(x + 14), "y": _number(top + 9)})
        text.text = label
        x += 14 + len(label) * FONT_SIZE * 0.6 + 16


def share_bars(shares: Sequence[BoxShare]) -> Markup:
    """One horizontal bar per box: the passing share, then failing, then unreadable, with the figure."""
    width = LABEL_WIDTH + BAR_WIDTH + FIGURE_WIDTH
    height = ROW_HEIGHT * (len(shares) + 1) + 4
    svg = ET.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg",
        "class": "chart",
        "width": str(width),
        "height": str(height),
        "viewBox": f"0 0 {width} {height}",
        "role": "img",
        "font-family": FONT_FAMILY,
        "font-size": str(FONT_SIZE),
    })
    ET.SubElement(svg, "title").text = "Share of applicable accounts that pass each box"
    for row, share in enumerate(shares):
        top = row * ROW_HEIGHT + 4
        text_y = _number(top + BAR_HEIGHT - 3)
        label = ET.SubElement(svg, "text", {"x": "0", "y": text_y})
        label.text = share.title
        ET.SubElement(svg, "rect", {
            "x": str(LABEL_WIDTH), "y": str(top), "width": str(BAR_WIDTH), "height": str(BAR_HEIGHT),
            "fill": COLOURS["track"],
        })
        passed, failed, errors = _widths(share)
        x = _segment(svg, LABEL_WIDTH, top, passed, COLOURS["pass"])
        x = _segment(svg, x, top, failed, COLOURS["fail"])
        _segment(svg, x, top, errors, COLOURS["error"])
        figure = ET.SubElement(svg, "text", {
            "x": str(width), "y": text_y, "text-anchor": "end", "font-weight": "bold",
        })
        figure.text = percent(share.passed, share.applicable)
    _legend(svg, ROW_HEIGHT * len(shares) + 8)
    return Markup(ET.tostring(svg, encoding="unicode"))  # noqa: S704 - ElementTree escaped every value
