"""Every test here runs the CLI in-process: put logging back as it was after each one; print no PDF."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.helpers import fast_backoff, logging_restored, no_pdf

__all__ = ["fast_backoff", "no_pdf"]


@pytest.fixture(autouse=True)
def _in_process_cli(request: pytest.FixtureRequest) -> Iterator[None]:
    request.getfixturevalue("no_pdf")
    with logging_restored():
        yield
