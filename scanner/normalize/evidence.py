"""Read one account's raw evidence folder into typed facts the checks can evaluate offline."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner import rundir
from scanner.models import ApiError
from scanner.normalize.analyzers import AnalyzerEvidence, load_analyzers
from scanner.normalize.credential_report import (
    CredentialReportError,
    ParsedReport,
    RootRow,
    Value,
    parse_credential_report,
    parse_time,
)
from scanner.normalize.policies import CertificateEvidence, PolicyEvidence, load_certificates, load_policy_evidence


@dataclass(frozen=True)
class UserPolicies:
    """Policies attached directly to one IAM user (the groups box wants none)."""

    user_name: str
    managed: tuple[str, ...]
    inline: tuple[str, ...]


IDENTITY_CENTER_PREFIX = "AWSSSO_"
IDENTITY_CENTER_SUFFIX = "_DO_NOT_DELETE"


@dataclass(frozen=True)
class SamlProvider:
    name: str
    arn: str

    @property
    def identity_center(self) -> bool:
        """IAM Identity Center's own provider (`AWSSSO_<16 hex>_DO_NOT_DELETE`)."""
        return self.name.startswith(IDENTITY_CENTER_PREFIX) and self.name.endswith(IDENTITY_CENTER_SUFFIX)


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
    # SAML providers (people's federation). `saml_collected` False: the run predates this evidence, and the
    # individual-users box judges by the summary's Providers count as the version that wrote the run did.
    saml_providers: tuple[SamlProvider, ...] | None = None
    saml_error: ApiError | None = None
    saml_collected: bool = True
    # The organization's centralized root access, from raw/organization_features.json (None: unknown).
    root_credentials_management: bool | None = None
    # Managed policies held by users, groups and roles, customer managed policies; IAM server certificates.
    policies: PolicyEvidence = field(default_factory=PolicyEvidence)
    certificates: CertificateEvidence = field(default_factory=CertificateEvidence)
    analyzers: AnalyzerEvidence = field(default_factory=AnalyzerEvidence)  # IAM Access Analyzer, when it was on


def _error_of(document: Any) -> ApiError | None:
    if isinstance(document, dict) and isinstance(document.get("Error"), dict):
        err = document["Error"]
        return ApiError(str(err.get("Code", "Error")), str(err.get("Message", "")))
    return None


def read_evidence(path: Path) -> bytes:
    """A file of the run folder, never through a symbolic link: evidence must not come from elsewhere."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read()


def _load_document(path: Path) -> Any:
    """The parsed JSON file, or the ApiError that says why there is none."""
    try:
        return json.loads(read_evidence(path))
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


def _objects(value: Any, *nested: str) -> bool:
    """Whether `value` is a list of JSON objects whose `nested` members, where present, are lists of objects.

    Evidence can be damaged or edited by hand before `orgscan report`; a shape the checks cannot read must
    become that source's error, not a crash of the whole report.
    """
    return isinstance(value, list) and all(
        isinstance(item, dict) and all(_objects(item.get(key, [])) for key in nested) for item in value
    )


def _unreadable(name: str, what: str) -> ApiError:
    return ApiError("EvidenceUnreadable", f"{name}: {what}")


def _summary(folder: Path) -> tuple[dict[str, int] | None, ApiError | None]:
    value, error = _load_json(folder / "account_summary.json", "SummaryMap")
    if error:
        return None, error
    if not isinstance(value, dict):
        return None, _unreadable("account_summary.json", "SummaryMap is not an object")
    return {k: int(v) for k, v in value.items()
            if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)}, None


def _authorization(folder: Path) -> tuple[tuple[UserPolicies, ...] | None, int | None, ApiError | None]:
    path = folder / "authorization_details.json"
    users, error = _load_json(path, "UserDetailList")
    if error:
        return None, None, error
    groups, error = _load_json(path, "GroupDetailList")
    if error:
        return None, None, error
    if not _objects(users, "AttachedManagedPolicies", "UserPolicyList") or not isinstance(groups, list):
        return None, None, _unreadable(path.name, "UserDetailList or GroupDetailList is not a list of objects")
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


SAML_PROVIDERS_JSON = "saml_providers.json"


def _saml(folder: Path) -> tuple[tuple[SamlProvider, ...] | None, ApiError | None, bool]:
    path = folder / SAML_PROVIDERS_JSON
    if not path.exists():
        return None, None, False
    providers, error = _load_json(path, "SAMLProviderList")
    if error:
        return None, error, True
    if not _objects(providers):
        return None, _unreadable(path.name, "SAMLProviderList is not a list of objects"), True
    return tuple(_saml_provider(p) for p in providers), None, True


def _saml_provider(entry: dict[str, Any]) -> SamlProvider:
    arn = str(entry.get("Arn", ""))
    name = str(entry.get("Name") or arn.rpartition("saml-provider/")[2] or arn)
    return SamlProvider(name, arn)


def _report(folder: Path) -> tuple[ParsedReport | None, ApiError | None]:
    path = folder / rundir.CREDENTIAL_REPORT
    if not path.exists():
        _, error = _load_json(folder / rundir.CREDENTIAL_REPORT_ERROR, "Content")
        return None, error or ApiError("EvidenceMissing", "credential report was not collected")
    try:
        report_bytes = read_evidence(path)
    except OSError as exc:
        return None, ApiError("EvidenceUnreadable", f"{path.name}: {exc.strerror or exc}")
    try:
        return parse_credential_report(report_bytes), None
    except CredentialReportError as exc:
        return None, ApiError("MalformedCredentialReport", str(exc))


def _report_time(value: Any) -> str | None:
    """The report's generation time from meta.json, normalized; None if absent or not a time."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return rundir.iso(parse_time(value))
    except ValueError:
        return None


