"""The five boxes beside the boxes of the classic IAM console's Security Status panel they are named after.

Readers who followed a walkthrough of that panel expect its ticks; where orgscan judges a box otherwise, the
report's methodology says why, so a FAIL the console would have ticked does not read as a mistake.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.checks.catalog import CHECK_IDS


@dataclass(frozen=True)
class ConsoleComparison:
    """One box: what the classic console ticked it for, and why orgscan judges it otherwise if it does."""

    check_id: str
    console: str  # what the classic console ticked the box for
    difference: str  # why orgscan judges otherwise, "None." where it applies the same test


CLASSIC_CONSOLE: tuple[ConsoleComparison, ...] = (
    ConsoleComparison(
        "root-access-keys",
        "The root user has no access keys.",
        "None.",
    ),
    ConsoleComparison(
        "root-mfa",
        "The root user has an MFA device.",
        "Only where there is no root sign-in to protect: in GovCloud, and for a root user without any credentials "
        "(removed through centralized root access), the box is not applicable instead of failing.",
    ),
    ConsoleComparison(
        "individual-users",
        "At least one IAM user exists.",
        "People who sign in through a SAML provider or IAM Identity Center sign in as themselves too, so an "
        "account with federation and no IAM users passes.",
    ),
    ConsoleComparison(
        "groups-for-permissions",
        "At least one group exists.",
        "A group alone proves nothing: a user with AdministratorAccess attached directly and in no group ticked "
        "the console's box as soon as any group existed. orgscan fails the box while a user has managed or inline "
        "policies of their own, which bypass groups, as the CIS benchmark recommends.",
    ),
    ConsoleComparison(
        "password-policy",
        "A password policy is set, whatever its settings.",
        "None: its settings are judged by the CIS checks \"Require long passwords\" and \"Prevent password "
        "reuse\", not by this box.",
    ),
)
assert tuple(c.check_id for c in CLASSIC_CONSOLE) == CHECK_IDS
