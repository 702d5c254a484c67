"""What changed since the previous run of the same organization, box by box, and the pass-rate trend.

The previous run's statuses and the earlier runs' pass rates are read from the history database once, when
a scan finishes, and stored in the run folder (`inputs/history.json`). Everything here is then a pure
function of the run folder, so `orgscan report` and `orgscan verify` re-derive `changes.csv` and
`trend.json` offline and byte for byte, and the report shows exactly what the CSV says.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pandas as pd

from scanner import rundir
from scanner.audit.checkpoint import run_identity
from scanner.audit.layout import HISTORY_JSON
from scanner.checks import CHECK_IDS
from scanner.errors import RunFolderError
from scanner.models import Status, is_account_id
from scanner.rundir import RunFolder

TREND_RUNS = 12  # points of the trend chart, this run included
CHANGE_COLUMNS = ("account_id", "account_name", "ou_path", "check_id", "change", "previous_status", "status",
                  "accepted")
_ORDER = {check_id: n for n, check_id in enumerate(CHECK_IDS)}


class Change(StrEnum):
    """How one account's box moved between two runs. Unchanged boxes have no row."""

    NEW_FAILURE = "new failure"  # FAIL now; PASS, NOT_APPLICABLE or ERROR before
    FIXED = "fixed"  # FAIL before; PASS or NOT_APPLICABLE now
    STILL_FAILING = "still failing"  # FAIL before and now
    NOT_ASSESSED = "not assessed"  # ERROR now, known before: whether it is fixed cannot be told
    NEW_ACCOUNT = "new account"  # the account had no findings in the previous run
    ACCOUNT_GONE = "account gone"  # the account has no findings in this run (left, closed, excluded)


CHANGE_ORDER = tuple(Change)


@dataclass(frozen=True)
class BoxStatus:
    """One account's status on one of the five boxes, as a run recorded it."""

    account_id: str
    account_name: str
    ou_path: str
    check_id: str
    status: str
    accepted: str = ""


@dataclass(frozen=True)
class ChangeRow:
    account_id: str
    account_name: str
    ou_path: str
    check_id: str
    change: Change
    previous_status: str  # "" for a new account
    status: str  # "" for an account gone
    accepted: str  # the acceptance in force now, if any (see accepted_risks)


@dataclass(frozen=True)
class BoxRate:
    """How many accounts passed a box out of those it applies to (ERROR counts as applicable, not passed)."""

    check_id: str
    passed: int
    applicable: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.applicable if self.applicable else None


@dataclass(frozen=True)
class TrendPoint:
    run_id: str
    started_at: str
    boxes: tuple[BoxRate, ...]  # in box order


@dataclass(frozen=True)
class PreviousRun:
    run_id: str
    started_at: str
    statuses: tuple[BoxStatus, ...]


@dataclass(frozen=True)
class Baseline:
    """What the history database said when the run finished: the run to compare with and earlier rates."""

    previous: PreviousRun | None
    trend: tuple[TrendPoint, ...]  # earlier runs, oldest first, at most TREND_RUNS - 1


NO_BASELINE = Baseline(None, ())


@dataclass(frozen=True)
class ChangesView:
    """Everything the report's "Changes since <date>" section and trend chart need, as plain values."""

    run_id: str
    started_at: str
    previous_run_id: str  # "" when this is the organization's first recorded run
    previous_started_at: str
    rows: tuple[ChangeRow, ...]
    counts: tuple[tuple[Change, int], ...]  # every kind, in Change order, zeros included
    trend: tuple[TrendPoint, ...]  # oldest first, this run last


def compare(previous: Iterable[BoxStatus], current: Iterable[BoxStatus]) -> tuple[ChangeRow, ...]:
    """The rows of `changes.csv`, sorted by account id, then box order."""
    before = {(s.account_id, s.check_id): s for s in previous}
    now = {(s.account_id, s.check_id): s for s in current}
    accounts_before = {account for account, _ in before}
    accounts_now = {account for account, _ in now}
    rows: list[ChangeRow] = []
    for key in set(before) | set(now):
        account_id = key[0]
        old, new = before.get(key), now.get(key)
        if account_id not in accounts_before and new is not None:
            rows.append(_row(new, Change.NEW_ACCOUNT, "", new.status, new.accepted))
        elif account_id not in accounts_now and old is not None:
            rows.append(_row(old, Change.ACCOUNT_GONE, old.status, "", ""))
        elif old is not None and new is not None:
            change = _box_change(old.status, new.status)
            if change is not None:
                rows.append(_row(new, change, old.status, new.status, new.accepted))
    rows.sort(key=lambda r: (r.account_id, _ORDER.get(r.check_id, len(_ORDER)), r.check_id))
    return tuple(rows)


def _box_change(old: str, new: str) -> Change | None:
    fail, error = Status.FAIL.value, Status.ERROR.value
    if new == fail:
        return Change.STILL_FAILING if old == fail else Change.NEW_FAILURE
    if old == fail and new in (Status.PASS.value, Status.NOT_APPLICABLE.value):
        return Change.FIXED
    if new == error and old != error:
        return Change.NOT_ASSESSED
    return None


def _row(source: BoxStatus, change: Change, previous_status: str, status: str, accepted: str) -> ChangeRow:
    return ChangeRow(source.account_id, source.account_name, source.ou_path, source.check_id, change,
                     previous_status, status, accepted)


