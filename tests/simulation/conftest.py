"""Fixtures for the simulated organization: one server for the session, a fresh org per test.

moto's state is process-wide, so every test that needs an organization gets it rebuilt from
nothing (seeding fifteen accounts takes milliseconds) and every fault rule and counter is
cleared before and after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from scanner.simulation.seed import SeededOrganization, seed_organization
from scanner.simulation.server import SimulatedAws, reset_backends
from tests.simulation.helpers import NOW


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
    yield seed_organization(15, now=NOW)
    _clean(sim)


@pytest.fixture
def seed_org(sim: SimulatedAws) -> Iterator[Callable[[int], SeededOrganization]]:
    """Seed an organization of a chosen size: `seed_org(40)`."""
    _clean(sim)
    yield lambda n: seed_organization(n, now=NOW)
    _clean(sim)
