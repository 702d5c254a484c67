"""Run folders: names from the UTC start time, suffixes when taken, atomic writes."""

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
