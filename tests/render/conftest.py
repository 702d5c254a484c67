"""A hand-made run for the report tests: eight accounts covering every status in every box.

The run folder holds only what the report reads besides the frames (run.json, raw/accounts.json, each
assessed account's meta.json); the frames are built from findings with the scoring functions, as a scan
would build them. Every extended check passes except on SEEDED, which has each status; the organization's
centralized root access fails, on the management account. `make_run` can add
an exceptions register (inputs/exceptions.toml) and the baseline of earlier runs (inputs/history.json).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from scanner import rundir
from scanner.audit.changes import Baseline, BoxRate, BoxStatus, PreviousRun, TrendPoint, write_baseline
from scanner.audit.layout import EXCEPTIONS_TOML
from scanner.checks import CHECK_IDS, unreachable_extended
from scanner.checks.extended_catalog import ACCOUNT_EXTENDED_IDS
from scanner.models import Account, AccountResult, Finding, ScanStatus, Status
from scanner.rundir import RunFolder
from scanner.scoring import Frames, accounts_frame, findings_frame, scorecard_frame, users_frame

P, F, N, E = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.ERROR
HOSTILE_NAME = '<script>alert("x")</script> Ops, \u202eevil'
RLO_NAME = "Shared \u202eServices"  # short enough to reach the matrix unclipped
STARTED = "2026-01-15T09:30:00Z"
RUN_INFO: dict[str, Any] = {
    "tool_version": "0.1.0",
    "started_at": STARTED,
    "finished_at": "2026-01-15T09:41:07Z",
    "caller_arn": "arn:aws:sts::111111111111:assumed-role/SecurityAudit/alice",
    "caller_account_id": "111111111111",
    "organization_id": "o-test12345",
    "organization_name": "Example Org",
    "management_account_id": "111111111111",
    "account_counts": {"discovered": 8, "scanned": 6, "error": 1, "skipped": 1},
}
ACCESS_ERROR = "AccessDenied: User is not authorized to perform: sts:AssumeRole"

# account id -> (name, OU path, statuses in box order); every column holds every status.
ASSESSED: dict[str, tuple[str, str, tuple[Status, ...]]] = {
    "111111111111": ("Management", "Root", (P, P, P, P, P)),
    "222222222222": ("Dev Sandbox", "Root/Dev", (F, F, F, F, F)),
    "333333333333": ("GovCloud Bridge", "Root/Prod", (N, N, N, N, N)),
    "444444444444": ("Logging", "Root/Prod", (E, E, E, E, E)),
    "555555555555": (HOSTILE_NAME, "Root/Prod", (P, F, N, E, P)),
    "666666666666": (RLO_NAME, "", (F, E, P, N, F)),
}
SEEDED = "222222222222"
# SEEDED's extended checks, in catalog order; every other assessed account passes all of them.
SEEDED_EXTENDED: dict[str, Status] = {
    "root-hardware-mfa": F,
    "root-not-used-recently": P,
    "console-users-mfa": N,
    "access-keys-rotated": F,
    "unused-credentials": E,
    "single-active-key": P,
    "password-length": F,
    "password-reuse": P,
    "no-direct-user-policies": N,
    "no-full-admin-policies": N,
    "support-role": N,
    "expired-server-certificates": N,
    "cloudshell-full-access": N,
    "access-analyzer": N,
}
assert tuple(SEEDED_EXTENDED) == ACCOUNT_EXTENDED_IDS
ORGANIZATION_FINDING = Finding("111111111111", "root-access-centralized", F, "Root credentials management is off.")
UNREACHABLE = "777777777777"
PREVIOUS = "2026-01-08T09:30:00Z"  # the start of the run before, when make_run is given a baseline
GONE = "999999999999"  # an account of the run before that is gone
SUSPENDED = "888888888888"
WITHOUT_REPORT_TIME = "333333333333"


def detail_for(status: Status, check_id: str) -> str:
    return f"{check_id} is {status.value.lower()} in this test."


@dataclass(frozen=True)
class HandMadeRun:
    folder: RunFolder
    results: list[AccountResult]
    frames: Frames


def make_run(path: Path, *, exceptions: str = "", baseline: Baseline | None = None) -> HandMadeRun:
    """Writes the run folder under `path` and returns it with the results and frames of its accounts.

    `exceptions` is the text of an exceptions register to keep as the one in force; `baseline` what the
    history database said about earlier runs. Without them the run is a first run without a register.
    """
    path.mkdir(parents=True, exist_ok=True)
    folder = RunFolder.create(path, datetime(2026, 1, 15, 9, 30, tzinfo=UTC))
    results: list[AccountResult] = []
    findings: list[Finding] = []
    for n, (account_id, (name, ou, statuses)) in enumerate(ASSESSED.items()):
        account = Account(account_id, name, f"aws+{account_id}@example.com", "ACTIVE", ou)
        results.append(AccountResult(account, ScanStatus.SCANNED))
        findings.extend(Finding(account_id, c, s, detail_for(s, c)) for c, s in zip(CHECK_IDS, statuses, strict=True))
        extended = SEEDED_EXTENDED if account_id == SEEDED else dict.fromkeys(ACCOUNT_EXTENDED_IDS, P)
        findings.extend(Finding(account_id, c, s, detail_for(s, c)) for c, s in extended.items())
        if account_id != WITHOUT_REPORT_TIME:
            folder.write_raw(account_id, rundir.META_JSON, rundir.dumps({
                "account_id": account_id, "credential_report_generated_time": f"2026-01-15T09:3{n}:00Z",
            }))
    unreachable = Account(UNREACHABLE, "Legacy Billing", "legacy@example.com", "ACTIVE", "Root/Legacy")
    results.append(AccountResult(unreachable, ScanStatus.ERROR, ACCESS_ERROR))
    findings.extend(Finding(UNREACHABLE, c, E, f"The account could not be accessed: {ACCESS_ERROR}.")
                    for c in CHECK_IDS)
    findings.extend(unreachable_extended(UNREACHABLE, ACCESS_ERROR))
    findings.append(ORGANIZATION_FINDING)  # once, on the management account
    suspended = Account(SUSPENDED, "Closed Project", "closed@example.com", "SUSPENDED", "Root/Legacy")
    results.append(AccountResult(suspended, ScanStatus.SKIPPED))
    results.sort(key=lambda r: r.account.account_id)
    folder.write_accounts(results)
    folder.write_run_info(RUN_INFO)
    if exceptions:
        rundir.write_atomic(folder.path / EXCEPTIONS_TOML, exceptions.encode("utf-8"))
    if baseline is not None:
        write_baseline(folder, baseline)
    findings_df = findings_frame(results, findings)
    frames = Frames(accounts_frame(results), findings_df, scorecard_frame(findings_df), users_frame([]))
    return HandMadeRun(folder, results, frames)


@pytest.fixture
def run(tmp_path: Path) -> HandMadeRun:
    return make_run(tmp_path / "runs")


def pdf_reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def _previous_statuses() -> tuple[BoxStatus, ...]:
    """The run before the hand-made one: known differences from what its accounts show now."""
    now = {account_id: statuses for account_id, (_, _, statuses) in ASSESSED.items()}
    before = {
        "111111111111": ("PASS", "FAIL", "PASS", "PASS", "PASS"),  # root-mfa fixed
        "222222222222": ("PASS", "FAIL", "FAIL", "FAIL", "FAIL"),  # root keys new failure, four still failing
        "444444444444": ("PASS", "PASS", "PASS", "PASS", "PASS"),  # five not assessed
        GONE: ("PASS", "FAIL", "PASS", "PASS", "PASS"),  # account gone
        # 333333333333, 555555555555 (its root-mfa still failing) and the unreachable account unchanged;
        # 666666666666 is a new account
        "333333333333": tuple(s.value for s in now["333333333333"]),
        "555555555555": tuple(s.value for s in now["555555555555"]),
        UNREACHABLE: ("ERROR",) * 5,
    }
    return tuple(
        BoxStatus(account_id, ASSESSED[account_id][0] if account_id in ASSESSED else "Retired", "Root", check_id,
                  status)
        for account_id, statuses in before.items()
        for check_id, status in zip(CHECK_IDS, statuses, strict=True)
    )


def previous_baseline(earlier_runs: int = 3) -> Baseline:
    """What the history database would say: the run of PREVIOUS, and the pass rates of the runs before it."""
    trend = tuple(
        TrendPoint(f"2025-12-{n + 1:02d}", f"2025-12-{n + 1:02d}T09:30:00Z",
                   tuple(BoxRate(c, n + i, 6) for i, c in enumerate(CHECK_IDS)))
        for n in range(earlier_runs - 1)
    )
    return Baseline(PreviousRun("2026-01-08T093000Z", PREVIOUS, _previous_statuses()),
                    (*trend, TrendPoint("2026-01-08T093000Z", PREVIOUS,
                                        tuple(BoxRate(c, 3, 6) for c in CHECK_IDS))))
