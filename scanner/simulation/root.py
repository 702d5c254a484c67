"""Root-user posture grafted onto moto's IAM backend, visible through the normal IAM APIs.

moto hard-codes `AccountMFAEnabled` and `AccountAccessKeysPresent` to 0, has no
`AccountPasswordPresent`, no `<root_account>` report row and no root MFA device. A seeded
account's backend (and its summary) is switched to the subclasses below, which answer from a
`RootPosture`; other backends keep moto's behaviour. Switching the instance's class, rather
than patching moto's classes, keeps the change to the accounts that were seeded.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from moto.iam.exceptions import ReportNotPresentException
from moto.iam.models import AccountSummary, IAMBackend

from scanner.simulation.credential_report import RootPosture, render, root_row, user_row

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RootIdentity:
    """What ListVirtualMFADevices shows as the `User` of a root device: ARN, no UserName.

    Attribute names follow moto's serializer (snake_case of the API member names); there is
    deliberately no `name`/`user_name`, as AWS returns none for root.
    """

    arn: str
    user_id: str
    create_date: datetime


class SeededAccountSummary(AccountSummary):
    """moto's summary plus `AccountPasswordPresent`, which real AWS returns."""

    _account_password_present: int = 0

    @property
    def summary_map(self) -> dict[str, Any]:  # type: ignore[override]
        summary = dict(super().summary_map)
        summary["AccountPasswordPresent"] = self._account_password_present
        return summary


class SeededIAMBackend(IAMBackend):
    """An IAM backend whose credential report starts with the root row, as AWS's does."""

    root_posture: RootPosture | None = None

    @property
    def _url_module(self) -> Any:  # type: ignore[misc]
        # moto finds a service's URL map next to its backend's class; point it at IAM's.
        return importlib.import_module("moto.iam.urls")

    def get_credential_report(self) -> str:
        if not self.credential_report:
            raise ReportNotPresentException("Credential report not present")
        rows = [root_row(self.account_id, self.root_posture)] if self.root_posture is not None else []
        policy = self.account_password_policy
        rows += [user_row(user, policy) for user in self.users.values()]
        return render(rows)


def apply_root_posture(backend: IAMBackend, posture: RootPosture) -> None:
    """Make `backend` report `posture` through GetAccountSummary, the report and MFA listings."""
    backend.__class__ = SeededIAMBackend
    backend.root_posture = posture  # type: ignore[attr-defined]
    summary = backend.account_summary
    summary.__class__ = SeededAccountSummary
    summary._account_password_present = int(posture.password)  # type: ignore[attr-defined]
    summary._account_mfa_enabled = int(posture.mfa_enabled)
    summary._account_access_keys_present = int(posture.keys_present)
    summary._account_signing_certificates_present = 0
    if posture.mfa == "virtual":
        device = backend.create_virtual_mfa_device(posture.mfa_device_name, "/")
        device.enable_date = posture.created
        device.user = RootIdentity(  # type: ignore[assignment]
            arn=f"arn:aws:iam::{backend.account_id}:root",
            user_id=backend.account_id,
            create_date=posture.created,
        )
