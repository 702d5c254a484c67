"""The run folder: where evidence and results live on disk, written atomically, read back offline.

Layout (a contract other tools read):
    <out>/<run-id>/run.json, accounts.csv, findings.csv, scorecard.csv, users.csv, report.html, report.pdf
    <out>/<run-id>/raw/accounts.json and raw/<account_id>/<evidence files>
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from scanner.errors import OutputError, RunFolderError
from scanner.models import AccountResult, is_account_id

RUN_JSON = "run.json"
RAW = "raw"
ACCOUNTS_JSON = "accounts.json"
META_JSON = "meta.json"
CREDENTIAL_REPORT = "credential_report.csv"
CREDENTIAL_REPORT_ERROR = "credential_report.error.json"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, second precision: how every time in the run folder is written."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dumps(document: Any) -> bytes:
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False, default=_json_default)
            + "\n").encode("utf-8")


class SyncBarrier:
    """Group commit: one filesystem-wide flush covers every write finished before it started.

    An account's evidence is six files; an fsync each costs milliseconds of disk time per account.
    Instead the files are written (atomically, without fsync) and the account's worker calls `wait()`
    once before its completion marker: a flush that started after the worker's writes finished has
    made them durable, so most workers find one already done by another thread and return at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_started = 0

    def wait(self, folder: Path) -> None:
        ticket = time.monotonic_ns()
        with self._lock:
            if self._last_started > ticket:
                return
            self._last_started = time.monotonic_ns()
            _flush_filesystem(folder)


def _flush_filesystem(folder: Path) -> None:
    """syncfs(2) on Linux (only this filesystem); elsewhere sync(2)."""
    if _syncfs is None:
        os.sync()
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        if _syncfs(fd) != 0:
            error = ctypes.get_errno()
            raise OutputError(f"cannot flush {folder}: {os.strerror(error)}")
    finally:
        os.close(fd)


def _load_syncfs() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function: Callable[[int], int] = libc.syncfs
        return function
    except (OSError, AttributeError):
        return None


_syncfs = _load_syncfs() if sys.platform.startswith("linux") else None
_BARRIER = SyncBarrier()


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write to a temporary file in the same folder, fsync, then rename: never a half-written file.

    `durable=False` skips the fsync for files whose durability a SyncBarrier provides later.

    A failure to write (disk full, read-only, a path under a file) removes the temporary file and raises
    OutputError: the run cannot go on without its folder, and it must not look like an account's fault.
    """
    with atomic_file(path, durable=durable) as handle:
        handle.write(data)


@contextlib.contextmanager
def atomic_file(path: Path, *, durable: bool = True) -> Iterator[BinaryIO]:
    """`write_atomic` for a file written piece by piece: the handle's content replaces `path` on leaving the
    block, and nothing does if the block raises."""
    tmp = ""
    try:
        path.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise


PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def make_private_folders(folder: Path) -> None:
    """Create `folder` and any missing parent, each readable by its owner alone (`mkdir -p -m 700`).

    `Path.mkdir(parents=True)` gives the parents it creates the default mode, whatever mode it is asked for.
    """
    missing = []
    probe = folder
    while not probe.exists() and probe.parent != probe:
        missing.append(probe)
        probe = probe.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:  # another process made it meanwhile
            pass


def make_private(path: Path) -> None:
    """Take group and other permissions off a file this process owns (best effort: a shared file stays)."""
    try:
        mode = path.stat().st_mode & 0o777
        if mode & ~PRIVATE_FILE:
            path.chmod(mode & PRIVATE_FILE)
    except OSError:
        pass


def check_writable(folder: Path, what: str) -> None:
    """Refuse a folder that can never be created or written, before any AWS call and without creating it.

    Only the nearest existing ancestor can be judged: a regular file there (a path under a file) or one
    the process may not write to. Anything subtler (a full disk) shows when the first file is written.
    """
    probe = folder.absolute()
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        raise OutputError(f"cannot write the {what} {folder}: {probe} is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write the {what} {folder}: {probe} is not writable")


def run_id_for(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H%M%SZ")


RUN_ID = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{6}Z(-\d+)?$")


@dataclass(frozen=True)
class RunFolder:
    path: Path

    @classmethod
    def create(cls, out: Path, started: datetime) -> RunFolder:
        """A new folder `<out>/<run-id>`, with `-2`, `-3`... when that name is taken; it and every folder in it are
        readable by their owner alone, like its files."""
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunFolderError(f"cannot create output folder {out}: {exc.strerror}") from None
        base = run_id_for(started)
        for n in range(1, 1000):
            candidate = out / (base if n == 1 else f"{base}-{n}")
            try:
                candidate.mkdir(mode=PRIVATE_FOLDER)
            except FileExistsError:
                continue
            except OSError as exc:
                raise RunFolderError(f"cannot create run folder in {out}: {exc.strerror}") from None
            (candidate / RAW).mkdir(mode=PRIVATE_FOLDER)
            return cls(candidate)
        raise RunFolderError(f"too many runs started at {base} in {out}")

    @classmethod
    def open(cls, path: Path) -> RunFolder:
        folder = cls(path)
        if not path.is_dir():
            raise RunFolderError(f"not a folder: {path}")
        if not (path / RAW / ACCOUNTS_JSON).is_file():
            raise RunFolderError(f"not an orgscan run folder (no raw/{ACCOUNTS_JSON}): {path}")
        return folder

    @property
    def raw(self) -> Path:
        return self.path / RAW

    def account_dir(self, account_id: str) -> Path:
        """`raw/<account_id>`. Anything but an account id, or a link, is refused: evidence is never read from,
        or written to, anywhere but the run folder."""
        if not is_account_id(account_id):
            raise RunFolderError(f"{account_id!r} is not an account id (12 digits): raw/ holds one folder per account")
        path = self.raw / account_id
        for part in (self.raw, path):
            if part.is_symlink():
                raise RunFolderError(f"{part.relative_to(self.path).as_posix()} is a symbolic link: evidence is read "
                                     "only from inside the run folder")
        return path

    def write_raw(self, account_id: str, name: str, data: bytes, *, durable: bool = False) -> None:
        """Evidence files are made durable together by `sync()`, which precedes each account's meta.json."""
        write_atomic(self.account_dir(account_id) / name, data, durable=durable)

    def sync(self) -> None:
        """Block until everything written to the folder so far is on disk (grouped across threads)."""
        _BARRIER.wait(self.path)

    def write_accounts(self, results: Iterable[AccountResult]) -> None:
        write_atomic(self.raw / ACCOUNTS_JSON, dumps([r.to_record() for r in results]))

    def read_accounts(self) -> list[AccountResult]:
        try:
            records = json.loads((self.raw / ACCOUNTS_JSON).read_bytes())
            if not isinstance(records, list):  # an object would read as "no accounts": a clean, empty run
                raise TypeError(f"a list of accounts was expected, not {type(records).__name__}")
            results = [AccountResult.from_record(r) for r in records]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise RunFolderError(f"raw/{ACCOUNTS_JSON} is unreadable: {exc}") from None
        for record in records:  # each names the folder its evidence is read from
            if not is_account_id(record["account_id"]):
                raise RunFolderError(f"raw/{ACCOUNTS_JSON}: {record['account_id']!r} is not an account id (12 digits)")
        return results

    def write_run_info(self, info: dict[str, Any]) -> None:
        write_atomic(self.path / RUN_JSON, dumps(info))

    def read_run_info(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads((self.path / RUN_JSON).read_bytes())
            return data
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise RunFolderError(f"{RUN_JSON} is unreadable: {exc}") from None
