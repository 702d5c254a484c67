"""Values that cross module boundaries: frozen dataclasses and str enums, nothing with behaviour."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

_ACCOUNT_ID = re.compile(r"[0-9]{12}")


def is_account_id(value: object) -> bool:
    """Exactly twelve ASCII digits: the only form an AWS account id takes, and the only one that is safe to use
    as a folder name under raw/."""
    return isinstance(value, str) and _ACCOUNT_ID.fullmatch(value) is not None


# Each partition's default region: where a caller that names none is looked for, and where findings are imported.
DEFAULT_REGIONS = {"aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}


class Status(StrEnum):
    """The outcome of one check for one account."""

    PASS = "PASS"
    FAIL = "FAIL"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    ERROR = "ERROR"


class ScanStatus(StrEnum):
    """Whether an account's evidence could be collected at all."""

    SCANNED = "scanned"
    ERROR = "error"
    SKIPPED = "skipped"


# Organizations `Account.State` values. Every state but ACTIVE means the account cannot be used (closed, closing,
# suspended, or its sign-up never finished). Any other value, or none at all, is attempted rather than skipped:
# an account must never drop out of a security scan because AWS named its state in a way orgscan does not know.
ACTIVE_STATE = "ACTIVE"
INACTIVE_STATES = frozenset({"SUSPENDED", "PENDING_CLOSURE", "CLOSED", "PENDING_ACTIVATION"})
KNOWN_STATES = INACTIVE_STATES | {ACTIVE_STATE}


@dataclass(frozen=True)
class Account:
    """One account as discovered, before it is scanned.

    `status` keeps its name (it is a column other tools read) and carries the account's state: Organizations'
    `State`, or the retired `Status` where an answer has no `State`; "" when the answer had neither.
    """

    account_id: str
    account_name: str = ""
    email: str = ""
    status: str = ACTIVE_STATE
    ou_path: str = ""

    @property
    def scannable(self) -> bool:
        """Not in a state that rules the account out; unknown and absent states are attempted."""
        return self.status not in INACTIVE_STATES

    @property
    def state_known(self) -> bool:
        return self.status in KNOWN_STATES


@dataclass(frozen=True)
class AccountResult:
    """One line of `raw/accounts.json`: the account and how its scan ended."""

    account: Account
    scan_status: ScanStatus
    error: str = ""

    def to_record(self) -> dict[str, str]:
        return {
            "account_id": self.account.account_id,
            "account_name": self.account.account_name,
            "email": self.account.email,
            "status": self.account.status,
            "ou_path": self.account.ou_path,
            "scan_status": self.scan_status.value,
            "error": self.error,
        }

    @classmethod
    def from_record(cls, record: dict[str, str]) -> AccountResult:
        account = Account(
            account_id=str(record["account_id"]),
            account_name=record.get("account_name", ""),
            email=record.get("email", ""),
            status=record.get("status", ""),
            ou_path=record.get("ou_path", ""),
        )
        return cls(account, ScanStatus(record["scan_status"]), record.get("error", ""))


ACCOUNT_COLUMNS = ("account_id", "account_name", "email", "status", "ou_path", "scan_status", "error")


@dataclass(frozen=True)
class Caller:
    """Who runs the scan, as `sts:GetCallerIdentity` says."""

    account_id: str
    arn: str
    partition: str = "aws"


@dataclass(frozen=True)
class Organization:
    """What discovery learned about the organization (empty id when the caller is in none)."""

    organization_id: str = ""
    management_account_id: str = ""
    name: str = ""


@dataclass(frozen=True)
class Discovery:
    caller: Caller
    organization: Organization
    accounts: tuple[Account, ...]

    def assesses(self, account: Account) -> bool:
        """Whether the scan collects `account`: its state allows it, and the caller's own account always."""
        return account.scannable or account.account_id == self.caller.account_id


@dataclass(frozen=True)
class Finding:
    """One box (check) for one account."""

    account_id: str
    check_id: str
    status: Status
    detail: str


@dataclass(frozen=True)
class ApiError:
    """An AWS error as stored in the evidence folder: `{"Error": {"Code": ..., "Message": ...}}`."""

    code: str
    message: str = ""

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code

    def to_json(self) -> dict[str, dict[str, str]]:
        return {"Error": {"Code": self.code, "Message": self.message}}


@dataclass(frozen=True)
class RunInfo:
    """The run's metadata, written to `run.json`."""

    tool_version: str
    started_at: str
    finished_at: str
    caller_arn: str
    role_name: str
    organization_id: str
    organization_name: str
    management_account_id: str
    counts: dict[str, int] = field(default_factory=dict)
