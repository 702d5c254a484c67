"""Deriving a run folder here skips the HTML/PDF report, which has tests of its own."""

from tests.output.fixtures import _no_pdf

__all__ = ["_no_pdf"]
