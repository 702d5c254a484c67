"""Run folders to push: written by hand (tests/output/runs.py) and derived without the PDF report."""

from tests.output.fixtures import _no_pdf

__all__ = ["_no_pdf"]
