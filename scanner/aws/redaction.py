"""Credentials out of every text the scanner stores or logs.

Two nets. Patterns remove what an answer or an error can quote: the contents of `SecretAccessKey`,
`SessionToken` and `x-amz-security-token` as XML elements (a cut-off element too), JSON or Python members,
headers and query strings. The registry removes any credential value this process holds (the caller's secret
key and session token, each assumed role's), wherever and however it appears. `redact` applies both; the
log applies it to every record (`scanner.logs`), and every error the collectors store goes through it.
"""

from __future__ import annotations

import re
import threading

REDACTED = "<redacted>"

_NAMES = r"(?:SecretAccessKey|SessionToken|x-amz-security-token|aws_secret_access_key|aws_session_token)"
_PATTERNS = (
    # <SecretAccessKey>...</SecretAccessKey>, or an element cut off before its end
    re.compile(rf"(<{_NAMES}>)[^<]*", re.IGNORECASE),
    # "SessionToken": "...", 'X-Amz-Security-Token': b'...'
    re.compile(rf"""(["']{_NAMES}["']\s*:\s*b?["'])[^"']*""", re.IGNORECASE),
    # x-amz-security-token:... (a canonical request AWS quotes), X-Amz-Security-Token=... (a presigned URL),
    # aws_secret_access_key = ... (a credentials file)
    re.compile(rf"""(\b{_NAMES}\s*[:=]\s*)[^\s&'"<>,;]+""", re.IGNORECASE),
)
# Credentials are long runs of these characters; only such runs are searched for held values.
_RUN_CHARS = r"[A-Za-z0-9+/=_\-]"
_RUN = re.compile(_RUN_CHARS + "{16,}")
_ONE_RUN = re.compile(_RUN_CHARS + "+")
_PREFIX = 16


class _HeldSecrets:
    """Credential values this process holds, indexed by their first characters so a text is searched once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_prefix: dict[str, tuple[str, ...]] = {}
        self._others: tuple[str, ...] = ()  # values with other characters: searched for one by one

    def add(self, value: str) -> None:
        if len(value) < _PREFIX:  # too short to be a credential, and would match ordinary words
            return
        with self._lock:
            if not _ONE_RUN.fullmatch(value):
                if value not in self._others:
                    self._others = (*self._others, value)
                return
            known = self._by_prefix.get(value[:_PREFIX], ())
            if value not in known:
                # Longest first, so a value is never left half-replaced by a shorter one it starts with.
                self._by_prefix[value[:_PREFIX]] = tuple(sorted((*known, value), key=len, reverse=True))

    def scrub(self, text: str) -> str:
        for value in self._others:
            text = text.replace(value, REDACTED)
        index = self._by_prefix
        if not index:
            return text
        return _RUN.sub(lambda run: self._scrub_run(run.group(), index), text)

    @staticmethod
    def _scrub_run(run: str, index: dict[str, tuple[str, ...]]) -> str:
        parts: list[str] = []
        start = position = 0
        while position <= len(run) - _PREFIX:
            for value in index.get(run[position:position + _PREFIX], ()):
                if run.startswith(value, position):
                    parts += [run[start:position], REDACTED]
                    position = start = position + len(value)
                    break
            else:
                position += 1
        return "".join(parts) + run[start:] if parts else run


_HELD = _HeldSecrets()


def remember_secret(value: str | None) -> None:
    """A credential value this process holds: from now on it is redacted wherever it appears."""
    if value:
        _HELD.add(value)


def redact(message: str) -> str:
    """The message without credentials: it is stored in raw/, in the reports, in the history, or logged."""
    for pattern in _PATTERNS:
        message = pattern.sub(rf"\1{REDACTED}", message)
    return _HELD.scrub(message)


def summarize_exception(exc: BaseException) -> tuple[str, str]:
    """An exception that is not an AWS error, as (its type, its first line redacted).

    Only the first line: botocore's parser, for one, appends the whole answer it could not read below it.
    """
    return type(exc).__name__, redact(str(exc).partition("\n")[0])
