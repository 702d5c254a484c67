"""Regenerate sample_reports/: the demo organization scanned twice, a month apart, with fixed clocks.

    make samples

Between the two scans one account gets a password policy and another loses its own, so the second run
(the one sample_reports/ shows) has changes since the first, read from the history database both runs
share; it is scanned with config/exceptions.toml, so accepted risks show too. Every clock is pinned and
the files reproduce byte for byte. The PNGs are two pages of report.pdf and report.html in headless
Chromium with a filter applied; without Chromium the old report-html.png is kept.
"""

from __future__ import annotations

import io
import logging
import shutil
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image

from scanner.aws.session import SessionFactory
from scanner.config import load_config
from scanner.demo import DEMO_CREDENTIALS
from scanner.pipeline import Outcome, scan
from scanner.simulation import moto_patches
from scanner.simulation.seed import seed_organization
from scanner.simulation.server import SimulatedAws

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_reports"
EXCEPTIONS = ROOT / "config" / "exceptions.toml"
FIRST_CLOCK = datetime(2026, 10, 28, 3, 15, tzinfo=UTC)
SECOND_CLOCK = datetime(2026, 11, 28, 3, 15, tzinfo=UTC)
FIXED_ACCOUNT = "210000000005"  # no password policy in the first run; given one before the second
BROKEN_ACCOUNT = "210000000001"  # its password policy is deleted before the second run
FILES = ("report.html", "report.pdf", "report.xlsx", "accounts.csv", "findings.csv", "scorecard.csv",
         "users.csv", "user_findings.csv")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=1280,610",
)

# The matrix's "Every account" heading just below the sticky table of contents: legend, tools and rows in view.
SCROLL_TO_MATRIX = """
const heading = Array.from(document.querySelectorAll("h3")).find(h => h.textContent === "Every account");
const toc = document.querySelector(".toc");
window.scrollTo(0, heading.getBoundingClientRect().top + window.scrollY - (toc ? toc.offsetHeight : 0) - 8);
"""


def page_png(pdf: Path, index: int, target: Path, scale: float = 1.4) -> None:
    document = pdfium.PdfDocument(str(pdf))
    try:
        document[index].render(scale=scale).to_pil().save(target, optimize=True)
    finally:
        document.close()


def scorecard_page(pdf: Path) -> int:
    """The first page whose text starts the per-account scorecards."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        for index in range(len(document)):
            if "Account scorecards" in document[index].get_textpage().get_text_range():
                return index
    finally:
        document.close()
    return 0


def member_iam(aws: SimulatedAws, account_id: str) -> Any:
    """An IAM client in a member account, through its access role, as an administrator would get one."""
    credentials = aws.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole", RoleSessionName="orgscan-samples",
    )["Credentials"]
    return aws.client("iam", aws_access_key_id=credentials["AccessKeyId"],
                      aws_secret_access_key=credentials["SecretAccessKey"],
                      aws_session_token=credentials["SessionToken"])


def change_posture(aws: SimulatedAws) -> None:
    member_iam(aws, FIXED_ACCOUNT).update_account_password_policy(
        MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True, RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True, PasswordReusePrevention=24, MaxPasswordAge=90,
    )
    member_iam(aws, BROKEN_ACCOUNT).delete_account_password_policy()


def scan_at(aws: SimulatedAws, out: Path, clock: datetime, exceptions: Path | None = None) -> Outcome:
    moto_patches.set_clock(lambda: clock)
    config = load_config(None, {"out": str(out), "exceptions": str(exceptions) if exceptions else None})
    config = replace(config, endpoint_url=aws.endpoint_url, region="us-east-1", profile="")
    return scan(config, SessionFactory(config, static_credentials=DEMO_CREDENTIALS), clock=lambda: clock)


def two_runs(out: Path) -> Path:
    """Scan the organization, change its posture, scan it again a month later; the second run's folder."""
    try:
        with SimulatedAws() as aws:
            organization = seed_organization(now=FIRST_CLOCK)
            organization.install(aws.faults)
            scan_at(aws, out, FIRST_CLOCK)
            change_posture(aws)
            scan_at(aws, out, SECOND_CLOCK, EXCEPTIONS)
    finally:
        moto_patches.set_clock(None)
    return max(p for p in out.iterdir() if p.is_dir())


def missing_browser() -> str:
    """Why report.html cannot be photographed here, or "" when it can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    missing = [name for name in ("chromium", "chromedriver") if shutil.which(name) is None]
    return f"{' and '.join(missing)} not found (scripts/ensure-system-deps --browser)" if missing else ""


def html_png(html: Path, target: Path) -> None:
    """report.html's account matrix with its tools in use: failing accounts only, fewest passed first."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    with tempfile.TemporaryDirectory(prefix="orgscan-samples-profile-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(shutil.which("chromium"))
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(executable_path=str(shutil.which("chromedriver"))),
                                  options=options)
        try:
            driver.get(html.as_uri())
            driver.find_element(By.ID, "matrix-failing").click()
            Select(driver.find_element(By.ID, "matrix-sort")).select_by_value("fewest")
            driver.execute_script(SCROLL_TO_MATRIX)
            shot = driver.get_screenshot_as_png()
        finally:
            driver.quit()
    Image.open(io.BytesIO(shot)).convert("RGB").save(target, optimize=True)


def main() -> int:
    # The simulated organization's accounts that cannot be assessed are part of the sample, not news.
    logging.getLogger("scanner").addHandler(logging.NullHandler())
    with tempfile.TemporaryDirectory(prefix="orgscan-samples-") as tmp:
        run = two_runs(Path(tmp))
        SAMPLES.mkdir(exist_ok=True)
        for name in FILES:
            if (run / name).exists():
                shutil.copyfile(run / name, SAMPLES / name)
    pdf = SAMPLES / "report.pdf"
    page_png(pdf, 0, SAMPLES / "report-page-1.png")
    page_png(pdf, scorecard_page(pdf), SAMPLES / "report-scorecards.png")
    reason = missing_browser()
    if reason:
        print(f"report-html.png kept as it was: {reason}", file=sys.stderr)
    else:
        html_png(SAMPLES / "report.html", SAMPLES / "report-html.png")
    print(f"sample reports written to {SAMPLES}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
