"""The few process-wide adjustments the simulation makes to moto, applied once.

- `GetCredentialReport` returns the time the report was generated. moto answers
  2015-02-02T20:02:02Z whatever happened, which would make every report look years stale.
  Like AWS, a report younger than four hours is reused rather than regenerated.
- moto works out the calling account by walking every account's IAM backend for every
  partition on every request; with thousands of accounts that walk is most of a call's cost
  and creates a backend per account and partition. It is replaced by the key decoder in
  `scanner.simulation.keys`, which gives the same answer for moto-issued and unknown keys.
- AWS managed policies must stay unloaded: they cost moto about a megabyte per account.
- `GetAccountAuthorizationDetails` names each customer managed policy (`PolicyName`, `PolicyId`), as AWS does;
  moto leaves both out.
- `ListServerCertificates` answers each certificate's own expiry (read from its body), upload time and id; moto
  answers the same made-up dates and id for every certificate.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from moto import backends as moto_backends
from moto.core import utils as moto_utils
from moto.core.config import default_user_config
from moto.core.responses import ActionResult
from moto.iam import models as iam_models
from moto.iam.models import IAMBackend, Policy
from moto.iam.responses import IamResponse
from moto.settings import load_iam_aws_managed_policies

from scanner.simulation.keys import RESOLVER

logger = logging.getLogger(__name__)

REPORT_REUSE = timedelta(hours=4)
SIMULATED_SERVICES = ("iam", "sts", "organizations")
_MOTO_GENERATED_TIME = "2015-02-02T20:02:02Z"
_installed = False
_lock = threading.Lock()


def _wall_clock() -> datetime:
    return datetime.now(UTC)


_clock: Callable[[], datetime] = _wall_clock


def set_clock(clock: Callable[[], datetime] | None) -> None:
    """Make the simulated IAM stamp credential reports with `clock` (None: the wall clock).

    A fixed clock makes a demo run reproducible to the byte, which the sample reports rely on.
    """
    global _clock
    _clock = clock or _wall_clock


def _generate_report(self: IAMBackend) -> None:
    now = _clock().astimezone(UTC).replace(microsecond=0)
    previous: datetime | None = getattr(self, "credential_report_generated_at", None)
    if previous is None or now - previous >= REPORT_REUSE:
        self.credential_report_generated_at = now  # type: ignore[attr-defined]
    self.credential_report = True


def _get_credential_report(self: IamResponse) -> ActionResult:
    report = self.backend.get_credential_report()
    generated: datetime | None = getattr(self.backend, "credential_report_generated_at", None)
    result = {
        "Content": report,
        "ReportFormat": "text/csv",
        "GeneratedTime": generated.strftime("%Y-%m-%dT%H:%M:%SZ") if generated else _MOTO_GENERATED_TIME,
    }
    return ActionResult(result)


def _server_certificates(self: IamResponse) -> ActionResult:
    from cryptography import x509

    listed = []
    for certificate_id, cert in self.backend.certificates.items():
        expiry = x509.load_pem_x509_certificate(cert.cert_body.encode()).not_valid_after_utc
        uploaded: datetime = getattr(cert, "upload_date", None) or _clock()
        listed.append({
            "ServerCertificateName": cert.cert_name,
            "Path": cert.path,
            "Arn": cert.arn,
            "UploadDate": uploaded.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "ServerCertificateId": certificate_id,
            "Expiration": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
        })
    return ActionResult({"ServerCertificateMetadataList": listed, "IsTruncated": False})


def _account_id_from(access_key: str) -> str:
    return RESOLVER.account_id(access_key)


def ensure_managed_policies_off() -> None:
    """Keep moto from loading AWS managed policies into every account it creates."""
    iam_config: Any = default_user_config.setdefault("iam", {})
    iam_config["load_aws_managed_policies"] = False
    if load_iam_aws_managed_policies():
        raise RuntimeError(
            "MOTO_IAM_LOAD_MANAGED_POLICIES is set: AWS managed policies would be copied into every "
            f"simulated account (value {os.environ.get('MOTO_IAM_LOAD_MANAGED_POLICIES')!r}); unset it"
        )


def install() -> None:
    """Apply the adjustments; safe to call any number of times."""
    global _installed
    with _lock:
        ensure_managed_policies_off()
        if _installed:
            return
        IAMBackend.generate_report = _generate_report  # type: ignore[method-assign]
        IamResponse.get_credential_report = _get_credential_report  # type: ignore[method-assign]
        IamResponse.list_server_certificates = _server_certificates  # type: ignore[method-assign]
        Policy.policy_name = property(lambda self: self.name)  # type: ignore[attr-defined]
        Policy.policy_id = property(lambda self: self.id)  # type: ignore[attr-defined]
        iam_models.get_account_id_from = _account_id_from
        # moto lists its package folder on disk for every request to find the service; the list never
        # changes while the process runs.
        moto_modules = tuple(moto_backends.list_of_moto_modules())
        moto_backends.list_of_moto_modules = lambda: moto_modules
        # moto caches each service's botocore model, but without a lock: a burst of first requests from
        # many threads would each load it from disk (over 100 ms of CPU apiece). Load them once, now.
        for service in SIMULATED_SERVICES:
            moto_utils.get_service_model(service)
        _installed = True
        logger.debug("moto adjusted for the simulated organization")
