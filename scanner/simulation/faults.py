"""`FaultLayer`: WSGI middleware in front of moto that injects failures and counts calls.

moto answers every call correctly and at once. A scanner meets throttling, denied roles, SCP
denials, credential reports that never finish or arrive broken, answers cut off mid-body and
connections that die; the layer reproduces those from the outside, by reading each request the
way AWS would route it (action, signing account, AssumeRole target), so the scanner needs no
knowledge of moto. It also counts calls per account and action, which is how tests and the
benchmark measure the API cost of a scan.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qs

from scanner.simulation import rules as r
from scanner.simulation.keys import RESOLVER, KeyResolver
from scanner.simulation.rest import REST_PROTOCOLS, rest_action
from scanner.simulation.rules import ApiRequest, FaultRule
from scanner.simulation.wire import (
    Environ,
    StartResponse,
    WireResponse,
    WsgiApp,
    answer_of,
    json_error,
    query_error,
    query_result,
    rest_xml_error,
    send,
    signing_scope,
)

logger = logging.getLogger(__name__)


_ROLE_ACCOUNT = re.compile(r"^arn:[^:]+:iam::(\d{12}):")
_CONTENT = re.compile(rb"<Content>([^<]*)</Content>")
_R = TypeVar("_R", bound=FaultRule)


class ConnectionDropped(ConnectionAbortedError):
    """Raised after the socket is shut; werkzeug treats it as a client that went away."""


class RequestCounter:
    """Thread-safe counts of calls by (account, action) and of injected faults by kind."""

    def __init__(self) -> None:
        self._calls: Counter[tuple[str, str]] = Counter()
        self._faults: Counter[str] = Counter()
        self._lock = threading.Lock()

    def record(self, account_id: str, action: str) -> None:
        with self._lock:
            self._calls[(account_id, action)] += 1

    def record_fault(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] += 1

    def calls(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self._calls)

    def calls_for(self, account_id: str, action: str | None = None) -> int:
        with self._lock:
            return sum(n for (acct, act), n in self._calls.items() if acct == account_id and action in (None, act))

    def by_account(self) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for (account_id, _), n in self.calls().items():
            totals[account_id] += n
        return dict(totals)

    def faults(self) -> dict[str, int]:
        with self._lock:
            return dict(self._faults)

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._calls.values())

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._faults.clear()


def _read_body(environ: Environ) -> bytes:
    """Read the request body and put an equal, unread copy back for the wrapped app."""
    stream = environ["wsgi.input"]
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > 0:
        body = stream.read(length)
    elif environ.get("wsgi.input_terminated"):  # chunked upload: werkzeug ends the stream for us
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


class FaultLayer:
    """Wraps a WSGI app (moto's dispatcher); rules may be added and removed at any time."""

    def __init__(self, app: WsgiApp, *, resolver: KeyResolver = RESOLVER) -> None:
        self.app = app
        self.counter = RequestCounter()
        self._resolver = resolver
        self._rules: tuple[FaultRule, ...] = ()
        self._lock = threading.Lock()

    # -- rules -------------------------------------------------------------------------

    @property
    def rules(self) -> tuple[FaultRule, ...]:
        return self._rules

    def add(self, *rules: FaultRule) -> None:
        with self._lock:
            self._rules = (*self._rules, *rules)

    def remove(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules = tuple(x for x in self._rules if x is not rule)

    def clear(self) -> None:
        with self._lock:
            self._rules = ()

    def _added(self, rule: _R) -> _R:
        self.add(rule)
        return rule

    def latency(self, min_s: float, max_s: float, **match: Any) -> r.Latency:
        return self._added(r.latency(min_s, max_s, **match))

    def throttle(self, share: float = 1.0, seed: int | None = 0, **match: Any) -> r.Throttle:
        return self._added(r.throttle(share, seed, **match))

    def deny(self, action: str | None = None, account_id: str | None = None, **options: Any) -> r.Deny:
        return self._added(r.deny(action, account_id, **options))

    def server_error(self, action: str | None = None, account_id: str | None = None, **options: Any) -> r.ServerError:
        return self._added(r.server_error(action, account_id, **options))

    def report_in_progress(self, account_id: str | None = None) -> r.ReportInProgress:
        return self._added(r.report_in_progress(account_id))

    def malformed_report(self, account_id: str | None, kind: r.MalformedKind, **options: Any) -> r.MalformedReport:
        return self._added(r.malformed_report(account_id, kind, **options))

    def cut_off(self, share: float = 1.0, seed: int | None = 0, **match: Any) -> r.CutOff:
        return self._added(r.cut_off(share, seed, **match))

    def missing_field(self, element: str, action: str | None = None, account_id: str | None = None) -> r.MissingField:
        return self._added(r.missing_field(element, action, account_id))

    def drop_connection(self, action: str | None = None, account_id: str | None = None) -> r.DropConnection:
        return self._added(r.drop_connection(action, account_id))

    def reject_findings(self, ids: Iterable[str], **options: Any) -> r.RejectFindings:
        return self._added(r.reject_findings(ids, **options))

    # -- WSGI ------------------------------------------------------------------------

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        body = _read_body(environ)
        request = self.describe(environ, body)
        if request is None:
            return self.app(environ, start_response)
        self.counter.record(request.account_id, request.action)

        rules = self._rules
        for rule in rules:
            if isinstance(rule, r.Latency) and rule.matches(request):
                time.sleep(rule.delay())

        malformed: r.MalformedReport | None = None
        cut: r.CutOff | None = None
        missing: list[r.MissingField] = []
        for rule in rules:
            if isinstance(rule, r.Latency) or not rule.matches(request):
                continue
            if isinstance(rule, r.MalformedReport):
                malformed = malformed or rule
                continue
            if isinstance(rule, r.CutOff):
                cut = cut or rule
                continue
            if isinstance(rule, r.MissingField):
                missing.append(rule)
                continue
            if isinstance(rule, r.Throttle) and not rule.fire():
                continue
            if isinstance(rule, r.RejectFindings):
                return self._reject_findings(environ, start_response, rule)
            self.counter.record_fault(rule.kind)
            logger.debug("injecting %s into %s for %s", rule.kind, request.action, request.account_id)
            if isinstance(rule, r.DropConnection):
                self._drop(environ)
            return self._send(self._fault_response(rule, request), start_response)

        if malformed is not None or cut is not None or missing:
            return self._rewrite(environ, start_response, malformed, cut, missing)
        return self.app(environ, start_response)

    def describe(self, environ: Environ, body: bytes) -> ApiRequest | None:
        """Work out action, calling account and AssumeRole target; None for non-AWS calls."""
        scope = signing_scope(environ)
        access_key, service = scope.access_key, scope.service
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        params: dict[str, Any]
        protocol: Literal["query", "json", "rest-json", "rest-xml"]
        if service in REST_PROTOCOLS:
            protocol = REST_PROTOCOLS[service]
            action = rest_action(service, environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""),
                                 environ.get("QUERY_STRING", ""))
            params = {}
        elif target:
            protocol = "json"
            action = target.rpartition(".")[2]
            service = service or target.partition(".")[0]
            try:
                parsed = json.loads(body or b"{}")
            except ValueError:
                parsed = {}
            params = parsed if isinstance(parsed, dict) else {}
        else:
            protocol = "query"
            form = parse_qs(body.decode("utf-8", "replace")) if body else {}
            params = {key: values[0] for key, values in form.items()}
            action = str(params.get("Action", ""))
        if not action:
            return None
        owner = self._resolver.owner(access_key)
        target_account = target_arn = None
        if action == "AssumeRole":
            target_arn = str(params.get("RoleArn", ""))
            role_match = _ROLE_ACCOUNT.match(target_arn)
            target_account = role_match.group(1) if role_match else None
        return ApiRequest(
            service=service.lower(),
            action=action,
            protocol=protocol,
            calling_account=owner.account_id,
            principal_arn=owner.principal_arn,
            target_account=target_account,
            target_arn=target_arn,
            paginated=bool(params.get("NextToken") or params.get("Marker")),
        )

    # -- the faults themselves -------------------------------------------------------

    def _fault_response(self, rule: FaultRule, request: ApiRequest) -> WireResponse:
        if request.protocol == "rest-xml":
            return _rest_xml_fault(rule, request)
        if isinstance(rule, r.Throttle):
            if request.protocol == "rest-json":
                return json_error("TooManyRequestsException", "Rate exceeded", 429)
            if request.protocol == "json":
                return json_error("TooManyRequestsException", "Rate exceeded", 400)
            return query_error(request.service, "Throttling", "Rate exceeded", 400)
        if isinstance(rule, r.Deny):
            message = rule.message or _denial_message(request, rule.via_scp)
            if request.protocol in ("json", "rest-json"):
                return json_error("AccessDeniedException", message, 403)
            return query_error(request.service, "AccessDenied", message, 403)
        if isinstance(rule, r.ServerError):
            if request.protocol in ("json", "rest-json"):
                code = rule.code or "InternalFailure"
                return json_error(code, "An internal error occurred.", 500)
            code = rule.code or ("ServiceFailure" if request.service == "iam" else "InternalFailure")
            message = "Request processing has failed due to some unknown error, exception or failure."
            return query_error(request.service, code, message, 500, sender=False)
        if isinstance(rule, r.ReportInProgress):
            if request.action == "GenerateCredentialReport":
                result = (
                    "<State>INPROGRESS</State>"
                    "<Description>A credential report is being generated for this account.</Description>"
                )
                return query_result(request.service, request.action, result)
            return query_error(request.service, "ReportInProgress", "Credential report is being generated.", 404)
        raise TypeError(f"no response for fault rule {rule!r}")

    @staticmethod
    def _send(response: WireResponse, start_response: StartResponse) -> list[bytes]:
        start_response(response.status_line, list(response.headers))
        return [response.body]

    @staticmethod
    def _drop(environ: Environ) -> None:
        """Shut the client socket and unwind without a response.

        werkzeug's request handler treats a ConnectionError from the app as a client that
        went away: it writes nothing, so the client sees the connection close mid-request.
        """
        sock = environ.get("werkzeug.socket")
        if isinstance(sock, socket.socket):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        raise ConnectionDropped("connection dropped by fault rule")

    def _reject_findings(self, environ: Environ, start_response: StartResponse,
                         rule: r.RejectFindings) -> list[bytes]:
        """moto imports the findings the rule spares; the answer lists the others as failed, as AWS does."""
        try:
            request = json.loads(environ["wsgi.input"].read() or b"{}")
            findings = request["Findings"]
        except (ValueError, KeyError, TypeError):
            return self.app(environ, start_response)  # type: ignore[return-value]
        kept = [f for f in findings if f.get("Id") not in rule.ids]
        body = json.dumps({**request, "Findings": kept}).encode()
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        status, headers, result = answer_of(self.app, environ)
        if status.startswith("200"):
            answer = json.loads(result)
            failed = [{"Id": f.get("Id"), "ErrorCode": rule.code, "ErrorMessage": rule.message}
                      for f in findings if f.get("Id") in rule.ids]
            answer["FailedCount"] = answer.get("FailedCount", 0) + len(failed)
            answer["FailedFindings"] = [*answer.get("FailedFindings", []), *failed]
            result = json.dumps(answer).encode()
            self.counter.record_fault(rule.kind)
        return send(start_response, status, headers, result)

    def _rewrite(
        self, environ: Environ, start_response: StartResponse, malformed: r.MalformedReport | None,
        cut: r.CutOff | None, missing: list[r.MissingField],
    ) -> list[bytes]:
        """Let moto answer, then break a successful answer: the report's Content, its fields, or the body."""
        status, headers, body = answer_of(self.app, environ)
        succeeded = status.startswith("200")
        found = _CONTENT.search(body) if malformed is not None and succeeded else None
        if malformed is not None and found:
            content = malformed.corrupt(base64.b64decode(found.group(1)))
            body = body[: found.start(1)] + base64.b64encode(content) + body[found.end(1) :]
            self.counter.record_fault(malformed.kind)
        for rule in missing if succeeded else ():
            stripped = rule.strip(body)
            if stripped != body:
                body = stripped
                self.counter.record_fault(rule.kind)
        if cut is not None and succeeded and cut.fire():
            body = cut.cut(body)
            self.counter.record_fault(cut.kind)
        return send(start_response, status, headers, body)


def _rest_xml_fault(rule: FaultRule, request: ApiRequest) -> WireResponse:
    """S3's answers: SlowDown (503) for a throttle, AccessDenied (403), InternalError (500)."""
    if isinstance(rule, r.Throttle):
        return rest_xml_error("SlowDown", "Please reduce your request rate.", 503)
    if isinstance(rule, r.Deny):
        message = rule.message or (f"User: {request.principal_arn} is not authorized to perform: "
                                   f"{request.service}:{request.action} because no identity-based policy allows "
                                   f"the {request.service}:{request.action} action")
        return rest_xml_error("AccessDenied", message, 403)
    if isinstance(rule, r.ServerError):
        return rest_xml_error(rule.code or "InternalError", "We encountered an internal error. Please try again.", 500)
    raise TypeError(f"no response for fault rule {rule!r}")


def _denial_message(request: ApiRequest, via_scp: bool | None) -> str:
    """AWS's own wording for a denied call."""
    if request.action == "AssumeRole":
        resource = request.target_arn or "*"
        scp = bool(via_scp)
    else:
        resource = "*"
        scp = via_scp is None or via_scp
    if request.protocol == "json" and not scp:
        return "You don't have permissions to access this resource."
    message = (
        f"User: {request.principal_arn} is not authorized to perform: "
        f"{request.service}:{request.action} on resource: {resource}"
    )
    if scp:
        message += " with an explicit deny in a service control policy"
    return message
