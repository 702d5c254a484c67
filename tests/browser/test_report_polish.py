"""Moving around report.html in Chromium: a link lands where it can be read, below the sticky bar, and each
scorecard leads back to its account's row of the matrix; colours print as shown."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Published, console_errors

pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[dev]')")

from selenium.webdriver.common.by import By

ACCOUNT = "555555555555"


def _top(driver: Any, selector: str) -> float:
    return float(driver.execute_script(f"return document.querySelector({selector!r}).getBoundingClientRect().top"))


def _bottom(driver: Any, selector: str) -> float:
    return float(driver.execute_script(
        f"return document.querySelector({selector!r}).getBoundingClientRect().bottom"))


def test_a_matrix_link_lands_below_the_sticky_bar_and_leads_back(page: Any, published: Published) -> None:
    page.set_window_size(1200, 700)
    page.find_element(By.CSS_SELECTOR, f'table.matrix a[href="#acct-{ACCOUNT}"]').click()
    card = f"#acct-{ACCOUNT}"
    assert page.find_element(By.CSS_SELECTOR, "nav.toc").is_displayed()
    assert _top(page, card) >= _bottom(page, "nav.toc") - 0.5
    assert _top(page, card) < 700 / 2
    page.find_element(By.CSS_SELECTOR, f"{card} h4 a").click()
    row = f"#m-acct-{ACCOUNT}"
    assert page.current_url.endswith(row)
    assert _top(page, row) >= _bottom(page, "table.matrix thead th") - 0.5
    assert _top(page, row) < 700 / 2
    assert page.find_element(By.CSS_SELECTOR, row).text.startswith(ACCOUNT)
    assert console_errors(page) == []


def test_colours_print_as_shown(page: Any) -> None:
    assert page.execute_script("return getComputedStyle(document.documentElement).printColorAdjust") == "exact"
