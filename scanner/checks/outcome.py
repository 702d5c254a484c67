"""What an extended check returns: the account's status and detail, plus one verdict per user it judged.

User-level verdicts become rows of `user_findings.csv`, so an auditor can see every user a check looked
at, with the evidence (a key's age in days, the policies attached), not only the account's summary line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scanner.models import Status

DETAIL_LIMIT = 10  # users named in an account's detail before "and N more"


@dataclass(frozen=True)
class UserVerdict:
    """One user's result for one check: PASS or FAIL, and why."""

    user: str
    status: Status
    evidence: str


@dataclass(frozen=True)
class UserFinding:
    """A row of `user_findings.csv`."""

    account_id: str
    user: str
    check_id: str
    status: Status
    evidence: str


@dataclass(frozen=True)
class CheckOutcome:
    status: Status
    detail: str
    users: tuple[UserVerdict, ...] = ()


def offenders_text(verdicts: Sequence[UserVerdict], limit: int = DETAIL_LIMIT) -> str:
    """`name (evidence); name (evidence) and 3 more` for the failing verdicts, in the order given."""
    failing = [v for v in verdicts if v.status is Status.FAIL]
    text = "; ".join(f"{v.user} ({v.evidence})" for v in failing[:limit])
    return text + (f" and {len(failing) - limit} more" if len(failing) > limit else "")


def users_text(count: int) -> str:
    return f"{count} user{'' if count == 1 else 's'}"


def judged(verdicts: Sequence[UserVerdict], pass_text: str, fail_text: str) -> CheckOutcome:
    """FAIL naming the offenders when any verdict failed, else PASS.

    Both texts may use `{n}` (users failing), `{of}` (users judged) and `{users}` ("3 users"); the list
    of offenders follows `fail_text` after a colon, so a detail never starts with a user's name.
    """
    ordered = tuple(sorted(verdicts, key=lambda v: v.user))
    failing = sum(1 for v in ordered if v.status is Status.FAIL)
    values = {"n": failing, "of": len(ordered), "users": users_text(len(ordered))}
    if failing:
        return CheckOutcome(Status.FAIL, f"{fail_text.format(**values)}: {offenders_text(ordered)}.", ordered)
    return CheckOutcome(Status.PASS, pass_text.format(**values), ordered)
