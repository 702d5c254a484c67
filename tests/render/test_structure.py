"""From frames to report records: grouping, ranking, shares, fixes and the accounts not assessed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scanner.checks.catalog import BOXES, BY_ID
from scanner.models import Status
from scanner.render.records import Report
from scanner.render.sources import read_report_times
from scanner.render.structure import MISSING_FINDING, build_report, paper_size
from scanner.scoring import scorecard_frame
from tests.render.conftest import (
    ACCESS_ERROR,
    ASSESSED,
    RUN_INFO,
    STARTED,
    SUSPENDED,
    UNREACHABLE,
    WITHOUT_REPORT_TIME,
    HandMadeRun,
)


def _report(run: HandMadeRun, paper: str = "A4") -> Report:
    assessed = list(ASSESSED)
    return build_report(run.folder.read_run_info(), run.results, run.frames,
                        read_report_times(run.folder, assessed), paper=paper)


def test_matrix_has_every_account_once_grouped_by_sorted_ou_path(run: HandMadeRun) -> None:
    report = _report(run)
    paths = [g.ou_path for g in report.matrix]
    assert paths == ["(no OU path)", "Root", "Root/Dev", "Root/Legacy", "Root/Prod"]
    ids = [row.account_id for g in report.matrix for row in g.rows]
    assert sorted(ids) == sorted([*ASSESSED, UNREACHABLE, SUSPENDED])
    for group in report.matrix:
        assert [r.account_id for r in group.rows] == sorted(r.account_id for r in group.rows)


def test_matrix_rows_carry_each_box_status_in_box_order(run: HandMadeRun) -> None:
    rows = {row.account_id: row for g in _report(run).matrix for row in g.rows}
    for account_id, (_, _, statuses) in ASSESSED.items():
        assert rows[account_id].statuses == tuple(s.value for s in statuses)
    assert rows[UNREACHABLE].statuses == (Status.ERROR.value,) * len(BOXES)
    assert rows[SUSPENDED].statuses == ()
    assert rows[SUSPENDED].note == "skipped (SUSPENDED)"


def test_unreachable_and_skipped_accounts_are_listed_not_scored(run: HandMadeRun) -> None:
    report = _report(run)
    assert [(u.account_id, u.code, u.message) for u in report.unassessed] == [
        (UNREACHABLE, "AccessDenied", ACCESS_ERROR.split(": ", 1)[1])
    ]
    assert [(s.account_id, s.account_status) for s in report.skipped] == [(SUSPENDED, "SUSPENDED")]
    carded = {c.account_id for g in report.scorecards for c in g.cards}
    assert carded == set(ASSESSED)
    assert report.cover.coverage.discovered == 8
    assert report.cover.coverage.assessed == 6
    assert report.cover.coverage.unassessed == 1
    assert report.cover.coverage.skipped == 1


def test_shares_count_error_as_applicable_and_not_passed(run: HandMadeRun) -> None:
    shares = {s.check_id: s for s in _report(run).cover.shares}
    keys = shares["root-access-keys"]
    # PASS: 111, 555; FAIL: 222, 666; N/A: 333; ERROR: 444 and the unreachable 777.
    assert (keys.passed, keys.failed, keys.not_applicable, keys.errors) == (2, 2, 1, 2)
    assert keys.applicable == 6


def test_worst_accounts_come_first_and_only_assessed_ones_with_an_applicable_box(run: HandMadeRun) -> None:
    worst = _report(run).cover.worst
    assert [w.account_id for w in worst] == [
        "222222222222", "444444444444", "666666666666", "555555555555", "111111111111"]
    assert worst[0].failing == ("Root access keys", "Root MFA", "Individual users", "Groups for permissions",
                                "Password policy")
    assert worst[-1].failing == ()


def test_each_box_carries_its_fix_once_from_the_catalog(run: HandMadeRun) -> None:
    report = _report(run)
    for heading in report.boxes:
        assert (heading.fix_console, heading.fix_cli) == (BY_ID[heading.check_id].console,
                                                          BY_ID[heading.check_id].cli)
    cards = {c.account_id: c for g in report.scorecards for c in g.cards}
    for account_id, card in cards.items():
        for box, status in zip(card.boxes, ASSESSED[account_id][2], strict=True):
            assert box.status == status.value
            assert not hasattr(box, "console") and not hasattr(box, "cli")


def test_a_box_without_a_finding_is_an_error_never_clean(run: HandMadeRun) -> None:
    findings = run.frames.findings
    kept = findings[~((findings["account_id"] == "111111111111") & (findings["check_id"] == "root-mfa"))]
    frames = replace(run.frames, findings=kept.reset_index(drop=True), scorecard=scorecard_frame(kept))
    report = build_report(RUN_INFO, run.results, frames, {})
    card = next(c for g in report.scorecards for c in g.cards if c.account_id == "111111111111")
    mfa = next(b for b in card.boxes if b.check_id == "root-mfa")
    assert (mfa.status, mfa.detail) == (Status.ERROR.value, MISSING_FINDING)
    assert card.passed == 4


def test_dates_come_from_the_run_and_the_evidence(run: HandMadeRun) -> None:
    report = _report(run)
    assert report.document.created == STARTED
    assert report.times.without_report == (WITHOUT_REPORT_TIME,)
    assert report.times.earliest_report.startswith("2026-01-15T09:30:00")
    assert report.times.latest_report.startswith("2026-01-15T09:35:00")
    cards = {c.account_id: c for g in report.scorecards for c in g.cards}
    assert cards["222222222222"].report_generated == "2026-01-15T09:31:00Z"
    assert cards[WITHOUT_REPORT_TIME].report_generated == ""


def test_a_run_without_run_json_still_renders_records(run: HandMadeRun) -> None:
    report = build_report({}, run.results, run.frames, {})
    assert report.document.created == ""
    assert report.cover.organization_id == ""


def test_paper_sizes() -> None:
    assert paper_size("A4") == "A4"
    assert paper_size("letter") == "letter"
    assert paper_size(" Letter ") == "letter"
    with pytest.raises(ValueError, match="unknown paper size"):
        paper_size("A4; } body { display: none")
