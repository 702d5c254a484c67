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
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from scanner.checks import ALL_CHECKS, CHECK_IDS, references_for
from scanner.models import AccountResult, ScanStatus, Status
from scanner.normalize.evidence import describe_organization_features
from scanner.output.csv_export import neutralize
from scanner.rundir import write_atomic
from scanner.scoring import Frames

REPORT_XLSX = "report.xlsx"
EPOCH = datetime(1980, 1, 1)  # the earliest time a zip entry can carry; used when run.json has no start
MAX_CELL = 32767  # Excel's limit on characters in one cell
MIN_WIDTH, MAX_WIDTH = 8, 80
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", start_color="FFD9D9D9", end_color="FFD9D9D9")
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


def _append(sheet: Worksheet, values: Sequence[object]) -> None:
    sheet.append([cell_value(v) for v in values])
    # openpyxl's own counter of the row just appended: `max_row` would rescan every cell of the sheet.
    row = sheet._current_row
    for column in range(1, len(values) + 1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever openpyxl guesses


def _table(sheet: Worksheet, header: Sequence[str], rows: Iterable[Sequence[object]],
           status_columns: Sequence[int] = ()) -> None:
    """Header row (bold, frozen, filtered), the rows, status colours and column widths."""
    _append(sheet, header)
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for row in rows:
        _append(sheet, row)
    sheet.freeze_panes = "A2"
    last_column = get_column_letter(len(header))
    sheet.auto_filter.ref = f"A1:{last_column}{max(sheet.max_row, 1)}"
    if sheet.max_row > 1:
        for index in status_columns:
            letter = get_column_letter(index + 1)
            _colour(sheet, f"{letter}2:{letter}{sheet.max_row}")
    _widths(sheet)


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


def _widths(sheet: Worksheet) -> None:
    for column in sheet.iter_cols(min_row=1, max_row=sheet.max_row):
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=0)
        width = min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(column[0].column)].width = width
        if longest + 2 > MAX_WIDTH:
            for cell in column[1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _reference(check_id: str, frames: Frames) -> str:
    return references_for(check_id, frames.framework) or NO_REFERENCE


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> list[list[object]]:
    return [list(row) for row in frame.reindex(columns=list(columns)).itertuples(index=False, name=None)]


def _summary(sheet: Worksheet, run_info: Mapping[str, Any], results: Sequence[AccountResult],
             frames: Frames) -> None:
    label = frames.framework.label
    org = " ".join(p for p in (str(run_info.get("organization_name") or ""),
                               f"({run_info['organization_id']})" if run_info.get("organization_id") else "") if p)
    counts = {status: sum(1 for r in results if r.scan_status is status) for status in ScanStatus}
    lines: list[tuple[object, object]] = [
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
    for name, value in lines:
        _append(sheet, (name, value))
        sheet.cell(sheet._current_row, 1).font = HEADER_FONT
    _append(sheet, ())
    header = ("check_id", "title", label, *(s.value for s in Status))
    _append(sheet, header)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    statuses = frames.findings.groupby(["check_id", "status"]).size() if not frames.findings.empty else None
    for check in ALL_CHECKS:
        tally = [int(statuses.get((check.check_id, s.value), 0)) if statuses is not None else 0 for s in Status]
        _append(sheet, (check.check_id, check.title, _reference(check.check_id, frames), *tally))
    _widths(sheet)


def _matrix(sheet: Worksheet, frames: Frames) -> None:
    columns = ["account_id", "account_name", "ou_path", *CHECK_IDS, "passed", "applicable"]
    _append(sheet, columns)
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for row in _records(frames.scorecard, columns):
        _append(sheet, row)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(sheet.max_row, 1)}"
    if sheet.max_row > 1:
        _colour(sheet, f"D2:{get_column_letter(3 + len(CHECK_IDS))}{sheet.max_row}")
    _widths(sheet)


def _status(status: object, accepted: object) -> object:
    """An accepted risk stays a FAIL: `FAIL (accepted until <date> by <owner>: <reason>)`, as in findings.csv."""
    note = "" if accepted is None or pd.isna(accepted) else str(accepted)
    return f"{status} ({note})" if note and status == Status.FAIL.value else status


def _findings(sheet: Worksheet, frames: Frames) -> None:
    label = frames.framework.label
    columns = ["account_id", "account_name", "ou_path", "check_id", "status", "detail", "accepted"]
    rows = [
        [*row[:4], _reference(str(row[3]), frames), _status(row[4], row[6]), row[5]]
        for row in _records(frames.findings, columns)
    ]
    _table(sheet, ["account_id", "account_name", "ou_path", "check_id", label, "status", "detail"], rows, (5,))
    if sheet.max_row > 1:
        # The status cells of accepted risks read "FAIL (accepted ...)": coloured as the FAIL they are.
        fill, font = STATUS_COLOURS[Status.FAIL.value]
        sheet.conditional_formatting.add(f"F2:F{sheet.max_row}", FormulaRule(
            formula=['LEFT(F2,6)="FAIL ("'],
            fill=PatternFill("solid", start_color=fill, end_color=fill), font=Font(color=font),
        ))


def _users(sheet: Worksheet, frames: Frames) -> None:
    columns = ["account_id", "account_name", "user", "check_id", "status", "evidence"]
    _table(sheet, columns, _records(frames.user_findings, columns), (4,))


def _errors(sheet: Worksheet, results: Sequence[AccountResult], frames: Frames) -> None:
    rows: list[list[object]] = [
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
    _table(sheet, ["account_id", "account_name", "ou_path", "check_id", "error"], rows)


def _repack(data: bytes, moment: datetime) -> bytes:
    """The same zip with every entry stamped `moment`, so equal content gives equal bytes."""
    stamp = moment.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()


def workbook_bytes(run_info: Mapping[str, Any], results: Sequence[AccountResult], frames: Frames) -> bytes:
    started = _started(run_info)
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    _summary(summary, run_info, results, frames)
    _matrix(book.create_sheet("Matrix"), frames)
    _findings(book.create_sheet("Findings"), frames)
    _users(book.create_sheet("Users"), frames)
    _errors(book.create_sheet("Errors"), results, frames)
    for sheet in book.worksheets:
        _print_setup(sheet)
    book.properties.creator = "orgscan"
    book.properties.lastModifiedBy = "orgscan"
    book.properties.title = "IAM Security Status"
    book.properties.created = started
    book.properties.modified = started
    buffer = io.BytesIO()
    # ExcelWriter rather than Workbook.save: save() stamps `modified` with the clock.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    return _repack(buffer.getvalue(), started)


def write_xlsx(path: Path, run_info: Mapping[str, Any], results: Sequence[AccountResult], frames: Frames) -> None:
    write_atomic(path, workbook_bytes(run_info, results, frames))
