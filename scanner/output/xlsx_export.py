"""`report.xlsx`: the run's results as one workbook for people who live in spreadsheets.

Sheets: Summary (the run, the thresholds, counts per check), Matrix (accounts x the five boxes, coloured),
Findings (every check with the chosen framework's control ids), Users (user_findings) and Errors (what
could not be read). Every text cell goes through the CSV export's `neutralize`, so a user named
`=HYPERLINK(...)` is shown, never run. The file is deterministic: document properties come from
run.json's `started_at` and every zip entry carries that same timestamp, so `orgscan report` rewrites
identical bytes.
"""

from __future__ import annotations

import io
import itertools
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet as Worksheet
from openpyxl.writer.excel import ExcelWriter

from scanner.checks import ALL_CHECKS, CHECK_IDS, references_for
from scanner.models import AccountResult, ScanStatus, Status
from scanner.normalize.evidence import describe_organization_features
from scanner.output.csv_export import neutralize
from scanner.rundir import atomic_file
from scanner.scoring import Frames

REPORT_XLSX = "report.xlsx"
EPOCH = datetime(1980, 1, 1)  # the earliest time a zip entry can carry; used when run.json has no start
MAX_CELL = 32767  # Excel's limit on characters in one cell
MIN_WIDTH, MAX_WIDTH = 8, 80
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", start_color="FFD9D9D9", end_color="FFD9D9D9")
WRAP = Alignment(wrap_text=True, vertical="top")  # the cells of a column wider than MAX_WIDTH
COPY_CHUNK = 1 << 20
STATUS_COLOURS = {  # status -> (fill, font colour), as in the HTML report
    Status.PASS.value: ("FFC6EFCE", "FF006100"),
    Status.FAIL.value: ("FFFFC7CE", "FF9C0006"),
    Status.ERROR.value: ("FFFFEB9C", "FF9C5700"),
    Status.NOT_APPLICABLE.value: ("FFEDEDED", "FF595959"),
}
NOT_ACCESSED = "(account not accessed)"
NO_REFERENCE = "\u2014"  # the framework has no control for this check


def _started(run_info: Mapping[str, Any]) -> datetime:
    """run.json's start as naive UTC, within what a zip entry can hold."""
    text = str(run_info.get("started_at") or "")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return EPOCH
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return min(max(moment, EPOCH), datetime(2107, 12, 31, 23, 59, 58))


def cell_value(value: object) -> str | int | float | None:
    """Numbers stay numbers; text is neutralized, stripped of characters XML cannot hold, and capped."""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int | float) and not (isinstance(value, float) and value != value):
        return value
    if value is not None and value is not pd.NA and hasattr(value, "item") and not isinstance(value, str):
        return cell_value(value.item())  # numpy scalars from integer columns
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", neutralize(value))[:MAX_CELL]
    return text or None


Row = Sequence[object]


@dataclass(frozen=True)
class _Sheet:
    """One worksheet, described before it is written: the rows come from `rows()`, which is called twice (once
    to measure the columns, once to write), so no sheet is ever held in memory as cells.

    `header_rows` are bold on grey, `label_rows` have their first cell bold (1-based row numbers). A table has
    its header frozen and filtered; each of `status_columns` (0-based, first and last) is coloured by status
    below the header.
    """

    title: str
    rows: Callable[[], Iterable[Row]]
    header_rows: frozenset[int] = frozenset({1})
    label_rows: frozenset[int] = frozenset()
    table: bool = True
    status_columns: tuple[tuple[int, int], ...] = ()
    accepted_column: int | None = None  # 0-based: "FAIL (accepted ...)" cells are coloured as FAIL


def _cells(values: Row) -> list[str | int | float | None]:
    return [cell_value(v) for v in values]


def _measure(sheet: _Sheet) -> tuple[int, list[int]]:
    """The number of rows and the longest text of each column (header included)."""
    count, longest = 0, []  # type: tuple[int, list[int]]
    for values in sheet.rows():
        count += 1
        cells = _cells(values)
        if len(cells) > len(longest):
            longest += [0] * (len(cells) - len(longest))
        for index, value in enumerate(cells):
            if value is not None:
                longest[index] = max(longest[index], len(str(value)))
    return count, longest


