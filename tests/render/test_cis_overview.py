"""The summary's CIS checks across the organization: counts as findings.csv has them, and the fix-first list."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pandas as pd
from markupsafe import escape

from scanner.checks import EXTENDED, Framework, references_for
from scanner.checks.severity import SEVERITY, SEVERITY_SOURCE, Severity
from scanner.models import Finding, Status
from scanner.output.csv_export import to_csv_bytes
from scanner.render import REPORT_HTML, REPORT_PDF, render_reports
from scanner.render.cis_overview import FIX_FIRST_LIMIT, check_tallies, fix_first
from scanner.render.sources import read_report_times
from scanner.render.structure import anchor_for, build_report
from scanner.scoring import findings_export, findings_frame
from tests.render.conftest import ASSESSED, HandMadeRun, make_run, pdf_reader


def test_the_tables_counts_equal_findings_csvs(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    render_reports(run.folder, run.results, run.frames)
    findings_csv = to_csv_bytes(findings_export(run.frames.findings)).decode("utf-8")
    counted = Counter((row["check_id"], row["status"]) for row in csv.DictReader(io.StringIO(findings_csv)))
    report = build_report(run.folder.read_run_info(), run.results, run.frames,
                          read_report_times(run.folder, list(ASSESSED)))
    tallies = report.cover.cis_checks
    assert sorted(t.check_id for t in tallies) == sorted(c.check_id for c in EXTENDED)
    for tally in tallies:
        assert (tally.passed, tally.failed, tally.errors, tally.not_applicable) == (
            counted[tally.check_id, "PASS"], counted[tally.check_id, "FAIL"],
            counted[tally.check_id, "ERROR"], counted[tally.check_id, "NOT_APPLICABLE"]), tally.check_id
        assert tally.severity == SEVERITY[tally.check_id].value.capitalize()
        assert tally.reference == (references_for(tally.check_id, Framework.CIS_V7) or "\u2014")
    failing = [t for t in tallies if t.failed]
    assert tallies[:len(failing)] == tuple(failing)  # failing first
    order = list(SEVERITY_ORDER)
    keys = [(order.index(t.severity), -t.failed) for t in failing]
    assert keys == sorted(keys)
    passing_ids = [t.check_id for t in tallies[len(failing):]]
    assert passing_ids == [c.check_id for c in EXTENDED if c.check_id in passing_ids]  # then catalog order
    html = (run.folder.path / REPORT_HTML).read_text(encoding="utf-8")
    assert "CIS checks across the organization" in html and "Fix first" in html
    text = "".join(page.extract_text() for page in pdf_reader((run.folder.path / REPORT_PDF).read_bytes()).pages)
    assert "CIS checks across the organization" in text and "Fix first" in text


SEVERITY_ORDER = ("Critical", "High", "Medium", "Low", "Informational")


def test_accepted_risks_still_count_as_fail(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    frame = run.frames.findings.copy()
    frame["accepted"] = ""
    frame.loc[frame["status"] == "FAIL", "accepted"] = "accepted until 2026-12-31"
    before = {t.check_id: t.failed for t in check_tallies(run.frames.findings, Framework.CIS_V7)}
    after = {t.check_id: t.failed for t in check_tallies(frame, Framework.CIS_V7)}
    assert before == after and sum(after.values()) > 0


def _failing(account_id: str, check_id: str) -> Finding:
    return Finding(account_id, check_id, Status.FAIL, "fails")


def test_fix_first_is_critical_then_high_in_catalog_order_and_capped() -> None:
    serious = [c.check_id for c in EXTENDED if SEVERITY[c.check_id] in (Severity.CRITICAL, Severity.HIGH)]
    accounts = [f"{n:012d}" for n in range(100000000001, 100000000011)]
    findings = [_failing(a, c) for a in reversed(accounts) for c in reversed(serious)]
    findings.append(_failing(accounts[0], "password-length"))  # medium: never listed
    findings.append(Finding(accounts[0], "root-mfa", Status.FAIL, "a box, not a CIS check"))
    frame = pd.DataFrame([{"account_id": f.account_id, "check_id": f.check_id, "status": f.status.value}
                          for f in findings])
    lines, more = fix_first(frame, anchor_for)
    assert len(lines) == FIX_FIRST_LIMIT == 15
    assert more == len(accounts) * len(serious) - FIX_FIRST_LIMIT
    ranks = [(SEVERITY_ORDER.index(line.severity), serious.index(line.check_id), line.account_id) for line in lines]
    assert ranks == sorted(ranks)
    assert lines[0].severity == "Critical" and lines[0].account_id == accounts[0]
    assert lines[0].anchor == anchor_for(accounts[0])
    assert {line.check_id for line in lines} <= set(serious)


def test_fix_first_from_the_hand_made_run_links_to_scorecards(run: HandMadeRun) -> None:
    lines, more = fix_first(run.frames.findings, anchor_for)
    assert more == 0
    assert [(line.account_id, line.check_id) for line in lines] == [("222222222222", "root-hardware-mfa")]
    render_reports(run.folder, run.results, run.frames)
    html = (run.folder.path / REPORT_HTML).read_text(encoding="utf-8")
    assert f'<a href="#{anchor_for("222222222222")}">222222222222</a>' in html


def test_the_methodology_says_where_severities_come_from(run: HandMadeRun) -> None:
    assert "orgscan's rating" in SEVERITY_SOURCE and "Security Hub" in SEVERITY_SOURCE
    render_reports(run.folder, run.results, run.frames)
    html = (run.folder.path / REPORT_HTML).read_text(encoding="utf-8")
    methodology = html[html.index('id="methodology"'):]
    assert str(escape(SEVERITY_SOURCE)) in methodology


def test_more_than_the_cap_points_to_findings_csv(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    serious = [c.check_id for c in EXTENDED if SEVERITY[c.check_id] in (Severity.CRITICAL, Severity.HIGH)]
    extra = [_failing(a, c) for a in ASSESSED for c in serious]
    frames = replace(run.frames, findings=findings_frame(run.results, extra))
    _, more = fix_first(frames.findings, anchor_for)
    assert more == len(extra) - FIX_FIRST_LIMIT > 0
    render_reports(run.folder, run.results, frames)
    html = (run.folder.path / REPORT_HTML).read_text(encoding="utf-8")
    cover = html[:html.index('id="methodology"')]
    assert f"and {more} more (findings.csv)" in cover
    assert cover.count('<tr><td><a href="#acct-') - len(ASSESSED) <= FIX_FIRST_LIMIT
