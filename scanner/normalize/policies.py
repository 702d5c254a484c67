"""Who holds which managed policy, what the customer managed policies allow, and the server certificates.

Read from `roles_and_policies.json` (GetAccountAuthorizationDetails with the Role and LocalManagedPolicy
filters: the roles and the customer managed policies with their versions), `authorization_details.json`
(users and groups) and `server_certificates.json` (ListServerCertificates). A run written before a file was
collected has none: its source is the error `EvidenceMissing`, and the checks say so instead of passing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from scanner.models import ApiError
from scanner.normalize.credential_report import parse_time

ROLES_AND_POLICIES_JSON = "roles_and_policies.json"
SERVER_CERTIFICATES_JSON = "server_certificates.json"
AUTHORIZATION_DETAILS_JSON = "authorization_details.json"


def not_collected(name: str) -> ApiError:
    return ApiError("EvidenceMissing", f"{name} was not collected")


NO_AUTHORIZATION_DETAILS = not_collected(AUTHORIZATION_DETAILS_JSON)
NO_ROLES_AND_POLICIES = not_collected(ROLES_AND_POLICIES_JSON)
NO_SERVER_CERTIFICATES = not_collected(SERVER_CERTIFICATES_JSON)


@dataclass(frozen=True)
class Attachment:
    """A managed policy attached to a user, group or role."""

    kind: str  # "user", "group" or "role"
    holder: str  # the user's, group's or role's name
    policy_arn: str
    policy_name: str

    @property
    def named(self) -> str:
        return f"{self.kind} {self.holder}"


@dataclass(frozen=True)
class CustomerPolicy:
    """A customer managed policy and its default version's document (None when it could not be read)."""

    name: str
    arn: str
    attachment_count: int  # AttachmentCount: users, groups and roles it is attached to
    document: Any


@dataclass(frozen=True)
class PolicyEvidence:
    """Each source is a value, or None with the error that hid it."""

    users_and_groups: tuple[Attachment, ...] | None = None
    users_and_groups_error: ApiError | None = NO_AUTHORIZATION_DETAILS
    roles: tuple[Attachment, ...] | None = None
    role_names: tuple[str, ...] = ()
    customer_policies: tuple[CustomerPolicy, ...] | None = None
    roles_error: ApiError | None = NO_ROLES_AND_POLICIES  # hides roles and customer policies


@dataclass(frozen=True)
class ServerCertificate:
    name: str
    expiration: datetime | None  # None: absent or not a time


@dataclass(frozen=True)
class CertificateEvidence:
    certificates: tuple[ServerCertificate, ...] | None = None
    error: ApiError | None = NO_SERVER_CERTIFICATES


def _read(folder: Path, name: str, keys: tuple[str, ...]) -> tuple[dict[str, list[dict[str, Any]]] | None,
                                                                   ApiError | None]:
    """The lists named `keys` of a stored answer, each a list of objects; or the error stored or met instead."""
    from scanner.normalize.evidence import _error_of, _load_document  # evidence.py imports this module

    document = _load_document(folder / name)
    if isinstance(document, ApiError):
        return None, document
    error = _error_of(document)
    if error:
        return None, error
    lists: dict[str, list[dict[str, Any]]] = {}
    for key in keys:
        value = document.get(key) if isinstance(document, dict) else None
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            return None, ApiError("EvidenceUnreadable", f"{name}: {key} is not a list of objects")
        lists[key] = value
    return lists, None


def _attachments(kind: str, entries: list[dict[str, Any]], name_key: str) -> tuple[Attachment, ...] | None:
    found: list[Attachment] = []
    for entry in entries:
        attached = entry.get("AttachedManagedPolicies", [])
        if not isinstance(attached, list) or not all(isinstance(p, dict) for p in attached):
            return None
        found.extend(Attachment(kind, str(entry.get(name_key, "")), str(p.get("PolicyArn", "")),
                                str(p.get("PolicyName", ""))) for p in attached)
    return tuple(found)


def parse_document(value: Any) -> Any:
    """A policy document as stored: botocore gives a parsed object; a URL-encoded string is decoded."""
    if isinstance(value, str):
        try:
            return json.loads(unquote(value))
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _customer_policy(entry: dict[str, Any]) -> CustomerPolicy:
    versions = entry.get("PolicyVersionList", [])
    default = entry.get("DefaultVersionId")
    document = None
    if isinstance(versions, list):
        chosen = [v for v in versions if isinstance(v, dict) and (v.get("IsDefaultVersion") is True
                                                                   or (default and v.get("VersionId") == default))]
        if chosen:
            document = parse_document(chosen[0].get("Document"))
    count = entry.get("AttachmentCount")
    return CustomerPolicy(str(entry.get("PolicyName", "")), str(entry.get("Arn", "")),
                          count if isinstance(count, int) and not isinstance(count, bool) else 0, document)


def load_policy_evidence(folder: Path) -> PolicyEvidence:
    people, people_error = _read(folder, AUTHORIZATION_DETAILS_JSON, ("UserDetailList", "GroupDetailList"))
    users_and_groups: tuple[Attachment, ...] | None = None
    if people is not None:
        users = _attachments("user", people["UserDetailList"], "UserName")
        groups = _attachments("group", people["GroupDetailList"], "GroupName")
        if users is None or groups is None:
            people_error = ApiError("EvidenceUnreadable", f"{AUTHORIZATION_DETAILS_JSON}: AttachedManagedPolicies "
                                                          "is not a list of objects")
        else:
            users_and_groups = users + groups
    stored, roles_error = _read(folder, ROLES_AND_POLICIES_JSON, ("RoleDetailList", "Policies"))
    if stored is None:
        return PolicyEvidence(users_and_groups, people_error, None, (), None, roles_error)
    roles = _attachments("role", stored["RoleDetailList"], "RoleName")
    if roles is None:
        return PolicyEvidence(users_and_groups, people_error, roles_error=ApiError(
            "EvidenceUnreadable", f"{ROLES_AND_POLICIES_JSON}: AttachedManagedPolicies is not a list of objects"))
    return PolicyEvidence(
        users_and_groups, people_error, roles, tuple(str(r.get("RoleName", "")) for r in stored["RoleDetailList"]),
        tuple(_customer_policy(entry) for entry in stored["Policies"]), None,
    )


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_time(value)
    except ValueError:
        return None


def load_certificates(folder: Path) -> CertificateEvidence:
    stored, error = _read(folder, SERVER_CERTIFICATES_JSON, ("ServerCertificateMetadataList",))
    if stored is None:
        return CertificateEvidence(None, error)
    return CertificateEvidence(tuple(
        ServerCertificate(str(entry.get("ServerCertificateName", "")), _time(entry.get("Expiration")))
        for entry in stored["ServerCertificateMetadataList"]
    ), None)
