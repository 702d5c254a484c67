"""The summary's counts of failing and unreadable accounts lead to the matrix filtered to exactly those accounts,
as findings.csv gives them; with scripts off they still land on the matrix, which shows every account."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.checks import CHECK_IDS
from scanner.checks.extended_catalog import ACCOUNT_EXTENDED_IDS
from tests.browser.conftest import Published, console_errors
from tests.browser.test_report_tools import shown

pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[dev]')")

from selenium.webdriver.common.by import By

LINKS = 'return Array.from(document.querySelectorAll("#summary a[data-filter-status]"));'


def _expected(published: Published, check_id: str, status: str) -> set[str]:
    return {f["account_id"] for f in published.findings if f["check_id"] == check_id and f["status"] == status}


def test_each_count_shows_the_accounts_it_counts(page: Any, published: Published) -> None:
    links = page.execute_script(LINKS)
    described = [(link.get_attribute("data-filter-box") or link.get_attribute("data-filter-cis"),
                  link.get_attribute("data-filter-status")) for link in links]
    assert {check for check, _ in described} >= {*CHECK_IDS[:1], "root-mfa"}  # boxes and CIS checks both link
    assert any(check in ACCOUNT_EXTENDED_IDS for check, _ in described)
    for index, (check_id, status) in enumerate(described):
        page.execute_script("document.getElementById('matrix-search').value = 'narrowed';")  # cleared by a link
        link = page.execute_script(LINKS)[index]
        count = int(link.text)
        page.execute_script("arguments[0].scrollIntoView(); arguments[0].click();", link)
        expected = _expected(published, check_id, {"fail": "FAIL", "error": "ERROR"}[status])
        assert len(expected) == count, (check_id, status)
        assert sorted(shown(page)) == sorted(expected), (check_id, status)
        assert page.execute_script("return location.hash;") == "#matrix"
    assert console_errors(page) == []


def test_without_scripts_a_count_lands_on_the_full_matrix(chromium_without_scripts: Any,
                                                          published: Published) -> None:
    driver = chromium_without_scripts
    driver.get(published.url)
    link = driver.find_element(By.CSS_SELECTOR, '#summary a[data-filter-box="root-mfa"]')
    link.click()
    assert driver.execute_script("return location.hash;") == "#matrix"
    assert sorted(shown(driver)) == sorted(a["account_id"] for a in published.accounts)
