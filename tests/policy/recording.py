"""A real scan of the simulated organization that records every AWS operation the scanner calls."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from scanner.aws.session import AccountCredentials, SessionFactory
from scanner.config import load_config
from scanner.demo import DEMO_CREDENTIALS
from scanner.pipeline import Outcome, scan
from scanner.simulation.server import SimulatedAws


class RecordingFactory(SessionFactory):
    """A SessionFactory whose clients report each operation (`iam:GetAccountSummary`) before calling it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.called: set[str] = set()
        self._record_lock = threading.Lock()

    def _record(self, model: Any, **_: Any) -> None:
        with self._record_lock:
            self.called.add(f"{model.service_model.signing_name}:{model.name}")

    def _watch(self, client: Any) -> Any:
        client.meta.events.register("before-call.*.*", self._record, unique_id="orgscan-test-recorder")
        return client

    def caller_client(self, service: str, region: str | None = None) -> Any:
        return self._watch(super().caller_client(service, region))

    def account_client(self, service: str, account_id: str, credentials: AccountCredentials | None,
                       region: str | None = None) -> Any:
        return self._watch(super().account_client(service, account_id, credentials, region))


def recorded_scan(sim: SimulatedAws, out: Path, **settings: Any) -> tuple[Outcome, set[str]]:
    """Scan the organization seeded in `sim` as `orgscan demo` does; the outcome and the operations called."""
    config = load_config(None, {"out": str(out), "workers": 4, **settings})
    config = replace(config, endpoint_url=sim.endpoint_url, region="us-east-1", profile="")
    factory = RecordingFactory(config, static_credentials=DEMO_CREDENTIALS)
    return scan(config, factory), factory.called
