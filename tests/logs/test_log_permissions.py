"""The log says which accounts were scanned, by whom and what failed: it is its owner's alone, like the run."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.logs import configure_logging


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)  # the usual default: files 0644, folders 0755 unless asked otherwise
    yield
    os.umask(old)


def test_the_log_its_rotations_and_a_folder_made_for_it_are_private(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "logs" / "orgscan" / "orgscan.log"
    handler = configure_logging(path, max_bytes=1024, backups=2)
    handler.open()
    log = logging.getLogger("scanner.test")
    for n in range(100):
        log.info("account 210000000%03d: collected", n)
    handler.close()

    files = sorted(p.name for p in path.parent.iterdir())
    assert {"orgscan.log", "orgscan.log.1", "orgscan.log.2"} <= set(files)
    assert {name: _mode(path.parent / name) for name in files} == {name: 0o600 for name in files}
    assert _mode(tmp_path / "logs") == _mode(tmp_path / "logs" / "orgscan") == 0o700


def test_a_log_an_older_orgscan_left_readable_is_made_private(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "orgscan.log"
    for name in ("orgscan.log", "orgscan.log.1"):
        (tmp_path / name).write_text("2026-11-28 03:15:00,000 1 MainThread INFO scanner.x earlier\n")
        (tmp_path / name).chmod(0o644)
    handler = configure_logging(path, max_bytes=1 << 20, backups=2)
    handler.open()
    logging.getLogger("scanner.test").info("account 210000000001: collected")
    handler.close()
    assert _mode(path) == _mode(tmp_path / "orgscan.log.1") == 0o600
