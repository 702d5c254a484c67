"""Nothing in report.pdf is printed smaller than 7.5 pt: every text run of every page is measured."""

from __future__ import annotations

from pathlib import Path

from scanner.render import REPORT_PDF, render_reports
from tests.render.conftest import make_run, pdf_reader, previous_baseline

SMALLEST_PT = 7.5


def _printed_sizes(pdf: bytes) -> dict[float, str]:
    """Each size text is printed at (font size times the text and graphics matrices' scale), with an example."""
    sizes: dict[float, str] = {}
    for page in pdf_reader(pdf).pages:
        def visit(text: str, cm: list[float], tm: list[float], font: object, font_size: float) -> None:
            if not text.strip():
                return
            scale = (abs(tm[0] * tm[3] - tm[1] * tm[2]) * abs(cm[0] * cm[3] - cm[1] * cm[2])) ** 0.5
            sizes.setdefault(round(font_size * scale, 2), text.strip()[:60])

        page.extract_text(visitor_text=visit)
    return sizes


def test_no_text_is_smaller_than_7_5_pt(tmp_path: Path) -> None:
    run = make_run(tmp_path, baseline=previous_baseline())  # changes, the trend chart and every status
    render_reports(run.folder, run.results, run.frames)
    sizes = _printed_sizes((run.folder.path / REPORT_PDF).read_bytes())
    assert len(sizes) > 3  # the measure sees the different sizes
    small = {size: text for size, text in sizes.items() if size < SMALLEST_PT - 0.01}
    assert small == {}
