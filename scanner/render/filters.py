"""Formatting filters for the report templates: every edge case of turning a value into text lives here.

A share is floored (`scanner.shares`, the rule `orgscan history` prints by too): never printed as 100 %
unless every applicable account passed, nor as 0 % unless none did, and "no applicable account" is said in
words rather than as a division by zero. A status is always shown as a symbol *and* a word, so the report
reads the same in grayscale and to colour-blind readers.
"""

from __future__ import annotations

from datetime import UTC, datetime

from scanner.models import Status
from scanner.shares import share_percent

UNKNOWN = "unknown"
NO_OU = "(no OU path)"
ELLIPSIS = "\u2026"
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"
_ISOLATE_MARKS = str.maketrans("", "", "\u2066\u2067\u2068\u2069")
# Bidi controls: marks, embeddings, overrides and isolates.
_BIDI_CONTROLS = str.maketrans("", "", "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_SYMBOLS = {
    Status.PASS.value: "\u2713",  # check mark
    Status.FAIL.value: "\u2717",  # ballot x
    Status.NOT_APPLICABLE.value: "\u2013",  # en dash
    Status.ERROR.value: "\u26a0",  # warning sign
}
_WORDS = {
    Status.PASS.value: "PASS",
    Status.FAIL.value: "FAIL",
    Status.NOT_APPLICABLE.value: "N/A",
    Status.ERROR.value: "ERROR",
}
_CLASSES = {
    Status.PASS.value: "pass",
    Status.FAIL.value: "fail",
    Status.NOT_APPLICABLE.value: "na",
    Status.ERROR.value: "error",
}


def percent(passed: int, applicable: int) -> str:
    """`passed` of `applicable` as a whole percentage, floored: never a misleading 0 % or 100 %."""
    return share_percent(passed, applicable)


def passed_words(passed: int, applicable: int) -> str:
    """One account's result in words: `2 of 4 applicable boxes passed`, or that no box applies."""
    if applicable <= 0:
        return "no box applies"
    return f"{passed} of {applicable} applicable box{'' if applicable == 1 else 'es'} passed"


def utc(moment: str) -> str:
    """An ISO 8601 time from the run folder as `YYYY-MM-DD HH:MM:SS UTC`; `unknown` when absent or garbled."""
    parsed = parse_time(moment)
    return parsed.strftime("%Y-%m-%d %H:%M:%S UTC") if parsed else UNKNOWN


def parse_time(moment: str | None) -> datetime | None:
    if not moment:
        return None
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def status_symbol(status: str) -> str:
    return _SYMBOLS.get(status, "?")


def status_word(status: str) -> str:
    """The word shown next to the colour; an unexpected status is shown as itself, never as a pass."""
    return _WORDS.get(status, status or "UNKNOWN")


def status_class(status: str) -> str:
    return _CLASSES.get(status, "error")


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary when one is near, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + ELLIPSIS


def ou_label(path: str) -> str:
    return path or NO_OU


def isolate(text: str) -> str:
    """`text` kept out of the bidi ordering of the line around it, as `<bdi>` does but without an element.

    For organization-controlled text in a per-account paragraph of the PDF, where every inline element costs
    about as much as a line. Isolate marks inside `text` are dropped, so it cannot end its isolation early;
    any other control character stays, contained.
    """
    return FIRST_STRONG_ISOLATE + text.translate(_ISOLATE_MARKS) + POP_DIRECTIONAL_ISOLATE


def plain(text: str) -> str:
    """`text` for a PDF bookmark, which no cell or isolate contains: bidi controls dropped, other control
    characters (a newline) made spaces."""
    return "".join(" " if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in text.translate(_BIDI_CONTROLS))


def plural(count: int, word: str, many: str = "") -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def or_unknown(text: str) -> str:
    return text or UNKNOWN
