"""The collection phase: accounts handed over by discovery are collected in a thread pool as they arrive.

The run folder is created when the first account arrives (or when discovery ends with none), so a scan
refused for its configuration or credentials, or by a filter that needs the whole organization first,
leaves nothing behind. The run starts, for the progress display and the log, once discovery is complete
(`run_started`): until then what collection reports is held, so a discovery that fails opens no log.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass

from scanner.audit import checkpoint
from scanner.aws.session import SessionFactory
from scanner.collect.account import CollectContext, collect_account
from scanner.config import Config
from scanner.models import Account, AccountResult, Caller, ScanStatus
from scanner.rundir import RunFolder
from scanner.runner import AccountRunner, NullProgress, Progress

log = logging.getLogger(__name__)

NOT_COLLECTED = "NotCollected: the scan stopped before this account was started"


@dataclass(frozen=True)
class Collected:
    folder: RunFolder
    results: list[AccountResult]
    seconds: float
    cpu_seconds: float = 0.0  # this process's CPU time while collecting (all threads)


class _HeldProgress:
    """Passes progress on once the run has started; until then keeps the account counts it was given."""

    def __init__(self, inner: Progress) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self._released = False
        self._grown = 0
        self._advanced: list[AccountResult] = []

    def release(self) -> None:
        with self._lock:
            if self._released:
                return
            self._released = True
            self._inner.start(0)
            if self._grown:
                self._inner.grow(self._grown)
            for result in self._advanced:
                self._inner.advance(result)
            self._advanced.clear()

    def start(self, total: int) -> None:
        pass  # the runner starts at once; the run starts at `release`

    def grow(self, more: int) -> None:
        with self._lock:
            if not self._released:
                self._grown += more
                return
        self._inner.grow(more)

    def advance(self, result: AccountResult) -> None:
        with self._lock:
            if not self._released:
                self._advanced.append(result)
                return
        self._inner.advance(result)

    def finish(self) -> None:
        with self._lock:
            released = self._released
        if released:
            self._inner.finish()


class Collection:
    """Feed with `submit(account)` from any thread, `run_started()` once discovery is complete, then `finish()`.

    `open_folder` makes the run folder; `abandon()` stops instead of finishing.
    """

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
        self._progress = _HeldProgress(progress or NullProgress())
        self._executor = executor
        self._lock = threading.Lock()
        self._folder: RunFolder | None = None
        self._runner: AccountRunner | None = None
        self._calls: ThreadPoolExecutor | None = None
        self._stopping = threading.Event()
        self._started = time.perf_counter()
        self._cpu_started = time.process_time()

    @property
    def folder(self) -> RunFolder:
        with self._lock:
            return self._ensure_folder()

    @property
    def created(self) -> RunFolder | None:
        """The run folder if it was created, without creating it."""
        with self._lock:
            return self._folder

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

            def collect(account: Account) -> AccountResult:
                if self._stopping.is_set():  # abandoned: accounts not yet started are left alone
                    return AccountResult(account, ScanStatus.ERROR, NOT_COLLECTED)
                return checkpoint.record_outcome(folder, collect_account(account, context))

            self._runner = AccountRunner(collect, workers=config.workers, progress=self._progress,
                                         executor=self._executor)
        return self._runner

    def submit(self, account: Account) -> None:
        with self._lock:
            runner = self._ensure_runner()
        runner.submit(account)

    def run_started(self) -> None:
        """Discovery is complete and the run folder resumable: show progress (the CLI opens its log here)."""
        with self._lock:
            self._ensure_folder()
        self._progress.release()

    def finish(self) -> Collected:
        """Wait for every account handed over; the folder exists afterwards even if none was."""
        self.run_started()
        folder = self.folder
        results = self._wait()
        seconds = time.perf_counter() - self._started
        cpu_seconds = time.process_time() - self._cpu_started
        log.info("collection took %.1f s (%.1f s of CPU)", seconds, cpu_seconds)
        return Collected(folder, results, seconds, cpu_seconds)

    def abandon(self) -> None:
        """The run cannot go on: start no other account, and wait for those under way (their files are whole)."""
        self._stopping.set()
        try:
            self._wait()
        except Exception:
            log.exception("collection stopped while the run was abandoned")

    def remove(self) -> RunFolder | None:
        """After `abandon`: delete the run folder, which no discovery made resumable. The folder, or None."""
        folder = self.created
        if folder is not None:
            shutil.rmtree(folder.path)
        return folder

    def _wait(self) -> list[AccountResult]:
        with self._lock:
            runner = self._runner
        try:
            return runner.results() if runner is not None else []
        finally:
            if self._calls is not None:
                self._calls.shutdown(wait=True, cancel_futures=True)
