"""`orgscan demo`: the real scan, pointed at a simulated organization served on 127.0.0.1.

The only differences from a production scan are the endpoint and the credentials.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from scanner.aws.session import SessionFactory
from scanner.config import Config
from scanner.pipeline import Outcome, scan
from scanner.runner import Progress

DEMO_CREDENTIALS = ("AKIAORGSCANDEMO00001", "demo-secret-not-a-real-key")


def run_demo(
    config: Config, accounts: int, progress: Progress | None = None, started_at: datetime | None = None,
) -> Outcome:
    """Serve a seeded organization and scan it; `started_at` pins every clock (reproducible samples)."""
    from scanner.simulation import moto_patches
    from scanner.simulation.seed import seed_organization
    from scanner.simulation.server import SimulatedAws

    clock = (lambda: started_at) if started_at else (lambda: datetime.now(UTC))
    moto_patches.set_clock(clock if started_at else None)
    try:
        with SimulatedAws() as aws:
            organization = seed_organization(accounts, now=started_at)
            organization.install(aws.faults)
            config = replace(config, endpoint_url=aws.endpoint_url, region="us-east-1", profile="")
            factory = SessionFactory(config, static_credentials=DEMO_CREDENTIALS)
            return scan(config, factory, progress=progress, clock=clock)
    finally:
        moto_patches.set_clock(None)