def _write(book: Workbook, sheet: _Sheet) -> None:
    """Write one sheet row by row: widths, frozen header and print set-up first, then rows, then filter and
    colours, which refer to the number of rows."""
    count, longest = _measure(sheet)
    target = book.create_sheet(sheet.title)
    _print_setup(target)
    if sheet.table:
        target.freeze_panes = "A2"
    wrapped = set()
    for index, length in enumerate(longest):
        target.column_dimensions[get_column_letter(index + 1)].width = min(max(length + 2, MIN_WIDTH), MAX_WIDTH)
        if length + 2 > MAX_WIDTH:
            wrapped.add(index)
    reach = max(wrapped) + 1 if wrapped else 0  # a wrapped column has a (styled) cell in every row below the first
    for number, values in enumerate(sheet.rows(), start=1):
        cells = _cells(values)
        if number > 1 and len(cells) < reach:
            cells += [None] * (reach - len(cells))
        target.append([_cell(target, sheet, number, index, value, index in wrapped)
                       for index, value in enumerate(cells)])
    if sheet.table:
        target.auto_filter.ref = f"A1:{get_column_letter(len(longest))}{max(count, 1)}"
    if count > 1:
        for first, last in sheet.status_columns:
            _colour(target, f"{get_column_letter(first + 1)}2:{get_column_letter(last + 1)}{count}")
        if sheet.accepted_column is not None:
            letter = get_column_letter(sheet.accepted_column + 1)
            fill, font = STATUS_COLOURS[Status.FAIL.value]
            target.conditional_formatting.add(f"{letter}2:{letter}{count}", FormulaRule(
                formula=[f'LEFT({letter}2,6)="FAIL ("'],
                fill=PatternFill("solid", start_color=fill, end_color=fill), font=Font(color=font),
            ))


def _cell(sheet: Worksheet, spec: _Sheet, row: int, index: int, value: object, wrapped: bool) -> object:
    """The value as a cell of its own where it needs one: styled, or text (never taken for a formula)."""
    header = row in spec.header_rows
    bold = header or (index == 0 and row in spec.label_rows)
    wrap = wrapped and row > 1
    formula_like = isinstance(value, str) and value.startswith("=")  # openpyxl would write it as a formula
    if not (bold or wrap or formula_like):
        return value
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever openpyxl guesses
    if bold:
        cell.font = HEADER_FONT
    if header:
        cell.fill = HEADER_FILL
    if wrap:
        cell.alignment = WRAP
    return cell


def _colour(sheet: Worksheet, cells: str) -> None:
    for status, (fill, font) in STATUS_COLOURS.items():
        sheet.conditional_formatting.add(cells, CellIsRule(
            operator="equal", formula=[f'"{status}"'],
            fill=PatternFill("solid", start_color=fill, end_color=fill), font=Font(color=font),
        ))


