"""What AWS answers look like on the wire, for the answers the fault layer makes up itself.

The scanner parses these with botocore exactly as it parses real AWS, so they follow the real
shapes: the query protocol's `<ErrorResponse>` XML for IAM and STS, and the JSON protocol's
`__type` body plus `x-amzn-ErrorType` header for Organizations.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from xml.sax.saxutils import escape

QUERY_NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}


@dataclass(frozen=True)
class WireResponse:
    """A complete HTTP answer: status line, headers and body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def status_line(self) -> str:
        return f"{self.status} {HTTPStatus(self.status).phrase}"


def _request_id() -> str:
    return str(uuid.uuid4())


def query_error(service: str, code: str, message: str, status: int, *, sender: bool = True) -> WireResponse:
    """An IAM/STS error: HTTP status plus `<ErrorResponse><Error>...</Error></ErrorResponse>`."""
    request_id = _request_id()
    namespace = QUERY_NAMESPACES.get(service, QUERY_NAMESPACES["iam"])
    body = (
        f'<ErrorResponse xmlns="{namespace}">'
        f"<Error><Type>{'Sender' if sender else 'Receiver'}</Type>"
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()
    headers = (
        ("Content-Type", "text/xml"),
        ("Content-Length", str(len(body))),
        ("x-amzn-RequestId", request_id),
    )
    return WireResponse(status, headers, body)


def json_error(code: str, message: str, status: int) -> WireResponse:
    """An Organizations (JSON protocol) error: `{"__type": ..., "Message": ...}`."""
    request_id = _request_id()
    body = json.dumps({"__type": code, "Message": message}).encode()
    headers = (
        ("Content-Type", "application/x-amz-json-1.1"),
        ("Content-Length", str(len(body))),
        ("x-amzn-RequestId", request_id),
        ("x-amzn-ErrorType", code),
    )
    return WireResponse(status, headers, body)


def rest_xml_error(code: str, message: str, status: int) -> WireResponse:
    """An S3 (REST-XML) error: HTTP status plus a bare `<Error>` document."""
    request_id = _request_id()
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        f"<RequestId>{request_id}</RequestId></Error>"
    ).encode()
    headers = (
        ("Content-Type", "application/xml"),
        ("Content-Length", str(len(body))),
        ("x-amz-request-id", request_id),
    )
    return WireResponse(status, headers, body)


def json_result(document: object) -> WireResponse:
    """A successful JSON-protocol (or REST-JSON) answer."""
    request_id = _request_id()
    body = json.dumps(document).encode()
    headers = (
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("x-amzn-RequestId", request_id),
    )
    return WireResponse(200, headers, body)


def query_result(service: str, action: str, result_xml: str) -> WireResponse:
    """A successful query-protocol answer wrapping `result_xml` in `<{Action}Result>`."""
    request_id = _request_id()
    namespace = QUERY_NAMESPACES.get(service, QUERY_NAMESPACES["iam"])
    body = (
        f'<{action}Response xmlns="{namespace}">'
        f"<{action}Result>{result_xml}</{action}Result>"
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
        f"</{action}Response>"
    ).encode()
    headers = (
        ("Content-Type", "text/xml"),
        ("Content-Length", str(len(body))),
        ("x-amzn-RequestId", request_id),
    )
    return WireResponse(200, headers, body)


Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def answer_of(app: WsgiApp, environ: Environ) -> tuple[str, list[tuple[str, str]], bytes]:
    """Let the wrapped app (moto) answer in full: its status line, headers and body, for a layer to rewrite."""
    captured: list[Any] = []
    chunks: list[bytes] = []

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        captured[:] = [status, headers]
        return chunks.append

    result = app(environ, capture)
    try:
        chunks.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, headers = captured
    return status, list(headers), b"".join(chunks)


def send(start_response: StartResponse, status: str, headers: list[tuple[str, str]], body: bytes) -> list[bytes]:
    """Send a (rewritten) answer with a Content-Length that fits its body."""
    kept = [(k, v) for k, v in headers if k.lower() != "content-length"]
    start_response(status, [*kept, ("Content-Length", str(len(body)))])
    return [body]


_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class SigningScope:
    """Who signed a SigV4 request and for what: `Credential=KEY/date/region/service/aws4_request`."""

    access_key: str = ""
    region: str = ""
    service: str = ""


def signing_scope(environ: Environ) -> SigningScope:
    """The request's signing scope; empty for a request that is not SigV4-signed."""
    match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    return SigningScope(*match.groups()) if match else SigningScope()
