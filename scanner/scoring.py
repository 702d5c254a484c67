"""From findings to the frames every output is made of: findings, scorecard, users, accounts, user findings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from scanner.checks import ALL_CHECK_IDS, CHECK_IDS, Framework, Thresholds, UserFinding
from scanner.checks.references import DEFAULT_FRAMEWORK
from scanner.models import ACCOUNT_COLUMNS, AccountResult, Finding, Status
from scanner.normalize.credential_report import COLUMNS as REPORT_COLUMNS

FINDING_COLUMNS = ("account_id", "account_name", "ou_path", "check_id", "status", "detail")
SCORECARD_COLUMNS = ("account_id", "account_name", "ou_path", *CHECK_IDS, "passed", "applicable")
USER_COLUMNS = ("account_id", "account_name", *REPORT_COLUMNS)
USER_FINDING_COLUMNS = ("account_id", "account_name", "user", "check_id", "status", "evidence")
# The five boxes first, then the extended checks: the order of findings.csv within an account.
CHECK_ORDER = {check_id: n for n, check_id in enumerate(ALL_CHECK_IDS)}


@dataclass(frozen=True)
class Frames:
    accounts: pd.DataFrame
    findings: pd.DataFrame
    scorecard: pd.DataFrame
    users: pd.DataFrame
    user_findings: pd.DataFrame = field(default_factory=lambda: user_findings_frame([], []))
    framework: Framework = DEFAULT_FRAMEWORK  # the mapping column reports show (`--framework`)
    thresholds: Thresholds = field(default_factory=Thresholds)  # what the extended checks compared against


def _strings(records: Sequence[Mapping[str, object]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records, columns=list(columns)).astype("string")


def _string_columns(columns: Mapping[str, list[object]]) -> pd.DataFrame:
    """A frame of string columns from one list per column: no record (a dict) per row is ever made, which for
    a large organization's findings would take more memory than the frame itself."""
    return pd.DataFrame(dict(columns), columns=list(columns)).astype("string")


def accounts_frame(results: Iterable[AccountResult]) -> pd.DataFrame:
    records: list[dict[str, object]] = [dict(r.to_record()) for r in results]
    return _strings(records, ACCOUNT_COLUMNS).sort_values("account_id", kind="stable").reset_index(drop=True)


def findings_frame(results: Sequence[AccountResult], findings: Iterable[Finding]) -> pd.DataFrame:
    accounts = {r.account.account_id: r.account for r in results}
    rows = sorted(findings, key=lambda f: (f.account_id, CHECK_ORDER.get(f.check_id, len(CHECK_ORDER))))
    return _string_columns({
        "account_id": [f.account_id for f in rows],
        "account_name": [accounts[f.account_id].account_name for f in rows],
        "ou_path": [accounts[f.account_id].ou_path for f in rows],
        "check_id": [f.check_id for f in rows],
        "status": [f.status.value for f in rows],
        "detail": [f.detail for f in rows],
    })


def scorecard_frame(findings: pd.DataFrame) -> pd.DataFrame:
    """One row per account with a finding: its status per box, then passed and applicable."""
    if findings.empty:
        frame = pd.DataFrame(columns=list(SCORECARD_COLUMNS))
        return frame.astype({c: ("Int64" if c in ("passed", "applicable") else "string") for c in frame.columns})
    wide = findings.pivot(index=["account_id", "account_name", "ou_path"], columns="check_id", values="status")
    wide = wide.reindex(columns=list(CHECK_IDS)).reset_index()
    statuses = wide[list(CHECK_IDS)]
    wide["passed"] = (statuses == Status.PASS.value).sum(axis=1).astype("Int64")
    wide["applicable"] = (len(CHECK_IDS) - (statuses == Status.NOT_APPLICABLE.value).sum(axis=1)).astype("Int64")
    wide.columns.name = None
    return wide[list(SCORECARD_COLUMNS)].sort_values("account_id", kind="stable").reset_index(drop=True)


def users_frame(rows: Iterable[dict[str, str]]) -> pd.DataFrame:
    """Every IAM user of every account, as the credential reports wrote them, for spreadsheets."""
    return _strings(list(rows), USER_COLUMNS)


