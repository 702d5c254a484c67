"""`orgscan diff RUN_A RUN_B`: the comparison a scan makes with its previous run, for any two run folders.

Each folder's statuses are re-derived from its own raw evidence (as `orgscan report` would), so the diff
speaks for the evidence even if a CSV was edited; nothing is written to either folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scanner.audit.changes import BoxStatus, box_statuses
from scanner.audit.checkpoint import run_identity
from scanner.derive import derive_outputs
from scanner.rundir import RunFolder


@dataclass(frozen=True)
class RunStatuses:
    run_id: str
    started_at: str
    statuses: tuple[BoxStatus, ...]


def run_statuses(path: Path) -> RunStatuses:
    folder = RunFolder.open(path)
    derived = derive_outputs(folder)
    run_id, started_at = run_identity(folder)
    return RunStatuses(run_id, started_at, box_statuses(derived.frames.findings))
