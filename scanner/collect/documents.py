"""The JSON evidence of an account: one call (or one paginated call) each, stored as AWS returned it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scanner.aws.paginate import merged


@dataclass(frozen=True)
class DocumentCollector:
    """`fetch(iam_client)` returns the document to store as `raw/<account>/<name>.json`."""

    name: str
    permissions: tuple[str, ...]
    fetch: Callable[[Any], dict[str, Any]]

    @property
    def filename(self) -> str:
        return f"{self.name}.json"


def _account_summary(iam: Any) -> dict[str, Any]:
    return {"SummaryMap": iam.get_account_summary()["SummaryMap"]}


def _password_policy(iam: Any) -> dict[str, Any]:
    # NoSuchEntity (no custom policy) is stored as the error document like any other error;
    # the password-policy check tells the two apart.
    return {"PasswordPolicy": iam.get_account_password_policy()["PasswordPolicy"]}


def _virtual_mfa_devices(iam: Any) -> dict[str, Any]:
    return merged(iam, "list_virtual_mfa_devices", ("VirtualMFADevices",))


def _authorization_details(iam: Any) -> dict[str, Any]:
    return merged(iam, "get_account_authorization_details", ("UserDetailList", "GroupDetailList"),
                  Filter=["User", "Group"])


def _saml_providers(iam: Any) -> dict[str, Any]:
    # Not paginated. SAML providers are how people sign in through federation (IAM Identity Center creates
    # one in every account it serves); OIDC providers, also counted in the summary's Providers, are for workloads.
    return {"SAMLProviderList": iam.list_saml_providers()["SAMLProviderList"]}


def _roles_and_policies(iam: Any) -> dict[str, Any]:
    # The customer managed policies with every version (the default one is judged) and each role's attached
    # managed policies, in one paginated call: users and groups come from authorization_details.
    return merged(iam, "get_account_authorization_details", ("RoleDetailList", "Policies"),
                  Filter=["Role", "LocalManagedPolicy"])


def _server_certificates(iam: Any) -> dict[str, Any]:
    return merged(iam, "list_server_certificates", ("ServerCertificateMetadataList",))


DOCUMENT_COLLECTORS: tuple[DocumentCollector, ...] = (
    DocumentCollector("account_summary", ("iam:GetAccountSummary",), _account_summary),
    DocumentCollector("password_policy", ("iam:GetAccountPasswordPolicy",), _password_policy),
    DocumentCollector("virtual_mfa_devices", ("iam:ListVirtualMFADevices",), _virtual_mfa_devices),
    DocumentCollector("authorization_details", ("iam:GetAccountAuthorizationDetails",),
                      _authorization_details),
    DocumentCollector("saml_providers", ("iam:ListSAMLProviders",), _saml_providers),
    DocumentCollector("roles_and_policies", ("iam:GetAccountAuthorizationDetails",), _roles_and_policies),
    DocumentCollector("server_certificates", ("iam:ListServerCertificates",), _server_certificates),
)
