"""IAM Access Analyzer: an external access analyzer (account or organization) active in every enabled region.

Off unless the run had `access_analyzer` on: then NOT_APPLICABLE, saying so. Only the analyzers the account
itself lists count: an organization analyzer kept in the management or a delegated administrator account is not
listed in a member account.
"""

from __future__ import annotations

from scanner.checks.outcome import CheckOutcome
from scanner.checks.policies import counted, listing
from scanner.models import ApiError, Status
from scanner.normalize.analyzers import ACCESS_ANALYZERS_JSON, Analyzer
from scanner.normalize.evidence import AccountFacts

TURN_ON = "access_analyzer = true in --config, or --access-analyzer"


def access_analyzer(facts: AccountFacts) -> CheckOutcome:
    evidence = facts.analyzers
    if not evidence.collected:
        if evidence.enabled_in_run is None:
            return CheckOutcome(Status.NOT_APPLICABLE, "IAM Access Analyzer was not checked: the version of orgscan "
                                                       "that wrote this run did not check it.")
        if not evidence.enabled_in_run:
            return CheckOutcome(Status.NOT_APPLICABLE, "IAM Access Analyzer was not checked in this run: the check "
                                                       f"is off unless turned on ({TURN_ON}).")
        return CheckOutcome(Status.ERROR, f"IAM Access Analyzer was to be checked, but {ACCESS_ANALYZERS_JSON} is not "
                                          "in this run.")
    if evidence.regions is None:
        return CheckOutcome(Status.ERROR, f"The enabled regions could not be listed ({evidence.error}).")
    if not evidence.regions:
        return CheckOutcome(Status.ERROR, "ListRegions named no enabled region, so no region could be checked.")
    missing: list[str] = []
    unread: list[str] = []
    active: set[str] = set()
    for region, found in evidence.regions.items():
        if isinstance(found, ApiError):
            unread.append(f"{region} ({found.code})")
            continue
        live = [a for a in found if a.external_and_active]
        if live:
            active.update(_named(a) for a in live)
        else:
            missing.append(region)
    total = counted(len(evidence.regions), "enabled region")
    if missing:
        return CheckOutcome(Status.FAIL, f"No active external access analyzer in {len(missing)} of {total}: "
                                         f"{listing(missing)}.")
    if unread:
        return CheckOutcome(Status.ERROR, f"The analyzers of {listing(unread)} could not be listed.")
    return CheckOutcome(Status.PASS, f"An external access analyzer is active in each of the {total}: "
                                     f"{listing(sorted(active))}.")


def _named(analyzer: Analyzer) -> str:
    return f"{analyzer.type.lower()} analyzer {analyzer.name}"
