"""A progress bar (accounts done / total, failures so far) on a terminal; nothing otherwise."""

from __future__ import annotations

import sys

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scanner.models import AccountResult, ScanStatus
from scanner.runner import NullProgress
from scanner.runner import Progress as ProgressProtocol


class RichProgress:
    def __init__(self) -> None:
        self._bar = Progress(
            TextColumn("scanning"), BarColumn(), MofNCompleteColumn(),
            TextColumn("failed: {task.fields[failed]}"), TimeElapsedColumn(),
            transient=False,
        )
        self._task = self._bar.add_task("scan", total=0, failed=0)
        self._failed = 0
        self._total = 0

    def start(self, total: int) -> None:
        self._total = total
        self._bar.update(self._task, total=total)
        self._bar.start()

    def grow(self, more: int) -> None:
        """Accounts arrive while discovery pages through the organization: the total grows with them."""
        self._total += more
        self._bar.update(self._task, total=self._total)

    def advance(self, result: AccountResult) -> None:
        if result.scan_status is ScanStatus.ERROR:
            self._failed += 1
        self._bar.update(self._task, advance=1, failed=self._failed)

    def finish(self) -> None:
        self._bar.stop()


def progress_for_terminal() -> ProgressProtocol:
    return RichProgress() if sys.stderr.isatty() else NullProgress()
