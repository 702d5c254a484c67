"""Test-wide guards: no test may reach real AWS or use the developer's credentials."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

from scanner.simulation.seed import SeededOrganization, seed_organization
from scanner.simulation.server import SimulatedAws, reset_backends
from tests.simulation.helpers import NOW

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else address
    if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
        raise ConnectionRefusedError(f"tests may only connect to loopback, not {host}")
    _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    empty = tmp_path_factory.getbasetemp() / "empty-aws-config"
    empty.write_text("")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                 "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATESTSNOTREAL0000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "tests-secret-not-real")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    yield


# The simulated organization. moto's state is process-wide, so every test that needs an organization gets
# it rebuilt from nothing (seeding fifteen accounts takes milliseconds) and every fault rule and counter is
# cleared before and after it.


@pytest.fixture(scope="session")
def sim() -> Iterator[SimulatedAws]:
    with SimulatedAws() as server:
        yield server


def _clean(sim: SimulatedAws) -> None:
    reset_backends()
    sim.faults.clear()
    sim.faults.counter.reset()


@pytest.fixture
def organization(sim: SimulatedAws) -> Iterator[SeededOrganization]:
    _clean(sim)
    yield seed_organization(now=NOW)
    _clean(sim)


@pytest.fixture
def seed_org(sim: SimulatedAws) -> Iterator[Callable[[int], SeededOrganization]]:
    """Seed an organization of a chosen size: `seed_org(40)`."""
    _clean(sim)
    yield lambda n: seed_organization(n, now=NOW)
    _clean(sim)
