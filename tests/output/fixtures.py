"""Shared by the findings, export and permission tests: the HTML/PDF report is tested on its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _no_pdf(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Skip WeasyPrint (most of a second per run folder) wherever a test derives a run's outputs."""

    class Skipped:
        def finish(self) -> None:
            return None

    def skip(*args: Any, **kwargs: Any) -> Skipped:
        return Skipped()

    monkeypatch.setattr("scanner.pipeline.start_reports", skip, raising=False)
    yield
