"""Every test here runs the CLI in-process: put logging back as it was after each one.

PDFs are printed only for modules that set `REAL_PDF = True` (the search for secrets reads every real file).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.helpers import fast_backoff, logging_restored, no_pdf

__all__ = ["fast_backoff", "no_pdf"]


@pytest.fixture(autouse=True)
def _restore_logging(request: pytest.FixtureRequest) -> Iterator[None]:
    if not getattr(request.module, "REAL_PDF", False):
        request.getfixturevalue("no_pdf")
    with logging_restored():
        yield
