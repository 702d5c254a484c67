"""The matrix of report.html as a reader uses it in Chromium: search, filters, sort and counts give exactly
the accounts findings.csv and accounts.csv name; nothing errs, nothing is fetched, hostile names stay inert,
and with scripts off every account is still there."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from scanner.checks import CHECK_IDS
from tests.browser.conftest import Published, console_errors, requested_urls, start_chromium
from tests.render.conftest import HOSTILE_NAME, RLO_NAME, SUSPENDED

pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[dev]')")

from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

SHOWN_ROWS = """
return Array.from(document.querySelectorAll("table.matrix tbody tr"))
  .filter(row => !row.classList.contains("ou") && row.getClientRects().length > 0)
  .map(row => row.cells[0].textContent.trim());
"""
SHOWN_GROUPS = """
return Array.from(document.querySelectorAll("table.matrix tbody"))
  .filter(group => group.getClientRects().length > 0)
  .map(group => [group.rows[0].textContent,
                 Array.from(group.rows).slice(1).filter(row => row.getClientRects().length > 0).length]);
"""
# Per shown row, its account id and the text of its OU cell (None where the row has none on screen).
OU_CELLS = """
return Array.from(document.querySelectorAll("table.matrix tbody tr"))
  .filter(row => !row.classList.contains("ou") && row.getClientRects().length > 0)
  .map(row => {
    const cell = row.querySelector("td.ouc");
    return [row.cells[0].textContent.trim(),
            cell && cell.getClientRects().length > 0 ? cell.textContent : null];
  });
"""
STATUS_CHOICES = {"PASS": "pass", "FAIL": "fail", "NOT_APPLICABLE": "na", "ERROR": "error"}


def shown(driver: Any) -> list[str]:
    return list(driver.execute_script(SHOWN_ROWS))


def search(driver: Any, text: str) -> None:
    box = driver.find_element(By.CSS_SELECTOR, "input[type=search]")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys(text)


def choose(driver: Any, control: str, value: str) -> None:
    Select(driver.find_element(By.ID, control)).select_by_value(value)


def matching(published: Published, text: str) -> set[str]:
    """What a reader expects a search to show: id, name or OU path contains the text, whatever the case."""
    needle = text.casefold()
    return {a["account_id"] for a in published.accounts
            if any(needle in a[field].casefold() for field in ("account_id", "account_name", "ou_path"))}


def box_statuses(published: Published) -> dict[str, dict[str, str]]:
    statuses: dict[str, dict[str, str]] = defaultdict(dict)
    for finding in published.findings:
        if finding["check_id"] in CHECK_IDS:
            statuses[finding["account_id"]][finding["check_id"]] = finding["status"]
    return statuses


def test_every_account_is_shown_with_the_tools_ready(page: Any, published: Published) -> None:
    assert sorted(shown(page)) == sorted(a["account_id"] for a in published.accounts)
    assert page.find_element(By.CSS_SELECTOR, "input[type=search]").is_displayed()
    assert page.find_element(By.ID, "matrix-shown").text == f"{len(published.accounts)} of " \
        f"{len(published.accounts)} accounts shown"
    assert console_errors(page) == []


@pytest.mark.parametrize("text", ["555555555555", "2222", "sandbox", "SHARED", "Root/Prod", "legacy", "root"])
def test_search_shows_exactly_the_matching_accounts(page: Any, published: Published, text: str) -> None:
    search(page, text)
    assert sorted(shown(page)) == sorted(matching(published, text))
    count = len(matching(published, text))
    assert page.find_element(By.ID, "matrix-shown").text == f"{count} of {len(published.accounts)} accounts shown"


def test_search_terms_narrow_each_other(page: Any, published: Published) -> None:
    search(page, "prod logging")
    assert shown(page) == ["444444444444"]
    search(page, "no such account")
    assert shown(page) == []
    search(page, "")
    assert len(shown(page)) == len(published.accounts)


@pytest.mark.parametrize("ou", ["Root", "Root/Prod", "Root/Legacy", ""])
def test_the_ou_filter_takes_sub_ous_along(page: Any, published: Published, ou: str) -> None:
    choose(page, "matrix-ou", "ou:" + ou)
    expected = {a["account_id"] for a in published.accounts
                if a["ou_path"] == ou or (ou and a["ou_path"].startswith(ou + "/"))}
    assert expected and sorted(shown(page)) == sorted(expected)


def each_status_shows_its_accounts(driver: Any, published: Published, control: str, check_ids: Iterable[str],
                                   statuses: dict[str, dict[str, str]]) -> set[str]:
    """For each check chosen in `control` and each status: exactly the accounts `statuses` (account id -> check
    id -> status, from findings.csv) gives that status are shown, and counted. Returns the statuses seen."""
    seen = set()
    for check_id in check_ids:
        choose(driver, control, check_id)
        for status, choice in STATUS_CHOICES.items():
            choose(driver, "matrix-status", choice)
            expected = {a for a, checks in statuses.items() if checks[check_id] == status}
            assert sorted(shown(driver)) == sorted(expected), f"{check_id} {status}"
            assert driver.find_element(By.ID, "matrix-shown").text == \
                f"{len(expected)} of {len(published.accounts)} accounts shown"
            if expected:
                seen.add(status)
    return seen


def test_each_box_and_status_shows_the_accounts_findings_csv_gives(page: Any, published: Published) -> None:
    statuses = box_statuses(published)
    assert each_status_shows_its_accounts(page, published, "matrix-box", CHECK_IDS, statuses) == set(STATUS_CHOICES)
    choose(page, "matrix-box", "")
    choose(page, "matrix-status", "error")
    assert sorted(shown(page)) == sorted(a for a, boxes in statuses.items() if "ERROR" in boxes.values())


def test_failing_or_error_only_shows_the_accounts_with_a_box_failing_or_in_error(
    page: Any, published: Published,
) -> None:
    page.find_element(By.ID, "matrix-failing").click()
    failing = {a for a, boxes in box_statuses(published).items() if {"FAIL", "ERROR"} & set(boxes.values())}
    assert "444444444444" in failing and "FAIL" not in box_statuses(published)["444444444444"].values()
    assert sorted(shown(page)) == sorted(failing)
    assert page.find_element(By.ID, "matrix-shown").text == f"{len(failing)} of {len(published.accounts)} " \
        "accounts shown"
    search(page, "prod")
    assert sorted(shown(page)) == sorted(failing & matching(published, "prod"))
    page.find_element(By.ID, "matrix-failing").click()
    assert sorted(shown(page)) == sorted(matching(published, "prod"))


def test_counts_per_ou_follow_the_filters(page: Any, published: Published) -> None:
    page.find_element(By.ID, "matrix-failing").click()
    groups = page.execute_script(SHOWN_GROUPS)
    assert groups
    for header, rows in groups:
        assert re.search(rf"\b{rows} of \d+ shown", header), header
    for header, rows in page.execute_script(SHOWN_GROUPS):
        assert rows > 0, f"an OU with nothing to show stays on screen: {header}"


def passed_shares(published: Published) -> dict[str, tuple[int, int]]:
    """Each account's boxes passed and applicable, as findings.csv gives them."""
    scores: dict[str, tuple[int, int]] = {}
    for account_id, boxes in box_statuses(published).items():
        values = list(boxes.values())
        scores[account_id] = (values.count("PASS"), sum(1 for s in values if s != "NOT_APPLICABLE"))
    return scores


