"""The extended checks on the scorecards and in the methodology: right status, compact, and out of the boxes'
figures; references in the run's framework only."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from markupsafe import escape

from scanner.checks import EXTENDED, Framework, Thresholds
from scanner.checks.catalog import BOXES
from scanner.checks.extended_catalog import ACCOUNT_EXTENDED_IDS
from scanner.checks.severity import SEVERITY_SOURCE
from scanner.models import Status
from scanner.render import REPORT_HTML, REPORT_PDF, render_reports
from scanner.render.extended import MISSING_FINDING, SHORT_TITLES
from scanner.render.records import AccountCard, MatrixGroup, Report
from scanner.render.sources import read_report_times
from scanner.render.structure import build_report
from scanner.scoring import scorecard_frame
from tests.render.conftest import ASSESSED, SEEDED, SEEDED_EXTENDED, HandMadeRun, detail_for, make_run, pdf_reader

TITLES = {check.check_id: check.title for check in EXTENDED}


def _report(run: HandMadeRun) -> Report:
    return build_report(run.folder.read_run_info(), run.results, run.frames,
                        read_report_times(run.folder, list(ASSESSED)))


def _card(report: Report, account_id: str) -> AccountCard:
    return next(c for g in report.scorecards for c in g.cards if c.account_id == account_id)


def test_a_seeded_accounts_extended_checks_have_their_statuses(run: HandMadeRun) -> None:
    extended = _card(_report(run), SEEDED).extended
    assert extended.passed == 3 and extended.applicable == 7
    # CIS v7.0, the default, dropped "one active key": the line says so rather than show another version's id.
    assert extended.passing == ("Root not used\u00a0(2.7)", "One active key\u00a0(not in CIS v7.0)",
                                "Password reuse\u00a0(2.9)")
    assert extended.not_applicable == ("Console users' MFA\u00a0(2.10)", "No user policies\u00a0(2.13)",
                                       'No "*" on "*" policies\u00a0(2.14)', "Support role\u00a0(2.15)",
                                       "Expired certificates\u00a0(2.17)", "CloudShell full access\u00a0(2.20)",
                                       "Access Analyzer\u00a0(2.18)")
    listed = [(line.check_id, line.status, line.reference) for line in extended.listed]
    assert listed == [("root-hardware-mfa", "FAIL", "2.6"), ("access-keys-rotated", "FAIL", "2.12"),
                      ("unused-credentials", "ERROR", "2.11"), ("password-length", "FAIL", "2.8")]
    assert extended.listed[0].detail == detail_for(Status.FAIL, "root-hardware-mfa")


def test_extended_checks_stay_out_of_the_boxes_figures(run: HandMadeRun) -> None:
    """Dropping every extended finding changes no matrix row (but its CIS statuses), share, ranking or
    passed/applicable."""
    findings = run.frames.findings
    boxes_only = findings[findings["check_id"].isin([b.check_id for b in BOXES])].reset_index(drop=True)
    without = build_report(run.folder.read_run_info(), run.results,
                           replace(run.frames, findings=boxes_only, scorecard=scorecard_frame(boxes_only)), {})
    report = _report(run)
    def boxes_of(matrix: tuple[MatrixGroup, ...]) -> list[MatrixGroup]:
        return [replace(group, rows=tuple(replace(row, cis="") for row in group.rows)) for group in matrix]

    assert boxes_of(report.matrix) == boxes_of(without.matrix)
    assert {row.cis for group in without.matrix for row in group.rows} <= {"", "E" * len(ACCOUNT_EXTENDED_IDS)}
    assert report.cover.shares == without.cover.shares
    assert report.cover.worst == without.cover.worst
    card = _card(report, SEEDED)
    assert (card.passed, card.applicable) == (0, 5)
    # Without their findings, the extended checks are listed as ERROR, never as passing.
    missing = _card(without, SEEDED).extended
    assert missing.passed == 0 and {line.status for line in missing.listed} == {"ERROR"}
    assert missing.listed[0].detail == MISSING_FINDING


def test_references_follow_the_runs_framework(run: HandMadeRun) -> None:
    hub = build_report(run.folder.read_run_info(), run.results,
                       replace(run.frames, framework=Framework.SECURITY_HUB), {})
    assert hub.framework == "Security Hub"
    assert [b.references for b in hub.boxes] == ["IAM.4", "IAM.9", "", "IAM.2", "IAM.15, IAM.16"]
    extended = _card(hub, SEEDED).extended
    assert extended.passing == ("Root not used\u00a0(\u2014)", "One active key\u00a0(\u2014)",
                                "Password reuse\u00a0(IAM.16)")
    assert [line.reference for line in extended.listed] == ["IAM.6", "IAM.3", "IAM.22", "IAM.15"]
    assert {h.check_id: h.references for h in hub.extended}["root-not-used-recently"] == ""


def test_methodology_states_each_runs_threshold(run: HandMadeRun) -> None:
    stricter = replace(run.frames, thresholds=Thresholds(key_rotation_days=60, password_min_length=16))
    headings = {h.check_id: h for h in build_report({}, run.results, stricter, {}).extended}
    assert headings["access-keys-rotated"].threshold == "older than 60 days fails (key_rotation_days)"
    assert headings["password-length"].threshold == "at least 16 characters (password_min_length)"
    assert headings["root-not-used-recently"].threshold == "used within 30 days fails (root_use_days)"
    assert headings["single-active-key"].threshold == ""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    run = make_run(tmp_path_factory.mktemp("extended"))
    render_reports(run.folder, run.results, replace(run.frames, framework=Framework.CIS_V3))
    reader = pdf_reader((run.folder.path / REPORT_PDF).read_bytes())
    text = "\n".join(page.extract_text() for page in reader.pages)
    return (run.folder.path / REPORT_HTML).read_text(encoding="utf-8"), text


def _card_text(text: str, account_id: str) -> str:
    start = text.index(f"{account_id} \u2014 ")
    following = re.compile(r"^\d{12} \u2014 |^Accounts not assessed$", re.M).search(text, start + 1)
    return text[start:following.start() if following else len(text)]


def test_the_pdf_scorecard_lists_the_extended_checks_under_the_boxes(rendered: tuple[str, str]) -> None:
    card = _card_text(rendered[1], SEEDED)
    flat = re.sub(r"\s+", " ", card)
    assert "CIS AWS Foundations checks (CIS v3.0): 3 of 7 applicable pass: Root not used (1.7), One active key " \
           "(1.13), Password reuse (1.9) \u00b7 N/A: Console users' MFA (1.10), No user policies (1.15)" in flat
    for check_id, status in SEEDED_EXTENDED.items():
        if status in (Status.FAIL, Status.ERROR):
            symbol = "\u2717 FAIL" if status is Status.FAIL else "\u26a0 ERROR"
            assert re.search(rf"^{symbol} {re.escape(TITLES[check_id])} \(1\.\d+\) \u2014 {check_id} is ", card,
                             re.M), f"{check_id} missing from\n{card}"
    assert card.index("Apply an IAM password policy") < card.index("CIS AWS Foundations checks")
    # Every box and every extended check of an account whose checks all pass: one line for the fourteen.
    assert "CIS AWS Foundations checks (CIS v3.0): 14 of 14 applicable pass" in _card_text(rendered[1],
                                                                                         "111111111111")


def test_the_methodology_lists_the_extended_checks_with_thresholds_references_and_fixes(
        rendered: tuple[str, str]) -> None:
    html, text = rendered
    methodology = re.sub(r"\s+", " ", text[text.rindex("Methodology"):])
    for check in EXTENDED:
        assert check.title in methodology
        assert re.sub(r"\s+", " ", check.console) in methodology
    assert "older than 90 days fails (key_rotation_days)" in methodology
    # Only the chosen framework's ids: the five boxes' table shows CIS v3.0 and nothing else.
    # The severity sentence names Security Hub as where ratings come from, not as a framework's ids.
    section = html[html.index('id="methodology"'):].replace(str(escape(SEVERITY_SOURCE)), "")
    assert "<th>CIS v3.0</th>" in section and "CIS v5.0" not in section and "Security Hub" not in section
    for check in EXTENDED:
        assert f"<code>{escape(check.cli)}</code>" in section


def test_every_short_title_names_a_catalog_check() -> None:
    assert set(SHORT_TITLES) == {check.check_id for check in EXTENDED}



def test_the_organizations_check_is_on_the_summary_not_on_a_scorecard(run: HandMadeRun) -> None:
    report = _report(run)
    assert report.cover.root_access == "not collected in this run; Manage root access centrally (2.1.1): FAIL"
    management = _card(report, "111111111111").extended
    assert (management.passed, management.applicable) == (14, 14)
    assert all("root access" not in text for text in management.passing)
    elsewhere = build_report({**run.folder.read_run_info(), "management_account_id": "999999999999"}, run.results,
                             run.frames, {})
    assert elsewhere.cover.root_access == ("not collected in this run; Manage root access centrally (2.1.1) not "
                                           "assessed: the management account is not in this run")
