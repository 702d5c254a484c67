"""One shared botocore session; one client per service and region, shared by every account and thread.

Creating a boto3 Session per account costs ~80 ms of CPU, a botocore client ~3 ms (and each new client starts
with cold caches and its own connections). So member accounts share one client of each service and region,
made once; an `AccountClient` is an account's view of it. Each of its calls is signed with that account's
assumed-role credentials, passed to botocore's signer with the request (never stored on the shared client), and
counted in that account's in-flight window; its retries spend that account's retry quota (`retries`). The
caller's own clients are separate and keep the caller's credentials. Workers receive this factory, never a
session.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import botocore.session
from botocore.config import Config as BotoConfig
from botocore.credentials import Credentials
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound
from botocore.utils import parse_timestamp as botocore_parse_timestamp

from scanner.aws.limiter import AdaptiveLimiter, current_account, set_current_account
from scanner.aws.malformed import CheckedParserFactory, MalformedRetries
from scanner.aws.redaction import redact, remember_secret, summarize_exception
from scanner.aws.retries import OwnRetries, route_retries
from scanner.config import Config
from scanner.errors import ConfigError
from scanner.models import DEFAULT_REGIONS, ApiError, Caller

log = logging.getLogger(__name__)

DEFAULT_REGION = DEFAULT_REGIONS
# What STS answers for credentials it does not know: in another partition, GovCloud and China keys are unknown.
_TOKEN_UNKNOWN = frozenset({"InvalidClientTokenId", "UnrecognizedClientException"})


def parse_timestamp(value: str) -> datetime:
    """AWS's ISO 8601 timestamps, parsed by the standard library (botocore's default goes through dateutil,
    several times slower); anything else falls back to botocore's own parser. Always timezone-aware."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        parsed: datetime = botocore_parse_timestamp(value)
        return parsed
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def partition_of_arn(arn: str) -> str:
    parts = arn.split(":")
    return parts[1] if len(parts) > 2 and parts[0] == "arn" else "aws"


def role_arn(partition: str, account_id: str, role_name: str) -> str:
    """`role_name` may carry a path (`path/Name`); the ARN then spells it `role/path/Name`."""
    return f"arn:{partition}:iam::{account_id}:role/{role_name.strip('/')}"


def api_error(exc: BaseException) -> ApiError:
    """Translate a failure into the `{"Code", "Message"}` pair the evidence folder stores, credentials redacted.

    An AWS error keeps its code and message; any other exception is named by its type."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = err.get("Code") or str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "Error"))
        return ApiError(code, redact(err.get("Message") or ""))
    return ApiError(*summarize_exception(exc))


@dataclass(frozen=True)
class AccountCredentials:
    """Credentials for one account; kept in memory only, never written or logged."""

    access_key: str
    secret_key: str
    token: str
    # What botocore's signer takes: made once, not for every request.
    signing: Credentials = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "signing", Credentials(self.access_key, self.secret_key, self.token))

    def __repr__(self) -> str:
        return "AccountCredentials(<redacted>)"


class _Acting(threading.local):
    """The member account whose call this thread is making: its credentials and retries (None between calls)."""

    credentials: AccountCredentials | None = None
    retries: OwnRetries | None = None


_ACTING = _Acting()


class NoAccountCredentials(NoCredentialsError):
    """A shared account client was called other than through an account's `AccountClient`."""

    fmt = "a member account's client was called without that account's credentials"


def _sign_as_acting_account(request: Any, **_: Any) -> None:
    """`before-sign` of the shared account clients: the request is signed with the credentials of the account
    whose call this thread is making. There is no fallback: without them the request is not sent."""
    credentials = _ACTING.credentials
    if credentials is None:
        raise NoAccountCredentials()
    request.context.setdefault("signing", {})["request_credentials"] = credentials.signing


