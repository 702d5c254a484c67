"""Outputs written piece by piece: report.xlsx row by row, the exchange files record by record.

The workbook's content (every cell's value, type, font, fill and alignment; widths, frozen panes, filters,
conditional formats, print set-up) is compared with `expected/report_xlsx_content.json`, which the workbook
written cell by cell in memory gave for the same run. When a change to the checks or the sheets is meant,
regenerate it with `.venv/bin/python -m tests.output.test_streamed_outputs` and review the difference.
"""

from __future__ import annotations

import io
import json
import sys
import tracemalloc
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook

from scanner import rundir
from scanner.audit.layout import EXCEPTIONS_TOML
from scanner.derive import derive_outputs, evaluate_folder
from scanner.output.asff import ASFF_JSON
from scanner.output.interchange import json_array, json_array_chunks
from scanner.output.ocsf import OCSF_JSON
from scanner.output.xlsx_export import write_workbook
from scanner.pipeline import build_outputs
from scanner.rundir import RunFolder
from scanner.scoring import Frames
from tests.output.runs import make_run
from tests.output.test_xlsx_accepted import EXCEPTIONS

EXPECTED = Path(__file__).parent / "expected" / "report_xlsx_content.json"
VERSION = "<tool version>"


def workbook_content(data: bytes) -> dict[str, Any]:
    """What a reader of the workbook sees, as JSON values; the tool version is left out."""
    book = load_workbook(io.BytesIO(data))
    props = book.properties
    content: dict[str, Any] = {
        "properties": [props.creator, props.lastModifiedBy, props.title, str(props.created), str(props.modified)],
        "sheets": [],
    }
    for sheet in book.worksheets:
        cells = []
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None and not cell.has_style:
                    continue
                value = VERSION if sheet.title == "Summary" and sheet.cell(cell.row, 1).value == "Tool version" \
                    and cell.column == 2 else cell.value
                fill = cell.fill.fgColor.rgb if cell.fill.fill_type else None
                cells.append([cell.coordinate, value, cell.data_type, bool(cell.font.b), cell.fill.fill_type, fill,
                              cell.alignment.wrap_text, cell.alignment.vertical])
        formats = [[str(rules.sqref), [[rule.type, rule.operator, rule.formula, rule.dxf.fill.fgColor.rgb,
                                        rule.dxf.font.color.rgb] for rule in rules.rules]]
                   for rules in sheet.conditional_formatting]
        setup = sheet.page_setup
        content["sheets"].append({
            "title": sheet.title,
            "freeze": sheet.freeze_panes,
            "filter": sheet.auto_filter.ref,
            "cf": formats,
            "widths": {k: v.width for k, v in sorted(sheet.column_dimensions.items()) if v.width},
            "setup": [setup.orientation, setup.fitToWidth, setup.fitToHeight,
                      sheet.sheet_properties.pageSetUpPr.fitToPage],
            "cells": cells,
        })
    parsed: dict[str, Any] = json.loads(json.dumps(content, default=str, sort_keys=True))
    return parsed


def _run_with_accepted_risks(tmp_path: Path) -> RunFolder:
    folder = make_run(tmp_path)
    rundir.write_atomic(folder.path / EXCEPTIONS_TOML, EXCEPTIONS.encode("utf-8"))
    return folder


def test_the_workbook_written_row_by_row_has_the_content_of_the_one_written_in_memory(tmp_path: Path) -> None:
    folder = _run_with_accepted_risks(tmp_path)
    build_outputs(folder)
    assert workbook_content((folder.path / "report.xlsx").read_bytes()) == json.loads(EXPECTED.read_text())


def _many_accounts(frames: Frames, copies: int) -> Frames:
    """The frames of `copies` organizations like this one, under other account ids."""
    def grow(frame: pd.DataFrame) -> pd.DataFrame:
        parts = []
        for n in range(copies):
            part = frame.copy()
            part["account_id"] = part["account_id"].str.slice(0, 6) + f"{n:06d}"
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    return replace(frames, findings=grow(frames.findings), scorecard=grow(frames.scorecard),
                   user_findings=grow(frames.user_findings), users=grow(frames.users), accounts=grow(frames.accounts))


def _peak_while(work: Any) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_writing_the_workbook_does_not_hold_its_rows(tmp_path: Path) -> None:
    folder = _run_with_accepted_risks(tmp_path)
    results, frames = evaluate_folder(folder)
    small, large = _many_accounts(frames, 50), _many_accounts(frames, 400)  # ~2,900 and ~23,000 finding rows
    info = folder.read_run_info()

    def write(frames: Frames) -> None:
        with (tmp_path / "book.xlsx").open("wb") as handle:
            write_workbook(handle, info, results, frames)

    write(small)  # imports and openpyxl's caches, once
    grown = _peak_while(lambda: write(large)) - _peak_while(lambda: write(small))
    # Cell by cell in memory, eight times the rows took ~70 MB more; row by row, what grows is the frames'
    # column copies (a few bytes per cell).
    assert grown < 8 * 2**20, grown


def test_exchange_files_are_one_record_a_line_and_made_record_by_record(tmp_path: Path) -> None:
    folder = _run_with_accepted_risks(tmp_path)
    build_outputs(folder)
    derived = derive_outputs(folder)
    for name in (OCSF_JSON, ASFF_JSON):
        data = (folder.path / name).read_bytes()
        records = json.loads(data)
        assert len(records) == len(derived.frames.findings)
        lines = [json.dumps(r, sort_keys=True, ensure_ascii=False, separators=(",", ":")) for r in records]
        assert data == ("[\n" + ",\n".join(lines) + "\n]\n").encode("utf-8"), name
        chunks = list(derived.files.chunks(name))
        assert len(chunks) == len(records) + 1 and b"".join(chunks) == data == derived.files[name]
    assert json_array([]) == b"[]\n" and list(json_array_chunks([])) == [b"[]\n"]
    assert json_array([{"b": 1, "a": "\u00e9"}]) == '[\n{"a":"\u00e9","b":1}\n]\n'.encode()


def test_every_derived_file_written_piece_by_piece_is_what_its_bytes_are(tmp_path: Path) -> None:
    folder = _run_with_accepted_risks(tmp_path)
    build_outputs(folder)
    derived = derive_outputs(folder)
    assert {"findings.csv", "users.csv", OCSF_JSON, ASFF_JSON, "exceptions.csv"} <= set(derived.files)
    for name in derived.files:
        assert (folder.path / name).read_bytes() == derived.files[name], name


if __name__ == "__main__":  # regenerate the expectation (see the module's docstring)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        run = _run_with_accepted_risks(Path(tmp))
        build_outputs(run)
        EXPECTED.write_text(json.dumps(workbook_content((run.path / "report.xlsx").read_bytes()), indent=1,
                                       sort_keys=True, ensure_ascii=False) + "\n")
    sys.exit(0)
