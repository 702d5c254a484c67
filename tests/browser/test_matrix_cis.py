"""The CIS checks in report.html's matrix, in Chromium: a CIS check chosen with a status shows exactly the
accounts findings.csv gives that status for that check, and the CIS columns, hidden until asked for, show each
account's statuses as findings.csv and its scorecard give them; with scripts off nothing of them shows."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.checks.extended_catalog import ACCOUNT_EXTENDED, ACCOUNT_EXTENDED_IDS
from tests.browser.conftest import Published, console_errors, requested_urls
from tests.browser.test_report_tools import (
    STATUS_CHOICES,
    box_statuses,
    choose,
    each_status_shows_its_accounts,
    search,
    shown,
)
from tests.render.conftest import SEEDED, SUSPENDED, UNREACHABLE

pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[dev]')")

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

SYMBOLS = {"PASS": "\u2713", "FAIL": "\u2717", "NOT_APPLICABLE": "\u2013", "ERROR": "\u26a0"}
# Per shown row: its account id, then the class and text of each CIS cell on screen.
CIS_CELLS = """
return Array.from(document.querySelectorAll("table.matrix tbody tr"))
  .filter(row => !row.classList.contains("ou") && row.getClientRects().length > 0)
  .map(row => [row.cells[0].textContent.trim(),
               Array.from(row.querySelectorAll("td.cx")).filter(cell => cell.getClientRects().length > 0)
                 .map(cell => [cell.className, cell.textContent])]);
