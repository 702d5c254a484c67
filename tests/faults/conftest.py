"""Every test here runs the CLI in-process: put logging back as it was after each one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.helpers import fast_backoff, logging_restored

__all__ = ["fast_backoff"]


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    with logging_restored():
        yield