def box_statuses(findings: pd.DataFrame) -> tuple[BoxStatus, ...]:
    """The five boxes' rows of a findings frame (with or without its `accepted` column)."""
    rows = findings[findings["check_id"].isin(CHECK_IDS)]
    accepted = rows["accepted"] if "accepted" in rows.columns else pd.Series("", index=rows.index)
    return tuple(
        BoxStatus(_text(a), _text(n), _text(o), _text(c), _text(s), _text(x))
        for a, n, o, c, s, x in zip(rows["account_id"], rows["account_name"], rows["ou_path"], rows["check_id"],
                                    rows["status"], accepted, strict=True)
    )


def _text(value: Any) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def box_rates(statuses: Iterable[BoxStatus]) -> tuple[BoxRate, ...]:
    passed: Counter[str] = Counter()
    applicable: Counter[str] = Counter()
    for status in statuses:
        if status.status in (Status.PASS.value, Status.FAIL.value, Status.ERROR.value):
            applicable[status.check_id] += 1
            passed[status.check_id] += status.status == Status.PASS.value
    return tuple(BoxRate(check_id, passed[check_id], applicable[check_id]) for check_id in CHECK_IDS)


def change_counts(rows: Sequence[ChangeRow]) -> tuple[tuple[Change, int], ...]:
    counted = Counter(row.change for row in rows)
    return tuple((change, counted[change]) for change in CHANGE_ORDER)


# inputs/history.json


def _status_record(status: BoxStatus) -> dict[str, str]:
    return {"account_id": status.account_id, "account_name": status.account_name, "ou_path": status.ou_path,
            "check_id": status.check_id, "status": status.status, "accepted": status.accepted}


def _point_record(point: TrendPoint) -> dict[str, Any]:
    return {"run_id": point.run_id, "started_at": point.started_at,
            "boxes": {b.check_id: {"passed": b.passed, "applicable": b.applicable} for b in point.boxes}}


def baseline_document(baseline: Baseline) -> dict[str, Any]:
    previous = baseline.previous
    return {
        "previous": None if previous is None else {
            "run_id": previous.run_id,
            "started_at": previous.started_at,
            "findings": [_status_record(s) for s in previous.statuses],
        },
        "trend": [_point_record(p) for p in baseline.trend],
    }


def write_baseline(folder: RunFolder, baseline: Baseline) -> None:
    rundir.write_atomic(folder.path / HISTORY_JSON, rundir.dumps(baseline_document(baseline)))


def _point(record: Mapping[str, Any]) -> TrendPoint:
    boxes = record.get("boxes") or {}
    return TrendPoint(
        str(record["run_id"]), str(record["started_at"]),
        tuple(BoxRate(c, int(boxes.get(c, {}).get("passed", 0)), int(boxes.get(c, {}).get("applicable", 0)))
              for c in CHECK_IDS),
    )


def read_baseline(folder: RunFolder) -> Baseline:
    """The stored baseline; an empty one for a run folder written before history existed."""
    try:
        document = json.loads((folder.path / HISTORY_JSON).read_bytes())
    except FileNotFoundError:
        return NO_BASELINE
    except (OSError, ValueError) as exc:
        raise RunFolderError(f"{HISTORY_JSON} is unreadable: {exc}") from None
    try:
        previous = document.get("previous")
        run = None if previous is None else PreviousRun(
            str(previous["run_id"]), str(previous["started_at"]),
            tuple(BoxStatus(str(f["account_id"]), str(f.get("account_name", "")), str(f.get("ou_path", "")),
                            str(f["check_id"]), str(f["status"]), str(f.get("accepted", "")))
                  for f in previous["findings"]),
        )
        trend = tuple(_point(p) for p in document.get("trend", []))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise RunFolderError(f"{HISTORY_JSON} is malformed: {exc!r}") from None
    for finding in previous["findings"] if run is not None else ():
        if not is_account_id(finding["account_id"]):
            raise RunFolderError(f"{HISTORY_JSON}: {finding['account_id']!r} is not an account id (12 digits)")
    return Baseline(run, trend[-(TREND_RUNS - 1):])


# The view and the derived files


def changes_view(folder: RunFolder, findings: pd.DataFrame) -> ChangesView:
    """This run against its stored baseline. `findings` is the run's findings frame, as the report gets it.

    The renderer calls this with the frames it is given; the result matches `changes.csv` and `trend.json`.
    """
    run_id, started_at = run_identity(folder)
    baseline = read_baseline(folder)
    current = box_statuses(findings)
    previous = baseline.previous
    rows = compare(previous.statuses, current) if previous is not None else ()
    trend = (*baseline.trend, TrendPoint(run_id, started_at, box_rates(current)))
    return ChangesView(
        run_id=run_id,
        started_at=started_at,
        previous_run_id=previous.run_id if previous else "",
        previous_started_at=previous.started_at if previous else "",
        rows=rows,
        counts=change_counts(rows),
        trend=trend[-TREND_RUNS:],
    )


def changes_frame(view: ChangesView) -> pd.DataFrame:
    records = [
        {"account_id": r.account_id, "account_name": r.account_name, "ou_path": r.ou_path, "check_id": r.check_id,
         "change": r.change.value, "previous_status": r.previous_status, "status": r.status, "accepted": r.accepted}
        for r in view.rows
    ]
    return pd.DataFrame.from_records(records, columns=list(CHANGE_COLUMNS)).astype("string")


def trend_document(view: ChangesView) -> dict[str, Any]:
    """`trend.json`: the compared run and the org-wide pass rate per box over the last runs, oldest first."""
    return {
        "boxes": list(CHECK_IDS),
        "previous_run_id": view.previous_run_id,
        "previous_started_at": view.previous_started_at,
        "runs": [_point_record(p) for p in view.trend],
    }