def user_findings_frame(results: Sequence[AccountResult], findings: Iterable[UserFinding]) -> pd.DataFrame:
    """One row per user a user-level check judged, sorted by account, check order, then user."""
    names = {r.account.account_id: r.account.account_name for r in results}
    rows = sorted(findings, key=lambda f: (f.account_id, CHECK_ORDER.get(f.check_id, len(CHECK_ORDER)), f.user))
    return _string_columns({
        "account_id": [f.account_id for f in rows],
        "account_name": [names.get(f.account_id, "") for f in rows],
        "user": [f.user for f in rows],
        "check_id": [f.check_id for f in rows],
        "status": [f.status.value for f in rows],
        "evidence": [f.evidence for f in rows],
    })


def findings_export(findings: pd.DataFrame) -> pd.DataFrame:
    """`findings.csv`: exactly FINDING_COLUMNS; an accepted risk is told at the start of `detail`.

    The status stays FAIL (an accepted risk is never a pass), and the column set stays the contract other
    tools read.
    """
    out = findings.loc[:, list(FINDING_COLUMNS)].copy()
    if "accepted" in findings.columns:
        notes = findings["accepted"].fillna("")
        accepted = notes != ""
        out.loc[accepted, "detail"] = ("FAIL (" + notes[accepted] + "). " + out.loc[accepted, "detail"])
    return out


def scorecard_export(scorecard: pd.DataFrame) -> pd.DataFrame:
    """`scorecard.csv`: exactly SCORECARD_COLUMNS."""
    return scorecard.loc[:, list(SCORECARD_COLUMNS)]


@dataclass(frozen=True)
class BoxTotal:
    """One box over the organization: ERROR counts as applicable and not passed."""

    check_id: str
    passed: int
    applicable: int
    failed: int
    errors: int


@dataclass(frozen=True)
class OuTotal:
    """The accounts of one OU path: how many have a box FAIL or ERROR, and their boxes passed/applicable."""

    ou_path: str
    accounts: int
    failing: int
    passed: int
    applicable: int


def box_totals(findings: pd.DataFrame) -> tuple[BoxTotal, ...]:
    """The five boxes in order, counted from the findings frame."""
    boxes = findings[findings["check_id"].isin(CHECK_IDS)]
    counts = boxes.groupby(["check_id", "status"]).size().to_dict()
    totals = []
    for check_id in CHECK_IDS:
        statuses = {status: int(n) for (c, status), n in counts.items() if c == check_id}
        applicable = sum(n for status, n in statuses.items() if status != Status.NOT_APPLICABLE.value)
        totals.append(BoxTotal(check_id, statuses.get(Status.PASS.value, 0), applicable,
                               statuses.get(Status.FAIL.value, 0),
                               applicable - statuses.get(Status.PASS.value, 0) - statuses.get(Status.FAIL.value, 0)))
    return tuple(totals)


def worst_ous(scorecard: pd.DataFrame, limit: int = 3) -> tuple[OuTotal, ...]:
    """The OU paths with an account whose box is FAIL or ERROR, lowest share of boxes passed first (then
    more such accounts, then the path); at most `limit`."""
    totals: dict[str, list[int]] = {}
    for record in scorecard.to_dict("records"):
        ou = "" if pd.isna(record["ou_path"]) else str(record["ou_path"])
        failing = any(record.get(c) not in (Status.PASS.value, Status.NOT_APPLICABLE.value) for c in CHECK_IDS)
        total = totals.setdefault(ou, [0, 0, 0, 0])
        total[0] += 1
        total[1] += int(failing)
        total[2] += int(record["passed"]) if not pd.isna(record["passed"]) else 0
        total[3] += int(record["applicable"]) if not pd.isna(record["applicable"]) else 0
    ranked = sorted(
        (OuTotal(ou, *numbers) for ou, numbers in totals.items() if numbers[1]),
        key=lambda t: (t.passed / t.applicable if t.applicable else 1.0, -t.failing, t.ou_path.casefold()),
    )
    return tuple(ranked[:limit])
