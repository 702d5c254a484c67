"""Fault rules: small data objects saying which calls go wrong and how.

Rules are kept apart from the WSGI layer that applies them so that the seeded organization
can carry its rules (a denied role, an SCP) as endpoint-independent facts, and tests can build
or drop rules while a server is running. Every random choice comes from a per-rule seeded
generator behind a lock, so a run with the same rules and the same call order fails the same
calls.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar, Literal

MalformedKind = Literal["wrong_header", "truncated", "binary"]
MALFORMED_KINDS: tuple[str, ...] = ("wrong_header", "truncated", "binary")

# A CSV header that is plausible but is not the credential report's.
WRONG_HEADER = "Name,ARN,CreatedOn,ConsoleAccess,MfaEnabled,AccessKeys,LastActivity"


@dataclass(frozen=True)
class ApiRequest:
    """One AWS API call as the fault layer understands it.

    `account_id` is the account the call is about: the target account of an `AssumeRole`,
    otherwise the account whose credentials signed the call.
    """

    service: str
    action: str
    protocol: Literal["query", "json", "rest-json", "rest-xml"]
    calling_account: str
    principal_arn: str
    target_account: str | None = None
    target_arn: str | None = None
    paginated: bool = False

    @property
    def account_id(self) -> str:
        return self.target_account or self.calling_account


@dataclass(kw_only=True, eq=False)
class FaultRule:
    """Base rule: matches by action, service (`iam`, `sts`, `organizations`) and account; None means any."""

    action: str | None = None
    account_id: str | None = None
    service: str | None = None
    kind: ClassVar[str] = "fault"

    def matches(self, request: ApiRequest) -> bool:
        if self.action is not None and self.action != request.action:
            return False
        if self.service is not None and self.service != request.service:
            return False
        return self.account_id is None or self.account_id == request.account_id


@dataclass(kw_only=True, eq=False)
class _Chance(FaultRule):
    """A rule that fires for a seeded `share` of the calls it matches, at most `limit` times."""

    share: float = 1.0
    seed: int | None = 0
    limit: int | None = None
    fired: int = field(init=False, default=0)
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if not 0.0 <= self.share <= 1.0:
            raise ValueError(f"{self.kind} share must be within [0, 1], got {self.share}")
        self._rng = random.Random(self.seed)

    def fire(self) -> bool:
        """Decide, and remember, whether this matching call is hit."""
        with self._lock:
            if self.limit is not None and self.fired >= self.limit:
                return False
            if self.share < 1.0 and self._rng.random() >= self.share:
                return False
            self.fired += 1
            return True


@dataclass(kw_only=True, eq=False)
class Latency(FaultRule):
    """Every matching call waits between `min_s` and `max_s` seconds, in its own thread."""

    min_s: float
    max_s: float
    seed: int | None = 0
    kind: ClassVar[str] = "latency"
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if not 0 <= self.min_s <= self.max_s:
            raise ValueError(f"latency needs 0 <= min_s <= max_s, got {self.min_s}, {self.max_s}")
        self._rng = random.Random(self.seed)

    def delay(self) -> float:
        with self._lock:
            return self._rng.uniform(self.min_s, self.max_s)


@dataclass(kw_only=True, eq=False)
class Throttle(_Chance):
    """A `share` of matching calls is throttled.

    `paginated_only` limits the rule to calls that carry a NextToken/Marker (page 2 onwards);
    `limit` stops the rule after that many throttles, so "page 2 is throttled twice, then
    succeeds" is `Throttle(action="ListAccounts", paginated_only=True, limit=2)`.
    """

    paginated_only: bool = False
    kind: ClassVar[str] = "throttle"

    def matches(self, request: ApiRequest) -> bool:
        if self.paginated_only and not request.paginated:
            return False
        return super().matches(request)


@dataclass(kw_only=True, eq=False)
class Deny(FaultRule):
    """Matching calls get AccessDenied (403).

    `via_scp` picks the message: an explicit deny in a service control policy, or a plain
    "not authorized" (the default for AssumeRole, whose denial comes from the role's trust or
    the caller's policy). `message` overrides both.
    """

    message: str | None = None
    via_scp: bool | None = None
    kind: ClassVar[str] = "deny"


@dataclass(kw_only=True, eq=False)
class RejectFindings(FaultRule):
    """Security Hub imports every finding of a BatchImportFindings call except those with these ids, which it
    lists under FailedFindings with `code` and `message`, as AWS does for findings it refuses."""

    ids: frozenset[str]
    code: str = "InvalidInput"
    message: str = "Finding does not adhere to Amazon Security Finding Format"
    kind: ClassVar[str] = "reject_findings"

    def matches(self, request: ApiRequest) -> bool:
        return request.action == "BatchImportFindings" and super().matches(request)


@dataclass(kw_only=True, eq=False)
class ServerError(FaultRule):
    """Matching calls get HTTP 500 (`ServiceFailure` for IAM, `InternalFailure` elsewhere)."""

    code: str | None = None
    kind: ClassVar[str] = "server_error"


REPORT_ACTIONS = frozenset({"GenerateCredentialReport", "GetCredentialReport"})


@dataclass(kw_only=True, eq=False)
class ReportInProgress(FaultRule):
    """The credential report never finishes: Generate says INPROGRESS, Get says 404."""

    kind: ClassVar[str] = "report_in_progress"

    def matches(self, request: ApiRequest) -> bool:
        return request.action in REPORT_ACTIONS and super().matches(request)


@dataclass(kw_only=True, eq=False)
class MalformedReport(FaultRule):
    """GetCredentialReport succeeds but its Content is broken in the chosen way."""

    report_kind: MalformedKind
    seed: int | None = 0
    kind: ClassVar[str] = "malformed_report"
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.report_kind not in MALFORMED_KINDS:
            raise ValueError(f"malformed report kind must be one of {MALFORMED_KINDS}, got {self.report_kind!r}")
        self._rng = random.Random(self.seed)

    def matches(self, request: ApiRequest) -> bool:
        return request.action == "GetCredentialReport" and super().matches(request)

    def corrupt(self, content: bytes) -> bytes:
        if self.report_kind == "binary":
            with self._lock:
                noise = self._rng.randbytes(509)
            # 0xC3 0x28 and 0xFF can never appear in UTF-8, whatever the noise holds.
            return b"\xc3\x28\xff" + noise
        text = content.decode("utf-8")
        if self.report_kind == "wrong_header":
            _, _, rows = text.partition("\n")
            return (WRONG_HEADER + "\n" + rows).encode()
        return _cut_mid_row(text).encode()


def _cut_mid_row(text: str) -> str:
    """The report cut in the middle of its last row (or of the header if it has no rows)."""
    body = text.rstrip("\n")
    start = body.rfind("\n") + 1
    row = body[start:]
    return body[: start + max(1, len(row) // 2)]


@dataclass(kw_only=True, eq=False)
class CutOff(_Chance):
    """A `share` of matching calls answered 200 get their body cut short.

    This is what a proxy, or a connection lost mid-body, leaves: the status is 200 and Content-Length
    agrees with the shortened body, so only parsing the answer tells. `after` cuts right after the first
    occurrence of that text (an AssumeRole answer cut after `</Credentials>` still carries the issued
    secret key and session token); without it, or where the text is not found, half the body is kept.
    Errors and other statuses pass untouched, and do not count towards `share` or `limit`.
    """

    after: str | None = None
    kind: ClassVar[str] = "cut_off"

    def cut(self, body: bytes) -> bytes:
        if self.after:
            found = body.find(self.after.encode())
            if found >= 0:
                return body[: found + len(self.after)]
        return body[: len(body) // 2]


@dataclass(kw_only=True, eq=False)
class MissingField(FaultRule):
    """Matching calls answered 200 come back without the XML element `element` (every occurrence, with its
    content): a field AWS stopped sending, or never sent in some partition. The rest of the answer is whole."""

    element: str
    kind: ClassVar[str] = "missing_field"

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", self.element):
            raise ValueError(f"missing field must be an XML element name, got {self.element!r}")

    def strip(self, body: bytes) -> bytes:
        name = self.element.encode()
        return re.sub(rb"<%s>.*?</%s>|<%s/>" % (name, name, name), b"", body, flags=re.DOTALL)


@dataclass(kw_only=True, eq=False)
class DropConnection(FaultRule):
    """The server closes the connection without answering."""

    kind: ClassVar[str] = "drop_connection"


# Constructors named after what they do, for rule lists written as data.


def latency(
    min_s: float, max_s: float, *, action: str | None = None, account_id: str | None = None, seed: int | None = 0
) -> Latency:
    return Latency(min_s=min_s, max_s=max_s, action=action, account_id=account_id, seed=seed)


def throttle(
    share: float = 1.0,
    seed: int | None = 0,
    *,
    action: str | None = None,
    account_id: str | None = None,
    service: str | None = None,
    paginated_only: bool = False,
    limit: int | None = None,
) -> Throttle:
    return Throttle(
        share=share, seed=seed, action=action, account_id=account_id, service=service,
        paginated_only=paginated_only, limit=limit,
    )


def cut_off(
    share: float = 1.0,
    seed: int | None = 0,
    *,
    action: str | None = None,
    account_id: str | None = None,
    service: str | None = None,
    after: str | None = None,
    limit: int | None = None,
) -> CutOff:
    return CutOff(share=share, seed=seed, action=action, account_id=account_id, service=service, after=after,
                  limit=limit)


def deny(
    action: str | None = None,
    account_id: str | None = None,
    *,
    message: str | None = None,
    via_scp: bool | None = None,
) -> Deny:
    return Deny(action=action, account_id=account_id, message=message, via_scp=via_scp)


def server_error(action: str | None = None, account_id: str | None = None, *, code: str | None = None) -> ServerError:
    return ServerError(action=action, account_id=account_id, code=code)


def reject_findings(ids: Iterable[str], *, code: str | None = None, message: str | None = None,
                    account_id: str | None = None) -> RejectFindings:
    options = {k: v for k, v in (("code", code), ("message", message)) if v is not None}
    return RejectFindings(ids=frozenset(ids), account_id=account_id, **options)


def report_in_progress(account_id: str | None = None) -> ReportInProgress:
    return ReportInProgress(account_id=account_id)


def malformed_report(account_id: str | None, kind: MalformedKind, *, seed: int | None = 0) -> MalformedReport:
    return MalformedReport(account_id=account_id, report_kind=kind, seed=seed)


def missing_field(element: str, action: str | None = None, account_id: str | None = None) -> MissingField:
    return MissingField(element=element, action=action, account_id=account_id)


def drop_connection(action: str | None = None, account_id: str | None = None) -> DropConnection:
    return DropConnection(action=action, account_id=account_id)
