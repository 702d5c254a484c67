"""Answers that cannot be read: a 200 cut off mid-body, or a body that is not the XML or JSON it should be.

botocore raises `ResponseParserError` for an XML answer it cannot parse, outside its retry loop: one cut-off
answer fails its call at the first attempt (and skips the `response-received` event the in-flight limit
counts on). A JSON answer it cannot parse it takes for an empty one, silently: a ListAccounts page with
neither accounts nor NextToken. Here every answer that cannot be read becomes an error answer,
`MalformedResponse`, without its body; it is retried with a throttle's backoff and, once the attempts run
out, raised as a ClientError like any other AWS error, so each caller records it where it records the rest.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserFactory
from botocore.retries.standard import ExponentialBackoff, RetryContext

from scanner.aws.limiter import current_account
from scanner.aws.redaction import redact

log = logging.getLogger(__name__)

MALFORMED_RESPONSE = "MalformedResponse"
# Protocols whose botocore parser reads an unparsable body as an empty answer instead of failing.
_JSON_PROTOCOLS = frozenset({"json", "rest-json"})


def malformed_answer(response: dict[str, Any], exc: BaseException) -> dict[str, Any]:
    """The error answer that stands for an unreadable one: the status, the size and why, never the body."""
    status = response.get("status_code", 0)
    size = len(response.get("body") or b"")
    reason = redact(str(exc).partition("\n")[0].rstrip(": ")) or type(exc).__name__
    headers = response.get("headers") or {}
    return {
        "Error": {
            "Code": MALFORMED_RESPONSE,
            "Message": f"the answer could not be read (HTTP {status}, {size} bytes): {reason}",
        },
        "ResponseMetadata": {
            "HTTPStatusCode": status,
            "HTTPHeaders": dict(headers),
            "RequestId": headers.get("x-amzn-requestid", ""),
        },
    }


class _CheckedParser:
    """botocore's parser for one protocol; an answer it cannot read comes back as `MalformedResponse`.

    A JSON success answer is read by `strict`, the same parser except that a body which is not JSON fails instead
    of reading as an empty answer: each body is parsed once. Error answers keep botocore's reading (an error
    page that is not JSON becomes its message).
    """

    def __init__(self, parser: Any, strict: Any = None) -> None:
        self._parser = parser
        self._strict = strict

    def parse(self, response: dict[str, Any], shape: Any) -> dict[str, Any]:
        parser = self._strict if self._strict is not None and response["status_code"] < 300 else self._parser
        try:
            parsed: dict[str, Any] = parser.parse(response, shape)
        except Exception as exc:  # whatever the parser trips on, the answer is at fault
            return malformed_answer(response, exc)
        return parsed


def _parse_json_strictly(parser: Any, body: bytes) -> Any:
    """botocore's `_parse_body_as_json` without its fallback: an empty body is `{}`, any other must be JSON."""
    return json.loads(body.decode(parser.DEFAULT_ENCODING)) if body else {}


_STRICT_CLASSES: dict[type, type] = {}


def _strict_class(parser_class: type) -> type:
    strict = _STRICT_CLASSES.get(parser_class)
    if strict is None:
        strict = _STRICT_CLASSES[parser_class] = type(
            f"Strict{parser_class.__name__}", (parser_class,), {"_parse_body_as_json": _parse_json_strictly})
    return strict


class CheckedParserFactory(ResponseParserFactory):
    """The botocore session's `response_parser_factory`: every client of the scan parses through it."""

    def __init__(self) -> None:
        super().__init__()
        self._settings: dict[str, Any] = {}

    def set_parser_defaults(self, **kwargs: Any) -> None:
        super().set_parser_defaults(**kwargs)
        self._settings.update(kwargs)

    def create_parser(self, protocol_name: str) -> Any:
        parser = super().create_parser(protocol_name)
        if protocol_name not in _JSON_PROTOCOLS:
            return _CheckedParser(parser)
        return _CheckedParser(parser, _strict_class(type(parser))(**self._settings))


def _code(parsed: Any) -> str:
    if not isinstance(parsed, dict):
        return ""
    error = parsed.get("Error")
    return str(error.get("Code", "")) if isinstance(error, dict) else ""


class _AlwaysThrottling:
    """Tells botocore's backoff to wait as after a throttle (a base of 1 s, doubling, up to 20 s)."""

    def is_throttling_error_from_context(self, context: Any) -> bool:
        return True


class MalformedRetries:
    """Registered on each client: retry an unreadable answer up to `max_attempts`, then raise it."""

    def __init__(self, max_attempts: int) -> None:
        self._max_attempts = max_attempts
        self._backoff = ExponentialBackoff(throttling_detector=_AlwaysThrottling())

    def attach(self, events: Any) -> None:
        events.register("needs-retry", self._needs_retry, unique_id="orgscan-malformed-retry")
        events.register("after-call", self._raise, unique_id="orgscan-malformed-raise")

    def _needs_retry(self, response: Any = None, attempts: int = 1, operation: Any = None, **_: Any) -> float | None:
        # botocore's own retry handler (registered for the service, so asked first) never retries these.
        if response is None or _code(response[1]) != MALFORMED_RESPONSE or attempts >= self._max_attempts:
            return None
        http_response, parsed = response
        delay: float = self._backoff.delay_amount(RetryContext(
            attempts, operation_model=operation, parsed_response=parsed, http_response=http_response))
        log.debug("account %s: %s answer could not be read (attempt %s); retrying after %.2f s",
                  current_account() or "-", getattr(operation, "name", "an"), attempts, delay)
        return delay

    def _raise(self, http_response: Any = None, parsed: Any = None, model: Any = None, **_: Any) -> None:
        # A 200 stays a success to botocore; the attempts ran out, so the call fails like any other error.
        status = getattr(http_response, "status_code", 0)
        if status < 300 and _code(parsed) == MALFORMED_RESPONSE:
            raise ClientError(parsed, getattr(model, "name", "call"))
