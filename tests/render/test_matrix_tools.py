"""The matrix tools of report.html, as markup: one pinned script, its controls hidden until it runs, the
OU choices counted with their sub-OUs. tests/browser/ drives the same page in Chromium."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

from scanner.checks import Framework
from scanner.checks.extended_catalog import ACCOUNT_EXTENDED_IDS
from scanner.models import Status
from scanner.render import prepare_report
from scanner.render.environment import TEMPLATES
from scanner.render.html import render_html
from scanner.render.records import OuChoice, Report
from scanner.render.structure import build_report, cis_letters, matrix_checks, ou_choices
from tests.render.conftest import (
    ASSESSED,
    HOSTILE_NAME,
    RUN_INFO,
    SEEDED,
    SEEDED_EXTENDED,
    SUSPENDED,
    UNREACHABLE,
    HandMadeRun,
    make_run,
    previous_baseline,
)

SCRIPT_RE = re.compile(r"<script>(.*?)</script>", re.S)
CSP_RE = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


def _report(run: HandMadeRun) -> Report:
    return build_report(RUN_INFO, run.results, run.frames, {})


def test_the_one_script_is_the_template_asset_pinned_by_its_hash(run: HandMadeRun) -> None:
    html = render_html(_report(run))
    assert len(re.findall(r"<script\b", html)) == 1
    script = SCRIPT_RE.search(html)
    assert script is not None
    assert script.group(1) == (TEMPLATES / "matrix.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode("utf-8")).digest()).decode("ascii")
    policy = CSP_RE.search(html)
    assert policy is not None
    directives = dict(d.strip().split(" ", 1) for d in policy.group(1).split(";") if d.strip())
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == f"'sha256-{digest}'"
    assert directives["style-src"] == "'unsafe-inline'"
    # The policy comes before anything it governs.
    assert html.index("Content-Security-Policy") < html.index("<style>") < html.index("<script>")


def test_the_controls_are_hidden_until_the_script_shows_them(run: HandMadeRun) -> None:
    html = render_html(_report(run))
    tools = re.search(r'<div class="tools" id="matrix-tools" role="search" hidden>(.*?)</div>', html, re.S)
    assert tools is not None
    assert '<input type="search" id="matrix-search"' in tools.group(1)


def test_every_row_keeps_the_full_name_and_its_score(run: HandMadeRun, tmp_path: Path) -> None:
    html = render_html(_report(run))
    matrix = html[html.index('id="matrix"'):html.index('id="scorecards"')]
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Ops, \u202eevil"
    assert f'title="{escaped}"' in matrix
    assert HOSTILE_NAME not in matrix
    assert '<tr id="m-acct-555555555555" data-passed="2" data-applicable="4" data-cis="PPPPPPPPPPPPPP">' \
        in matrix  # boxes P F N E P, every CIS check passing


def test_ou_choices_count_every_account_below_them(run: HandMadeRun) -> None:
    choices = _report(run).ou_choices
    ous = {account_id: ou for account_id, (_, ou, _) in ASSESSED.items()}
    ous[UNREACHABLE] = ous[SUSPENDED] = "Root/Legacy"
    assert choices == (
        OuChoice("", "(no OU path)", sum(1 for ou in ous.values() if ou == "")),
        OuChoice("Root", "Root", sum(1 for ou in ous.values() if ou == "Root" or ou.startswith("Root/"))),
        OuChoice("Root/Dev", "Root/Dev", 1),
        OuChoice("Root/Legacy", "Root/Legacy", 2),
        OuChoice("Root/Prod", "Root/Prod", 3),
    )


def test_an_ou_with_only_sub_ous_is_a_choice_too() -> None:
    paths = ["Root/Workloads/Prod", "Root/Workloads/Prod", "Root/Workloads/Dev/Team A", "root/lower"]
    assert ou_choices(paths) == (
        OuChoice("Root", "Root", 3),
        OuChoice("root", "root", 1),
        OuChoice("root/lower", "root/lower", 1),
        OuChoice("Root/Workloads", "Root/Workloads", 3),
        OuChoice("Root/Workloads/Dev", "Root/Workloads/Dev", 1),
        OuChoice("Root/Workloads/Dev/Team A", "Root/Workloads/Dev/Team A", 1),
        OuChoice("Root/Workloads/Prod", "Root/Workloads/Prod", 2),
    )


class _ClippedCells(HTMLParser):
    """Every table cell whose text was shortened (ends with an ellipsis), with its title."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str | None, str]] = []
        self._open: list[tuple[str | None, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("td", "th"):
            self._open.append((dict(attrs).get("title"), []))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._open:
            title, text = self._open.pop()
            shown = "".join(text).strip()
            if shown.endswith("\u2026"):
                self.cells.append((title, shown))

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][1].append(data)


def test_every_shortened_name_shows_in_full_on_hover(tmp_path: Path) -> None:
    run = make_run(tmp_path, baseline=previous_baseline())
    long_name = "Payments Platform Production Europe West Shared 01"  # 50 characters, as AWS allows
    results = [replace(r, account=replace(r.account, account_name=long_name))
               if r.account.account_id == "222222222222" else r for r in run.results]
    frames = replace(run.frames, findings=run.frames.findings.assign(
        account_name=run.frames.findings.account_name.where(run.frames.findings.account_id != "222222222222",
                                                           long_name)))
    parser = _ClippedCells()
    parser.feed(render_html(prepare_report(run.folder, results, frames)))
    assert len(parser.cells) >= 3  # the matrix, the worst accounts, the changes
    for title, shown in parser.cells:
        assert title is not None and title.startswith(shown.rstrip("\u2026")), shown
    assert (long_name, long_name[:31].rsplit(" ", 1)[0] + "\u2026") in parser.cells


LETTER = {"PASS": "P", "FAIL": "F", "NOT_APPLICABLE": "N", "ERROR": "E"}


def test_each_row_carries_its_cis_statuses_in_the_order_the_table_names_the_checks(run: HandMadeRun) -> None:
    report = _report(run)
    html = render_html(report)
    assert f'<table class="matrix" id="matrix-table" data-cis="{" ".join(ACCOUNT_EXTENDED_IDS)}">' in html
    rows = {r.account_id: r for g in report.matrix for r in g.rows}
    assert rows[SEEDED].cis == "".join(LETTER[s.value] for s in SEEDED_EXTENDED.values()) == "FPNFEPFPNNNNNN"
    assert rows[UNREACHABLE].cis == "E" * len(ACCOUNT_EXTENDED_IDS)
    assert rows[SUSPENDED].cis == ""
    assert f'<tr id="m-acct-{SUSPENDED}">' in html  # a skipped account has no statuses to carry
    assert f'data-cis="{rows[SEEDED].cis}"' in html


def test_an_accepted_cis_fail_is_a_letter_of_its_own_and_a_missing_finding_an_error() -> None:
    index = {("1", check_id): (Status.PASS.value, "") for check_id in ACCOUNT_EXTENDED_IDS}
    index[("1", "access-keys-rotated")] = (Status.FAIL.value, "old key")
    index[("1", "password-length")] = (Status.FAIL.value, "short")
    del index[("1", "access-analyzer")]
    letters = cis_letters("1", index, {("1", "access-keys-rotated"): "accepted until 2026-03-31"})
    assert letters[ACCOUNT_EXTENDED_IDS.index("access-keys-rotated")] == "A"
    assert letters[ACCOUNT_EXTENDED_IDS.index("password-length")] == "F"
    assert letters[ACCOUNT_EXTENDED_IDS.index("access-analyzer")] == "E"
    assert letters.count("P") == len(ACCOUNT_EXTENDED_IDS) - 3


def test_the_cis_choices_follow_the_runs_framework() -> None:
    v7 = {c.check_id: c for c in matrix_checks(Framework.CIS_V7)}
    assert (v7["root-not-used-recently"].label, v7["root-not-used-recently"].heading) == \
        ("2.7 Do not use the root user", "2.7 Root not used")
    assert v7["single-active-key"].label == "Keep one active access key per user (not in CIS v7.0)"
    assert matrix_checks(Framework.CIS_V5)[1].label == "1.6 Do not use the root user"
    hub = {c.check_id: c for c in matrix_checks(Framework.SECURITY_HUB)}
    assert (hub["root-not-used-recently"].label, hub["root-not-used-recently"].heading) == \
        ("Do not use the root user (no Security Hub control)", "Root not used")
    assert hub["root-hardware-mfa"].heading == "IAM.6 Root hardware MFA"
    assert tuple(c.check_id for c in hub.values()) == ACCOUNT_EXTENDED_IDS