class _SharedClient:
    """The client of one service and region that every member account's `AccountClient` calls through."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.operations = frozenset(client.meta.method_to_api_mapping)
        self._paginators: dict[str, Any] = {}
        self._lock = threading.Lock()

    def paginator(self, operation: str) -> Any:
        """botocore makes a new paginator class on every `get_paginator`; one per operation is enough."""
        with self._lock:
            paginator = self._paginators.get(operation)
            if paginator is None:
                paginator = self._paginators[operation] = self.client.get_paginator(operation)
            return paginator


class AccountClient:
    """One member account's client of a service: the shared client, every call made as this account.

    Operations and paginators are the client's own; for the length of each call (each page of a paginator)
    the thread acts for this account: its credentials sign the request, its window counts it, and its retries
    spend its own retry quota. Anything else the shared client does (a waiter, a presigned URL) is refused.
    """

    def __init__(self, shared: _SharedClient, account_id: str, credentials: AccountCredentials,
                 retries: OwnRetries) -> None:
        self._shared = shared
        self.account_id = account_id
        self._credentials = credentials
        self._retries = retries

    @property
    def meta(self) -> Any:
        return self._shared.client.meta

    @property
    def exceptions(self) -> Any:
        return self._shared.client.exceptions

    @contextmanager
    def acting(self) -> Iterator[None]:
        """This thread acts for this account until the block ends; then for whichever it acted for before."""
        previous, label = (_ACTING.credentials, _ACTING.retries), current_account()
        _ACTING.credentials, _ACTING.retries = self._credentials, self._retries
        set_current_account(self.account_id)
        try:
            yield
        finally:
            _ACTING.credentials, _ACTING.retries = previous
            set_current_account(label)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._shared.client, name)
        if name not in self._shared.operations:
            return attribute

        def call(*args: Any, **params: Any) -> Any:
            with self.acting():
                return attribute(*args, **params)

        call.__name__ = name
        return call

    def get_paginator(self, operation: str) -> _AccountPaginator:
        return _AccountPaginator(self, self._shared.paginator(operation))

    def __repr__(self) -> str:
        return f"AccountClient({self.meta.service_model.service_name}, {self.account_id})"


class _AccountPaginator:
    """A paginator of the shared client whose every page is requested as one account."""

    def __init__(self, client: AccountClient, paginator: Any) -> None:
        self._client = client
        self._paginator = paginator

    def paginate(self, **params: Any) -> Iterator[Any]:
        pages = iter(self._paginator.paginate(**params))
        while True:
            with self._client.acting():
                page = next(pages, _END)
            if page is _END:
                return
            yield page


_END = object()


class SessionFactory:
    """Builds clients for the caller and for each member account from one botocore session."""

    def __init__(self, config: Config, static_credentials: tuple[str, str] | None = None) -> None:
        try:
            self._session = botocore.session.Session(profile=config.profile or None)
            if static_credentials:
                self._session.set_credentials(*static_credentials)
            self._session.get_scoped_config()
            self._session.register_component("response_parser_factory", CheckedParserFactory())
            self._session.get_component("response_parser_factory").set_parser_defaults(
                timestamp_parser=parse_timestamp)
        except ProfileNotFound:
            raise ConfigError(f"AWS profile not found: {config.profile}") from None
        self._config = config
        self._lock = threading.Lock()
        configured = config.region or self._session.get_config_variable("region")
        # Without a configured region, the caller is looked for in each partition's default region in turn:
        # GovCloud and China credentials are unknown outside their own partition.
        self._region_configured = bool(configured)
        self.region = configured or DEFAULT_REGION["aws"]
        self._boto_config = BotoConfig(
            retries={"mode": "standard", "total_max_attempts": config.max_attempts},
            connect_timeout=config.connect_timeout_s,
            read_timeout=config.read_timeout_s,
            max_pool_connections=max(10, config.workers * config.calls_per_account),
            user_agent_extra="orgscan",
        )
        # Account clients serve every account at once: the account workers' credential reports and their calls.
        self._account_config = self._boto_config.merge(BotoConfig(
            max_pool_connections=max(10, config.workers * (config.calls_per_account + 1))))
        self._caller_clients: dict[str, Any] = {}
        self._account_clients: dict[tuple[str, str], _SharedClient] = {}
        self._account_lock = threading.Lock()
        self.limiter = AdaptiveLimiter(max(2, config.workers * config.calls_per_account),
                                       stall_s=config.connect_timeout_s + config.read_timeout_s)
        self._malformed = MalformedRetries(config.max_attempts)

    def _create(self, service: str, region: str | None = None, *, for_accounts: bool = False) -> Any:
        """A client with the caller's credentials or, `for_accounts`, one whose requests are signed as the
        account each is made for."""
        kwargs: dict[str, Any] = {"region_name": region or self.region,
                                  "config": self._account_config if for_accounts else self._boto_config}
        if self._config.endpoint_url:
            kwargs["endpoint_url"] = self._config.endpoint_url
        if for_accounts:
            # Never used to sign (`_sign_as_acting_account` gives every request its account's), and no secret.
            kwargs.update(aws_access_key_id="unused", aws_secret_access_key="unused")  # noqa: S106
        # botocore sessions are not documented as thread-safe for client creation; the clients are.
        with self._lock:
            client = self._session.create_client(service, **kwargs)
        if for_accounts:
            client.meta.events.register("before-sign", _sign_as_acting_account,
                                        unique_id="orgscan-sign-as-account")
            route_retries(client, lambda: _ACTING.retries)
        self.limiter.attach(client.meta.events, service, None if for_accounts else "")
        self._malformed.attach(client.meta.events)
        return client

    def _shared_client(self, service: str, region: str | None) -> _SharedClient:
        key = (service, region or self.region)
        # Made under its own lock: the first accounts all ask at once, and one client is all they need.
        with self._account_lock:
            shared = self._account_clients.get(key)
            if shared is None:
                shared = self._account_clients[key] = _SharedClient(self._create(service, region, for_accounts=True))
            return shared

    def caller_client(self, service: str, region: str | None = None) -> Any:
        """A client with the caller's own credentials (in `region`, default the scan's), shared by all threads."""
        key = f"{service}@{region}" if region else service
        with self._lock:
            client = self._caller_clients.get(key)
        if client is None:
            client = self._create(service, region=region)
            with self._lock:
                client = self._caller_clients.setdefault(key, client)
        return client

    def caller(self) -> Caller:
        try:
            identity = self.caller_client("sts").get_caller_identity()
        except NoCredentialsError:
            raise ConfigError("no AWS credentials found (environment, profile or SSO)") from None
        except ClientError as exc:
            error = api_error(exc)
            if self._region_configured or error.code not in _TOKEN_UNKNOWN:
                raise ConfigError(f"cannot identify the caller: {error}") from None
            identity = self._identify_in_another_partition(error)
        except BotoCoreError as exc:
            raise ConfigError(f"cannot identify the caller: {api_error(exc)}") from None
        self._remember_caller_credentials()
        return Caller(identity["Account"], identity["Arn"], partition_of_arn(identity["Arn"]))

    def _identify_in_another_partition(self, error: ApiError) -> dict[str, Any]:
        """The caller's identity from the first other partition whose default region knows its credentials;
        every client made from then on uses that region."""
        for partition, region in DEFAULT_REGION.items():
            if region == self.region:
                continue
            try:
                identity: dict[str, Any] = self._create("sts", region).get_caller_identity()
            except (ClientError, BotoCoreError):
                continue
            log.info("the caller's credentials belong to the %s partition; using region %s", partition, region)
            with self._lock:
                self.region = region
                self._caller_clients.clear()
            with self._account_lock:
                self._account_clients.clear()
            return identity
        raise ConfigError(f"cannot identify the caller in {self.region}: {error}. GovCloud and China credentials "
                          "work only in their own partition: pass --region (e.g. us-gov-west-1 or cn-north-1)")

    def _remember_caller_credentials(self) -> None:
        """The caller's secret key and session token are redacted from everything written or logged."""
        credentials = self._session.get_credentials()
        if credentials is not None:
            frozen = credentials.get_frozen_credentials()
            remember_secret(frozen.secret_key)
            remember_secret(frozen.token)

    def assume(self, caller: Caller, account_id: str) -> AccountCredentials:
        """Assume the scanner role in `account_id`; raises ClientError/BotoCoreError on failure."""
        params: dict[str, Any] = {
            "RoleArn": role_arn(caller.partition, account_id, self._config.role_name),
            "RoleSessionName": f"{self._config.session_name}-{account_id}"[:64],
            "DurationSeconds": self._config.session_duration_s,
        }
        if self._config.external_id:
            params["ExternalId"] = self._config.external_id
        self._remember_caller_credentials()  # refreshable ones may have changed since the last account
        creds = self.caller_client("sts").assume_role(**params)["Credentials"]
        remember_secret(creds.get("SecretAccessKey"))
        remember_secret(creds.get("SessionToken"))
        return AccountCredentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])

    def account_client(self, service: str, account_id: str, credentials: AccountCredentials | None,
                       region: str | None = None) -> Any:
        """A client for one account (in `region`, default the scan's); `None` credentials mean the caller's own
        account. A member account's is an `AccountClient` of the service's shared client: cheap to make, with a
        retry quota of its own, as a client of its own had."""
        if credentials is None:
            return self.caller_client(service, region)
        shared = self._shared_client(service, region)
        retries = OwnRetries(shared.client.meta.service_model, self._config.max_attempts)
        return AccountClient(shared, account_id, credentials, retries)
