"""What the fault, hostile-input and log tests share: settings files, readers of a run folder, the report."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.integration.helpers import read_csv

BOXES = ("root-access-keys", "root-mfa", "individual-users", "groups-for-permissions", "password-policy")
DERIVED_CSVS = ("accounts.csv", "findings.csv", "scorecard.csv", "users.csv")
WORKERS = ("--workers", "4")
# Small bounds so a fault costs the test a second, not the minutes the production defaults allow.
FAST_SETTINGS = """\
max_attempts = 3
connect_timeout_s = 2.0
read_timeout_s = 10.0

[credential_report]
deadline_s = 2.0
poll_interval_s = 0.2
poll_max_interval_s = 0.5
"""


def write_config(folder: Path, text: str = FAST_SETTINGS, name: str = "orgscan.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def findings(folder: Path) -> dict[tuple[str, str], dict[str, str]]:
    """(account id, check id) -> the findings.csv row."""
    return {(r["account_id"], r["check_id"]): r for r in read_csv(folder / "findings.csv")}


def box_statuses(folder: Path) -> dict[str, tuple[str, ...]]:
    """Account id -> its five box statuses in box order (extended checks left out)."""
    rows = findings(folder)
    accounts = sorted({account_id for account_id, _ in rows})
    return {a: tuple(rows[(a, box)]["status"] for box in BOXES) for a in accounts}


def accounts(folder: Path) -> dict[str, dict[str, str]]:
    return {r["account_id"]: r for r in read_csv(folder / "accounts.csv")}


def temporary_files(root: Path) -> list[Path]:
    """Leftovers of atomic writes (`.<name>.<random>.tmp`) anywhere under `root`."""
    return [p for p in root.rglob("*.tmp")]


def every_file(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def report_html(folder: Path) -> str:
    """The run's report.html, which every scan and `orgscan report` write."""
    return (folder / "report.html").read_text(encoding="utf-8")


PLACEHOLDER_PDF = b"%PDF-1.7\n% not rendered: these tests read the HTML report and the CSV files\n"


@pytest.fixture
def no_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Printing the PDF is most of a small scan's time, and the report's own tests cover it."""
    if importlib.util.find_spec("scanner.render.pdf") is not None:
        monkeypatch.setattr("scanner.render.pdf.render_pdf", lambda *_, **__: PLACEHOLDER_PDF)


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's backoff after a throttle starts at up to 1 s and doubles; a twentieth of that here.

    Which calls are retried, and how often, is unchanged: only the waits between attempts shrink.
    """
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setitem(ExponentialBackoff._DEFAULT_BACKOFF_CONFIG, "throttling_base_scale", 0.05)


@contextmanager
def logging_restored() -> Iterator[None]:
    """The in-process CLI configures the root logger; give the next test the logging it had before."""
    from scanner.logs import QUIET_LOGGERS, RETRY_LOGGERS, RunLog

    root = logging.getLogger()
    names = ("scanner", *QUIET_LOGGERS, *RETRY_LOGGERS)
    saved = (root.handlers[:], root.level, {n: logging.getLogger(n).level for n in names},
             {n: logging.getLogger(n).filters[:] for n in RETRY_LOGGERS})
    try:
        yield
    finally:
        for handler in root.handlers:
            if isinstance(handler, RunLog):
                handler.close()
        handlers, level, levels, filters = saved
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, value in levels.items():
            logging.getLogger(name).setLevel(value)
        for name, kept in filters.items():
            logging.getLogger(name).filters[:] = kept


@pytest.fixture(autouse=True)
def in_process_cli(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test of a folder that uses this runs the CLI in-process: restore logging after each, print no PDF."""
    request.getfixturevalue("no_pdf")
    with logging_restored():
        yield
