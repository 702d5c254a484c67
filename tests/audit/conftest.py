"""One scan of the simulated organization per test run, copied by every test that alters a run folder.

Other scans in these tests skip the HTML/PDF report (tested on its own); the shared run keeps it, so the
manifest, verify and bundle are exercised on a complete run folder.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from scanner.simulation.seed import SeededOrganization, seed_organization
from scanner.simulation.server import SimulatedAws, reset_backends
from tests.conftest import _loopback_only
from tests.integration.helpers import run_cli, run_folder
from tests.simulation.helpers import NOW


@contextmanager
def seeded_organization_cli(sim: SimulatedAws, base: Path) -> Iterator[SeededOrganization]:
    """The seeded organization, served over HTTP, with the environment tests/conftest.py's guard gives each
    test (no profile, no credentials file, loopback only): for module and session fixtures that scan it
    through the CLI. The simulation is reset before and after."""
    reset_backends()
    sim.faults.clear()
    organization = seed_organization(now=NOW)
    organization.install(sim.faults)
    empty = base / "empty-aws-config"
    empty.write_text("")
    try:
        with pytest.MonkeyPatch.context() as patch:
            for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN",
                         "AWS_WEB_IDENTITY_TOKEN_FILE"):
                patch.delenv(name, raising=False)
            patch.setenv("AWS_CONFIG_FILE", str(empty))
            patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
            patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
            patch.setattr(socket.socket, "connect", _loopback_only)
            yield organization
    finally:
        reset_backends()
        sim.faults.clear()
        sim.faults.counter.reset()


@pytest.fixture(scope="session")
def reference_run(sim: SimulatedAws, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete run folder of the seeded organization (its denied account included), never modified."""
    base = tmp_path_factory.mktemp("reference")
    out = base / "runs"
    with seeded_organization_cli(sim, base):
        result = run_cli(sim, "scan", "--out", str(out))
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
