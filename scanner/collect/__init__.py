"""Collectors: each fetches one kind of evidence from one account and declares the IAM actions it needs."""

from scanner.collect.credential_report import CREDENTIAL_REPORT_PERMISSIONS
from scanner.collect.documents import DOCUMENT_COLLECTORS

ACCOUNT_PERMISSIONS: tuple[str, ...] = tuple(
    sorted({*CREDENTIAL_REPORT_PERMISSIONS, *(p for c in DOCUMENT_COLLECTORS for p in c.permissions)})
)

__all__ = ["ACCOUNT_PERMISSIONS", "DOCUMENT_COLLECTORS"]
