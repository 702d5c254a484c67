"""What the terminal says after a scan, a demo or a report: the five boxes, the worst OUs, where the
reports are; in colour only on a terminal that wants it."""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pytest

from scanner.checks import CHECK_IDS
from scanner.scoring import BoxTotal, OuTotal, box_totals, worst_ous
from scanner.ui.summary import summary_lines
from tests.integration.helpers import read_csv, run_cli
from tests.output.runs import make_run
from tests.render.conftest import make_run as make_hand_made_run

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_box_totals_count_what_findings_say(tmp_path: Path) -> None:
    run = make_hand_made_run(tmp_path)
    totals = {t.check_id: t for t in box_totals(run.frames.findings)}
    assert tuple(totals) == CHECK_IDS
    # hand-made statuses (root-access-keys column): P F N E P F, and the unreachable account's ERROR
    assert totals["root-access-keys"] == BoxTotal("root-access-keys", passed=2, applicable=6, failed=2, errors=2)
    assert totals["root-mfa"] == BoxTotal("root-mfa", passed=1, applicable=6, failed=2, errors=3)


def test_worst_ous_are_those_with_failing_accounts_lowest_share_first(tmp_path: Path) -> None:
    run = make_hand_made_run(tmp_path)
    worst = worst_ous(run.frames.scorecard)
    assert worst[0] == OuTotal("Root/Dev", accounts=1, failing=1, passed=0, applicable=5)
    assert [ou.ou_path for ou in worst] == ["Root/Dev", "Root/Legacy", "Root/Prod"]
    assert all(ou.failing for ou in worst)
    assert "Root" not in [ou.ou_path for ou in worst_ous(run.frames.scorecard, limit=10)]  # all passed


def test_the_lines_are_plain_without_colour() -> None:
    boxes = tuple(BoxTotal(c, 9, 10, 1, 0) for c in CHECK_IDS)
    lines = summary_lines(boxes, (OuTotal("Root/Prod", 4, 3, 10, 13),), Path("runs/r/report.html"),
                          Path("runs/r/report.pdf"), colour=False)
    assert lines[0].split() == ["box", "passed", "FAIL", "ERROR"]
    assert [line.split() for line in lines[1:6]] == [[c, "9/10", "90%", "1", "0"] for c in CHECK_IDS]
    assert "Root/Prod: 3 of 4 accounts with a FAIL or ERROR, 10/13 boxes passed (76%)" in lines[7]
    assert lines[-2:] == ["report.html: runs/r/report.html", "report.pdf:  runs/r/report.pdf"]
    assert not any(ANSI.search(line) for line in lines)


def test_colour_marks_failures_and_errors_only_when_asked() -> None:
    boxes = (BoxTotal(CHECK_IDS[0], 10, 10, 0, 0), BoxTotal(CHECK_IDS[1], 8, 10, 1, 1))
    lines = summary_lines(boxes, (), Path("a.html"), Path("a.pdf"), colour=True)
    assert ANSI.search(lines[2]) and not ANSI.search(lines[1].replace("\x1b[32m", "").replace("\x1b[0m", ""))
    assert [ANSI.sub("", line) for line in lines] == summary_lines(boxes, (), Path("a.html"), Path("a.pdf"),
                                                                     colour=False)
    assert "no OU has an account with a FAIL or ERROR" in ANSI.sub("", "\n".join(lines))


def _report_run(tmp_path: Path) -> tuple[str, Path]:
    folder = make_run(tmp_path)
    result = run_cli(None, "report", str(folder.path))
    assert result.code == 2, result.stderr  # one account could not be assessed
    return result.stdout, folder.path


def test_report_prints_the_boxes_the_worst_ous_and_the_reports(tmp_path: Path) -> None:
    stdout, folder = _report_run(tmp_path)
    lines = stdout.splitlines()
    assert any(line.startswith("4 accounts: 2 assessed, 1 could not be assessed, 1 skipped") for line in lines)
    assert f"run folder: {folder}" in lines  # the lines printed before stay
    findings = read_csv(folder / "findings.csv")
    header = next(n for n, line in enumerate(lines) if line.split() == ["box", "passed", "FAIL", "ERROR"])
    for check_id, line in zip(CHECK_IDS, lines[header + 1:header + 6], strict=True):
        statuses = Counter(f["status"] for f in findings if f["check_id"] == check_id)
        applicable = sum(n for s, n in statuses.items() if s != "NOT_APPLICABLE")
        cells = line.split()
        assert cells[0] == check_id
        assert cells[1] == f"{statuses['PASS']}/{applicable}"
        assert cells[3:] == [str(statuses["FAIL"]), str(statuses["ERROR"])]
    assert any(line.startswith("worst OUs") for line in lines)
    assert f"report.html: {folder / 'report.html'}" in lines
    assert f"report.pdf:  {folder / 'report.pdf'}" in lines
    assert (folder / "report.html").is_file() and (folder / "report.pdf").is_file()
    assert not ANSI.search(stdout)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_on_a_terminal_unless_no_color(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner import cli

    folder = make_run(tmp_path)
    for no_color, coloured in (("", True), ("1", False)):
        monkeypatch.setenv("NO_COLOR", no_color)
        terminal = _Terminal()
        monkeypatch.setattr("sys.stdout", terminal)
        assert cli.main(["report", str(folder.path)]) == 2
        assert bool(ANSI.search(terminal.getvalue())) is coloured