"""
HEADINGS = 'return Array.from(document.querySelectorAll("table.matrix thead th")).map(th => th.textContent);'


def check_statuses(published: Published) -> dict[str, dict[str, str]]:
    """account id -> check id -> status, for the account-level CIS checks, from findings.csv."""
    statuses: dict[str, dict[str, str]] = {}
    for finding in published.findings:
        if finding["check_id"] in ACCOUNT_EXTENDED_IDS:
            statuses.setdefault(finding["account_id"], {})[finding["check_id"]] = finding["status"]
    return statuses


def cis_cells(driver: Any) -> dict[str, list[list[str]]]:
    return {account_id: cells for account_id, cells in driver.execute_script(CIS_CELLS)}


def test_the_cis_choices_name_each_check_by_its_control_id_and_title(page: Any) -> None:
    options = Select(page.find_element(By.ID, "matrix-cis")).options
    assert [o.get_attribute("value") for o in options] == ["", *ACCOUNT_EXTENDED_IDS]
    labels = {o.get_attribute("value"): o.text for o in options}
    assert labels["root-not-used-recently"] == "2.7 Do not use the root user"  # CIS v7.0, the default
    assert labels["single-active-key"] == "Keep one active access key per user (not in CIS v7.0)"
    assert page.find_element(By.ID, "matrix-cis-columns").is_displayed()


def test_each_cis_check_and_status_shows_the_accounts_findings_csv_gives(page: Any, published: Published) -> None:
    seen = each_status_shows_its_accounts(page, published, "matrix-cis", ACCOUNT_EXTENDED_IDS,
                                          check_statuses(published))
    assert seen == set(STATUS_CHOICES)  # the hand-made run has every status somewhere
    choose(page, "matrix-status", "")
    assert len(shown(page)) == len(published.accounts)  # a check chosen without a status filters nothing
    assert console_errors(page) == []


def test_a_box_and_a_cis_check_chosen_together_must_both_have_the_status(page: Any, published: Published) -> None:
    checks, boxes = check_statuses(published), box_statuses(published)
    choose(page, "matrix-box", "root-mfa")
    choose(page, "matrix-cis", "access-keys-rotated")
    choose(page, "matrix-status", "fail")
    expected = {a for a in checks if checks[a]["access-keys-rotated"] == "FAIL" and boxes[a]["root-mfa"] == "FAIL"}
    assert expected == {SEEDED}
    assert shown(page) == [SEEDED]
    choose(page, "matrix-status", "error")
    assert shown(page) == [UNREACHABLE]


def test_cis_columns_are_hidden_until_asked_for_then_show_each_accounts_statuses(
    page: Any, published: Published,
) -> None:
    before = page.execute_script(HEADINGS)
    assert len(before) == 8 and all(cells == [] for cells in cis_cells(page).values())
    page.find_element(By.ID, "matrix-cis-columns").click()
    headings = page.execute_script(HEADINGS)
    assert headings[:8] == before
    assert headings[8:] == [o.get_attribute("data-heading")
                            for o in Select(page.find_element(By.ID, "matrix-cis")).options[1:]]
    assert headings[8 + ACCOUNT_EXTENDED_IDS.index("root-not-used-recently")] == "2.7 Root not used"
    titles = page.execute_script(
        'return Array.from(document.querySelectorAll("table.matrix thead th.cx")).map(th => th.title);')
    assert titles[1] == "2.7 Do not use the root user"
    statuses = check_statuses(published)
    cells = cis_cells(page)
    for account_id, checks in statuses.items():
        expected = [[f"cx {STATUS_CHOICES[checks[c.check_id]]}", SYMBOLS[checks[c.check_id]]]
                    for c in ACCOUNT_EXTENDED]
        assert cells[account_id] == expected, account_id
    assert {checks[c] for checks in [statuses[SEEDED]] for c in checks} == set(STATUS_CHOICES)
    assert cells[SEEDED][0] == ["cx fail", "\u2717"]  # root hardware MFA fails there
    assert cells[SUSPENDED] == []  # a skipped account has no statuses to show
    widths = page.execute_script(
        'return Array.from(document.querySelectorAll("table.matrix thead th")).map(th => th.offsetWidth);')
    assert min(widths) > 10
    page.find_element(By.ID, "matrix-cis-columns").click()
    assert page.execute_script(HEADINGS) == before
    assert all(cells == [] for cells in cis_cells(page).values())
    assert console_errors(page) == []


def test_cis_columns_follow_the_filters_and_the_sort(page: Any, published: Published) -> None:
    page.find_element(By.ID, "matrix-cis-columns").click()
    choose(page, "matrix-sort", "fewest")
    choose(page, "matrix-cis", "access-keys-rotated")
    choose(page, "matrix-status", "fail")
    assert shown(page) == [SEEDED]
    headings = page.execute_script(HEADINGS)
    assert headings[:3] == ["Account", "Name", "OU"] and len(headings) == 9 + len(ACCOUNT_EXTENDED_IDS)
    cells = cis_cells(page)[SEEDED]
    assert cells[ACCOUNT_EXTENDED_IDS.index("access-keys-rotated")] == ["cx fail", "\u2717"]
    spans = page.execute_script(
        'return Array.from(document.querySelectorAll("table.matrix tr.ou th")).map(th => th.colSpan);')
    assert set(spans) == {len(headings)}
    choose(page, "matrix-sort", "")
    choose(page, "matrix-status", "")
    assert len(shown(page)) == len(published.accounts)
    assert len(page.execute_script(HEADINGS)) == 8 + len(ACCOUNT_EXTENDED_IDS)
    assert set(requested_urls(page)) == {published.url}
    assert console_errors(page) == []


def test_search_still_narrows_a_cis_filter(page: Any, published: Published) -> None:
    choose(page, "matrix-cis", "root-hardware-mfa")
    choose(page, "matrix-status", "pass")
    search(page, "prod")
    checks = check_statuses(published)
    prod = {a["account_id"] for a in published.accounts if "prod" in a["ou_path"].lower()}
    assert sorted(shown(page)) == sorted(a for a in prod if checks[a]["root-hardware-mfa"] == "PASS")


def test_with_scripts_off_no_cis_column_or_control_shows(
    chromium_without_scripts: Any, published: Published,
) -> None:
    chromium_without_scripts.get(published.url)
    assert len(chromium_without_scripts.execute_script(HEADINGS)) == 8
    assert not chromium_without_scripts.find_element(By.ID, "matrix-cis").is_displayed()
    assert not chromium_without_scripts.find_element(By.ID, "matrix-cis-columns").is_displayed()
    assert sorted(shown(chromium_without_scripts)) == sorted(a["account_id"] for a in published.accounts)
