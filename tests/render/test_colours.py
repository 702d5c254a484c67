"""The status colours read apart for colour-blind readers too, and keep their text legible; the browser
prints them as they are (the symbols and words stay beside them: see test_report and test_filters)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from scanner.render import render_reports
from scanner.render.charts import COLOURS
from scanner.render.environment import TEMPLATES
from tests.render.conftest import make_run, previous_baseline

# Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB.
VISIONS: dict[str, tuple[tuple[float, float, float], ...]] = {
    "typical": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}
CSS = (TEMPLATES / "report.css").read_text(encoding="utf-8")


def _linear(hex_colour: str) -> tuple[float, ...]:
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    return tuple(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)


def _seen(hex_colour: str, vision: str) -> tuple[float, ...]:
    colour = _linear(hex_colour)
    return tuple(min(1.0, max(0.0, sum(w * c for w, c in zip(row, colour, strict=True))))
                 for row in VISIONS[vision])


def _lab(rgb: tuple[float, ...]) -> tuple[float, float, float]:
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def difference(a: str, b: str, vision: str) -> float:
    """CIE76 colour difference as a reader with `vision` sees the two colours."""
    return float(sum((p - q) ** 2 for p, q in zip(_lab(_seen(a, vision)), _lab(_seen(b, vision)), strict=True))
                 ** 0.5)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio."""
    def luminance(colour: str) -> float:
        r, g, b = _linear(colour)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def fill(selector: str) -> tuple[str, str]:
    """(background, text colour) of a status rule of report.css."""
    rule = re.search(rf"^{re.escape(selector)} {{ background: (#[0-9a-f]{{6}}); color: (#[0-9a-f]{{6}}); }}",
                     CSS, re.M)
    assert rule is not None, selector
    return rule.group(1), rule.group(2)


@pytest.mark.parametrize("vision", VISIONS)
def test_pass_and_fail_fills_read_apart_in_every_vision(vision: str) -> None:
    passed, failed, accepted = fill(".pass")[0], fill(".fail")[0], fill(".acc")[0]
    assert difference(passed, failed, vision) >= 20
    assert difference(passed, accepted, vision) >= 15  # an accepted FAIL never passes for a PASS
    assert difference(failed, fill(".error")[0], vision) >= 15


@pytest.mark.parametrize("vision", VISIONS)
def test_the_share_chart_bars_read_apart_in_every_vision(vision: str) -> None:
    assert difference(COLOURS["pass"], COLOURS["fail"], vision) >= 40
    assert difference(COLOURS["pass"], COLOURS["error"], vision) >= 20


@pytest.mark.parametrize("status", [".pass", ".fail", ".na", ".error", ".acc"])
def test_status_text_is_legible_on_its_fill(status: str) -> None:
    background, text = fill(status)
    assert contrast(background, text) >= 4.5


def test_colours_are_printed_as_they_are() -> None:
    html_rule = re.search(r"^html \{(.*?)\}", CSS, re.M | re.S)
    assert html_rule is not None
    assert re.search(r"(?<![-\w])print-color-adjust: exact;", html_rule.group(1))  # tests/browser: applied
    assert "-webkit-print-color-adjust: exact;" in html_rule.group(1)


def test_the_pdf_renderer_has_nothing_to_warn_about(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    run = make_run(tmp_path, baseline=previous_baseline())
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_reports(run.folder, run.results, run.frames)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