def assert_sorted_by_share(order: list[str], scores: dict[str, tuple[int, int]], most: bool) -> None:
    scored = [a for a in order if scores.get(a, (0, 0))[1]]
    unscored = [a for a in order if not scores.get(a, (0, 0))[1]]
    assert order == scored + unscored  # nothing applicable (or skipped): last either way
    shares = [Fraction(*scores[a]) for a in scored]
    assert shares == sorted(shares, reverse=most)


@pytest.mark.parametrize("order", ["fewest", "most"])
def test_a_sort_by_passed_boxes_is_one_list_across_the_organization(
    page: Any, published: Published, order: str,
) -> None:
    ou = {a["account_id"]: a["ou_path"] for a in published.accounts}
    grouped = shown(page)
    assert grouped == sorted(grouped, key=lambda a: (ou[a].casefold(), a))
    choose(page, "matrix-sort", order)
    assert sorted(shown(page)) == sorted(ou)
    assert_sorted_by_share(shown(page), passed_shares(published), order == "most")
    assert shown(page) != sorted(shown(page), key=lambda a: (ou[a].casefold(), a))  # OUs interleave
    assert SUSPENDED in shown(page)
    groups = page.execute_script(SHOWN_GROUPS)
    assert len(groups) == 1 and groups[0][1] == len(ou)
    assert groups[0][0].startswith("Every OU, ")
    headings = [th.text for th in page.find_elements(By.CSS_SELECTOR, "table.matrix thead th")]
    assert headings[:3] == ["Account", "Name", "OU"]
    cells = page.execute_script(OU_CELLS)
    assert cells == [[a, ou[a] or "(no OU path)"] for a in shown(page)]
    choose(page, "matrix-sort", "")
    assert shown(page) == grouped
    assert [th.text for th in page.find_elements(By.CSS_SELECTOR, "table.matrix thead th")][2] != "OU"
    assert len(page.execute_script(SHOWN_GROUPS)) == len(set(ou.values()))
    assert page.execute_script(OU_CELLS) == [[a, None] for a in grouped]  # the OU column is gone


