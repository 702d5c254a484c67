"""`AnswerShapes`: WSGI middleware between the fault layer and moto that makes the simulated AWS answer the way
AWS answers today where moto answers otherwise.

- Organizations (`ListAccounts`, `ListAccountsForParent`, `DescribeAccount`): AWS retired `Account.Status` on
  2026-09-09 and answers with `Account.State` alone; moto 5.2 still sends both. The layer removes `Status`
  (`AnswerShape.TODAY`, the default). The older shapes stay available as test cases: `LEGACY` sends `Status`
  alone (as before `State` existed), `TRANSITION` both (as between the two, and as stock moto does), `ABSENT`
  neither.
- GovCloud and China credentials work only in their own partition's regions; moto accepts any key anywhere.
  A key bound with `bind_key_to_partition` gets AWS's invalid-token answer elsewhere.
- IAM `ListOrganizationsFeatures` (centralized root access) is not in moto: the layer answers it from the
  features the seeded organization declares (`set_organization_features`), with AWS's errors for a member
  account and for an account outside any organization.
- AWS Account Management's `ListRegions` and IAM Access Analyzer's `ListAnalyzers` are not in moto: the layer
  answers them from what each seeded account declares (`set_account_analyzers`): the regions enabled by default,
  the opt-in regions it enabled, and its analyzers.

Every difference from AWS the simulation knows of is listed in `DIFFERENCES.md` beside this module.
"""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qs

from scanner.simulation.catalog import ANALYZERS_CREATED, AccountAnalyzers
from scanner.simulation.keys import RESOLVER, KeyResolver
from scanner.simulation.wire import (
    Environ,
    StartResponse,
    WireResponse,
    WsgiApp,
    answer_of,
    json_error,
    json_result,
    query_error,
    query_result,
    send,
    signing_scope,
)

logger = logging.getLogger(__name__)


ORGANIZATIONS_TARGET = "AWSOrganizationsV20161128."
ACCOUNT_ACTIONS = frozenset({"ListAccounts", "ListAccountsForParent", "DescribeAccount"})
# `Status` had three values; a closed account showed as SUSPENDED until `State` told the two apart.
_LEGACY_STATUS = {"CLOSED": "SUSPENDED"}


class AnswerShape(StrEnum):
    TODAY = "today"  # Account.State only: AWS since 2026-09-09
    LEGACY = "legacy"  # Account.Status only: AWS before Account.State existed
    TRANSITION = "transition"  # both, as AWS answered between the two (and moto 5.2 does)
    ABSENT = "absent"  # neither: an answer a scanner must still handle (a future change, a faulty proxy)


@dataclass(frozen=True)
class OrganizationFeatures:
    """What IAM's `ListOrganizationsFeatures` says for one organization.

    `trusted_access` False: IAM's trusted access with Organizations is off (ServiceAccessNotEnabledException).
    """

    enabled: tuple[str, ...] = ()
    trusted_access: bool = True


_analyzers: dict[str, AccountAnalyzers] = {}


def set_account_analyzers(account_id: str, posture: AccountAnalyzers | None) -> None:
    """Declare (or, with None, forget) the enabled regions and analyzers of `account_id`."""
    with _features_lock:
        if posture is None:
            _analyzers.pop(account_id, None)
        else:
            _analyzers[account_id] = posture


_features: dict[str, OrganizationFeatures] = {}
_features_lock = threading.Lock()
# Access keys that, like GovCloud and China credentials, work only in their own partition's regions.
_key_partitions: dict[str, str] = {}


def bind_key_to_partition(access_key: str, partition: str | None) -> None:
    """Make `access_key` valid only in `partition` (`aws-us-gov`, `aws-cn`); None lifts the binding."""
    with _features_lock:
        if partition is None:
            _key_partitions.pop(access_key, None)
        else:
            _key_partitions[access_key] = partition


def partition_of_region(region: str) -> str:
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws"


def set_organization_features(management_account_id: str, features: OrganizationFeatures | None) -> None:
    """Declare (or, with None, forget) the centralized root access features of the organization managed by
    `management_account_id`."""
    with _features_lock:
        if features is None:
            _features.pop(management_account_id, None)
        else:
            _features[management_account_id] = features


def clear_organization_features() -> None:
    with _features_lock:
        _features.clear()
        _key_partitions.clear()
        _analyzers.clear()


def reshape_account(account: dict[str, Any], shape: AnswerShape) -> dict[str, Any]:
    """One `Account` structure as AWS answers it in `shape`."""
    state = account.get("State") or account.get("Status")
    shaped = {k: v for k, v in account.items() if k not in ("Status", "State")}
    if state is None or shape == AnswerShape.ABSENT:
        return shaped
    if shape == AnswerShape.TODAY:
        shaped["State"] = state
    elif shape == AnswerShape.LEGACY:
        shaped["Status"] = _LEGACY_STATUS.get(state, state)
    else:
        shaped["Status"] = _LEGACY_STATUS.get(state, state)
        shaped["State"] = state
    return shaped


def _reshape_body(action: str, body: bytes, shape: AnswerShape) -> bytes:
    document = json.loads(body)
    if action == "DescribeAccount" and isinstance(document.get("Account"), dict):
        document["Account"] = reshape_account(document["Account"], shape)
    elif isinstance(document.get("Accounts"), list):
        document["Accounts"] = [reshape_account(a, shape) if isinstance(a, dict) else a for a in document["Accounts"]]
    return json.dumps(document).encode()