def load_account_facts(folder: Path, account_id: str, access_analyzer: bool | None = None) -> AccountFacts:
    """The account's facts; `access_analyzer` is the run's setting (None when the run records none)."""
    meta_doc = _load_document(folder / rundir.META_JSON)
    if not isinstance(meta_doc, dict):
        meta_doc = {}
    summary, summary_error = _summary(folder)
    report, report_error = _report(folder)
    policy, policy_error = _load_json(folder / "password_policy.json", "PasswordPolicy")
    if policy is not None and not isinstance(policy, dict):
        policy, policy_error = None, _unreadable("password_policy.json", "PasswordPolicy is not an object")
    devices, mfa_error = _load_json(folder / "virtual_mfa_devices.json", "VirtualMFADevices")
    if devices is not None and not (_objects(devices) and all(isinstance(d.get("User", {}), dict) for d in devices)):
        devices, mfa_error = None, _unreadable("virtual_mfa_devices.json", "VirtualMFADevices is not a list of objects")
    user_policies, group_count, auth_error = _authorization(folder)
    generated = _report_time(meta_doc.get("credential_report_generated_time"))
    saml_providers, saml_error, saml_collected = _saml(folder)
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
        saml_providers=saml_providers,
        saml_error=saml_error,
        saml_collected=saml_collected,
        policies=load_policy_evidence(folder),
        certificates=load_certificates(folder),
        analyzers=load_analyzers(folder, access_analyzer),
    )


ORGANIZATION_FEATURES_JSON = "organization_features.json"
ROOT_CREDENTIALS_MANAGEMENT = "RootCredentialsManagement"
ROOT_SESSIONS = "RootSessions"


@dataclass(frozen=True)
class OrganizationFeatures:
    """Centralized root access for the organization (raw/organization_features.json).

    `collected` False: the run predates this evidence. A feature is None when it could not be read.
    """

    collected: bool
    root_credentials_management: bool | None = None
    root_sessions: bool | None = None
    error: ApiError | None = None

    def to_json(self) -> dict[str, Any]:
        """What run.json records: each feature on or off, or why it is unknown."""
        if not self.collected:
            return {"collected": False}
        if self.error is not None:
            return {"collected": True, "error": str(self.error)}
        return {"collected": True, ROOT_CREDENTIALS_MANAGEMENT: self.root_credentials_management,
                ROOT_SESSIONS: self.root_sessions}

    def summary(self) -> str:
        return describe_organization_features(self.to_json())


def describe_organization_features(record: Any) -> str:
    """One line for the terminal, the report and the workbook, from what run.json records."""
    if not isinstance(record, dict) or not record.get("collected"):
        return "not collected in this run"
    if record.get("error"):
        return f"could not be read ({record['error']})"
    return (f"root credentials management {'on' if record.get(ROOT_CREDENTIALS_MANAGEMENT) else 'off'}, "
            f"root sessions {'on' if record.get(ROOT_SESSIONS) else 'off'}")


def load_organization_features(raw: Path) -> OrganizationFeatures:
    path = raw / ORGANIZATION_FEATURES_JSON
    if not path.exists():
        return OrganizationFeatures(collected=False)
    enabled, error = _load_json(path, "EnabledFeatures")
    if error:
        return OrganizationFeatures(collected=True, error=error)
    if not isinstance(enabled, list) or not all(isinstance(f, str) for f in enabled):
        return OrganizationFeatures(collected=True, error=_unreadable(path.name, "EnabledFeatures is not a list"))
    return OrganizationFeatures(collected=True, root_credentials_management=ROOT_CREDENTIALS_MANAGEMENT in enabled,
                                root_sessions=ROOT_SESSIONS in enabled)
