"""The collection phase: accounts handed over by discovery are collected in a thread pool as they arrive.

The run folder is created when the first account arrives (or when discovery ends with none), so a scan
refused for its configuration or credentials, or by a filter that needs the whole organization first,
leaves nothing behind.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass

from scanner.audit import checkpoint
from scanner.aws.session import SessionFactory
from scanner.collect.account import CollectContext, collect_account
from scanner.config import Config
from scanner.models import Account, AccountResult, Caller
from scanner.rundir import RunFolder
from scanner.runner import AccountRunner, Progress

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Collected:
    folder: RunFolder
    results: list[AccountResult]
    seconds: float


class Collection:
    """Feed with `submit(account)` from any thread, then `finish()`; `open_folder` makes the run folder."""

    def __init__(
        self,
        open_folder: Callable[[], RunFolder],
        caller: Caller,
        config: Config,
        factory: SessionFactory,
        *,
        progress: Progress | None = None,
        executor: Executor | None = None,
    ) -> None:
        self._open_folder = open_folder
        self._caller = caller
        self._config = config
        self._factory = factory
        self._progress = progress
        self._executor = executor
        self._lock = threading.Lock()
        self._folder: RunFolder | None = None
        self._runner: AccountRunner | None = None
        self._calls: ThreadPoolExecutor | None = None
        self._started = time.perf_counter()
        self._cpu_started = time.process_time()

    @property
    def folder(self) -> RunFolder:
        with self._lock:
            return self._ensure_folder()

    def _ensure_folder(self) -> RunFolder:
        if self._folder is None:
            self._folder = self._open_folder()
        return self._folder

    def _ensure_runner(self) -> AccountRunner:
        if self._runner is None:
            folder = self._ensure_folder()
            config = self._config
            self._calls = ThreadPoolExecutor(config.workers * config.calls_per_account, thread_name_prefix="call")
            context = CollectContext(self._factory, config, self._caller, folder, self._calls)
            self._runner = AccountRunner(
                lambda account: checkpoint.record_outcome(folder, collect_account(account, context)),
                workers=config.workers, progress=self._progress, executor=self._executor,
            )
        return self._runner

    def submit(self, account: Account) -> None:
        with self._lock:
            runner = self._ensure_runner()
        runner.submit(account)

    def finish(self) -> Collected:
        """Wait for every account handed over; the folder exists afterwards even if none was."""
        with self._lock:
            folder = self._ensure_folder()
        results = self._wait()
        seconds = time.perf_counter() - self._started
        log.info("collection took %.1f s (%.1f s of CPU)", seconds, time.process_time() - self._cpu_started)
        return Collected(folder, results, seconds)

    def abandon(self) -> None:
        """Discovery failed: let the accounts already handed over finish (their evidence is kept), create nothing."""
        try:
            self._wait()
        except Exception:
            log.exception("collection stopped while discovery failed")

    def _wait(self) -> list[AccountResult]:
        with self._lock:
            runner = self._runner
        try:
            return runner.results() if runner is not None else []
        finally:
            if self._calls is not None:
                self._calls.shutdown(wait=True, cancel_futures=True)
