"""The one helper that runs work per account in a thread pool; one account's failure never stops others."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor, as_completed
from typing import Protocol

from scanner.errors import OutputError
from scanner.models import Account, AccountResult, ScanStatus

log = logging.getLogger(__name__)


class Progress(Protocol):
    """What the core tells a progress display; the core never imports a terminal library."""

    def start(self, total: int) -> None: ...
    def advance(self, result: AccountResult) -> None: ...
    def finish(self) -> None: ...


class NullProgress:
    def start(self, total: int) -> None:
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


def run_per_account(
    accounts: Sequence[Account],
    work: Callable[[Account], AccountResult],
    *,
    workers: int,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> list[AccountResult]:
    """Run `work` for each account; an exception becomes that account's recorded error.

    Results come back in the order of `accounts`, whatever order they finished in. OutputError is the
    exception: the run folder cannot be written, which no account caused and none can survive, so the
    accounts not yet started are cancelled and the error ends the run.
    """
    progress = progress or NullProgress()
    progress.start(len(accounts))
    pool = executor or ThreadPoolExecutor(max_workers=workers, thread_name_prefix="account")
    results: dict[str, AccountResult] = {}
    try:
        futures = {pool.submit(work, account): account for account in accounts}
        for future in as_completed(futures):
            account = futures[future]
            try:
                result = future.result()
            except OutputError:
                for pending in futures:
                    pending.cancel()
                raise
            except Exception as exc:
                log.exception("account %s: unexpected failure", account.account_id)
                result = AccountResult(account, ScanStatus.ERROR, f"{type(exc).__name__}: {exc}")
            results[account.account_id] = result
            progress.advance(result)
    finally:
        if executor is None:
            pool.shutdown(wait=True, cancel_futures=True)
        progress.finish()
    return [results[a.account_id] for a in accounts]
