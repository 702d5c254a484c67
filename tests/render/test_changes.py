"""The "Changes since <date>" section and its trend chart: a first run, and a run with known changes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from scanner.audit.changes import Change, ChangeRow, ChangesView, change_counts
from scanner.checks import CHECK_IDS
from scanner.render import REPORT_HTML, REPORT_PDF, prepare_report, render_reports
from scanner.render.changes import STILL_FAILING_LIMIT, changes_section
from scanner.render.html import render_html
from scanner.render.records import FixRow, Trend, TrendSeries
from scanner.render.trend_chart import trend_chart
from tests.render.conftest import GONE, HOSTILE_NAME, PREVIOUS, make_run, pdf_reader, previous_baseline

SVG = "{http://www.w3.org/2000/svg}"
FIRST_RUN = "First recorded run: no earlier scan of this organization to compare with."


@pytest.fixture(scope="module")
def second(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    run = make_run(tmp_path_factory.mktemp("second"), baseline=previous_baseline())
    render_reports(run.folder, run.results, run.frames)
    reader = pdf_reader((run.folder.path / REPORT_PDF).read_bytes())
    return ((run.folder.path / REPORT_HTML).read_text(encoding="utf-8"),
            "\n".join(page.extract_text() for page in reader.pages))


def test_a_first_run_says_there_is_nothing_to_compare_with(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    report = prepare_report(run.folder, run.results, run.frames)
    assert report.changes.previous_started_at == ""
    assert report.changes.lines == ()
    assert report.changes.trend.labels == ("2026-01-15",)
    render_reports(run.folder, run.results, run.frames)
    html = (run.folder.path / REPORT_HTML).read_text(encoding="utf-8")
    section = html[html.index('id="changes"'):html.index('id="matrix"')]
    assert FIRST_RUN in section
    assert "Only this run is recorded so far" in section
    svg = ET.fromstring(section[section.index("<svg"):section.index("</svg>") + 6])  # noqa: S314 - own output
    assert len(list(svg.iter(f"{SVG}polyline"))) == 0  # one point per box, no line yet


def test_known_changes_are_counted_and_listed_most_significant_first(tmp_path: Path) -> None:
    run = make_run(tmp_path, baseline=previous_baseline())
    changes = prepare_report(run.folder, run.results, run.frames).changes
    assert changes.previous_started_at == PREVIOUS
    counts = {c.label: (c.boxes, c.accounts) for c in changes.counts}
    assert counts == {"new failure": (1, 1), "fixed": (1, 1), "still failing": (5, 2), "not assessed": (5, 1),
                      "new account": (5, 1), "account gone": (5, 1)}
    lines = [(line.account_id, line.box, line.change, line.before, line.now, line.summary) for line in changes.lines]
    assert lines == [
        ("222222222222", "Root access keys", "new failure", "PASS", "FAIL", ""),
        *(("444444444444", box, "not assessed", "PASS", "ERROR", "") for box in
          ("Root access keys", "Root MFA", "Individual users", "Groups for permissions", "Password policy")),
        ("666666666666", "all boxes", "new account", "", "", "now: 1 of 4 applicable boxes passed"),
        (GONE, "all boxes", "account gone", "", "", "before: 4 of 5 applicable boxes passed"),
    ]
    assert [(line.account_id, line.box, line.before, line.now) for line in changes.fixed_lines] == [
        ("111111111111", "Root MFA", "FAIL", "PASS")]
    assert changes.fixed == (FixRow("Root", (0, 1, 0, 0, 0), 1),)
    assert [(line.account_id, line.box) for line in changes.still_failing] == [
        *(("222222222222", box) for box in ("Root MFA", "Individual users", "Groups for permissions",
                                           "Password policy")),
        ("555555555555", "Root MFA"),
    ]
    assert changes.still_failing_total == 5
    anchors = {line.account_id: line.anchor for line in changes.lines}
    assert anchors["666666666666"] == "acct-666666666666" and anchors[GONE] == ""
    assert changes.trend.labels == ("2025-12-01", "2025-12-02", "2026-01-08", "2026-01-15")
    assert changes.trend.series[0].rates[-1] == pytest.approx(2 / 6)  # this run: 2 of 6 applicable pass


def test_the_changes_section_in_html_and_pdf(second: tuple[str, str]) -> None:
    html, text = second
    assert "Changes since 2026-01-08 09:30:00 UTC" in text
    assert FIRST_RUN not in text
    page = re.sub(r"\s+", " ", text[text.index("Changes since"):text.index("Organization matrix")])
    assert "222222222222 Dev Sandbox Root access keys new failure \u2713 PASS \u2717 FAIL" in page
    assert "999999999999 Retired all boxes account gone before: 4 of 5 applicable boxes passed" in page
    assert "1 box in 1 account" in page and "5 boxes in 1 account" in page
    section = html[html.index('id="changes"'):html.index('id="matrix"')]
    assert '<a href="#acct-666666666666">666666666666</a>' in section
    assert html.index('id="summary"') < html.index('id="changes"') < html.index('id="matrix"')


def test_the_trend_chart_is_inline_svg_with_a_line_per_box(second: tuple[str, str]) -> None:
    html = second[0]
    section = html[html.index('id="changes"'):html.index('id="matrix"')]
    svg = ET.fromstring(section[section.index("<svg"):section.index("</svg>") + 6])  # noqa: S314 - own output
    assert len(list(svg.iter(f"{SVG}polyline"))) == len(CHECK_IDS)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts[-len(CHECK_IDS):] == ["Root access keys", "Root MFA", "Individual users", "Groups for permissions",
                                       "Password policy"]
    assert "2026-01-08" in texts and "2026-01-15" in texts


def test_trend_labels_are_escaped_and_gaps_are_not_zero() -> None:
    trend = Trend(("2026-01-01", "<b>2026</b>", "2026-01-03"),
                  (TrendSeries("x", HOSTILE_NAME, (0.5, None, 1.0)), TrendSeries("y", "& Co", (0.0, 0.25, 0.5))))
    markup = str(trend_chart(trend))
    assert "<script" not in markup and "<b>" not in markup
    assert "&lt;script&gt;" in markup and "&lt;b&gt;2026&lt;/b&gt;" in markup and "&amp; Co" in markup
    svg = ET.fromstring(markup)  # noqa: S314 - own output
    polylines = list(svg.iter(f"{SVG}polyline"))
    assert len(polylines) == 1  # the gap splits x into two single points; y is one line of three
    assert len(polylines[0].get("points", "").split()) == 3


def _many(count: int, change: Change, before: str, now: str, ou: str = "Root") -> tuple[ChangeRow, ...]:
    return tuple(ChangeRow(f"{n:012d}", f"n{n}", ou, CHECK_IDS[n % len(CHECK_IDS)], change, before, now, "")
                 for n in range(count))


def _view(*rows: ChangeRow) -> ChangesView:
    return ChangesView("b", "2026-01-15T09:30:00Z", "a", PREVIOUS, rows, change_counts(rows), ())


def test_every_new_failure_and_every_new_error_is_listed_however_many() -> None:
    new_failures = _many(1200, Change.NEW_FAILURE, "PASS", "FAIL")
    errors = _many(300, Change.NOT_ASSESSED, "PASS", "ERROR", "Root/Prod")
    changes = changes_section(_view(*new_failures, *errors), {}, {})
    assert len(changes.lines) == 1500
    assert {line.change for line in changes.lines[:1200]} == {"new failure"}
    assert {line.change for line in changes.lines[1200:]} == {"not assessed"}


def test_fixes_are_counted_by_ou_and_box_and_listed_in_full() -> None:
    fixes = (*_many(7, Change.FIXED, "FAIL", "PASS", "Root/Prod"), *_many(3, Change.FIXED, "FAIL", "N/A", "Root"))
    changes = changes_section(_view(*fixes), {}, {})
    assert changes.lines == ()
    assert changes.fixed == (FixRow("Root", (1, 1, 1, 0, 0), 3), FixRow("Root/Prod", (2, 2, 1, 1, 1), 7))
    assert len(changes.fixed_lines) == 10


def test_only_still_failing_is_capped_and_the_count_is_kept() -> None:
    still = _many(STILL_FAILING_LIMIT + 7, Change.STILL_FAILING, "FAIL", "FAIL")
    changes = changes_section(_view(*still, *_many(2, Change.NEW_FAILURE, "PASS", "FAIL")), {}, {})
    assert len(changes.still_failing) == STILL_FAILING_LIMIT
    assert changes.still_failing_total == STILL_FAILING_LIMIT + 7
    assert len(changes.lines) == 2


def test_the_report_lists_every_change_and_says_what_is_capped(tmp_path: Path) -> None:
    run = make_run(tmp_path, baseline=previous_baseline())
    report = prepare_report(run.folder, run.results, run.frames)
    rows = (*_many(60, Change.NEW_FAILURE, "PASS", "FAIL"), *_many(45, Change.FIXED, "FAIL", "PASS", "Root/Dev"),
            *_many(STILL_FAILING_LIMIT + 3, Change.STILL_FAILING, "FAIL", "FAIL"))
    report = replace(report, changes=changes_section(_view(*rows), {}, {}))
    html = render_html(report)
    section = html[html.index('id="changes"'):html.index('id="matrix"')]
    assert section.count(">new failure</td>") == 60
    assert f"The {STILL_FAILING_LIMIT} first of {STILL_FAILING_LIMIT + 3} boxes still failing" in section
    assert '<a href="#fixes">' in section and ">fixed</td>" not in section
    appendix = html[html.index('id="fixes"'):]
    assert appendix.count(">fixed</td>") == 45
    assert "45 boxes fixed" in section


def test_names_in_the_changes_table_stay_text(second: tuple[str, str]) -> None:
    html = second[0]
    section = html[html.index('id="changes"'):html.index('id="matrix"')]
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in section
    assert "<script" not in section and "<script>alert" not in html
