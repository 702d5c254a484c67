"""Read one account's raw evidence folder into typed facts the checks can evaluate offline."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner import rundir
from scanner.models import ApiError
from scanner.normalize.credential_report import (
    CredentialReportError,
    ParsedReport,
    RootRow,
    Value,
    parse_credential_report,
    parse_time,
)


@dataclass(frozen=True)
class UserPolicies:
    """Policies attached directly to one IAM user (the groups box wants none)."""

    user_name: str
    managed: tuple[str, ...]
    inline: tuple[str, ...]


@dataclass(frozen=True)
class AccountFacts:
    """Everything the checks need about one account; each source is a value or the error that hid it."""

    account_id: str
    partition: str = "aws"
    summary: dict[str, int] | None = None
    summary_error: ApiError | None = None
    root: RootRow | None = None
    report_error: ApiError | None = None
    report_generated: str | None = None
    password_policy: dict[str, Any] | None = None
    password_policy_error: ApiError | None = None
    mfa_devices: tuple[dict[str, Any], ...] | None = None
    mfa_error: ApiError | None = None
    user_policies: tuple[UserPolicies, ...] | None = None
    group_count: int | None = None
    authorization_error: ApiError | None = None
    user_rows: tuple[dict[str, str], ...] = ()
    user_values: tuple[dict[str, Value], ...] = ()  # typed credential-report rows of the IAM users


def _error_of(document: Any) -> ApiError | None:
    if isinstance(document, dict) and isinstance(document.get("Error"), dict):
        err = document["Error"]
        return ApiError(str(err.get("Code", "Error")), str(err.get("Message", "")))
    return None


def _load_document(path: Path) -> Any:
    """The parsed JSON file, or the ApiError that says why there is none."""
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        return ApiError("EvidenceMissing", f"{path.name} was not collected")
    except (OSError, ValueError) as exc:
        return ApiError("EvidenceUnreadable", f"{path.name}: {exc}")


def _load_json(path: Path, key: str) -> tuple[Any, ApiError | None]:
    """The member `key` of a stored response, or the error stored (or met) instead."""
    document = _load_document(path)
    if isinstance(document, ApiError):
        return None, document
    error = _error_of(document)
    if error:
        return None, error
    if not isinstance(document, dict) or key not in document:
        return None, ApiError("EvidenceUnreadable", f"{path.name} has no {key}")
    return document[key], None


def _summary(folder: Path) -> tuple[dict[str, int] | None, ApiError | None]:
    value, error = _load_json(folder / "account_summary.json", "SummaryMap")
    if error:
        return None, error
    if not isinstance(value, dict):
        return None, ApiError("EvidenceUnreadable", "account_summary.json: SummaryMap is not an object")
    return {k: int(v) for k, v in value.items() if isinstance(v, int | float) and not isinstance(v, bool)}, None


def _authorization(folder: Path) -> tuple[tuple[UserPolicies, ...] | None, int | None, ApiError | None]:
    path = folder / "authorization_details.json"
    users, error = _load_json(path, "UserDetailList")
    if error:
        return None, None, error
    groups, error = _load_json(path, "GroupDetailList")
    if error:
        return None, None, error
    policies = tuple(
        UserPolicies(
            user_name=str(u.get("UserName", "")),
            managed=tuple(str(p.get("PolicyName") or p.get("PolicyArn", ""))
                          for p in u.get("AttachedManagedPolicies", [])),
            inline=tuple(str(p.get("PolicyName", "")) for p in u.get("UserPolicyList", [])),
        )
        for u in users
    )
    return policies, len(groups), None


def _report(folder: Path) -> tuple[ParsedReport | None, ApiError | None]:
    path = folder / rundir.CREDENTIAL_REPORT
    if not path.exists():
        _, error = _load_json(folder / rundir.CREDENTIAL_REPORT_ERROR, "Content")
        return None, error or ApiError("EvidenceMissing", "credential report was not collected")
    try:
        return parse_credential_report(path.read_bytes()), None
    except CredentialReportError as exc:
        return None, ApiError("MalformedCredentialReport", str(exc))


def load_account_facts(folder: Path, account_id: str) -> AccountFacts:
    meta_doc = _load_document(folder / rundir.META_JSON)
    if not isinstance(meta_doc, dict):
        meta_doc = {}
    summary, summary_error = _summary(folder)
    report, report_error = _report(folder)
    policy, policy_error = _load_json(folder / "password_policy.json", "PasswordPolicy")
    devices, mfa_error = _load_json(folder / "virtual_mfa_devices.json", "VirtualMFADevices")
    user_policies, group_count, auth_error = _authorization(folder)
    generated = meta_doc.get("credential_report_generated_time")
    if generated:
        generated = rundir.iso(parse_time(generated))
    return AccountFacts(
        account_id=account_id,
        partition=str(meta_doc.get("partition") or "aws"),
        summary=summary,
        summary_error=summary_error,
        root=report.root if report else None,
        report_error=report_error,
        report_generated=generated,
        password_policy=policy,
        password_policy_error=policy_error,
        mfa_devices=tuple(devices) if devices is not None else None,
        mfa_error=mfa_error,
        user_policies=user_policies,
        group_count=group_count,
        authorization_error=auth_error,
        user_rows=report.user_rows if report else (),
        user_values=report.user_values if report else (),
    )
