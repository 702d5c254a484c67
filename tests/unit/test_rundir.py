"""Run folders: names from the UTC start time, suffixes when taken, atomic writes."""

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scanner.errors import OutputError, RunFolderError
from scanner.rundir import RunFolder, write_atomic

STARTED = datetime(2026, 11, 28, 3, 15, tzinfo=UTC)


def test_run_id_is_the_utc_start_time_with_a_suffix_when_taken(tmp_path: Path) -> None:
    names = [RunFolder.create(tmp_path, STARTED).path.name for _ in range(3)]
    assert names == ["2026-11-28T031500Z", "2026-11-28T031500Z-2", "2026-11-28T031500Z-3"]
    assert sorted(p.name for p in tmp_path.iterdir()) == names


def test_atomic_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a" / "f.json", b"{}")
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["f.json"]


def test_atomic_write_failure_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.csv"
    target.write_bytes(b"old")

    def full_disk(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", full_disk)
    with pytest.raises(OutputError, match="No space left on device"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.csv"]


def test_opening_a_folder_that_is_not_a_run_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RunFolderError, match="not an orgscan run folder"):
        RunFolder.open(tmp_path)


def test_sync_barrier_groups_flushes_and_never_skips_a_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    from scanner import rundir

    flushes: list[int] = []

    def slow_flush(folder: Path) -> None:
        flushes.append(time.monotonic_ns())
        time.sleep(0.05)

    monkeypatch.setattr(rundir, "_flush_filesystem", slow_flush)
    barrier = rundir.SyncBarrier()
    returned: list[tuple[int, int]] = []

    def writer() -> None:
        wrote = time.monotonic_ns()
        barrier.wait(Path("."))
        returned.append((wrote, time.monotonic_ns()))

    threads = [threading.Thread(target=writer) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(returned) == 20
    assert 1 <= len(flushes) < 20  # grouped
    for wrote, _ in returned:  # every writer is covered by a flush that started after it wrote
        assert any(start > wrote for start in flushes)


def test_evidence_files_skip_fsync_and_meta_is_durable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    calls: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append(fd) or real(fd))
    folder = RunFolder.create(tmp_path, STARTED)
    folder.write_raw("012345678901", "account_summary.json", b"{}")
    assert calls == []
    folder.sync()
    folder.write_raw("012345678901", "meta.json", b"{}", durable=True)
    assert len(calls) == 1


def test_the_run_folder_and_every_folder_in_it_are_private(tmp_path: Path) -> None:
    folder = RunFolder.create(tmp_path / "runs", datetime(2026, 12, 1, 3, 15, tzinfo=UTC))
    folder.write_raw("123456789012", "meta.json", b"{}\n")
    write_atomic(folder.path / "inputs" / "scan.json", b"{}\n")
    folders = [folder.path, folder.raw, folder.raw / "123456789012", folder.path / "inputs"]
    assert {p.relative_to(folder.path).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in folders} == {
        ".": 0o700, "raw": 0o700, "raw/123456789012": 0o700, "inputs": 0o700}
