"""The OU by box rollup: for each OU path, how its accounts fare on each box, before the matrix."""

from __future__ import annotations

import re

from scanner.render.html import render_html
from scanner.render.records import BoxTally, OuRollup
from scanner.render.structure import build_report
from tests.render.conftest import RUN_INFO, HandMadeRun


def _tallies(*cells: tuple[int, int, int, int]) -> tuple[BoxTally, ...]:
    return tuple(BoxTally(*cell) for cell in cells)


def test_each_ou_counts_its_accounts_and_boxes(run: HandMadeRun) -> None:
    rollup = build_report(RUN_INFO, run.results, run.frames, {}).rollup
    assert rollup == (
        # (passed, applicable, failed, errors) per box; skipped accounts are not counted
        OuRollup("(no OU path)", 1, 1, _tallies((0, 1, 1, 0), (0, 1, 0, 1), (1, 1, 0, 0), (0, 0, 0, 0),
                                                (0, 1, 1, 0)), 1, 4),
        OuRollup("Root", 1, 0, _tallies(*[(1, 1, 0, 0)] * 5), 5, 5),
        OuRollup("Root/Dev", 1, 1, _tallies(*[(0, 1, 1, 0)] * 5), 0, 5),
        OuRollup("Root/Legacy", 1, 1, _tallies(*[(0, 1, 0, 1)] * 5), 0, 5),
        OuRollup("Root/Prod", 3, 2, _tallies((1, 2, 0, 1), (0, 2, 1, 1), (0, 1, 0, 1), (0, 2, 0, 2), (1, 2, 0, 1)),
                 2, 9),
    )


def test_the_rollup_comes_before_the_matrix(run: HandMadeRun) -> None:
    html = render_html(build_report(RUN_INFO, run.results, run.frames, {}))
    section = html[html.index('id="matrix"'):html.index('id="matrix-tools"')]
    table = section[section.index('<table class="list rollup">'):section.index("</table>")]
    row = next(r for r in re.findall(r"<tr>.*?</tr>", table, re.S) if "Root/Prod" in r)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells == ["Root/Prod", "3", "2", "1/2 50\u00a0%", "0/2 0\u00a0%", "0/1 0\u00a0%", "0/2 0\u00a0%",
                     "1/2 50\u00a0%", "2/9 22\u00a0%"]
