"""Hand-written run folders for push tests: the four-account run, wider, or a later run without an account."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from scanner.pipeline import build_outputs
from scanner.rundir import RunFolder
from tests.output.runs import SCANNED, make_run


def pushable_run(root: Path, extra_accounts: int = 0, report_pdf: bytes | None = None) -> RunFolder:
    """make_run's folder with `extra_accounts` more assessed accounts (copies of its assessed one), derived;
    with `report_pdf`, that file stands for the rendered report (the manifest lists it)."""
    folder = make_run(root)
    if report_pdf is not None:
        (folder.path / "report.pdf").write_bytes(report_pdf)
    accounts_json = folder.raw / "accounts.json"
    records = json.loads(accounts_json.read_bytes())
    template = next(r for r in records if r["account_id"] == SCANNED)
    for n in range(extra_accounts):
        account_id = f"5{n:011d}"
        shutil.copytree(folder.raw / SCANNED, folder.raw / account_id)
        meta = folder.raw / account_id / "meta.json"
        meta.write_text(json.dumps({**json.loads(meta.read_bytes()), "account_id": account_id}))
        records.append({**template, "account_id": account_id, "account_name": f"extra-{n}"})
    accounts_json.write_text(json.dumps(records, indent=2))
    build_outputs(folder)
    return folder


def later_run(run: RunFolder, root: Path, *, without: str, finished_at: str) -> RunFolder:
    """A copy of `run` finished later, in which account `without` is no longer listed."""
    path = Path(shutil.copytree(run.path, root / run.path.name))
    folder = RunFolder(path)
    records = [r for r in json.loads((folder.raw / "accounts.json").read_bytes()) if r["account_id"] != without]
    (folder.raw / "accounts.json").write_text(json.dumps(records, indent=2))
    info = json.loads((path / "run.json").read_bytes())
    (path / "run.json").write_text(json.dumps({**info, "finished_at": finished_at}))
    build_outputs(folder)
    return folder
