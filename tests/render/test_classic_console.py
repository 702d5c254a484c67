"""The methodology's comparison of each box with the classic IAM console's Security Status panel it is named after."""

from __future__ import annotations

import html
import re

import pytest

from scanner.checks.catalog import BOXES
from scanner.checks.classic_console import CLASSIC_CONSOLE
from scanner.render import REPORT_HTML, render_reports
from tests.render.conftest import make_run


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    run = make_run(tmp_path_factory.mktemp("console"))
    render_reports(run.folder, run.results, run.frames)
    return (run.folder.path / REPORT_HTML).read_text(encoding="utf-8")


def _rows(report: str) -> list[list[str]]:
    """The comparison table's body, one list of cell texts per row."""
    methodology = report[report.index('id="methodology"'):]
    table = methodology[methodology.index('<table class="list method console"'):]
    body = table[table.index("<tbody>"):table.index("</tbody>")]
    return [[html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell))).strip()
             for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_the_methodology_compares_each_box_with_the_classic_console(report_html: str) -> None:
    methodology = report_html[report_html.index('id="methodology"'):]
    assert "<h3 class=\"sub\">The five boxes and the classic IAM console</h3>" in methodology
    assert "<th>The classic console ticked it when</th><th>orgscan passes it when</th><th>Why they differ</th>" \
        in methodology
    rows = _rows(report_html)
    assert [row[0] for row in rows] == [f"{box.title} {box.check_id}" for box in BOXES]
    by_id = {c.check_id: c for c in CLASSIC_CONSOLE}
    for row, box in zip(rows, BOXES, strict=True):
        assert row[1:] == [by_id[box.check_id].console, box.checks, by_id[box.check_id].difference]


def test_groups_differ_because_a_group_alone_ticked_the_console(report_html: str) -> None:
    groups = next(row for row in _rows(report_html) if row[0].endswith("groups-for-permissions"))
    assert groups[1] == "At least one group exists."
    assert "Permissions come from groups" in groups[2]
    assert "bypass groups" in groups[3] and "AdministratorAccess" in groups[3]
    same = [row[0].split()[-1] for row in _rows(report_html) if row[3].startswith("None")]
    assert same == ["root-access-keys", "password-policy"]
