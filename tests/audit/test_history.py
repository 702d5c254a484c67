"""The history database: recording, the previous comparable run, the listing, and concurrent writers."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from scanner.audit.history import History, RunKey, RunRecord
from scanner.aws.session import SessionFactory
from scanner.checks import CHECK_IDS
from scanner.config import Config
from scanner.errors import HistoryError
from scanner.models import Account, AccountResult, Finding, ScanStatus, Status
from scanner.pipeline import scan
from scanner.scoring import Frames, accounts_frame, findings_frame, scorecard_frame, users_frame
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import MANAGEMENT_ACCESS_KEY, SimulatedAws
from tests.integration.helpers import run_cli

P, F, NA, E = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.ERROR
ORG = "o-orgscan042"
SCOPE = '{"accounts":[],"exclude":[],"ous":[]}'


def _frames(statuses: dict[str, tuple[Status, ...]]) -> Frames:
    results = [AccountResult(Account(a, f"name-{a}", ou_path="Root"), ScanStatus.SCANNED) for a in statuses]
    findings = [Finding(a, check, status, "detail") for a, row in statuses.items()
                for check, status in zip(CHECK_IDS, row, strict=True)]
    frame = findings_frame(results, findings)
    return Frames(accounts_frame(results), frame, scorecard_frame(frame), users_frame([]))


def _record(run_id: str, started_at: str, org: str = ORG, scope: str = SCOPE) -> RunRecord:
    return RunRecord(RunKey(run_id, org, scope, started_at), org, "demo", "123456789012", started_at, "0.1.0",
                     "arn:aws:iam::123456789012:user/scanner", "digest", {"discovered": 3, "scanned": 2,
                                                                          "error": 0, "skipped": 1},
                     "0" * 64, f"/runs/{run_id}")


def test_the_previous_run_is_the_latest_earlier_one_of_the_same_organization_and_scope(tmp_path: Path) -> None:
    history = History(tmp_path / "history.sqlite")
    history.record(_record("2026-09-01T000000Z", "2026-09-01T00:00:00Z"), _frames({"111111111111": (P,) * 5}))
    history.record(_record("2026-10-01T000000Z", "2026-10-01T00:00:00Z"),
                   _frames({"111111111111": (F, P, P, NA, E), "222222222222": (P,) * 5}))
    history.record(_record("2026-10-15T000000Z", "2026-10-15T00:00:00Z", org="o-other"), _frames({}))
    history.record(_record("2026-10-20T000000Z", "2026-10-20T00:00:00Z", scope='{"accounts":["111111111111"]}'),
                   _frames({"111111111111": (F,) * 5}))
    history.record(_record("2026-12-01T000000Z", "2026-12-01T00:00:00Z"), _frames({}))  # later: not a baseline

    baseline = history.baseline(RunKey("2026-11-01T000000Z", ORG, SCOPE, "2026-11-01T00:00:00Z"))
    assert baseline.previous is not None
    assert (baseline.previous.run_id, baseline.previous.started_at) == ("2026-10-01T000000Z", "2026-10-01T00:00:00Z")
    assert [(s.account_id, s.check_id, s.status) for s in baseline.previous.statuses][:5] == [
        ("111111111111", c, s.value) for c, s in zip(CHECK_IDS, (F, P, P, NA, E), strict=True)]
    assert [p.run_id for p in baseline.trend] == ["2026-09-01T000000Z", "2026-10-01T000000Z"]
    assert [(r.passed, r.applicable) for r in baseline.trend[1].boxes] == [(1, 2), (2, 2), (2, 2), (1, 1), (1, 2)]
    first = history.baseline(RunKey("2026-09-01T000000Z", ORG, SCOPE, "2026-09-01T00:00:00Z"))
    assert first.previous is None and first.trend == ()  # never itself


def test_the_trend_keeps_the_last_eleven_earlier_runs(tmp_path: Path) -> None:
    history = History(tmp_path / "history.sqlite")
    for month in range(1, 13):
        history.record(_record(f"2025-{month:02d}-01T000000Z", f"2025-{month:02d}-01T00:00:00Z"),
                       _frames({"111111111111": (P,) * 5}))
    baseline = history.baseline(RunKey("2026-01-01T000000Z", ORG, SCOPE, "2026-01-01T00:00:00Z"))
    assert [p.started_at[:7] for p in baseline.trend] == [f"2025-{m:02d}" for m in range(2, 13)]


def test_recording_the_same_run_again_replaces_it(tmp_path: Path) -> None:
    history = History(tmp_path / "history.sqlite")
    history.record(_record("2026-10-01T000000Z", "2026-10-01T00:00:00Z"), _frames({"111111111111": (F,) * 5}))
    history.record(_record("2026-10-01T000000Z", "2026-10-01T00:00:00Z"), _frames({"111111111111": (P,) * 5}))
    runs = history.runs()
    assert len(runs) == 1 and all(r.passed == 1 for r in runs[0].rates)


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            for n in range(5):
                History(path).record(_record(f"2026-10-0{writer + 1}T00000{n}Z", f"2026-10-0{writer + 1}T00:00:0{n}Z"),
                                     _frames({f"{writer:012d}": (P, F, P, P, NA)}))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    runs = History(path).runs()
    assert len(runs) == 40
    assert all([(r.passed, r.applicable) for r in run.rates] == [(1, 1), (0, 1), (1, 1), (1, 1), (0, 0)]
               for run in runs)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM findings").fetchone()[0] == 40 * 5


def test_the_history_command_lists_runs_with_pass_rates_per_box(tmp_path: Path) -> None:
    history = History(tmp_path / "runs" / "history.sqlite")
    history.record(_record("2026-10-01T000000Z", "2026-10-01T00:00:00Z"),
                   _frames({"111111111111": (F, P, P, NA, E), "222222222222": (P, P, P, P, F),
                            "333333333333": (P, P, P, P, P)}))
    history.record(_record("2026-11-01T000000Z", "2026-11-01T00:00:00Z"), _frames({"111111111111": (P,) * 5}))
    result = run_cli(None, "history", "--out", str(tmp_path / "runs"))
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["started", "(UTC)", "run", "organization", "accounts", *CHECK_IDS]
    assert lines[1].split() == ["2026-10-01T00:00:00Z", "2026-10-01T000000Z", ORG, "2/3", "2/3", "66%", "3/3",
                                "100%", "3/3", "100%", "2/2", "100%", "1/3", "33%"]
    assert lines[2].split()[4:6] == ["1/1", "100%"]
    assert lines[3].startswith("2 runs in ")
    assert run_cli(None, "history", "--history", str(tmp_path / "runs" / "history.sqlite")).stdout == result.stdout
    assert run_cli(None, "history", "--out", str(tmp_path / "nothing")).code == 1


def test_a_file_that_is_not_a_history_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    path.write_bytes(b"not a database at all, " * 100)
    with pytest.raises(HistoryError, match="history database"):
        History(path).runs()
    result = run_cli(None, "history", "--history", str(path))
    assert result.code == 1 and result.stderr.startswith("orgscan: error: history database ")
    newer = tmp_path / "newer.sqlite"
    with sqlite3.connect(newer) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(HistoryError, match="newer orgscan"):
        History(newer).runs()


def test_a_scan_records_its_run_with_findings_and_scorecard(reference_run: Path) -> None:
    path = reference_run.parent / "history.sqlite"
    with sqlite3.connect(path) as db:
        run = db.execute("SELECT run_id, organization_id, accounts_scanned, manifest_sha256 FROM runs").fetchall()
        findings = db.execute("SELECT account_id, check_id, status, accepted FROM findings").fetchall()
        scorecard = db.execute("SELECT count(*) FROM scorecard").fetchone()[0]
    csv = pd.read_csv(reference_run / "findings.csv", dtype=str, keep_default_na=False)
    assert run[0][:3] == (reference_run.name, ORG, 17)
    assert len(run) == 1 and len(run[0][3]) == 64
    assert sorted(findings) == sorted(zip(csv["account_id"], csv["check_id"], csv["status"],
                                          [""] * len(csv), strict=True))  # no exception in this run
    assert scorecard == 18


def test_runs_started_in_the_same_second_into_different_folders_are_both_recorded(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path, no_report: None) -> None:
    organization.install(sim.faults)
    shared = tmp_path / "history.sqlite"
    same_second = datetime(2026, 11, 28, 3, 15, tzinfo=UTC)
    folders = []
    for out in ("team-a", "team-b"):
        config = Config(out=str(tmp_path / out), history=str(shared), workers=4, endpoint_url=sim.endpoint_url,
                        region="us-east-1")
        outcome = scan(config, SessionFactory(config, static_credentials=(MANAGEMENT_ACCESS_KEY, "any")),
                       clock=lambda: same_second)
        folders.append(outcome.folder.path)
    assert folders[0].name == folders[1].name  # the same run id, in two places

    with sqlite3.connect(shared) as db:
        recorded = db.execute("SELECT run_id, run_path FROM runs ORDER BY run_path").fetchall()
    assert recorded == [(folders[0].name, str(folders[0].resolve())), (folders[1].name, str(folders[1].resolve()))]
    assert len(History(shared).runs()) == 2


# The schema of the first orgscan that kept a history: one run per organization and run id, wherever written.
SCHEMA_1 = """
CREATE TABLE runs (id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, org_key TEXT NOT NULL,
    organization_id TEXT NOT NULL, organization_name TEXT NOT NULL, caller_account_id TEXT NOT NULL,
    scope TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT NOT NULL, tool_version TEXT NOT NULL,
    caller_arn TEXT NOT NULL, config_digest TEXT NOT NULL, accounts_discovered INTEGER NOT NULL,
    accounts_scanned INTEGER NOT NULL, accounts_error INTEGER NOT NULL, accounts_skipped INTEGER NOT NULL,
    manifest_sha256 TEXT NOT NULL, run_path TEXT NOT NULL, recorded_at TEXT NOT NULL, UNIQUE (org_key, run_id));
