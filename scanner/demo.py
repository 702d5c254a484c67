"""`orgscan demo`: the real scan, pointed at a simulated organization served on 127.0.0.1.

The only differences from a production scan are the endpoint and the credentials.
"""

from __future__ import annotations

from dataclasses import replace

from scanner.aws.session import SessionFactory
from scanner.config import Config
from scanner.pipeline import Outcome, scan
from scanner.runner import Progress

DEMO_CREDENTIALS = ("AKIAORGSCANDEMO00001", "demo-secret-not-a-real-key")


def run_demo(config: Config, accounts: int, progress: Progress | None = None) -> Outcome:
    from scanner.simulation.seed import seed_organization
    from scanner.simulation.server import SimulatedAws

    with SimulatedAws() as aws:
        organization = seed_organization(accounts)
        organization.install(aws.faults)
        config = replace(config, endpoint_url=aws.endpoint_url, region="us-east-1", profile="")
        return scan(config, SessionFactory(config, static_credentials=DEMO_CREDENTIALS), progress=progress)