def test_filters_apply_to_the_sorted_list_too(page: Any, published: Published) -> None:
    choose(page, "matrix-sort", "fewest")
    page.find_element(By.ID, "matrix-failing").click()
    search(page, "root/prod")
    statuses = box_statuses(published)
    expected = [a for a in shown(page)]
    assert sorted(expected) == sorted(a for a in matching(published, "root/prod")
                                      if {"FAIL", "ERROR"} & set(statuses[a].values()))
    assert_sorted_by_share(expected, passed_shares(published), most=False)
    assert page.find_element(By.ID, "matrix-shown").text == f"{len(expected)} of {len(published.accounts)} " \
        "accounts shown"


@pytest.mark.parametrize("order", ["", "most"])
def test_hostile_names_stay_text(page: Any, published: Published, order: str) -> None:
    choose(page, "matrix-sort", order)
    page.find_element(By.ID, "matrix-cis-columns").click()
    search(page, "alert")
    assert shown(page) == ["555555555555"]
    with pytest.raises(NoAlertPresentException):
        page.switch_to.alert  # noqa: B018 - raising is the assertion
    assert page.execute_script("return document.scripts.length") == 1
    cell = page.find_element(By.CSS_SELECTOR, "table.matrix tr:not([hidden]) td[title]")
    assert cell.get_attribute("title") == HOSTILE_NAME
    assert cell.text.startswith('<script>alert("x")</script>')
    search(page, "services")
    assert shown(page) == ["666666666666"]
    assert page.find_element(By.CSS_SELECTOR, "table.matrix tr:not([hidden]) td[title]").get_attribute("title") \
        == RLO_NAME
    assert console_errors(page) == []


def test_nothing_is_fetched_and_nothing_errs(page: Any, published: Published) -> None:
    search(page, "root")
    choose(page, "matrix-ou", "ou:Root/Prod")
    choose(page, "matrix-box", "root-mfa")
    choose(page, "matrix-status", "fail")
    choose(page, "matrix-cis", "root-not-used-recently")
    choose(page, "matrix-sort", "most")
    page.find_element(By.ID, "matrix-failing").click()
    page.find_element(By.ID, "matrix-cis-columns").click()
    choose(page, "matrix-status", "")
    links = page.find_elements(By.CSS_SELECTOR, "table.matrix tbody tr:not(.ou) a")
    next(link for link in links if link.is_displayed()).click()
    assert page.current_url.startswith(published.url + "#acct-")
    assert set(requested_urls(page)) == {published.url}
    assert console_errors(page) == []


def test_a_changed_script_is_refused_and_the_page_still_reads(
    chromium: Any, published: Published, tmp_path: Path,
) -> None:
    html = published.html.read_text(encoding="utf-8")
    tampered = tmp_path / "report.html"
    tampered.write_text(html.replace("<script>", "<script>alert(1);", 1), encoding="utf-8")
    chromium.get("about:blank")
    chromium.get_log("browser")
    chromium.get(tampered.as_uri())
    errors = console_errors(chromium)
    assert any("Content Security Policy" in error for error in errors), errors
    with pytest.raises(NoAlertPresentException):
        chromium.switch_to.alert  # noqa: B018
    assert not chromium.find_element(By.CSS_SELECTOR, "input[type=search]").is_displayed()
    assert len(shown(chromium)) == len(published.accounts)


def test_with_scripts_off_every_account_is_shown_and_no_dead_control(
    chromium_without_scripts: Any, published: Published,
) -> None:
    chromium_without_scripts.get(published.url)
    assert sorted(shown(chromium_without_scripts)) == sorted(a["account_id"] for a in published.accounts)
    assert not chromium_without_scripts.find_element(By.CSS_SELECTOR, "input[type=search]").is_displayed()
    assert chromium_without_scripts.find_element(By.ID, "scorecards").is_displayed()


def test_a_missing_browser_is_a_failure_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.browser import conftest

    monkeypatch.setattr(conftest.shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run under CI: chromium and chromedriver not found"):
        conftest.require_browser()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="ensure-system-deps --browser"):
        conftest.require_browser()


def test_chromium_starts_with_a_fresh_profile(tmp_path: Path) -> None:
    from tests.browser.conftest import require_browser

    require_browser()
    profile = tmp_path / "profile"
    driver = start_chromium(profile)
    try:
        driver.get("about:blank")
        assert profile.is_dir()
    finally:
        driver.quit()