CREATE INDEX runs_by_scope ON runs (org_key, scope, started_at, run_id);
CREATE TABLE findings (run INTEGER NOT NULL REFERENCES runs (id), account_id TEXT NOT NULL,
    account_name TEXT NOT NULL, ou_path TEXT NOT NULL, check_id TEXT NOT NULL, status TEXT NOT NULL,
    detail TEXT NOT NULL, accepted TEXT NOT NULL, PRIMARY KEY (run, account_id, check_id));
CREATE TABLE scorecard (run INTEGER NOT NULL REFERENCES runs (id), account_id TEXT NOT NULL,
    account_name TEXT NOT NULL, ou_path TEXT NOT NULL, passed INTEGER NOT NULL, applicable INTEGER NOT NULL,
    PRIMARY KEY (run, account_id));
INSERT INTO runs VALUES (7, '2026-10-01T000000Z', 'o-orgscan042', 'o-orgscan042', 'demo', '123456789012',
    '{"accounts":[],"exclude":[],"ous":[]}', '2026-10-01T00:00:00Z', '2026-10-01T00:05:00Z', '0.1.0',
    'arn:aws:iam::123456789012:user/scanner', 'digest', 1, 1, 0, 0, '', '/runs/2026-10-01T000000Z',
    '2026-10-01T00:05:01Z');
