"""Managed policies: no "*" on "*" customer policy attached, a support role, no AWSCloudShellFullAccess.

Holders come from two documents: users and groups from authorization_details.json, roles and the customer
managed policies from roles_and_policies.json. A holder found in what could be read decides a FAIL; when
nothing found fails and a source could not be read, the check is ERROR with the reason, never PASS.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from scanner.checks.outcome import CheckOutcome
from scanner.models import ApiError, Status
from scanner.normalize.evidence import AccountFacts
from scanner.normalize.policies import Attachment, CustomerPolicy

SUPPORT_POLICY = "AWSSupportAccess"
CLOUDSHELL_POLICY = "AWSCloudShellFullAccess"
NAMED_LIMIT = 10  # holders or policies named in a detail before "and N more"


def unreadable(error: ApiError | None, what: str) -> str:
    """Why `what` is unknown: never collected by the orgscan that wrote the run, or the error met."""
    if error is not None and error.code == "EvidenceMissing":
        return (f"{what} could not be judged: {error.message.removesuffix(' was not collected')} is not in this run "
                "(the version of orgscan that wrote it did not collect it).")
    return f"{what} could not be read ({error or 'not collected'})."


def listing(names: Sequence[str], limit: int = NAMED_LIMIT) -> str:
    text = ", ".join(names[:limit])
    return text + (f" and {len(names) - limit} more" if len(names) > limit else "")


def counted(count: int, noun: str) -> str:
    """`1 role`, `2 roles`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def is_aws_managed(attachment: Attachment, name: str) -> bool:
    """The AWS managed policy `name` in any partition (arn:<partition>:iam::aws:policy/<name>)."""
    return attachment.policy_arn.startswith("arn:") and attachment.policy_arn.endswith(f":iam::aws:policy/{name}")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def allows_everything(document: Any) -> bool:
    """Whether a statement allows every action ("*") on every resource ("*"), conditions or not."""
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    for statement in _as_list(statements):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = _as_list(statement.get("Action", []))
        resources = _as_list(statement.get("Resource", []))
        if ("*" in actions or "*:*" in actions) and "*" in resources:
            return True
    return False


def _holders(policy: CustomerPolicy, attachments: Iterable[Attachment]) -> list[str]:
    return sorted({a.named for a in attachments if a.policy_arn == policy.arn})


def no_full_admin_policies(facts: AccountFacts) -> CheckOutcome:
    evidence = facts.policies
    policies = evidence.customer_policies
    if policies is None or evidence.roles is None:
        return CheckOutcome(Status.ERROR, unreadable(evidence.roles_error, "Customer managed policies"))
    everyone = (*evidence.roles, *(evidence.users_and_groups or ()))
    full = sorted((p for p in policies if p.document is not None and allows_everything(p.document)),
                  key=lambda p: p.name)
    attached = [(p, _holders(p, everyone)) for p in full]
    attached = [(p, holders) for p, holders in attached if holders or p.attachment_count > 0]
    if attached:
        named = []
        for policy, holders in attached:
            more = policy.attachment_count - len(holders)
            where = listing(holders) + (f" and {more} more" if more > 0 and holders else "")
            named.append(f"{policy.name} ({where or f'{policy.attachment_count} attachments'})")
        gap = ""
        if evidence.users_and_groups is None:
            gap = f" Users and groups holding them could not be read ({evidence.users_and_groups_error})."
        return CheckOutcome(Status.FAIL, f"{len(attached)} customer managed "
                                         f"polic{'y allows' if len(attached) == 1 else 'ies allow'} \"*\" on \"*\" "
                                         f"and {'is' if len(attached) == 1 else 'are'} attached: "
                                         f"{listing(named)}.{gap}")
    unread = sorted(p.name for p in policies if p.document is None)
    if unread:
        return CheckOutcome(Status.ERROR, f"The default version of {listing(unread)} could not be read, so whether "
                                          "it allows \"*\" on \"*\" is unknown.")
    if not policies:
        return CheckOutcome(Status.PASS, "The account has no customer managed policies.")
    idle = [p.name for p in full]
    note = f" {listing(idle)} allow{'s' if len(idle) == 1 else ''} it but {'is' if len(idle) == 1 else 'are'} " \
           "attached to no one." if idle else ""
    return CheckOutcome(Status.PASS, f"No attached customer managed policy allows \"*\" on \"*\" "
                                     f"({len(policies)} read).{note}")


def support_role(facts: AccountFacts) -> CheckOutcome:
    evidence = facts.policies
    if evidence.roles is None:
        return CheckOutcome(Status.ERROR, unreadable(evidence.roles_error, "The roles' policies"))
    roles = sorted({a.holder for a in evidence.roles if is_aws_managed(a, SUPPORT_POLICY)})
    if roles:
        return CheckOutcome(Status.PASS, f"{SUPPORT_POLICY} is attached to role{'s' if len(roles) > 1 else ''} "
                                         f"{listing(roles)}.")
    read = counted(len(evidence.role_names), "role")
    return CheckOutcome(Status.FAIL, f"No role has {SUPPORT_POLICY} attached ({read} read): AWS Support incidents "
                                     "need the root user or broader rights.")


def cloudshell_full_access(facts: AccountFacts) -> CheckOutcome:
    evidence = facts.policies
    read = [*(evidence.users_and_groups or ()), *(evidence.roles or ())]
    holders = sorted({a.named for a in read if is_aws_managed(a, CLOUDSHELL_POLICY)})
    if holders:
        return CheckOutcome(Status.FAIL, f"{CLOUDSHELL_POLICY} is attached to {listing(holders)}.")
    if evidence.users_and_groups is None:
        return CheckOutcome(Status.ERROR, unreadable(evidence.users_and_groups_error, "The users' and groups' "
                                                                                        "policies"))
    if evidence.roles is None:
        return CheckOutcome(Status.ERROR, unreadable(evidence.roles_error, "The roles' policies"))
    return CheckOutcome(Status.PASS, f"{CLOUDSHELL_POLICY} is attached to no user, group or role.")
