"""The extended checks over the whole organization, for the summary: one tally per check, and what to fix first.

Counted from the findings frame, the rows findings.csv is written from, so the summary's figures are the
file's. An accepted risk keeps its FAIL here as everywhere else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pandas as pd

from scanner.checks import EXTENDED, Framework
from scanner.checks.severity import SEVERITY, Severity
from scanner.models import Status
from scanner.render.extended import reference
from scanner.render.records import CheckTally, PriorityLine

FIX_FIRST_LIMIT = 15
FIX_FIRST_SEVERITIES = (Severity.CRITICAL, Severity.HIGH)
_RANK = {severity: rank for rank, severity in enumerate(reversed(Severity))}  # CRITICAL is 0
_CATALOG = {check.check_id: position for position, check in enumerate(EXTENDED)}


def severity_label(check_id: str) -> str:
    return SEVERITY[check_id].value.capitalize()


def check_tallies(findings: pd.DataFrame, framework: Framework) -> tuple[CheckTally, ...]:
    """One tally per extended check: failing checks first, by severity then most failing; then catalog order."""
    counted = Counter(zip(findings["check_id"].astype(str), findings["status"].astype(str), strict=True))
    known = (Status.PASS.value, Status.FAIL.value, Status.NOT_APPLICABLE.value)
    tallies = []
    for check in EXTENDED:
        statuses = {status: n for (check_id, status), n in counted.items() if check_id == check.check_id}
        tallies.append(CheckTally(
            check_id=check.check_id,
            title=check.title,
            reference=reference(check.check_id, framework),
            severity=severity_label(check.check_id),
            passed=statuses.get(Status.PASS.value, 0),
            failed=statuses.get(Status.FAIL.value, 0),
            errors=sum(n for status, n in statuses.items() if status not in known),
            not_applicable=statuses.get(Status.NOT_APPLICABLE.value, 0),
        ))
    return tuple(sorted(tallies, key=lambda t: (
        (0, _RANK[SEVERITY[t.check_id]], -t.failed) if t.failed else (1, 0, 0), _CATALOG[t.check_id])))


def fix_first(findings: pd.DataFrame, anchor: Callable[[str], str]) -> tuple[tuple[PriorityLine, ...], int]:
    """The failing findings of critical and high checks, most severe first, then catalog order and account id.

    At most FIX_FIRST_LIMIT lines; the second value is how many more there are (findings.csv has them all).
    """
    serious = {c.check_id for c in EXTENDED if SEVERITY[c.check_id] in FIX_FIRST_SEVERITIES}
    titles = {c.check_id: c.title for c in EXTENDED}
    pairs = sorted(
        {(str(a), str(c)) for a, c, s in findings[["account_id", "check_id", "status"]].itertuples(
            index=False, name=None) if str(s) == Status.FAIL.value and str(c) in serious},
        key=lambda pair: (_RANK[SEVERITY[pair[1]]], _CATALOG[pair[1]], pair[0]),
    )
    lines = tuple(PriorityLine(account_id, anchor(account_id), check_id, titles[check_id], severity_label(check_id))
                  for account_id, check_id in pairs[:FIX_FIRST_LIMIT])
    return lines, len(pairs) - len(lines)
