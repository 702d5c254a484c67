"""Credentials out of every text the scanner stores or logs."""

from __future__ import annotations

import re

# AWS's answer to a bad SigV4 signature quotes the canonical request it expected, session token included
# ("x-amz-security-token:FwoG..."); presigned URLs carry it as "X-Amz-Security-Token=...".
_SESSION_TOKEN = re.compile(r"(x-amz-security-token\s*[:=]\s*)[^\s&'\"<>]+", re.IGNORECASE)


def redact(message: str) -> str:
    """The message with any session token AWS quoted in it replaced: it is stored in raw/ and logged."""
    return _SESSION_TOKEN.sub(r"\1<redacted>", message)
