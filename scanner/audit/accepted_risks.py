"""Accepted risks: failures the organization has decided to live with, each with an owner and an end date.

An acceptance never changes a status. A FAIL stays `FAIL` in every file and is never counted as a pass; it
gains an `accepted` note (`accepted until 2027-01-31 by alice@example.com: reason`) so nobody reads it as
forgotten. Whether an entry is still in force is judged at the run's start time from `run.json`, never the
clock, so re-deriving a run a year later gives the same files. An expired entry stops applying and is
listed as `expired` in `exceptions.csv`, so it gets renewed or the failure gets fixed.

The register is a TOML file of `[[exception]]` tables; a copy of the file in force at scan time is kept in
the run folder (`inputs/exceptions.toml`), which is what every later re-derivation reads.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd

from scanner.audit.layout import EXCEPTIONS_TOML
from scanner.checks import ALL_CHECK_IDS, CHECK_IDS
from scanner.errors import ConfigError, RunFolderError
from scanner.models import Status, is_account_id
from scanner.rundir import RunFolder
from scanner.scoring import Frames

ACCEPTED_COLUMN = "accepted"
REGISTER_COLUMNS = ("entry", "account_id", "check_id", "owner", "expires", "state", "matching_failures",
                    "justification")
ENTRY_KEYS = ("account_id", "check_id", "justification", "owner", "expires")
ANY_ACCOUNT = "*"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HEADER = re.compile(r"^\s*\[\[\s*exception\s*\]\]")


class RiskState(StrEnum):
    """Whether an entry applies at the run's start."""

    ACTIVE = "active"
    EXPIRED = "expired"


@dataclass(frozen=True)
class AcceptedRisk:
    """One `[[exception]]` entry of the register."""

    entry: int  # 1-based position in the file
    line: int  # line of its `[[exception]]` header; 0 when the file uses another TOML form
    account_id: str  # 12 digits, or "*" for every account
    check_id: str
    justification: str
    owner: str
    expires: date  # the last day it applies (inclusive, UTC)

    def in_force(self, on: date) -> bool:
        return on <= self.expires

    @property
    def note(self) -> str:
        """The text of the `accepted` column."""
        return f"accepted until {self.expires.isoformat()} by {self.owner}: {self.justification}"

    @property
    def label(self) -> str:
        """How a report shows it after the status: `FAIL (accepted until <date>, <owner>, <reason>)`."""
        return f"accepted until {self.expires.isoformat()}, {self.owner}, {self.justification}"


@dataclass(frozen=True)
class RegisterLine:
    """An entry as this run found it: in force or expired, and how many FAIL findings it matches."""

    risk: AcceptedRisk
    state: RiskState
    matching_failures: int


@dataclass(frozen=True)
class Assessment:
    """The register applied to one run's findings."""

    evaluated_on: date | None  # the run's start date; None when the run has no register
    accepted: Mapping[tuple[str, str], AcceptedRisk]  # (account_id, check_id) of an accepted FAIL -> entry
    register: tuple[RegisterLine, ...]

    @property
    def expired(self) -> tuple[RegisterLine, ...]:
        return tuple(line for line in self.register if line.state is RiskState.EXPIRED)


NO_ASSESSMENT = Assessment(None, {}, ())


def _entry_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if _HEADER.match(line)]


def _text(value: Any, key: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _expiry(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        raise ConfigError(f"{where}: 'expires' must be a date like 2027-01-31, not a date and time")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ConfigError(f"{where}: 'expires' must be a date like 2027-01-31, got {value!r}")


def _parse_entry(raw: Any, entry: int, line: int, source: str) -> AcceptedRisk:
    where = f"{source}: entry {entry}" + (f" (line {line})" if line else "")
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table of {', '.join(ENTRY_KEYS)}")
    unknown = sorted(set(raw) - set(ENTRY_KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key '{unknown[0]}' (known: {', '.join(ENTRY_KEYS)})")
    missing = [key for key in ENTRY_KEYS if key not in raw]
    if missing:
        raise ConfigError(f"{where}: missing '{missing[0]}'")
    account_id = raw["account_id"]
    if not isinstance(account_id, str):
        raise ConfigError(f"{where}: 'account_id' must be a quoted 12-digit account id or \"*\", got {account_id!r}")
    account_id = account_id.strip()
    if account_id != ANY_ACCOUNT and not is_account_id(account_id):
        raise ConfigError(f"{where}: 'account_id' must be a 12-digit account id or \"*\", got {account_id!r}")
    check_id = _text(raw["check_id"], "check_id", where)
    if check_id not in ALL_CHECK_IDS:
        raise ConfigError(f"{where}: unknown check_id '{check_id}' (known: {', '.join(ALL_CHECK_IDS)})")
    return AcceptedRisk(
        entry=entry,
        line=line,
        account_id=account_id,
        check_id=check_id,
        justification=_text(raw["justification"], "justification", where),
        owner=_text(raw["owner"], "owner", where),
        expires=_expiry(raw["expires"], where),
    )


def parse_register(data: bytes, source: str) -> tuple[AcceptedRisk, ...]:
    """Every entry of a register file; anything malformed is a ConfigError naming the entry and its line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{source}: not UTF-8 text") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    unknown = sorted(set(document) - {"exception"})
    if unknown:
        raise ConfigError(f"{source}: unknown top-level key '{unknown[0]}' (expected [[exception]] tables)")
    entries = document.get("exception", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{source}: 'exception' must be written as [[exception]] tables")
    lines = _entry_lines(text)
    if len(lines) != len(entries):
        lines = [0] * len(entries)
    return tuple(_parse_entry(raw, n, line, source) for n, (raw, line) in enumerate(zip(entries, lines, strict=True),
                                                                                     start=1))


def load_register(path: str | Path) -> tuple[bytes, tuple[AcceptedRisk, ...]]:
    """The file's exact bytes (to be copied into the run folder) and its validated entries."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"exceptions file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read exceptions file {path}: {exc.strerror}") from None
    return data, parse_register(data, f"exceptions file {path}")


def read_snapshot(folder: RunFolder) -> tuple[AcceptedRisk, ...]:
    """The register the run was scanned with; none when the run had none."""
    path = folder.path / EXCEPTIONS_TOML
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ()
    except OSError as exc:
        raise RunFolderError(f"{EXCEPTIONS_TOML} is unreadable: {exc.strerror}") from None
    return parse_register(data, EXCEPTIONS_TOML)


def evaluation_date(run_info: Mapping[str, Any]) -> date:
    """The day expiry is judged on: the run's start (UTC) as run.json records it."""
    text = str(run_info.get("started_at") or "")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise RunFolderError(f"run.json has no valid started_at ({text!r}) to judge exceptions' expiry by") from None


def _preference(risk: AcceptedRisk) -> tuple[bool, int, int]:
    """An entry for the account beats a `*` entry; then the later expiry; then the earlier entry."""
    return (risk.account_id == ANY_ACCOUNT, -risk.expires.toordinal(), risk.entry)


def assess(risks: Sequence[AcceptedRisk], failures: Iterable[tuple[str, str]], on: date) -> Assessment:
    """Match the register against the (account_id, check_id) of every FAIL finding."""
    failing = sorted(set(failures))
    accepted: dict[tuple[str, str], AcceptedRisk] = {}
    matches = dict.fromkeys((risk.entry for risk in risks), 0)
    for account_id, check_id in failing:
        candidates = [r for r in risks if r.check_id == check_id and r.account_id in (account_id, ANY_ACCOUNT)]
        for risk in candidates:
            matches[risk.entry] += 1
        in_force = sorted((r for r in candidates if r.in_force(on)), key=_preference)
        if in_force:
            accepted[(account_id, check_id)] = in_force[0]
    register = tuple(
        RegisterLine(risk, RiskState.ACTIVE if risk.in_force(on) else RiskState.EXPIRED, matches[risk.entry])
        for risk in risks
    )
    return Assessment(on, accepted, register)


def assess_findings(risks: Sequence[AcceptedRisk], findings: pd.DataFrame, run_info: Mapping[str, Any]) -> Assessment:
    if not risks:
        return NO_ASSESSMENT
    failing = findings[findings["status"] == Status.FAIL.value]
    pairs = zip(failing["account_id"].astype(str), failing["check_id"].astype(str), strict=True)
    return assess(risks, pairs, evaluation_date(run_info))


def assess_frames(risks: Sequence[AcceptedRisk], frames: Frames, run_info: Mapping[str, Any]) -> Assessment:
    return assess_findings(risks, frames.findings, run_info)


def exceptions_view(folder: RunFolder, findings: pd.DataFrame) -> Assessment:
    """The run's register applied to its findings, for the report.

    `accepted[(account_id, check_id)].label` is the text to show after a FAIL; `register` lists every entry
    with its state, so expired ones can be flagged. Reads only the run folder.
    """
    return assess_findings(read_snapshot(folder), findings, folder.read_run_info())


def annotate(frames: Frames, assessment: Assessment) -> Frames:
    """Frames with an `accepted` column after the existing ones of findings and scorecard; statuses untouched."""
    findings = frames.findings.copy()
    pairs = list(zip(findings["account_id"].astype(str), findings["check_id"].astype(str), strict=True))
    notes = [assessment.accepted[pair].note if pair in assessment.accepted else "" for pair in pairs]
    findings[ACCEPTED_COLUMN] = pd.Series(notes, index=findings.index, dtype="string")
    per_account: dict[str, list[str]] = {}
    for account_id, check_id in pairs:  # findings are in account, then box order
        risk = assessment.accepted.get((account_id, check_id))
        if risk is not None and check_id in CHECK_IDS:
            per_account.setdefault(account_id, []).append(f"{check_id} {risk.note}")
    scorecard = frames.scorecard.copy()
    scorecard[ACCEPTED_COLUMN] = pd.Series(
        ["; ".join(per_account.get(str(a), [])) for a in scorecard["account_id"]],
        index=scorecard.index, dtype="string",
    )
    return replace(frames, findings=findings, scorecard=scorecard)


def register_frame(assessment: Assessment) -> pd.DataFrame:
    """`exceptions.csv`: every entry of the register in file order, with its state in this run."""
    records = [
        {
            "entry": line.risk.entry,
            "account_id": line.risk.account_id,
            "check_id": line.risk.check_id,
            "owner": line.risk.owner,
            "expires": line.risk.expires.isoformat(),
            "state": line.state.value,
            "matching_failures": line.matching_failures,
            "justification": line.risk.justification,
        }
        for line in assessment.register
    ]
    return pd.DataFrame.from_records(records, columns=list(REGISTER_COLUMNS)).astype("string")
