"""In a large organization's report only accounts with something failing get a full scorecard; every other
assessed account is one line, where the matrix's link still lands."""

from __future__ import annotations

import re
from pathlib import Path

from scanner.render.html import render_html
from scanner.render.pdf import render_pdf
from scanner.render.structure import COMPACT_FROM, build_report
from tests.render.conftest import ASSESSED, RUN_INFO, HandMadeRun, pdf_reader

CLEAN = {"111111111111", "333333333333"}  # every box and every CIS check passes or does not apply


def test_a_small_organization_keeps_every_scorecard(run: HandMadeRun) -> None:
    assert len(run.results) < COMPACT_FROM
    report = build_report(RUN_INFO, run.results, run.frames, {})
    assert {c.account_id for g in report.scorecards for c in g.cards} == set(ASSESSED)
    assert report.clean == ()


def test_above_the_threshold_clean_accounts_are_one_line_each(run: HandMadeRun) -> None:
    report = build_report(RUN_INFO, run.results, run.frames, {}, compact_from=len(run.results))
    assert {c.account_id for g in report.scorecards for c in g.cards} == set(ASSESSED) - CLEAN
    assert [(a.account_id, a.ou_path, a.passed, a.applicable) for a in report.clean] == [
        ("111111111111", "Root", 5, 5), ("333333333333", "Root/Prod", 0, 0)]
    assert all(a.extended_passed == a.extended_applicable for a in report.clean)


def test_every_matrix_link_lands_on_a_scorecard_or_a_line(run: HandMadeRun, tmp_path: Path) -> None:
    report = build_report(RUN_INFO, run.results, run.frames, {}, compact_from=len(run.results))
    html = render_html(report)
    targets = set(re.findall(r'\bid="([^"]+)"', html))
    links = set(re.findall(r'href="#([^"]+)"', html))
    assert links and links <= targets
    text = "\n".join(page.extract_text() for page in pdf_reader(render_pdf(html)).pages)
    section = text[text.index("Accounts with nothing failing"):]
    assert re.search(r"^111111111111 Management Root 5/5 (\d+)/\1$", section, re.M)
    assert re.search(r"^333333333333 GovCloud Bridge Root/Prod 0/0 (\d+)/\1$", section, re.M)
    assert "111111111111 \u2014 Management" not in text  # no scorecard heading