INSERT INTO findings VALUES (7, '111111111111', 'one', 'Root', 'root-mfa', 'FAIL', 'no MFA', '');
INSERT INTO scorecard VALUES (7, '111111111111', 'one', 'Root', 4, 5);
PRAGMA user_version = 1;
"""


def test_a_database_of_the_first_schema_is_read_and_keeps_runs_of_one_id_written_to_different_places(
        tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    with closing(sqlite3.connect(path)) as db:
        db.executescript(SCHEMA_1)
    history = History(path)

    baseline = history.baseline(RunKey("2026-11-01T000000Z", ORG, SCOPE, "2026-11-01T00:00:00Z"))
    assert baseline.previous is not None and baseline.previous.run_id == "2026-10-01T000000Z"
    assert [(s.account_id, s.check_id, s.status) for s in baseline.previous.statuses] == [
        ("111111111111", "root-mfa", "FAIL")]
    elsewhere = replace(_record("2026-10-01T000000Z", "2026-10-01T00:00:00Z"), run_path="/elsewhere/2026-10-01T000000Z")
    history.record(elsewhere, _frames({"111111111111": (P,) * 5}))
    assert [r.run_id for r in history.runs()] == ["2026-10-01T000000Z", "2026-10-01T000000Z"]
    history.record(elsewhere, _frames({"111111111111": (F,) * 5}))  # the same run finished again: replaced
    assert len(history.runs()) == 2


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_and_its_journal_files_are_private_and_so_is_a_folder_made_for_them(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        path = tmp_path / "shared" / "audit" / "history.sqlite"
        History(path).ensure()
        with closing(sqlite3.connect(path)) as reader:  # holds the WAL open, as a concurrent scan would
            reader.execute("SELECT count(*) FROM runs").fetchone()
            History(path).record(_record("2026-10-01T000000Z", "2026-10-01T00:00:00Z"),
                                 _frames({"111111111111": (P,) * 5}))
            journal = [Path(f"{path}-wal"), Path(f"{path}-shm")]
            assert all(p.exists() for p in journal)
            assert {p.name: _mode(p) for p in [path, *journal]} == {p.name: 0o600 for p in [path, *journal]}
        assert _mode(tmp_path / "shared") == _mode(tmp_path / "shared" / "audit") == 0o700

        older = tmp_path / "older.sqlite"  # written by an orgscan that left it readable to everyone
        with closing(sqlite3.connect(older)) as db:
            db.executescript(SCHEMA_1)
        older.chmod(0o644)
        History(older).runs()
        assert _mode(older) == 0o600
    finally:
        os.umask(old_umask)


def test_a_scan_leaves_its_history_database_and_log_private(reference_run: Path) -> None:
    out = reference_run.parent
    for name in ("history.sqlite", "orgscan.log"):
        assert _mode(out / name) == 0o600, name
