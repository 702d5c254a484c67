"""Limits on requests in flight, one per account and API family, each adapting to throttling.

AWS rate limits apply per account and per API, and are not published. botocore's retries back off per
call, and its `adaptive` mode limits each client separately; with hundreds of clients that is no limit
at all. This limiter sees every HTTP attempt of every client (botocore's `before-send` and
`response-received` events) and keeps one window per limit AWS applies: IAM calls per account, STS and
Organizations calls per caller. A window shrinks the number in flight multiplicatively when AWS throttles,
then grows it back additively (AIMD), so each settles just under the rate AWS accepts, and one throttled
account slows only itself.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from typing import Any

log = logging.getLogger(__name__)

THROTTLING_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException",
    "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException", "SlowDown",
    "PriorRequestNotComplete", "TransactionInProgressException", "BandwidthLimitExceeded",
})


_context = threading.local()


def set_current_account(account_id: str) -> None:
    """Say which account this thread is working for, until it says otherwise.

    The caller's own clients serve every account (AssumeRole, and all calls in the caller's account), so
    their throttles, and botocore's retry log lines, are put down to the account the thread declared.
    """
    _context.account_id = account_id


def current_account() -> str:
    """The account this thread works for; "" for discovery and other organization-wide calls."""
    return str(getattr(_context, "account_id", ""))


CALLER = ""  # the window account of clients with the caller's own credentials


class _Window:
    """The in-flight limit of one service in one account: its own count, AIMD limit and waiters."""

    def __init__(self, lock: threading.Lock, max_in_flight: int, min_in_flight: int) -> None:
        self.cond = threading.Condition(lock)
        self.max_in_flight = max_in_flight
        self.min_in_flight = min_in_flight
        self.value = float(max_in_flight)
        self.lowest = float(max_in_flight)
        self.in_flight = 0
        self.throttles = 0

    @property
    def limit(self) -> int:
        return max(self.min_in_flight, int(self.value))

    @property
    def lowest_limit(self) -> int:
        return max(self.min_in_flight, int(self.lowest))


class AdaptiveLimiter:
    """AIMD on the number of requests in flight, per window (`service`, `account`).

    A slot is taken on `before-send` and given back on `response-received`; botocore skips that event when
    an attempt ends in an exception it does not catch itself (a parser or checksum failure), so the slot is
    also given back when the call ends (`after-call`, `after-call-error`). Which slot a thread holds is
    thread-local: botocore runs the events of one attempt in the calling thread. Waiting has a bound: when
    no slot comes back for `stall_s` (the connect and read timeouts: longer than an attempt takes), the
    slots are taken for lost, the log says so, and the request goes out over the limit rather than wait
    forever (`stalls` in the statistics).
    """

    def __init__(self, max_in_flight: int, min_in_flight: int = 2, decrease: float = 0.7,
                 stall_s: float = 120.0) -> None:
        self.max_in_flight = max_in_flight
        self.min_in_flight = min(min_in_flight, max_in_flight)
        self._decrease = decrease
        self._stall_s = stall_s
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], _Window] = {}
        self._held = threading.local()
        self.requests = 0
        self.retries = 0
        self.throttles: Counter[str] = Counter()  # by the account a call was for ("" for organization-wide)
        self.failures = 0
        self.stalls = 0

    def window(self, service: str, account: str = CALLER) -> _Window:
        """The window of `service` for the account whose credentials sign the calls: AWS limits each account's
        calls to each service. A member account's IAM (or Access Analyzer, or Account) calls have a window of their
        own; STS and Organizations are called with the caller's credentials, whichever account a call is for."""
        key = (service, account)
        with self._lock:
            window = self._windows.get(key)
            if window is None:
                window = self._windows[key] = _Window(self._lock, self.max_in_flight, self.min_in_flight)
            return window

    def limits(self) -> dict[tuple[str, str], int]:
        """The current limit of every window used, by (service, account); "" is the caller's account."""
        with self._lock:
            return {key: window.limit for key, window in self._windows.items()}

    @property
    def in_flight(self) -> int:
        with self._lock:
            return sum(window.in_flight for window in self._windows.values())

    def acquire(self, window: _Window) -> None:
        """Take a slot for this thread's next attempt (at most one: a slot still held is used again)."""
        if getattr(self._held, "window", None) is not None:
            return
        with window.cond:
            while window.in_flight >= window.limit:
                if not window.cond.wait(self._stall_s):
                    self.stalls += 1
                    log.warning("no request slot came back for %g s (%d in flight, limit %d): sending over the "
                                "limit", self._stall_s, window.in_flight, window.limit)
                    break
            window.in_flight += 1
            self.requests += 1
        self._held.window = window

    def release(self, throttled: bool, account_id: str, retry: bool, failed: bool = False) -> None:
        """The attempt this thread sent has its answer: give the slot back and adapt its window's limit."""
        window: _Window | None = getattr(self._held, "window", None)
        with self._lock:
            self.retries += retry
            self.failures += failed
            if throttled:
                self.throttles[account_id] += 1
            if window is not None:
                if throttled:
                    window.throttles += 1
                    window.value = max(float(window.min_in_flight), window.value * self._decrease)
                    window.lowest = min(window.lowest, window.value)
                else:
                    window.value = min(float(window.max_in_flight), window.value + 1.0 / max(window.value, 1.0))
        self._give_back()

    def _give_back(self) -> None:
        window: _Window | None = getattr(self._held, "window", None)
        if window is None:
            return
        self._held.window = None
        with window.cond:
            window.in_flight -= 1
            window.cond.notify_all()

    def attach(self, events: Any, service: str, account_id: str | None = CALLER) -> None:
        """Register on a client's event system: a client of `service` with `account_id`'s credentials
        ("" for the caller's own). Throttles of the caller's clients are put down to the thread's account.

        `account_id` None: a client shared by member accounts, each request made for the account the thread
        works for (`set_current_account`) and counted in that account's window.
        """
        fixed = self.window(service, account_id) if account_id is not None else None

        def before_send(**_: Any) -> None:
            if account_id:
                set_current_account(account_id)
            self.acquire(fixed if fixed is not None else self.window(service, current_account()))

        def response_received(parsed_response: Any = None, exception: Any = None, context: Any = None,
                              **_: Any) -> None:
            label = account_id or current_account()
            code = ""
            if isinstance(parsed_response, dict):
                code = parsed_response.get("Error", {}).get("Code", "")
            throttled = code in THROTTLING_CODES
            attempt = (context or {}).get("retries", {}).get("attempt", 1)
            if throttled:
                log.debug("account %s: throttled (%s), attempt %s", label or "-", code, attempt)
            self.release(throttled, label, retry=attempt > 1, failed=exception is not None)

        def call_ended(**_: Any) -> None:
            self._give_back()

        suffix = id(self)
        events.register("before-send", before_send, unique_id=f"orgscan-limit-send-{suffix}")
        events.register("response-received", response_received, unique_id=f"orgscan-limit-recv-{suffix}")
        events.register("after-call", call_ended, unique_id=f"orgscan-limit-done-{suffix}")
        events.register("after-call-error", call_ended, unique_id=f"orgscan-limit-error-{suffix}")

    def stats(self) -> dict[str, Any]:
        """run.json's `api`: totals, and each window AWS throttled (`account` "caller" for the caller's)."""
        with self._lock:
            windows = sorted(self._windows.items())
            throttled = [
                {"service": service, "account": account or "caller", "throttles": window.throttles,
                 "lowest_in_flight_limit": window.lowest_limit, "final_in_flight_limit": window.limit}
                for (service, account), window in windows if window.throttles
            ]
            return {
                "requests": self.requests,
                "retries": self.retries,
                "throttles": sum(self.throttles.values()),
                "accounts_throttled": sum(1 for n in self.throttles.values() if n),
                "connection_failures": self.failures,
                # The most constrained window's: the whole scan's one limit before limits were per account.
                "final_in_flight_limit": min((w.limit for _, w in windows), default=self.max_in_flight),
                "stalls": self.stalls,
                "throttled_windows": throttled,
            }
