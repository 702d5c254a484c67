"""Cells a spreadsheet would run as a formula are written as text, in the CSV files and in report.xlsx alike.

Excel and LibreOffice trim leading spaces (ASCII, no-break, ideographic and the other Unicode spaces) before
deciding that a cell is a formula, and read the full-width signs (U+FF1D, U+FF0B, U+FF0D, U+FF20) as
= + - @. IAM user names cannot
hold these, but account names, OU names, exception owners and justifications can.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from scanner.output.csv_export import neutralize, to_csv_bytes
from scanner.output.xlsx_export import cell_value

EVALUATED = [
    "=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx",  # the classic leading characters
    " =1+2", "   +SUM(A1)", "\u00a0=1+2", "\u3000=cmd|' /C calc'!A0", "\u2003-1", "\u2009@SUM(A1)",
    " \t=1+2", "\u200b=1+2", "\ufeff=1+2",  # spaces of every kind, a zero-width space, a byte-order mark
    "\uff1d1+1", "\uff0bSUM(A1)", "\uff0d1", "\uff20SUM(A1)", " \uff1d1+1", "\u3000\uff0b1",  # full-width signs
]
TEXT = ["alice", " alice", "a=b", "1+1", "  ", "", "x\uff1d1", "Root/Prod", "\uff21\uff22\uff23"]


@pytest.mark.parametrize("value", EVALUATED)
def test_a_cell_a_spreadsheet_would_evaluate_is_written_with_a_leading_apostrophe(value: str) -> None:
    assert neutralize(value) == "'" + value


@pytest.mark.parametrize("value", TEXT)
def test_plain_text_is_written_as_it_is(value: str) -> None:
    assert neutralize(value) == value


def test_the_csv_export_and_the_workbook_neutralize_alike() -> None:
    frame = pd.DataFrame({"account_name": EVALUATED + TEXT})
    data = to_csv_bytes(frame)
    cells = [row[0] for row in csv.reader(io.StringIO(data.decode("utf-8"), newline=""))][1:]
    assert cells == [neutralize(v) for v in EVALUATED + TEXT]
    assert all(cell.startswith("'") for cell in cells[:len(EVALUATED)])
    for value in EVALUATED + TEXT:
        assert cell_value(value) == (neutralize(value) or None)
