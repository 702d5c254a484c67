"""The audit files every run folder derives besides the findings: acceptances, changes, trend, register.

`derive_audit` is a pure function of the run folder and its frames, used by `build_outputs` to write the
files and by `verify` to check them, so both always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner import rundir
from scanner.audit.accepted_risks import (
    Assessment,
    RegisterLine,
    annotate,
    assess_frames,
    read_snapshot,
    register_frame,
)
from scanner.audit.changes import ChangesView, changes_frame, changes_view, trend_document
from scanner.audit.layout import CHANGES_CSV, EXCEPTIONS_CSV, TREND_JSON
from scanner.output.csv_export import to_csv_bytes
from scanner.rundir import RunFolder
from scanner.scoring import Frames


@dataclass(frozen=True)
class AuditOutputs:
    frames: Frames  # findings and scorecard with their `accepted` column
    assessment: Assessment
    changes: ChangesView
    files: dict[str, bytes]  # run-folder-relative name -> content


@dataclass(frozen=True)
class AuditSummary:
    """What the CLI says after a scan or report, besides the account counts."""

    previous_started_at: str  # "" when there was no comparable earlier run
    change_counts: tuple[tuple[str, int], ...]
    accepted: int  # FAIL findings covered by an exception in force
    expired: tuple[RegisterLine, ...]
    manifest_sha256: str = ""


def derive_audit(folder: RunFolder, frames: Frames) -> AuditOutputs:
    assessment = assess_frames(read_snapshot(folder), frames, folder.read_run_info())
    annotated = annotate(frames, assessment)
    view = changes_view(folder, annotated.findings)
    files = {
        CHANGES_CSV: to_csv_bytes(changes_frame(view)),
        TREND_JSON: rundir.dumps(trend_document(view)),
        EXCEPTIONS_CSV: to_csv_bytes(register_frame(assessment)),
    }
    return AuditOutputs(annotated, assessment, view, files)


def summarize(outputs: AuditOutputs, manifest_sha256: str = "") -> AuditSummary:
    return AuditSummary(
        previous_started_at=outputs.changes.previous_started_at,
        change_counts=tuple((change.value, n) for change, n in outputs.changes.counts),
        accepted=len(outputs.assessment.accepted),
        expired=outputs.assessment.expired,
        manifest_sha256=manifest_sha256,
    )
