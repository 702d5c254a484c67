"""The matrix tools on a 1,000-account report (the benchmark's synthetic organization): each filter still
gives exactly the accounts findings.csv names, and the OU filter takes every sub-OU along."""

from __future__ import annotations

import csv
import importlib.util
import io
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from scanner.checks import CHECK_IDS
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


def test_every_account_failing_2_7_root_used_recently(large_page: Any, large: Any) -> None:
    _, findings, _ = large
    choose(large_page, "matrix-cis", "root-not-used-recently")
    choose(large_page, "matrix-status", "fail")
    expected = {f["account_id"] for f in findings
                if f["check_id"] == "root-not-used-recently" and f["status"] == "FAIL"}
    assert len(expected) > 50
    assert sorted(shown(large_page)) == sorted(expected)
    assert large_page.find_element(By.ID, "matrix-shown").text == f"{len(expected)} of {ACCOUNTS} accounts shown"


def test_failing_or_error_only_counts_what_findings_csv_says(large_page: Any, large: Any) -> None:
    _, findings, _ = large
    large_page.find_element(By.ID, "matrix-failing").click()
    expected = {f["account_id"] for f in findings if f["check_id"] in CHECK_IDS and f["status"] in ("FAIL", "ERROR")}
    errors_only = {f["account_id"] for f in findings if f["check_id"] in CHECK_IDS and f["status"] == "ERROR"} - {
        f["account_id"] for f in findings if f["check_id"] in CHECK_IDS and f["status"] == "FAIL"}
    assert errors_only  # the unreachable accounts
    assert sorted(shown(large_page)) == sorted(expected)
    assert large_page.find_element(By.ID, "matrix-shown").text == f"{len(expected)} of {ACCOUNTS} accounts shown"


def test_fewest_passed_first_across_the_whole_organization(large_page: Any, large: Any) -> None:
    _, findings, accounts = large
    scores: dict[str, list[int]] = {a["account_id"]: [0, 0] for a in accounts}
    for f in findings:
        if f["check_id"] in CHECK_IDS and f["status"] != "NOT_APPLICABLE":
            scores[f["account_id"]][0] += f["status"] == "PASS"
            scores[f["account_id"]][1] += 1
    choose(large_page, "matrix-sort", "fewest")
    order = shown(large_page)
    scored = [a for a in order if scores[a][1]]
    assert order == scored + [a for a in order if not scores[a][1]]
    shares = [Fraction(*scores[a]) for a in scored]
    assert shares == sorted(shares) and len(order) == ACCOUNTS
    ous = {a["account_id"]: a["ou_path"] for a in accounts}
    assert len({ous[a] for a in order[:20]}) > 1  # the worst accounts of every OU, together
    choose(large_page, "matrix-sort", "")
    assert shown(large_page) == sorted(order, key=lambda a: (ous[a].casefold(), a))
    assert console_errors(large_page) == []
