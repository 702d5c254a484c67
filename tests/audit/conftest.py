"""One scan of the simulated organization per test run, copied by every test that alters a run folder.

Other scans in these tests skip the HTML/PDF report (tested on its own); the shared run keeps it, so the
manifest, verify and bundle are exercised on a complete run folder.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.simulation.seed import seed_organization
from scanner.simulation.server import SimulatedAws, reset_backends
from tests.conftest import _loopback_only
from tests.integration.helpers import run_cli, run_folder
from tests.simulation.helpers import NOW


@pytest.fixture(scope="session")
def reference_run(sim: SimulatedAws, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete run folder of the seeded organization (its denied account included), never modified."""
    reset_backends()
    sim.faults.clear()
    organization = seed_organization(now=NOW)
    organization.install(sim.faults)
    base = tmp_path_factory.mktemp("reference")
    out = base / "runs"
    empty = base / "empty-aws-config"
    empty.write_text("")
    with pytest.MonkeyPatch.context() as patch:  # what tests/conftest.py's guard does for each test
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN",
                     "AWS_WEB_IDENTITY_TOKEN_FILE"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_CONFIG_FILE", str(empty))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        patch.setattr(socket.socket, "connect", _loopback_only)
        result = run_cli(sim, "scan", "--out", str(out))
    reset_backends()
    sim.faults.clear()
    sim.faults.counter.reset()
    assert result.code == 2, result.stderr
    return run_folder(out)


@pytest.fixture
def run_copy(reference_run: Path, tmp_path: Path) -> Path:
    """A private copy of the reference run folder, under the same run id."""
    target = tmp_path / "copy" / reference_run.name
    shutil.copytree(reference_run, target)
    return target


@pytest.fixture
def no_report(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Skip WeasyPrint (most of a second per run folder) in scans whose report is not under test."""

    class Skipped:
        def finish(self) -> None:
            return None

    def skip(*args: Any, **kwargs: Any) -> Skipped:
        return Skipped()

    monkeypatch.setattr("scanner.pipeline.start_reports", skip)
    yield
