"""Organization-level evidence, read once per run by the scanning identity: centralized root access.

`iam:ListOrganizationsFeatures` says whether the organization manages member accounts' root credentials
centrally (`RootCredentialsManagement`) and allows privileged root sessions (`RootSessions`). Only the management
account or a delegated administrator may call it; any error is stored as the evidence, never stops the scan.
"""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from scanner.aws.limiter import set_current_account
from scanner.aws.session import SessionFactory, api_error
from scanner.normalize.evidence import ORGANIZATION_FEATURES_JSON

log = logging.getLogger(__name__)

ORGANIZATION_PERMISSIONS = ("iam:ListOrganizationsFeatures",)
__all__ = ["ORGANIZATION_FEATURES_JSON", "ORGANIZATION_PERMISSIONS", "collect_organization_features"]


def collect_organization_features(factory: SessionFactory) -> dict[str, Any]:
    """The answer as AWS gave it (`OrganizationId`, `EnabledFeatures`), or `{"Error": {...}}`."""
    set_current_account("")
    try:
        answer = factory.caller_client("iam").list_organizations_features()
    except (ClientError, BotoCoreError) as exc:
        error = api_error(exc)
        log.info("organization features could not be read: %s", error)
        return error.to_json()
    return {"OrganizationId": answer.get("OrganizationId", ""), "EnabledFeatures": answer.get("EnabledFeatures", [])}
