"""IAM server certificates: none past its expiry at the credential report's time.

Judged at the moment the age checks measure from (the credential report's generation time, from meta.json),
never the clock, so `orgscan report` gives the same answer on any later day.
"""

from __future__ import annotations

from scanner.checks.ages import age_days, day, days_text, report_time
from scanner.checks.outcome import CheckOutcome
from scanner.checks.policies import counted, listing, unreadable
from scanner.models import Status
from scanner.normalize.evidence import AccountFacts


def expired_server_certificates(facts: AccountFacts) -> CheckOutcome:
    stored = facts.certificates.certificates
    if stored is None:
        return CheckOutcome(Status.ERROR, unreadable(facts.certificates.error, "The server certificates"))
    if not stored:
        return CheckOutcome(Status.PASS, "IAM stores no server certificates.")
    at = report_time(facts)
    if at is None:
        return CheckOutcome(Status.ERROR, "The credential report's generation time is unknown (meta.json), so "
                                          "whether a certificate had expired cannot be told.")
    expired = sorted((c for c in stored if c.expiration is not None and c.expiration < at), key=lambda c: c.name)
    if expired:
        named = [f"{c.name} (expired {day(c.expiration)}, {days_text(age_days(c.expiration, at))} before the "
                 "report)" for c in expired if c.expiration is not None]
        return CheckOutcome(Status.FAIL, f"{len(expired)} of {counted(len(stored), 'server certificate')} stored had "
                                         f"expired when the credential report was generated: {listing(named)}.")
    unknown = sorted(c.name for c in stored if c.expiration is None)
    if unknown:
        return CheckOutcome(Status.ERROR, f"The expiry of {listing(unknown)} could not be read.")
    valid = [f"{c.name} (expires {day(c.expiration)})" for c in sorted(stored, key=lambda c: c.name)
             if c.expiration is not None]
    return CheckOutcome(Status.PASS, f"No server certificate had expired when the credential report was generated "
                                     f"({counted(len(stored), 'stored')}): {listing(valid)}.")
