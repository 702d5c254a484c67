"""Accepted risks as the report shows them: beside every FAIL they cover, and as a register of their own.

An accepted FAIL stays FAIL everywhere in the report: the same status word and colour family, never the
PASS colour, never counted as passed. It only gains its acceptance in words (`FAIL (accepted until <date>,
<owner>, <reason>)`) on the scorecard and a marker in the matrix. The register section lists every entry,
active and expired, so an expired acceptance is flagged for renewal instead of silently dropping away.
"""

from __future__ import annotations

from collections.abc import Mapping

from scanner.audit.accepted_risks import ANY_ACCOUNT, Assessment, RiskState
from scanner.checks.extended_catalog import CHECKS_BY_ID
from scanner.models import Status
from scanner.render.records import RiskCounts, RiskLine, Risks

EVERY_ACCOUNT = "every account"


def accepted_labels(assessment: Assessment) -> dict[tuple[str, str], str]:
    """(account_id, check_id) of each accepted FAIL -> "accepted until <date>, <owner>, <reason>"."""
    return {key: risk.label for key, risk in assessment.accepted.items()}


def accepted_until(assessment: Assessment) -> dict[tuple[str, str], str]:
    """(account_id, check_id) of each accepted FAIL -> "accepted until <date>, entry <n>": the short form, for
    a page that lists the register's entries in full elsewhere."""
    return {key: f"accepted until {risk.expires.isoformat()}, entry {risk.entry}"
            for key, risk in assessment.accepted.items()}


def _covered(assessment: Assessment) -> dict[int, list[str]]:
    """Entry number -> the accounts whose FAIL it is the acceptance in force for."""
    covered: dict[int, list[str]] = {}
    for (account_id, _), risk in sorted(assessment.accepted.items()):
        covered.setdefault(risk.entry, []).append(account_id)
    return covered


def risks_section(assessment: Assessment) -> Risks:
    covered = _covered(assessment)
    lines = tuple(
        RiskLine(
            entry=line.risk.entry,
            account=EVERY_ACCOUNT if line.risk.account_id == ANY_ACCOUNT else line.risk.account_id,
            check_id=line.risk.check_id,
            check_title=CHECKS_BY_ID[line.risk.check_id].title if line.risk.check_id in CHECKS_BY_ID else "",
            owner=line.risk.owner,
            expires=line.risk.expires.isoformat(),
            expired=line.state is RiskState.EXPIRED,
            matching_failures=line.matching_failures,
            justification=line.risk.justification,
            covered=tuple(covered.get(line.risk.entry, ())),
        )
        for line in assessment.register
    )
    return Risks(
        evaluated_on=assessment.evaluated_on.isoformat() if assessment.evaluated_on else "",
        lines=lines,
        accepted=len(assessment.accepted),
    )


def risk_counts(assessment: Assessment) -> RiskCounts:
    return RiskCounts(accepted=len(assessment.accepted), expired=len(assessment.expired),
                      entries=len(assessment.register))


def matrix_flags(account_id: str, check_ids: tuple[str, ...], statuses: tuple[str, ...],
                 labels: Mapping[tuple[str, str], str]) -> tuple[bool, ...]:
    """Per box, whether the account's FAIL is an accepted risk; empty when none is, to keep rows light."""
    flags = tuple(status == Status.FAIL.value and (account_id, check_id) in labels
                  for check_id, status in zip(check_ids, statuses, strict=True))
    return flags if any(flags) else ()
