"""What the report reads from the run folder besides the frames: `run.json` and each account's meta.json.

These are the report's only sources of time. A missing or unreadable meta.json means "no credential report
time", which the methodology appendix then lists, rather than an error that stops the report.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from scanner import rundir
from scanner.rundir import RunFolder

log = logging.getLogger(__name__)

REPORT_TIME_KEY = "credential_report_generated_time"


def read_report_times(folder: RunFolder, account_ids: Iterable[str]) -> dict[str, str]:
    """Account id -> when its credential report was generated, for the accounts that have one."""
    times: dict[str, str] = {}
    for account_id in account_ids:
        path = folder.account_dir(account_id) / rundir.META_JSON
        try:
            meta: Any = json.loads(path.read_bytes())
        except FileNotFoundError:
            continue
        except (OSError, ValueError) as exc:
            log.warning("account %s: %s is unreadable: %s", account_id, rundir.META_JSON, exc)
            continue
        value = meta.get(REPORT_TIME_KEY) if isinstance(meta, dict) else None
        if isinstance(value, str) and value:
            times[account_id] = value
    return times
