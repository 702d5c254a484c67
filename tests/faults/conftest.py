"""Every test here runs the CLI in-process: put logging back as it was after each one; print no PDF."""

from tests.faults.helpers import fast_backoff, in_process_cli, no_pdf

__all__ = ["fast_backoff", "in_process_cli", "no_pdf"]
