"""Re-deriving a run holds a bounded amount per account: the frames the outputs need, never a whole output file.

A scan and `orgscan report` / `verify` derive every output from raw/ the same way; here the same run folder is
derived with 60 and 300 copies of one assessed account, and what the larger one costs more, divided by the
accounts it adds, is the cost of an account (about 12 KB: its findings, users and their frame rows). Building
the OCSF and ASFF files in memory, as lists joined at the end, made it about 180 KB per account.
"""

from __future__ import annotations

import json
import shutil
import tracemalloc
from pathlib import Path

from scanner.derive import derive_outputs
from scanner.rundir import RunFolder
from tests.output.runs import SCANNED, make_run

BUDGET_PER_ACCOUNT = 30 * 1024  # bytes; a margin over what an account costs today


def _run_with_copies(root: Path, copies: int) -> RunFolder:
    """`make_run`'s folder plus `copies` accounts whose evidence is that of its assessed account."""
    folder = make_run(root)
    raw = folder.path / "raw"
    accounts = json.loads((raw / "accounts.json").read_text())
    template = next(a for a in accounts if a["account_id"] == SCANNED)
    for n in range(copies):
        account_id = f"5{n:011d}"
        shutil.copytree(raw / SCANNED, raw / account_id)
        meta = json.loads((raw / account_id / "meta.json").read_text())
        (raw / account_id / "meta.json").write_text(json.dumps({**meta, "account_id": account_id}))
        accounts.append({**template, "account_id": account_id, "account_name": f"copy-{n}"})
    (raw / "accounts.json").write_text(json.dumps(accounts))
    return folder


def _peak_deriving(folder: RunFolder) -> int:
    """The most memory held while every derived file is made, as when a scan writes them."""
    tracemalloc.start()
    try:
        derived = derive_outputs(folder)
        for name in derived.files:
            for _ in derived.files.chunks(name):
                pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_deriving_a_run_costs_a_bounded_amount_per_account(tmp_path: Path) -> None:
    small, large = _run_with_copies(tmp_path / "small", 60), _run_with_copies(tmp_path / "large", 300)
    _peak_deriving(small)  # imports and caches, once
    per_account = (_peak_deriving(large) - _peak_deriving(small)) / 240
    assert per_account < BUDGET_PER_ACCOUNT, f"{per_account / 1024:.0f} KB per account"
