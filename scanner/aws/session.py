"""One shared botocore session; per-account clients built from assumed-role credentials.

Creating a boto3 Session per account costs ~80 ms of CPU; clients from one shared botocore session cost
~3 ms. Workers receive this factory, never a session.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import botocore.session
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound
from botocore.utils import parse_timestamp as botocore_parse_timestamp

from scanner.aws.limiter import AdaptiveLimiter
from scanner.aws.malformed import CheckedParserFactory, MalformedRetries
from scanner.aws.redaction import redact, remember_secret, summarize_exception
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

    def __repr__(self) -> str:
        return "AccountCredentials(<redacted>)"


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
        self._caller_clients: dict[str, Any] = {}
        self.limiter = AdaptiveLimiter(max(2, config.workers * config.calls_per_account),
                                       stall_s=config.connect_timeout_s + config.read_timeout_s)
        self._malformed = MalformedRetries(config.max_attempts)

    def _create(self, service: str, credentials: AccountCredentials | None = None, account_id: str = "",
                region: str | None = None) -> Any:
        kwargs: dict[str, Any] = {"region_name": region or self.region, "config": self._boto_config}
        if self._config.endpoint_url:
            kwargs["endpoint_url"] = self._config.endpoint_url
        if credentials is not None:
            kwargs.update(
                aws_access_key_id=credentials.access_key,
                aws_secret_access_key=credentials.secret_key,
                aws_session_token=credentials.token,
            )
        # botocore sessions are not documented as thread-safe for client creation; the clients are.
        with self._lock:
            client = self._session.create_client(service, **kwargs)
        self.limiter.attach(client.meta.events, service, account_id)
        self._malformed.attach(client.meta.events)
        return client

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
                identity: dict[str, Any] = self._create("sts", region=region).get_caller_identity()
            except (ClientError, BotoCoreError):
                continue
            log.info("the caller's credentials belong to the %s partition; using region %s", partition, region)
            with self._lock:
                self.region = region
                self._caller_clients.clear()
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
        account."""
        if credentials is None:
            return self.caller_client(service, region)
        return self._create(service, credentials, account_id, region)
