"""report.html in a real browser: Debian's headless Chromium, driven by selenium through chromium-driver.

The browser is started offline and fresh (a new empty profile, no background networking, no component
update), so whatever the page does is the page's own doing. Where Chromium or its driver is missing the
tests skip and say how to install them (`scripts/ensure-system-deps --browser`, which `make test` runs);
under CI (`CI=true`) a missing browser is a failure, so a green CI has run them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scanner.output.csv_export import to_csv_bytes
from scanner.render import REPORT_HTML, prepare_report
from scanner.render.html import render_html
from scanner.scoring import findings_export
from tests.render.conftest import make_run

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)
INSTALL_HINT = "scripts/ensure-system-deps --browser installs Debian's chromium and chromium-driver"


def _missing_browser() -> str:
    """Why the browser tests cannot run here, or "" when they can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    missing = [name for name in ("chromium", "chromedriver") if shutil.which(name) is None]
    return f"{' and '.join(missing)} not found; {INSTALL_HINT}" if missing else ""


def require_browser() -> None:
    reason = _missing_browser()
    if not reason:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the browser tests must run under CI: {reason}")
    pytest.skip(reason)


@dataclass(frozen=True)
class Published:
    """The report and the CSVs a reader would check it against, side by side in one folder."""

    html: Path
    findings: list[dict[str, str]]
    accounts: list[dict[str, str]]

    @property
    def url(self) -> str:
        return self.html.as_uri()


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """The hand-made run (every status in every box, a hostile name, an RLO, an unreachable account, a
    skipped one, an account with no OU path) rendered as a scan renders it, with its findings.csv."""
    run = make_run(tmp_path_factory.mktemp("browser") / "runs")
    html = render_html(prepare_report(run.folder, run.results, run.frames))
    path = run.folder.path / REPORT_HTML
    path.write_text(html, encoding="utf-8")
    findings = to_csv_bytes(findings_export(run.frames.findings))
    accounts = to_csv_bytes(run.frames.accounts)
    (run.folder.path / "findings.csv").write_bytes(findings)
    (run.folder.path / "accounts.csv").write_bytes(accounts)
    return Published(path, _rows(findings), _rows(accounts))


def start_chromium(profile: Path, *, scripts: bool = True) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(shutil.which("chromium"))
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    if not scripts:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    return webdriver.Chrome(service=Service(executable_path=str(shutil.which("chromedriver"))), options=options)


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    require_browser()
    driver = start_chromium(tmp_path_factory.mktemp("profile"))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def chromium_without_scripts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    require_browser()
    driver = start_chromium(tmp_path_factory.mktemp("profile-noscript"), scripts=False)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(chromium: Any, published: Published) -> Any:
    """report.html freshly loaded, with the logs of earlier pages drained."""
    chromium.get("about:blank")
    chromium.get_log("browser")
    chromium.get_log("performance")
    chromium.get(published.url)
    return chromium


def console_errors(driver: Any) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def requested_urls(driver: Any) -> list[str]:
    """Every URL the page asked for since the logs were last read (the page's own file included)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls
