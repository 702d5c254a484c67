"""The five boxes' rules, applied in the order the specification writes them: the first match decides."""

from __future__ import annotations

from collections.abc import Callable

from scanner.checks.catalog import CHECK_IDS
from scanner.models import Finding, Status
from scanner.normalize.evidence import AccountFacts, SamlProvider

Outcome = tuple[Status, str]


def _summary_value(facts: AccountFacts, key: str) -> int | None:
    """A summary key the map lacks is unknown, not 0."""
    return None if facts.summary is None else facts.summary.get(key)


def _report_gap(facts: AccountFacts) -> str:
    """Why the credential report's root row is not available, or "" when it is."""
    if facts.report_error is not None:
        return f"the credential report could not be read ({facts.report_error})"
    if facts.root is None:
        return "the credential report has no <root_account> row"
    return ""


def _summary_gap(facts: AccountFacts, key: str) -> str:
    if facts.summary is None:
        return f"the account summary could not be read ({facts.summary_error})"
    return f"the account summary lacks {key}"


def _neither(facts: AccountFacts, key: str) -> str:
    return f"Neither source could be read: {_summary_gap(facts, key)}; {_report_gap(facts)}."


def _also(gap: str) -> str:
    return f" Note: {gap}." if gap else ""


def root_access_keys(facts: AccountFacts) -> Outcome:
    present = _summary_value(facts, "AccountAccessKeysPresent")
    row = facts.root
    row_key = row is not None and row.has_access_key
    if (present is not None and present >= 1) or row_key:
        sources = [name for name, shows in (("account summary", (present or 0) >= 1), ("credential report", row_key))
                   if shows]
        if row is not None and row_key and not (row.access_key_1_active or row.access_key_2_active):
            return Status.FAIL, (f"The root user has an inactive access key ({' and '.join(sources)}); delete it, "
                                 "deactivating is not enough.")
        state = "an active" if row_key else "an"
        return Status.FAIL, f"The root user has {state} access key ({' and '.join(sources)}); delete it."
    if present == 0:
        return Status.PASS, "The root user has no access keys (account summary)." + _also(_report_gap(facts))
    if row is not None:
        return Status.PASS, ("The root user has no access keys (credential report; "
                             f"{_summary_gap(facts, 'AccountAccessKeysPresent')}, so it could not confirm this, "
                             "and the report may not show an inactive key).")
    return Status.ERROR, _neither(facts, "AccountAccessKeysPresent")


def _rootless_detail(facts: AccountFacts) -> str:
    detail = ("The root user has no password, access key or signing certificate (root credentials removed), so "
              "there is nothing to protect with MFA.")
    if facts.root_credentials_management is True:
        return detail + (" Centralized root access is on for the organization: the root password cannot be "
                         "recovered without the management account.")
    if facts.root_credentials_management is False:
        return detail + (" Centralized root access is off for the organization: whoever holds the root e-mail "
                         "address can still recover the root user; enable centralized root access.")
    return detail + (" Whether the organization prevents root password recovery (centralized root access) could "
                     "not be read.")


def root_mfa(facts: AccountFacts) -> Outcome:
    """The account summary is computed when called; the credential report can be four hours old. So the summary's
    AccountMFAEnabled decides whenever it is there, and the report's root row only when it is not."""
    enabled = _summary_value(facts, "AccountMFAEnabled")
    row = facts.root
    if enabled == 1:
        return Status.PASS, "MFA is active on the root user (account summary)."
    if enabled is None and row is not None and row.mfa_active:
        return Status.PASS, ("MFA is active on the root user (credential report; "
                             f"{_summary_gap(facts, 'AccountMFAEnabled')}, so it could not be confirmed).")
    if facts.partition == "aws-us-gov":
        return Status.NOT_APPLICABLE, "GovCloud root users have no console access; root MFA does not apply."
    password = _summary_value(facts, "AccountPasswordPresent")
    keys = _summary_value(facts, "AccountAccessKeysPresent")
    certs = _summary_value(facts, "AccountSigningCertificatesPresent")
    has_key = (keys or 0) >= 1 or (row is not None and row.has_access_key)
    has_cert = (certs or 0) >= 1 or (row is not None and row.has_signing_certificate)
    if password == 0 and not has_key and not has_cert:
        return Status.NOT_APPLICABLE, _rootless_detail(facts)
    if enabled is None and row is None:
        return Status.ERROR, _neither(facts, "AccountMFAEnabled")
    detail = "The root user has no MFA device; assign one (a hardware key is best)."
    if row is not None and row.mfa_active:
        detail += (" The credential report (up to four hours old) still shows root MFA as active, but the account "
                   "summary (computed when read) says it is not: MFA was removed since the report was generated?")
    return Status.FAIL, detail


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _saml_text(providers: tuple[SamlProvider, ...]) -> str:
    names = [f"IAM Identity Center ({p.name})" if p.identity_center else f"SAML provider {p.name}"
             for p in providers[:5]]
    more = f" and {len(providers) - 5} more SAML providers" if len(providers) > 5 else ""
    return ", ".join(names) + more


