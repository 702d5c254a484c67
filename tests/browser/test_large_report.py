"""The matrix tools on a 1,000-account report (the benchmark's synthetic organization): each filter still
gives exactly the accounts findings.csv names, and the OU filter takes every sub-OU along."""

from __future__ import annotations

import csv
import importlib.util
import io
from pathlib import Path
from typing import Any

import pytest

from scanner.output.csv_export import to_csv_bytes
from scanner.render import REPORT_HTML, prepare_report
from scanner.render.html import render_html
from scanner.scoring import findings_export
from tests.browser.conftest import console_errors
from tests.browser.test_report_tools import choose, search, shown

pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[dev]')")

from selenium.webdriver.common.by import By

BENCH = Path(__file__).resolve().parents[2] / "bench" / "render_bench.py"
ACCOUNTS = 1000


def _bench_module() -> Any:
    spec = importlib.util.spec_from_file_location("render_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, str]], list[dict[str, str]]]:
    folder, results, frames = _bench_module().synthetic_run(tmp_path_factory.mktemp("large"), ACCOUNTS, "typical")
    html = folder.path / REPORT_HTML
    html.write_text(render_html(prepare_report(folder, results, frames)), encoding="utf-8")
    findings = to_csv_bytes(findings_export(frames.findings)).decode("utf-8")
    accounts = to_csv_bytes(frames.accounts).decode("utf-8")
    return html, list(csv.DictReader(io.StringIO(findings))), list(csv.DictReader(io.StringIO(accounts)))


@pytest.fixture
def large_page(chromium: Any, large: tuple[Path, list[dict[str, str]], list[dict[str, str]]]) -> Any:
    chromium.get("about:blank")
    chromium.get_log("browser")
    chromium.get(large[0].as_uri())
    return chromium


def test_every_account_failing_root_mfa_and_nothing_else(large_page: Any, large: Any) -> None:
    _, findings, accounts = large
    assert len(shown(large_page)) == len(accounts) == ACCOUNTS
    choose(large_page, "matrix-box", "root-mfa")
    choose(large_page, "matrix-status", "fail")
    expected = {f["account_id"] for f in findings if f["check_id"] == "root-mfa" and f["status"] == "FAIL"}
    assert len(expected) > 200
    assert sorted(shown(large_page)) == sorted(expected)
    assert large_page.find_element(By.ID, "matrix-shown").text == f"{len(expected)} of {ACCOUNTS} accounts shown"
    assert console_errors(large_page) == []


def test_an_ou_and_its_sub_ous_then_one_account(large_page: Any, large: Any) -> None:
    _, _, accounts = large
    choose(large_page, "matrix-ou", "ou:Root/Workloads")
    expected = {a["account_id"] for a in accounts if a["ou_path"].startswith("Root/Workloads/")}
    assert len({a["ou_path"] for a in accounts if a["account_id"] in expected}) == 4  # Prod, Payments, ...
    assert sorted(shown(large_page)) == sorted(expected)
    one = sorted(expected)[len(expected) // 2]
    search(large_page, one)
    assert shown(large_page) == [one]
