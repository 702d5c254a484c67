"""Accepted risks in the report: still FAIL everywhere, with the acceptance in words, a marker in the matrix,
and a register section that flags expired entries."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from scanner.render import REPORT_HTML, REPORT_PDF, prepare_report, render_reports
from scanner.render.records import Report
from tests.render.conftest import SEEDED, make_run, pdf_reader, previous_baseline

EXCEPTIONS = """\
[[exception]]
account_id = "222222222222"
check_id = "root-mfa"
justification = "Break-glass account, token in the safe"
owner = "alice@example.com"
expires = 2027-06-30

[[exception]]
account_id = "*"
check_id = "password-policy"
justification = "Federated through IAM Identity Center"
owner = "bob@example.com"
expires = 2025-12-31

[[exception]]
account_id = "222222222222"
check_id = "access-keys-rotated"
justification = "<b>CI key</b> rotation automated next sprint"
owner = "carol@example.com"
expires = 2026-03-31
"""
MFA_LABEL = "accepted until 2027-06-30, alice@example.com, Break-glass account, token in the safe"
KEYS_LABEL = "accepted until 2026-03-31, carol@example.com, <b>CI key</b> rotation automated next sprint"


@dataclass(frozen=True)
class Accepted:
    report: Report
    html: str
    text: str


@pytest.fixture(scope="module")
def accepted(tmp_path_factory: pytest.TempPathFactory) -> Accepted:
    run = make_run(tmp_path_factory.mktemp("accepted"), exceptions=EXCEPTIONS)
    report = prepare_report(run.folder, run.results, run.frames)
    render_reports(run.folder, run.results, run.frames)
    reader = pdf_reader((run.folder.path / REPORT_PDF).read_bytes())
    return Accepted(report, (run.folder.path / REPORT_HTML).read_text(encoding="utf-8"),
                    "\n".join(page.extract_text() for page in reader.pages))


def test_an_accepted_fail_is_still_a_fail_and_counts_as_one(accepted: Accepted) -> None:
    card = next(c for g in accepted.report.scorecards for c in g.cards if c.account_id == SEEDED)
    mfa = next(b for b in card.boxes if b.check_id == "root-mfa")
    assert (mfa.status, mfa.accepted) == ("FAIL", MFA_LABEL)
    assert (card.passed, card.applicable) == (0, 5)
    password = next(b for b in card.boxes if b.check_id == "password-policy")
    assert (password.status, password.accepted) == ("FAIL", "")  # its exception has expired
    keys = next(line for line in card.extended.listed if line.check_id == "access-keys-rotated")
    assert (keys.status, keys.accepted) == ("FAIL", KEYS_LABEL)
    row = next(r for g in accepted.report.matrix for r in g.rows if r.account_id == SEEDED)
    assert row.statuses[1] == "FAIL" and row.accepted == (False, True, False, False, False)
    shares = {s.check_id: s for s in accepted.report.cover.shares}
    assert (shares["root-mfa"].passed, shares["root-mfa"].failed) == (1, 2)


def test_the_scorecard_says_fail_accepted_in_html_and_pdf(accepted: Accepted) -> None:
    flat = re.sub(r"\s+", " ", accepted.text)
    assert f"\u2717 FAIL ({MFA_LABEL}) \u2691 Activate MFA on your root account \u2014 " in flat
    assert f"\u2717 FAIL ({KEYS_LABEL}) \u2691 Rotate access keys (2.12) \u2014 " in flat
    assert "FAIL (accepted until 2027-06-30, alice@example.com, Break-glass account, token in the safe)" \
           in accepted.html
    assert "&lt;b&gt;CI key&lt;/b&gt;" in accepted.html and "<b>CI key" not in accepted.html


def test_the_matrix_marks_an_accepted_fail_apart_from_pass(accepted: Accepted) -> None:
    matrix = accepted.html[accepted.html.index('id="matrix"'):accepted.html.index('id="scorecards"')]
    assert '<td class="fail acc">\u2717 FAIL &#x2691;</td>' in matrix
    assert "accepted as a risk" in matrix  # the legend
    line = next(t for t in accepted.text.splitlines() if t.startswith(f"{SEEDED} Dev Sandbox \u2717"))
    assert line == f"{SEEDED} Dev Sandbox \u2717 FAIL \u2717 FAIL \u2691 \u2717 FAIL \u2717 FAIL \u2717 FAIL 0/5"


def test_the_register_lists_active_and_flags_expired_entries(accepted: Accepted) -> None:
    risks = accepted.report.risks
    assert risks.evaluated_on == "2026-01-15" and risks.accepted == 2
    assert [(r.entry, r.account, r.expired, r.covered) for r in risks.lines] == [
        (1, SEEDED, False, (SEEDED,)), (2, "every account", True, ()), (3, SEEDED, False, (SEEDED,))]
    assert accepted.report.cover.risks.expired == 1
    section = re.sub(r"\s+", " ", accepted.text[accepted.text.index("Accepted risks\n"):])
    assert "\u26a0 EXPIRED" in section
    assert "Expired on 2025-12-31: no longer applies; 2 failures it matches are shown as plain FAIL" in section
    assert "2 failures are covered by an exception in force on 2026-01-15" in section
    cover = re.sub(r"\s+", " ", accepted.text[:accepted.text.index("Share of applicable")])
    assert "2 failures accepted as risks, still counted as FAIL; 1 exception expired" in cover


def test_without_a_register_the_section_says_so(tmp_path_factory: pytest.TempPathFactory) -> None:
    run = make_run(tmp_path_factory.mktemp("none"))
    report = prepare_report(run.folder, run.results, run.frames)
    assert report.risks.lines == () and report.cover.risks.entries == 0
    assert all(not row.accepted for g in report.matrix for row in g.rows)


def test_a_run_with_changes_and_accepted_risks_renders_the_same_bytes_twice(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    outputs = []
    for name in ("one", "two"):
        run = make_run(tmp_path_factory.mktemp(name), exceptions=EXCEPTIONS, baseline=previous_baseline())
        render_reports(run.folder, run.results, run.frames)
        outputs.append(((run.folder.path / REPORT_HTML).read_bytes(), (run.folder.path / REPORT_PDF).read_bytes()))
    assert outputs[0] == outputs[1]