def _individual_users_by_provider_count(users: int | None, providers: int | None) -> Outcome:
    """The rule for evidence without saml_providers.json (runs written before it was collected): the summary's
    Providers count, which includes OIDC providers, stands for federation."""
    if (users or 0) >= 1 or (providers or 0) >= 1:
        parts = []
        if users:
            parts.append(_plural(users, "IAM user"))
        if providers:
            parts.append(_plural(providers, "identity provider"))
        return Status.PASS, f"People sign in as themselves: {' and '.join(parts)}."
    if users is None or providers is None:
        return Status.ERROR, "The account summary lacks the Users or Providers count."
    return Status.FAIL, "The account has no IAM users and no identity provider: people can only sign in as root."


def individual_users(facts: AccountFacts) -> Outcome:
    """People sign in as themselves: as IAM users, or through a SAML provider (IAM Identity Center creates one).

    OIDC providers, which the summary's Providers count includes, let workloads assume roles; they are not a
    way for people to sign in, so they never pass this box.
    """
    if facts.summary is None:
        return Status.ERROR, f"The account summary could not be read: {facts.summary_error}."
    users = _summary_value(facts, "Users")
    providers = _summary_value(facts, "Providers")
    if not facts.saml_collected:
        return _individual_users_by_provider_count(users, providers)
    saml = facts.saml_providers
    if users is not None and users >= 1:
        federation = f" and through {_saml_text(saml)}" if saml else ""
        return Status.PASS, f"People sign in as themselves: {_plural(users, 'IAM user')}{federation}."
    if saml is None:
        return Status.ERROR, (f"The account has no IAM users{'' if users == 0 else ' (or the summary lacks the count)'}"
                              f" and its SAML providers could not be read ({facts.saml_error}).")
    if saml:
        return Status.PASS, f"People sign in through federation: {_saml_text(saml)}."
    if users is None:
        return Status.ERROR, "The account summary lacks the Users count."
    detail = "The account has no IAM users and no SAML identity provider: people can only sign in as root."
    oidc = (providers or 0) - len(saml)
    if oidc > 0:
        detail += (f" Its {_plural(oidc, 'OIDC provider')} (counted in the summary's Providers) let workloads such "
                   "as CI pipelines or Kubernetes assume roles; they are not a way for people to sign in.")
    return Status.FAIL, detail


def _direct_policy_text(facts: AccountFacts, limit: int = 10) -> str:
    offenders = [u for u in (facts.user_policies or ()) if u.managed or u.inline]
    parts = []
    for user in offenders[:limit]:
        kinds = []
        if user.managed:
            kinds.append("managed: " + ", ".join(user.managed))
        if user.inline:
            kinds.append("inline: " + ", ".join(user.inline))
        parts.append(f"{user.user_name} ({'; '.join(kinds)})")
    more = f" and {len(offenders) - limit} more" if len(offenders) > limit else ""
    return "; ".join(parts) + more


def groups_for_permissions(facts: AccountFacts) -> Outcome:
    if facts.summary is None:
        return Status.ERROR, f"The account summary could not be read: {facts.summary_error}."
    if _summary_value(facts, "Users") == 0:
        return Status.NOT_APPLICABLE, "The account has no IAM users."
    if facts.user_policies is None:
        return Status.ERROR, f"The users' authorization details could not be read: {facts.authorization_error}."
    groups = _summary_value(facts, "Groups")
    if groups is None:
        groups = facts.group_count
    direct = _direct_policy_text(facts)
    if groups == 0:
        extra = f" Users with policies of their own: {direct}." if direct else ""
        return Status.FAIL, "The account has IAM users but no groups." + extra
    if direct and groups is None:
        return Status.FAIL, f"Users with policies attached directly: {direct}."
    if direct:
        exist = f"{groups} group exists" if groups == 1 else f"{groups} groups exist"
        return Status.FAIL, (f"The classic IAM console showed this box as done because {exist}, but these users "
                             f"have policies attached directly, bypassing groups: {direct}.")
    return Status.PASS, f"{groups} group{'s' if groups != 1 else ''}; no user has policies attached directly."


def password_policy(facts: AccountFacts) -> Outcome:
    if facts.password_policy is not None:
        policy = facts.password_policy
        length = policy.get("MinimumPasswordLength")
        reuse = policy.get("PasswordReusePrevention")
        facts_text = f"minimum length {length}" if length is not None else "no minimum length"
        facts_text += f", reuse prevention {reuse}" if reuse is not None else ", no reuse prevention"
        return Status.PASS, f"A custom password policy is set ({facts_text})."
    error = facts.password_policy_error
    if error is not None and error.code == "NoSuchEntity":
        return Status.FAIL, "No custom password policy is set (AWS's implicit default applies)."
    return Status.ERROR, f"The password policy could not be read: {error}."


RULES: dict[str, Callable[[AccountFacts], Outcome]] = {
    "root-access-keys": root_access_keys,
    "root-mfa": root_mfa,
    "individual-users": individual_users,
    "groups-for-permissions": groups_for_permissions,
    "password-policy": password_policy,
}
assert tuple(RULES) == CHECK_IDS


def evaluate_boxes(facts: AccountFacts) -> list[Finding]:
    return [Finding(facts.account_id, check_id, *rule(facts)) for check_id, rule in RULES.items()]


def unreachable_findings(account_id: str, error: str) -> list[Finding]:
    """An account that could not be accessed at all: every box ERROR, with the reason."""
    detail = f"The account could not be accessed: {error}."
    return [Finding(account_id, check_id, Status.ERROR, detail) for check_id in CHECK_IDS]
