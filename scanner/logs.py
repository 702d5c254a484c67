"""Logging set-up, called by the CLI only: one rotating file shared safely by concurrent scans."""

from __future__ import annotations

import logging
from pathlib import Path

from concurrent_log_handler import ConcurrentRotatingFileHandler

FORMAT = "%(asctime)s %(process)d %(threadName)s %(levelname)s %(name)s %(message)s"


def configure_logging(path: Path, max_bytes: int, backups: int, debug: bool = False) -> None:
    """Log to `path`; never raise the level of botocore's wire logging, which carries credentials."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = ConcurrentRotatingFileHandler(str(path), "a", maxBytes=max_bytes, backupCount=backups,
                                            encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("scanner").setLevel(logging.DEBUG if debug else logging.INFO)
    if debug:
        # Retry decisions only: these loggers name the error code and the delay, never headers or bodies.
        for name in ("botocore.retryhandler", "botocore.retries.standard", "botocore.retries.adaptive"):
            logging.getLogger(name).setLevel(logging.DEBUG)
