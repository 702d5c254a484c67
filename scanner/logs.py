"""Logging set-up, called by the CLI only: one rotating file shared safely by concurrent scans.

Records wait in memory until the run starts (`RunLog.open`), so a command refused for its configuration or
its credentials leaves nothing behind in the output folder. Every record is scrubbed of credentials before
it is kept (traceback included). Every record is one line: a newline inside a
message (an account name, an AWS error message, a traceback) is escaped, so lines can be neither split nor
forged, and two scans writing the same file through `concurrent-log-handler` never interleave.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from concurrent_log_handler import ConcurrentRotatingFileHandler

from scanner import rundir
from scanner.aws.limiter import current_account
from scanner.aws.redaction import redact
from scanner.errors import OutputError

FORMAT = "%(asctime)s %(process)d %(threadName)s %(levelname)s %(name)s %(message)s"

# botocore's retry decisions: these loggers name the error code and the delay, never headers or bodies.
RETRY_LOGGERS = ("botocore.retryhandler", "botocore.retries.standard", "botocore.retries.adaptive")
# Kept at WARNING whatever else is configured: botocore's endpoint, auth and parser debug lines carry signed
# headers, request bodies and AssumeRole responses, that is, credentials.
QUIET_LOGGERS = ("botocore", "boto3", "urllib3", "s3transfer")
PENDING_LIMIT = 100_000


class OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "\\r").replace("\n", "\\n")


class _AccountLabel(logging.Filter):
    """Puts botocore's retry lines down to the account the thread works for: they do not say it themselves."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = f"account {current_account() or '-'}: {record.msg}"
        return True


_ACCOUNT_LABEL = _AccountLabel()


class _Redact(logging.Filter):
    """Scrubs every record before it is kept or written: message, arguments and traceback.

    Credentials this process holds, and the contents of `SecretAccessKey`, `SessionToken` and
    `x-amz-security-token` wherever a record quotes them (`scanner.aws.redaction`), never reach the file.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the format: keep both, as text
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info:
            record.exc_text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _LogFile(ConcurrentRotatingFileHandler):
    """The shared file. A failure to write it is said once on stderr, not as a traceback per record."""

    _failed = False

    def handleError(self, record: logging.LogRecord) -> None:
        if not self._failed:
            self._failed = True
            sys.stderr.write(f"orgscan: warning: cannot write the log file {self.baseFilename}: "
                             f"{sys.exc_info()[1]}\n")


class RunLog(logging.Handler):
    """The root handler: keeps records in memory until `open()`, then sends them and all later ones to the file."""

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        super().__init__()
        self.addFilter(_Redact())
        self.path = path
        self._max_bytes = max_bytes
        self._backups = backups
        self._pending: list[logging.LogRecord] = []
        self._file: _LogFile | None = None

    @property
    def opened(self) -> bool:
        return self._file is not None

    def emit(self, record: logging.LogRecord) -> None:
        if self._file is not None:
            self._file.handle(record)
        elif len(self._pending) < PENDING_LIMIT:
            self._pending.append(record)

    def open(self) -> None:
        """Create the log file (and its folder) and write what was logged so far; called when the run starts."""
        self.acquire()
        try:
            if self._file is not None:
                return
            try:
                rundir.make_private_folders(self.path.parent)
                # The log names accounts, callers and failures: its owner's alone (rotations are renames of it).
                handler = _LogFile(str(self.path), "a", maxBytes=self._max_bytes, backupCount=self._backups,
                                   encoding="utf-8", chmod=rundir.PRIVATE_FILE)
                for n in range(self._backups + 1):  # files an older orgscan left readable
                    rundir.make_private(self.path.with_name(f"{self.path.name}.{n}") if n else self.path)
            except OSError as exc:
                raise OutputError(f"cannot write the log file {self.path}: {exc.strerror or exc}") from None
            handler.setFormatter(OneLineFormatter(FORMAT))
            for record in self._pending:
                handler.handle(record)
            self._pending.clear()
            self._file = handler
        finally:
            self.release()

    def close(self) -> None:
        self.acquire()
        try:
            if self._file is not None:
                self._file.close()
            self._pending.clear()
        finally:
            self.release()
        super().close()


def configure_logging(path: Path, max_bytes: int, backups: int, debug: bool = False) -> RunLog:
    """Log to `path` once the returned RunLog is opened; never lower the level of botocore's wire logging."""
    root = logging.getLogger()
    for old in root.handlers:
        if isinstance(old, RunLog):
            old.close()
    handler = RunLog(path, max_bytes, backups)
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("scanner").setLevel(logging.DEBUG if debug else logging.INFO)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in RETRY_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG if debug else logging.NOTSET)
        logger.removeFilter(_ACCOUNT_LABEL)
        if debug:
            logger.addFilter(_ACCOUNT_LABEL)
    return handler