class AnswerShapes:
    """Wraps moto's WSGI app; `shape` may be changed while the server runs."""

    def __init__(self, app: WsgiApp, shape: AnswerShape = AnswerShape.TODAY, *,
                 resolver: KeyResolver = RESOLVER) -> None:
        self.app = app
        self.shape = shape
        self._resolver = resolver

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        refused = _outside_partition(environ, json_protocol=bool(target))
        if refused is not None:
            start_response(refused.status_line, list(refused.headers))
            return [refused.body]
        if target.startswith(ORGANIZATIONS_TARGET):
            action = target[len(ORGANIZATIONS_TARGET):]
            if action in ACCOUNT_ACTIONS:
                return self._reshaped(action, environ, start_response)
            return self.app(environ, start_response)
        service = signing_scope(environ).service
        if service in ("account", "access-analyzer"):
            answer = self._analyzers(service, environ)
            start_response(answer.status_line, list(answer.headers))
            return [answer.body]
        if not target and environ.get("REQUEST_METHOD") == "POST":
            body = _body(environ)
            form = parse_qs(body.decode("utf-8", "replace"))
            if form.get("Action") == ["ListOrganizationsFeatures"]:
                response = self._organizations_features(environ)
                start_response(response.status_line, list(response.headers))
                return [response.body]
        return self.app(environ, start_response)

    def _reshaped(self, action: str, environ: Environ, start_response: StartResponse) -> list[bytes]:
        status, headers, body = answer_of(self.app, environ)
        if status.startswith("200"):
            body = _reshape_body(action, body, self.shape)
        return send(start_response, status, headers, body)

    def _analyzers(self, service: str, environ: Environ) -> WireResponse:
        """ListRegions (account) and ListAnalyzers (access-analyzer), answered for the key's account."""
        scope = signing_scope(environ)
        account_id = self._resolver.owner(scope.access_key).account_id
        with _features_lock:
            posture = _analyzers.get(account_id, AccountAnalyzers())
        path = environ.get("PATH_INFO", "")
        if service == "account" and path == "/listRegions":
            wanted = json.loads(_body(environ) or b"{}").get("RegionOptStatusContains")
            regions = [{"RegionName": r, "RegionOptStatus": state} for r, state in posture.region_states()
                       if not wanted or state in wanted]
            return json_result({"Regions": regions})
        if service == "access-analyzer" and path == "/analyzer":
            region = scope.region
            wanted_type = parse_qs(environ.get("QUERY_STRING", "")).get("type")
            listed = [
                {"arn": f"arn:aws:access-analyzer:{region}:{account_id}:analyzer/{a.name}", "name": a.name,
                 "type": a.type, "status": a.status, "createdAt": ANALYZERS_CREATED}
                for a in posture.analyzers
                if region in (a.regions if a.regions is not None else posture.enabled())
                and (not wanted_type or a.type in wanted_type)
            ]
            return json_result({"analyzers": listed})
        return json_error("UnknownOperationException", f"the simulation does not answer {service} {path}", 404)

    def _organizations_features(self, environ: Environ) -> WireResponse:
        from moto.organizations.models import organizations_backends

        account_id = self._resolver.owner(signing_scope(environ).access_key).account_id
        management = _management_account(organizations_backends, account_id)
        if management is None:
            return query_error("iam", "OrganizationNotFoundException",
                               "The request failed because the account is not a member of an organization.", 400)
        if management != account_id:
            return query_error("iam", "AccountNotManagementOrDelegatedAdministratorException",
                               "The request was rejected because the account making the request is not the "
                               "management account or delegated administrator account for centralized root "
                               "access.", 400)
        with _features_lock:
            features = _features.get(management, OrganizationFeatures())
        if not features.trusted_access:
            return query_error("iam", "ServiceAccessNotEnabledException",
                               "The request was rejected because trusted access is not enabled for IAM in "
                               "AWS Organizations.", 400)
        org = organizations_backends[management]["aws"].org
        members = "".join(f"<member>{name}</member>" for name in features.enabled)
        return query_result("iam", "ListOrganizationsFeatures",
                            f"<OrganizationId>{org.id if org else ''}</OrganizationId>"
                            f"<EnabledFeatures>{members}</EnabledFeatures>")


def _body(environ: Environ) -> bytes:
    """The request body, with an unread copy put back for the wrapped app."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _outside_partition(environ: Environ, *, json_protocol: bool) -> WireResponse | None:
    """AWS's answer to credentials used outside their partition: the token is not known there."""
    scope = signing_scope(environ)
    with _features_lock:
        bound = _key_partitions.get(scope.access_key)
    if bound is None:
        return None
    if partition_of_region(scope.region) == bound:
        return None
    message = "The security token included in the request is invalid."
    if json_protocol:
        return json_error("UnrecognizedClientException", message, 400)
    return query_error("sts", "InvalidClientTokenId", message, 403)


def _management_account(backends: Any, account_id: str) -> str | None:
    """The management account of the organization `account_id` belongs to, or None outside any."""
    member_of = backends.master_accounts.get(account_id)
    if member_of is not None:
        return str(member_of[0])
    own = dict.get(backends, account_id)
    if own is not None:
        org = own["aws"].org
        if org is not None and org.master_account_id == account_id:
            return account_id
    return None
