"""Collectors: each fetches one kind of evidence from one account and declares the IAM actions it needs."""

from scanner.collect.access_analyzer import ACCESS_ANALYZER_PERMISSIONS
from scanner.collect.credential_report import CREDENTIAL_REPORT_PERMISSIONS
from scanner.collect.documents import DOCUMENT_COLLECTORS

# Access Analyzer's actions are declared whether or not a scan looks at it, so turning it on needs no new role.
ACCOUNT_PERMISSIONS: tuple[str, ...] = tuple(
    sorted({*CREDENTIAL_REPORT_PERMISSIONS, *ACCESS_ANALYZER_PERMISSIONS,
            *(p for c in DOCUMENT_COLLECTORS for p in c.permissions)})
)

__all__ = ["ACCOUNT_PERMISSIONS", "DOCUMENT_COLLECTORS"]