def _print_setup(sheet: Worksheet) -> None:
    """Landscape, one page wide: a printed sheet keeps its columns together."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _reference(check_id: str, frames: Frames) -> str:
    return references_for(check_id, frames.framework) or NO_REFERENCE


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> Iterator[tuple[object, ...]]:
    return frame.reindex(columns=list(columns)).itertuples(index=False, name=None)


def _summary(run_info: Mapping[str, Any], results: Sequence[AccountResult], frames: Frames) -> _Sheet:
    label = frames.framework.label
    org = " ".join(p for p in (str(run_info.get("organization_name") or ""),
                               f"({run_info['organization_id']})" if run_info.get("organization_id") else "") if p)
    counts = {status: sum(1 for r in results if r.scan_status is status) for status in ScanStatus}
    lines: list[Row] = [
        ("Organization", org),
        ("Scan started (UTC)", run_info.get("started_at") or ""),
        ("Scan finished (UTC)", run_info.get("finished_at") or ""),
        ("Tool version", run_info.get("tool_version") or ""),
        ("Framework shown", label),
        ("Accounts discovered", len(results)),
        ("Accounts assessed", counts[ScanStatus.SCANNED]),
        ("Accounts not accessed", counts[ScanStatus.ERROR]),
        ("Accounts skipped", counts[ScanStatus.SKIPPED]),
        ("Centralized root access", describe_organization_features(run_info.get("organization_features"))),
        *((f"Threshold {name}", value) for name, value in frames.thresholds.to_json().items()),
        ("Note", "Text cells starting with = + - @, a tab or a carriage return are prefixed with ' so they "
                 "are shown, not calculated."),
    ]
    statuses = frames.findings.groupby(["check_id", "status"]).size() if not frames.findings.empty else None
    tallies: list[Row] = [
        (check.check_id, check.title, _reference(check.check_id, frames),
         *(int(statuses.get((check.check_id, s.value), 0)) if statuses is not None else 0 for s in Status))
        for check in ALL_CHECKS
    ]
    rows = [*lines, (), ("check_id", "title", label, *(s.value for s in Status)), *tallies]
    return _Sheet("Summary", lambda: rows, header_rows=frozenset({len(lines) + 2}),
                  label_rows=frozenset(range(1, len(lines) + 1)), table=False)


def _matrix(frames: Frames) -> _Sheet:
    columns = ["account_id", "account_name", "ou_path", *CHECK_IDS, "passed", "applicable"]
    return _Sheet("Matrix", lambda: [columns, *_records(frames.scorecard, columns)],
                  status_columns=((3, 2 + len(CHECK_IDS)),))


def _status(status: object, accepted: object) -> object:
    """An accepted risk stays a FAIL: `FAIL (accepted until <date> by <owner>: <reason>)`, as in findings.csv."""
    note = "" if accepted is None or pd.isna(accepted) else str(accepted)
    return f"{status} ({note})" if note and status == Status.FAIL.value else status


def _findings(frames: Frames) -> _Sheet:
    label = frames.framework.label
    columns = ["account_id", "account_name", "ou_path", "check_id", "status", "detail", "accepted"]

    def rows() -> Iterator[Row]:
        yield ["account_id", "account_name", "ou_path", "check_id", label, "status", "detail"]
        for row in _records(frames.findings, columns):
            yield [*row[:4], _reference(str(row[3]), frames), _status(row[4], row[6]), row[5]]

    # The status cells of accepted risks read "FAIL (accepted ...)": coloured as the FAIL they are.
    return _Sheet("Findings", rows, status_columns=((5, 5),), accepted_column=5)


def _users(frames: Frames) -> _Sheet:
    columns = ["account_id", "account_name", "user", "check_id", "status", "evidence"]
    return _Sheet("Users", lambda: itertools.chain([columns], _records(frames.user_findings, columns)),
                  status_columns=((4, 4),))


def _errors(results: Sequence[AccountResult], frames: Frames) -> _Sheet:
    rows: list[Row] = [
        [r.account.account_id, r.account.account_name, r.account.ou_path, NOT_ACCESSED, r.error]
        for r in results if r.scan_status is ScanStatus.ERROR
    ]
    not_accessed = {str(row[0]) for row in rows}
    errored = frames.findings[frames.findings["status"] == Status.ERROR.value]
    rows += [
        row for row in _records(errored, ["account_id", "account_name", "ou_path", "check_id", "detail"])
        if str(row[0]) not in not_accessed
    ]
    rows.sort(key=lambda row: (str(row[0]), row[3] != NOT_ACCESSED))
    header = ["account_id", "account_name", "ou_path", "check_id", "error"]
    return _Sheet("Errors", lambda: [header, *rows])


def _repack(source: BinaryIO, target: BinaryIO, moment: datetime) -> None:
    """The same zip with every entry stamped `moment`, so equal content gives equal bytes; entry by entry."""
    stamp = moment.timetuple()[:6]
    with zipfile.ZipFile(source) as unstamped, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as stamped:
        for entry in unstamped.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            with unstamped.open(entry) as data, stamped.open(info, "w") as out:
                shutil.copyfileobj(data, out, COPY_CHUNK)


def write_workbook(target: BinaryIO, run_info: Mapping[str, Any], results: Sequence[AccountResult],
                   frames: Frames) -> None:
    """Write the workbook to `target`, sheet by sheet and row by row (openpyxl's write-only mode).

    Each sheet's XML goes to a temporary file as its rows are written, so memory does not grow with the
    organization: the rows are read from the frames, twice (column widths, then cells).
    """
    started = _started(run_info)
    book = Workbook(write_only=True)
    for sheet in (_summary(run_info, results, frames), _matrix(frames), _findings(frames), _users(frames),
                  _errors(results, frames)):
        _write(book, sheet)
    book.properties.creator = "orgscan"
    book.properties.lastModifiedBy = "orgscan"
    book.properties.title = "IAM Security Status"
    book.properties.created = started
    book.properties.modified = started
    with tempfile.TemporaryFile() as unstamped:
        # ExcelWriter rather than Workbook.save: save() stamps `modified` with the clock.
        with zipfile.ZipFile(unstamped, "w", zipfile.ZIP_DEFLATED) as archive:
            ExcelWriter(book, archive).write_data()
        unstamped.seek(0)
        _repack(unstamped, target, started)


def workbook_bytes(run_info: Mapping[str, Any], results: Sequence[AccountResult], frames: Frames) -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, run_info, results, frames)
    return buffer.getvalue()


def write_xlsx(path: Path, run_info: Mapping[str, Any], results: Sequence[AccountResult], frames: Frames) -> None:
    with atomic_file(path) as handle:
        write_workbook(handle, run_info, results, frames)
