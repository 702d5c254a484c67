"""The one helper that runs work per account in a thread pool; one account's failure never stops others."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from typing import Protocol

from scanner.aws.redaction import summarize_exception
from scanner.errors import OutputError
from scanner.models import Account, AccountResult, ApiError, ScanStatus

log = logging.getLogger(__name__)


class Progress(Protocol):
    """What the core tells a progress display; the core never imports a terminal library."""

    def start(self, total: int) -> None: ...
    def grow(self, more: int) -> None: ...
    def advance(self, result: AccountResult) -> None: ...
    def finish(self) -> None: ...


class NullProgress:
    def start(self, total: int) -> None:
        pass

    def grow(self, more: int) -> None:
        pass

    def advance(self, result: AccountResult) -> None:
        pass

    def finish(self) -> None:
        pass


class InlineExecutor(Executor):
    """Runs each task at submit time in the caller's thread: for tests and debuggers."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def,override]
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


class AccountRunner:
    """Runs `work` for accounts as they are handed over; an exception becomes that account's recorded error.

    `submit` may be called from any thread (discovery hands accounts over as ListAccounts pages arrive);
    `results` waits for all of them. OutputError is the exception: the run folder cannot be written, which
    no account caused and none can survive, so the accounts not yet started are cancelled and the error
    ends the run.
    """

    def __init__(
        self,
        work: Callable[[Account], AccountResult],
        *,
        workers: int,
        progress: Progress | None = None,
        executor: Executor | None = None,
    ) -> None:
        self._work = work
        self._progress = progress or NullProgress()
        self._pool = executor or ThreadPoolExecutor(max_workers=workers, thread_name_prefix="account")
        self._owns_pool = executor is None
        self._lock = threading.Lock()
        self._futures: dict[str, Future[AccountResult]] = {}
        self._accounts: dict[str, Account] = {}
        self._by_future: dict[Future[AccountResult], Account] = {}
        self._output_error: OutputError | None = None
        self._progress.start(0)

    def submit(self, account: Account) -> None:
        with self._lock:
            if account.account_id in self._futures or self._output_error is not None:
                return
            self._accounts[account.account_id] = account
            self._progress.grow(1)
            future = self._pool.submit(self._work, account)
            self._futures[account.account_id] = future
            self._by_future[future] = account
        future.add_done_callback(self._done)

    def _result(self, account: Account, future: Future[AccountResult]) -> AccountResult:
        try:
            return future.result()
        except OutputError:
            raise
        except Exception as exc:
            log.exception("account %s: unexpected failure", account.account_id)
            return AccountResult(account, ScanStatus.ERROR, str(ApiError(*summarize_exception(exc))))

    def _done(self, future: Future[AccountResult]) -> None:
        if future.cancelled():
            return
        exc = future.exception()
        if isinstance(exc, OutputError):
            with self._lock:
                self._output_error = self._output_error or exc
                pending = list(self._futures.values())
            for other in pending:
                other.cancel()
            return
        with self._lock:
            account = self._by_future[future]
        self._progress.advance(self._result(account, future))

    def results(self) -> list[AccountResult]:
        """Every submitted account's result, in the order they were handed over."""
        try:
            wait(list(self._futures.values()))
            if self._output_error is not None:
                raise self._output_error
            return [self._result(self._accounts[i], f) for i, f in self._futures.items()]
        finally:
            if self._owns_pool:
                self._pool.shutdown(wait=True, cancel_futures=True)
            self._progress.finish()
