"""A scan of the simulated organization, its accounts given hostile names, read in Chromium: report.html
as the scan wrote it, checked against the findings.csv and accounts.csv written beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from moto.organizations.models import organizations_backends

from scanner.checks import CHECK_IDS
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.browser.conftest import console_errors, requested_urls
from tests.browser.test_report_tools import STATUS_CHOICES, choose, search, shown
from tests.faults.helpers import WORKERS, in_process_cli, no_pdf  # noqa: F401 - fixtures: CLI in-process, no PDF
from tests.integration.helpers import MANAGEMENT, read_csv, run_cli, run_folder

pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[dev]')")

from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

HOSTILE = "210000000013"  # seeded as '<script>alert("x")</script> Ops, \u202eevil'
NAMES = {
    "210000000002": '=HYPERLINK("http://example.com/x","click")',
    "210000000006": 'two\nlines, a "quote" and a comma',
    "210000000009": "<img src=x onerror=alert(1)>",
}


def test_a_scanned_report_in_the_browser(
    sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path, chromium: Any,
) -> None:
    organization.install(sim.faults)
    for account in organizations_backends[MANAGEMENT]["aws"].accounts:
        account.name = NAMES.get(account.id, account.name)
    assert run_cli(sim, "scan", "--out", str(tmp_path), *WORKERS).code == 2  # the demo's denied account
    folder = run_folder(tmp_path)
    findings, accounts = read_csv(folder / "findings.csv"), read_csv(folder / "accounts.csv")
    chromium.get("about:blank")
    chromium.get_log("browser")
    chromium.get_log("performance")
    page = (folder / "report.html").as_uri()
    chromium.get(page)

    assert sorted(shown(chromium)) == sorted(a["account_id"] for a in accounts)
    with pytest.raises(NoAlertPresentException):
        chromium.switch_to.alert  # noqa: B018 - raising is the assertion
    assert chromium.execute_script("return document.scripts.length") == 1
    assert chromium.execute_script("return document.images.length") == 0
    titles = {cell.get_attribute("title") for cell in chromium.find_elements(By.CSS_SELECTOR, "table.matrix td[title]")}
    assert set(NAMES.values()) <= titles
    assert '<script>alert("x")</script> Ops, \u202eevil' in titles

    for text, account_id in (("alert(\"x\")", HOSTILE), ("HYPERLINK", "210000000002"), ("onerror", "210000000009"),
                             ("lines, a", "210000000006")):
        search(chromium, text)
        assert shown(chromium) == [account_id], text
    search(chromium, "")
    for check_id in CHECK_IDS:
        choose(chromium, "matrix-box", check_id)
        for status, choice in STATUS_CHOICES.items():
            choose(chromium, "matrix-status", choice)
            expected = {f["account_id"] for f in findings if f["check_id"] == check_id and f["status"] == status}
            assert sorted(shown(chromium)) == sorted(expected), (check_id, status)

    assert console_errors(chromium) == []
    assert set(requested_urls(chromium)) == {page}
