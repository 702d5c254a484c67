"""The history database: every completed run's metadata, scorecard and findings, in one SQLite file.

It is what a new run is compared with (the previous run of the same organization over the same accounts)
and what `orgscan history` lists. Several scans may finish at once against the same file: every write is
one `BEGIN IMMEDIATE` transaction, the journal is WAL (readers never block the writer) and a connection
waits up to `BUSY_TIMEOUT_S` for a lock instead of failing. WAL needs a local file system, not NFS or SMB.

Schema (`PRAGMA user_version` = 2):
    runs(id, run_id, org_key, organization_id, organization_name, caller_account_id, scope, started_at,
         finished_at, tool_version, caller_arn, config_digest, accounts_discovered, accounts_scanned,
         accounts_error, accounts_skipped, manifest_sha256, run_path, recorded_at),
         unique (org_key, run_id, run_path): two scans started in the same second into different folders are
         two runs (schema 1 had no run_path in the key; such a database is migrated when first opened)
    findings(run -> runs.id, account_id, account_name, ou_path, check_id, status, detail, accepted)
    scorecard(run -> runs.id, account_id, account_name, ou_path, passed, applicable)

The database, its `-wal` and `-shm` files and any folder created for them are its owner's alone (0600, 0700).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from scanner import rundir
from scanner.audit.changes import TREND_RUNS, Baseline, BoxRate, BoxStatus, PreviousRun, TrendPoint
from scanner.audit.checkpoint import read_start, run_identity
from scanner.audit.layout import HISTORY_DB
from scanner.checks import CHECK_IDS
from scanner.errors import HistoryError, RunFolderError
from scanner.rundir import RunFolder
from scanner.scoring import Frames

SCHEMA_VERSION = 2
BUSY_TIMEOUT_S = 60.0

_RUNS = """
CREATE TABLE IF NOT EXISTS {name} (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    org_key TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    organization_name TEXT NOT NULL,
    caller_account_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    caller_arn TEXT NOT NULL,
    config_digest TEXT NOT NULL,
    accounts_discovered INTEGER NOT NULL,
    accounts_scanned INTEGER NOT NULL,
    accounts_error INTEGER NOT NULL,
    accounts_skipped INTEGER NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    run_path TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (org_key, run_id, run_path)
)"""
_RUNS_INDEX = "CREATE INDEX IF NOT EXISTS runs_by_scope ON runs (org_key, scope, started_at, run_id)"
_FINDINGS = """
CREATE TABLE IF NOT EXISTS findings (
    run INTEGER NOT NULL REFERENCES runs (id),
    account_id TEXT NOT NULL,
    account_name TEXT NOT NULL,
    ou_path TEXT NOT NULL,
    check_id TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL,
    accepted TEXT NOT NULL,
    PRIMARY KEY (run, account_id, check_id)
)"""
_SCORECARD = """
CREATE TABLE IF NOT EXISTS scorecard (
    run INTEGER NOT NULL REFERENCES runs (id),
    account_id TEXT NOT NULL,
    account_name TEXT NOT NULL,
    ou_path TEXT NOT NULL,
    passed INTEGER NOT NULL,
    applicable INTEGER NOT NULL,
    PRIMARY KEY (run, account_id)
)"""


@dataclass(frozen=True)
class RunKey:
    """Which runs are comparable: the same organization (or lone account) and the same account selection."""

    run_id: str
    org_key: str
    scope: str
    started_at: str


@dataclass(frozen=True)
class RunRecord:
    key: RunKey
    organization_id: str
    organization_name: str
    caller_account_id: str
    finished_at: str
    tool_version: str
    caller_arn: str
    config_digest: str
    counts: Mapping[str, int]
    manifest_sha256: str
    run_path: str


@dataclass(frozen=True)
class RunSummary:
    """A line of `orgscan history`."""

    run_id: str
    organization_id: str
    organization_name: str
    started_at: str
    discovered: int
    scanned: int
    error: int
    skipped: int
    rates: tuple[BoxRate, ...]  # in box order


def default_path(out: str | Path) -> Path:
    return Path(out) / HISTORY_DB


def org_key(run_info: Mapping[str, Any]) -> str:
    organization_id = str(run_info.get("organization_id") or "")
    return organization_id or f"account:{run_info.get('caller_account_id', '')}"


def _scope(folder: RunFolder) -> str:
    try:
        settings = read_start(folder).settings
    except RunFolderError:
        return ""
    return json.dumps({key: sorted(settings.get(key) or []) for key in ("accounts", "exclude", "ous")},
                      sort_keys=True, separators=(",", ":"))


def run_key(folder: RunFolder) -> RunKey:
    run_id, started_at = run_identity(folder)
    return RunKey(run_id, org_key(folder.read_run_info()), _scope(folder), started_at)


def run_record(folder: RunFolder, manifest_sha256: str) -> RunRecord:
    info = folder.read_run_info()
    return RunRecord(
        key=run_key(folder),
        organization_id=str(info.get("organization_id", "")),
        organization_name=str(info.get("organization_name", "")),
        caller_account_id=str(info.get("caller_account_id", "")),
        finished_at=str(info.get("finished_at", "")),
        tool_version=str(info.get("tool_version", "")),
        caller_arn=str(info.get("caller_arn", "")),
        config_digest=str(info.get("config_digest", "")),
        counts={k: int(v) for k, v in (info.get("account_counts") or {}).items()},
        manifest_sha256=manifest_sha256,
        run_path=str(folder.path.resolve()),
    )


def _text(value: Any) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


class History:
    """One SQLite file; a connection per operation, so nothing holds the file between them."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        try:
            self._make_private()
            with closing(sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)) as db:
                db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
                db.execute("PRAGMA journal_mode = WAL")
                self._migrate(db)
                yield db
        except sqlite3.Error as exc:
            raise HistoryError(f"history database {self.path}: {exc}") from None
        except OSError as exc:
            raise HistoryError(f"history database {self.path}: {exc.strerror or exc}") from None

    @staticmethod
    @contextmanager
    def _transaction(db: sqlite3.Connection, mode: str = "DEFERRED") -> Iterator[None]:
        db.execute(f"BEGIN {mode}")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _make_private(self) -> None:
        """Create the folder (0700) and an empty database (0600) before SQLite does, with its default modes.

        SQLite gives the `-wal` and `-shm` files the database's own mode. A database an older orgscan left
        readable to others is made private too, as are its journal files.
        """
        rundir.make_private_folders(self.path.parent)
        try:
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, rundir.PRIVATE_FILE))
        except FileExistsError:
            pass
        for path in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
            rundir.make_private(path)

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise HistoryError(f"history database {self.path} was written by a newer orgscan (schema {version})")
        with self._transaction(db, "IMMEDIATE"):
            version = db.execute("PRAGMA user_version").fetchone()[0]  # another process may have just done it
            if version == 0:
                for statement in (_RUNS.format(name="runs"), _RUNS_INDEX, _FINDINGS, _SCORECARD):
                    db.execute(statement)
            elif version == 1:  # runs keyed without run_path: rebuilt, ids kept (findings and scorecard refer to them)
                db.execute(_RUNS.format(name="runs_2"))
                db.execute("INSERT INTO runs_2 SELECT * FROM runs")
                db.execute("DROP TABLE runs")
                db.execute("ALTER TABLE runs_2 RENAME TO runs")
                db.execute(_RUNS_INDEX)
            if version < SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def ensure(self) -> None:
        """Open (and create) the database now, so a bad path fails before a scan, not after it."""
        with self._connection():
            pass

    def record(self, run: RunRecord, frames: Frames) -> None:
        """Add a completed run, or replace it when the same run (same folder) is finished again (`scan --resume`)."""
        counts = run.counts
        findings = frames.findings
        accepted = findings["accepted"] if "accepted" in findings.columns else pd.Series("", index=findings.index)
        finding_rows = [
            tuple(_text(v) for v in row)
            for row in zip(findings["account_id"], findings["account_name"], findings["ou_path"],
                           findings["check_id"], findings["status"], findings["detail"], accepted, strict=True)
        ]
        scorecard = frames.scorecard
        score_rows = [
            (_text(a), _text(n), _text(o), int(_text(p) or 0), int(_text(q) or 0))
            for a, n, o, p, q in zip(scorecard["account_id"], scorecard["account_name"], scorecard["ou_path"],
                                     scorecard["passed"], scorecard["applicable"], strict=True)
        ]
        with self._connection() as db, self._transaction(db, "IMMEDIATE"):
            old = db.execute("SELECT id FROM runs WHERE org_key = ? AND run_id = ? AND run_path = ?",
                             (run.key.org_key, run.key.run_id, run.run_path)).fetchone()
            if old is not None:
                for table in ("findings", "scorecard"):
                    db.execute(f"DELETE FROM {table} WHERE run = ?", (old[0],))  # noqa: S608 - fixed names
                db.execute("DELETE FROM runs WHERE id = ?", (old[0],))
            cursor = db.execute(
                "INSERT INTO runs (run_id, org_key, organization_id, organization_name, caller_account_id, scope,"
                " started_at, finished_at, tool_version, caller_arn, config_digest, accounts_discovered,"
                " accounts_scanned, accounts_error, accounts_skipped, manifest_sha256, run_path, recorded_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run.key.run_id, run.key.org_key, run.organization_id, run.organization_name,
                 run.caller_account_id, run.key.scope, run.key.started_at, run.finished_at, run.tool_version,
                 run.caller_arn, run.config_digest, counts.get("discovered", 0), counts.get("scanned", 0),
                 counts.get("error", 0), counts.get("skipped", 0), run.manifest_sha256, run.run_path,
                 rundir.iso(datetime.now(UTC))),
            )
            run_row = cursor.lastrowid
            db.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           [(run_row, *row) for row in finding_rows])
            db.executemany("INSERT INTO scorecard VALUES (?, ?, ?, ?, ?, ?)",
                           [(run_row, *row) for row in score_rows])

    def baseline(self, key: RunKey) -> Baseline:
        """The comparable runs before `key` (never `key` itself): the latest one's statuses, and their rates."""
        with self._connection() as db, self._transaction(db):
            earlier = db.execute(
                "SELECT id, run_id, started_at FROM runs WHERE org_key = ? AND scope = ?"
                " AND (started_at, run_id) < (?, ?) ORDER BY started_at DESC, run_id DESC LIMIT ?",
                (key.org_key, key.scope, key.started_at, key.run_id, TREND_RUNS - 1),
            ).fetchall()
            if not earlier:
                return Baseline(None, ())
            rates = self._rates(db)
            latest = earlier[0]
            statuses = tuple(sorted(
                (BoxStatus(*row) for row in db.execute(
                    "SELECT account_id, account_name, ou_path, check_id, status, accepted FROM findings WHERE run = ?",
                    (latest[0],),
                ) if row[3] in CHECK_IDS),
                key=lambda s: (s.account_id, CHECK_IDS.index(s.check_id)),
            ))
        empty = tuple(BoxRate(c, 0, 0) for c in CHECK_IDS)
        trend = tuple(TrendPoint(run_id, started_at, rates.get(row_id, empty))
                      for row_id, run_id, started_at in reversed(earlier))
        return Baseline(PreviousRun(latest[1], latest[2], statuses), trend)

    @staticmethod
    def _rates(db: sqlite3.Connection) -> dict[int, tuple[BoxRate, ...]]:
        """Pass rate per box of every recorded run (a few rows per run: cheap even after years)."""
        counted: dict[int, dict[str, tuple[int, int]]] = {}
        for run_row, check_id, passed, applicable in db.execute(
            "SELECT run, check_id, SUM(status = 'PASS'), SUM(status IN ('PASS', 'FAIL', 'ERROR'))"
            " FROM findings GROUP BY run, check_id"
        ):
            counted.setdefault(run_row, {})[check_id] = (int(passed or 0), int(applicable or 0))
        return {
            run_row: tuple(BoxRate(c, *boxes.get(c, (0, 0))) for c in CHECK_IDS)
            for run_row, boxes in counted.items()
        }

    def runs(self) -> tuple[RunSummary, ...]:
        """Every recorded run, oldest first."""
        with self._connection() as db, self._transaction(db):
            rows = db.execute(
                "SELECT id, run_id, organization_id, organization_name, started_at, accounts_discovered,"
                " accounts_scanned, accounts_error, accounts_skipped FROM runs ORDER BY started_at, run_id"
            ).fetchall()
            rates = self._rates(db)
        empty = tuple(BoxRate(c, 0, 0) for c in CHECK_IDS)
        return tuple(
            RunSummary(run_id=row[1], organization_id=row[2], organization_name=row[3], started_at=row[4],
                       discovered=row[5], scanned=row[6], error=row[7], skipped=row[8],
                       rates=rates.get(row[0], empty))
            for row in rows
        )
