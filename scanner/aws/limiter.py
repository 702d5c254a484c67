"""A limit on requests in flight shared by every client of the scan, adapting to throttling.

AWS rate limits apply per account and per API, and are not published. botocore's retries back off per
call, and its `adaptive` mode limits each client separately; with hundreds of clients that is no limit
at all. This limiter sees every HTTP attempt of every client (botocore's `before-send` and
`response-received` events) and shrinks the number in flight multiplicatively when AWS throttles, then
grows it back additively (AIMD), so the whole pool settles just under the rate AWS accepts.
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


class AdaptiveLimiter:
    """AIMD on the number of requests in flight.

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
        self._limit = float(max_in_flight)
        self._decrease = decrease
        self._stall_s = stall_s
        self._in_flight = 0
        self._cond = threading.Condition()
        self._held = threading.local()
        self.requests = 0
        self.retries = 0
        self.throttles: Counter[str] = Counter()  # by account id ("" for the caller's own calls)
        self.failures = 0
        self.stalls = 0

    @property
    def limit(self) -> int:
        return max(self.min_in_flight, int(self._limit))

    @property
    def in_flight(self) -> int:
        with self._cond:
            return self._in_flight

    def acquire(self) -> None:
        """Take a slot for this thread's next attempt (at most one: a slot still held is used again)."""
        if getattr(self._held, "slot", False):
            return
        with self._cond:
            while self._in_flight >= self.limit:
                if not self._cond.wait(self._stall_s):
                    self.stalls += 1
                    log.warning("no request slot came back for %g s (%d in flight, limit %d): sending over the "
                                "limit", self._stall_s, self._in_flight, self.limit)
                    break
            self._in_flight += 1
            self.requests += 1
        self._held.slot = True

    def release(self, throttled: bool, account_id: str, retry: bool) -> None:
        """The attempt this thread sent has its answer: give the slot back and adapt the limit."""
        with self._cond:
            if retry:
                self.retries += 1
            if throttled:
                self.throttles[account_id] += 1
                self._limit = max(float(self.min_in_flight), self._limit * self._decrease)
            else:
                self._limit = min(float(self.max_in_flight), self._limit + 1.0 / max(self._limit, 1.0))
        self._give_back()

    def _give_back(self) -> None:
        if not getattr(self._held, "slot", False):
            return
        self._held.slot = False
        with self._cond:
            self._in_flight -= 1
            self._cond.notify_all()

    def attach(self, events: Any, account_id: str = "") -> None:
        """Register on a client's (or session's) event system; `account_id` labels its throttles."""

        def before_send(**_: Any) -> None:
            if account_id:
                set_current_account(account_id)
            self.acquire()

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
            if exception is not None:
                self.failures += 1
            self.release(throttled, label, retry=attempt > 1)

        def call_ended(**_: Any) -> None:
            self._give_back()

        suffix = id(self)
        events.register("before-send", before_send, unique_id=f"orgscan-limit-send-{suffix}")
        events.register("response-received", response_received, unique_id=f"orgscan-limit-recv-{suffix}")
        events.register("after-call", call_ended, unique_id=f"orgscan-limit-done-{suffix}")
        events.register("after-call-error", call_ended, unique_id=f"orgscan-limit-error-{suffix}")

    def stats(self) -> dict[str, int]:
        with self._cond:
            return {
                "requests": self.requests,
                "retries": self.retries,
                "throttles": sum(self.throttles.values()),
                "accounts_throttled": sum(1 for n in self.throttles.values() if n),
                "connection_failures": self.failures,
                "final_in_flight_limit": self.limit,
                "stalls": self.stalls,
            }
