"""`SimulatedAws`: moto in server mode on 127.0.0.1 behind the fault layer.

The scanner talks real HTTP to `endpoint_url` with ordinary boto3 clients, so everything it
does (signing, retries, pagination, error parsing, connection handling) is exercised exactly
as against AWS. The server runs in a daemon thread of the current process, which lets the
seeding code fill moto's backends directly and tests inspect them.
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import Any, Self

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from scanner.simulation import moto_patches
from scanner.simulation.answers import AnswerShape, AnswerShapes, clear_organization_features
from scanner.simulation.faults import FaultLayer
from scanner.simulation.keys import RESOLVER

logger = logging.getLogger(__name__)

# Management credentials for the simulated organization: moto maps a key it never issued
# to its default account, 123456789012, which the seeded organization makes the management
# account.
MANAGEMENT_ACCESS_KEY = "AKIAORGSCANDEMO00001"
MANAGEMENT_SECRET_KEY = "demo-secret"
REGION = "us-east-1"


class _QuietRequestHandler(MotoRequestHandler):
    """moto's handler with per-request access logging sent to debug level.

    werkzeug would otherwise install its own stderr handler and print every call.
    """

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        logger.debug("%s %s -> %s", self.command, self.path, code)

    def log(self, type: str, message: str, *args: Any) -> None:
        logger.debug(message.rstrip(), *args)


class SimulatedAws:
    """A moto server with a `FaultLayer`; use as a context manager or call start()/stop().

    Requests pass the fault layer, then `answers` (which makes moto answer as AWS does today, or in an older
    `shape` chosen for a test), then moto.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, shape: AnswerShape = AnswerShape.TODAY) -> None:
        self._host = host
        self._port = port
        self.answers = AnswerShapes(DomainDispatcherApplication(create_backend_app), shape)
        self.faults = FaultLayer(self.answers)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the simulated AWS endpoint is not running; call start() first")
        return f"http://{self._host}:{self._server.server_port}"

    def start(self) -> Self:
        if self._server is not None:
            return self
        moto_patches.install()
        self._server = make_server(
            self._host, self._port, self.faults, threaded=True, request_handler=_QuietRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="simulated-aws", daemon=True)
        self._thread.start()
        logger.info("simulated AWS listening on %s", self.endpoint_url)
        return self

    def stop(self) -> None:
        """Stop listening; later calls to the endpoint fail with connection errors."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        logger.info("simulated AWS stopped")

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client for this endpoint, with management credentials unless given others."""
        import boto3

        kwargs.setdefault("aws_access_key_id", MANAGEMENT_ACCESS_KEY)
        kwargs.setdefault("aws_secret_access_key", MANAGEMENT_SECRET_KEY)
        kwargs.setdefault("region_name", REGION)
        return boto3.client(service, endpoint_url=self.endpoint_url, **kwargs)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def reset_backends() -> None:
    """Forget every simulated resource, so the next organization starts from nothing.

    moto's state is process-wide. This is what moto's `/moto-api/reset` does, plus the
    organization's member map (which moto's reset leaves behind) and the key cache.
    """
    from moto.moto_api._internal.models import moto_api_backend
    from moto.organizations.models import organizations_backends

    moto_api_backend.reset()
    organizations_backends.master_accounts.clear()
    clear_organization_features()
    RESOLVER.clear()
    logger.debug("moto state cleared")
