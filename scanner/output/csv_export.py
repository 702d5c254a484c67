"""RFC 4180 CSV exports, safe to open in a spreadsheet.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula by
Excel, LibreOffice and Google Sheets; IAM user names may legally start with `=`, `+`, `@` or `-`. So would
one whose formula sign follows spaces (spreadsheets trim ASCII, no-break, ideographic and the other Unicode
spaces, and ignore zero-width characters), or is a full-width sign (U+FF1D, U+FF0B, U+FF0D, U+FF20, which
East Asian input methods type and spreadsheets read as = + - @); account names, OU names and exception
entries can hold these. Such cells are written with a leading apostrophe, which spreadsheets show as text
and do not evaluate. `neutralize` is the one rule: report.xlsx applies it to every text cell too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from scanner.rundir import write_atomic

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 2000
# The signs that start a formula, with the full-width forms spreadsheets read as them.
FORMULA_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# Characters a spreadsheet skips before a formula sign besides whitespace: zero-width ones, the byte-order mark.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")


def _first_visible(text: str) -> str:
    for char in text:
        if not (char.isspace() or char in _INVISIBLE):
            return char
    return ""


def neutralize(value: object) -> str:
    """The cell as text a spreadsheet shows and never evaluates: a leading `'` where it would be a formula."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES) or _first_visible(text) in FORMULA_SIGNS:
        return "'" + text
    return text


def csv_chunks(frame: pd.DataFrame) -> Iterator[bytes]:
    """The CSV file a few thousand rows at a time, so a large frame is never held twice as text."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(list(frame.columns))
    for number, row in enumerate(frame.itertuples(index=False, name=None), start=1):
        writer.writerow([neutralize(v) for v in row])
        if number % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    return b"".join(csv_chunks(frame))


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    write_atomic(path, to_csv_bytes(frame))
