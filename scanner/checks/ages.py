"""Ages of credentials, measured at the credential report's generation time, never at the clock.

Evaluating at the report's own time makes `orgscan report` give the same answer on any later day, and
matches what the report could know. An age is the number of whole days elapsed: a key rotated 90 days
and 23 hours before the report is 90 days old.
"""

from __future__ import annotations

from datetime import datetime

from scanner.normalize.credential_report import parse_time
from scanner.normalize.evidence import AccountFacts


def report_time(facts: AccountFacts) -> datetime | None:
    """When the account's credential report was generated (from meta.json), or None if unknown."""
    if not facts.report_generated:
        return None
    try:
        return parse_time(facts.report_generated)
    except ValueError:
        return None


def age_days(moment: datetime, at: datetime) -> int:
    """Whole days from `moment` to `at`; negative when `moment` is later (a skewed clock)."""
    return (at - moment).days


def within(moment: datetime, at: datetime, days: int) -> bool:
    """True when `moment` lies no more than `days` whole days before `at` (the window includes day `days`)."""
    return age_days(moment, at) <= days


def unused_for(moment: datetime, at: datetime, days: int) -> bool:
    """True when `moment` lies `days` whole days or more before `at` (CIS: "unused for 45 days or more")."""
    return age_days(moment, at) >= days


def day(moment: datetime) -> str:
    """The UTC date, for evidence text (`2026-11-25`)."""
    return moment.strftime("%Y-%m-%d")


def days_text(count: int) -> str:
    return f"{count} day{'' if count in (1, -1) else 's'}"
