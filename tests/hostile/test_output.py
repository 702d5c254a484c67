"""An output folder that cannot be written, or a disk that fills up: one clear line, no half-written file."""

from __future__ import annotations

import errno
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest

from scanner.errors import OutputError
from scanner.rundir import write_atomic
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.faults.helpers import WORKERS, every_file, temporary_files
from tests.integration.helpers import run_cli, run_folder


@pytest.fixture
def regular_file(tmp_path: Path) -> Path:
    path = tmp_path / "not-a-folder"
    path.write_text("keep me\n")
    return path


@pytest.mark.parametrize("option, what", [("--out", "output folder"), ("--log-file", "log folder")])
def test_an_output_path_under_a_regular_file_is_refused_before_any_aws_call(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path, regular_file: Path, option: str,
        what: str) -> None:
    target = regular_file / "runs" if option == "--out" else regular_file / "logs" / "orgscan.log"
    args = ["--out", str(target)] if option == "--out" else ["--out", str(tmp_path / "runs"), "--log-file",
                                                             str(target)]
    result = run_cli(sim, "scan", *args)
    assert result.code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"orgscan: error: cannot write the {what} ")
    assert f"{regular_file} is not a folder" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]
    assert regular_file.read_text() == "keep me\n"
    assert sim.faults.counter.total == 0


def test_an_output_folder_that_is_a_regular_file_is_refused(
        sim: SimulatedAws, organization: SeededOrganization, regular_file: Path) -> None:
    result = run_cli(sim, "scan", "--out", str(regular_file))
    assert result.code == 1
    assert result.stderr == (f"orgscan: error: cannot write the output folder {regular_file}: {regular_file} "
                             "is not a folder\n")


def test_a_failed_write_leaves_neither_a_temporary_file_nor_a_changed_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "findings.csv"
    target.write_bytes(b"old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError) as caught:
        write_atomic(target, b"new" * 1000)
    assert str(caught.value) == f"cannot write {target}: No space left on device"
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["findings.csv"]


def test_a_disk_that_fills_up_mid_scan_stops_the_run_with_one_line(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    organization.install(sim.faults)
    out = tmp_path / "runs"
    real_mkstemp = tempfile.mkstemp
    evidence_written: list[str] = []

    def filling_disk(*args: Any, **kwargs: Any) -> tuple[int, str]:
        """Evidence files of accounts fit until the tenth; from then on they do not (the run's own still do)."""
        if re.search(r"/raw/\d{12}$", str(kwargs.get("dir", ""))):
            if len(evidence_written) >= 10:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            evidence_written.append(str(kwargs.get("dir")))
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", filling_disk)
    result = run_cli(sim, "scan", "--out", str(out), "--workers", "2")

    assert result.code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"orgscan: error: cannot write {out}/")
    assert result.stderr.endswith(": No space left on device\n")
    assert temporary_files(out) == []
    folder = run_folder(out)
    for path in every_file(folder):  # what is on disk is whole: the ten files that fitted
        if path.suffix == ".json":
            json.loads(path.read_bytes())
    assert len([p for p in every_file(folder / "raw") if p.parent != folder / "raw"]) == 10
    # The run stopped instead of marking every later account as failed: most were never entered.
    assert sum(sim.faults.counter.calls_for(a, "AssumeRole") for a in organization.account_ids) < 8
    log = (out / "orgscan.log").read_text()
    assert "scan stopped: cannot write" in log and "No space left on device" in log

    # Discovery was recorded before the disk filled up: once there is room, the run is finished in place.
    monkeypatch.setattr(tempfile, "mkstemp", real_mkstemp)
    assert run_cli(sim, "scan", "--resume", str(folder)).code == 2
    assert run_cli(None, "verify", str(folder)).code == 0


def test_report_into_a_folder_it_cannot_write_is_one_line(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(sim.faults)
    assert run_cli(sim, "scan", "--out", str(tmp_path), *WORKERS).code == 2
    folder = run_folder(tmp_path)
    (folder / "findings.csv").unlink()
    (folder / "findings.csv").mkdir()  # the derived file's name is taken by a folder
    result = run_cli(None, "report", str(folder))
    assert result.code == 1
    assert result.stderr == f"orgscan: error: cannot write {folder / 'findings.csv'}: Is a directory\n"
    assert temporary_files(folder) == []
