"""How long the report takes to render, how big it is, and how it loads in a browser, for synthetic organizations.

Builds the frames directly (no AWS, no simulation): accounts spread over OUs, a realistic mix of box and
extended-check statuses with the rules' own wording, a few accounts that could not be assessed and a few
suspended ones. The run folder also holds an exceptions register and the baseline of eleven earlier runs,
so the changes table, the trend chart and the accepted risks are laid out too. `--mix all-fail` makes
every box and every extended check of every assessed account fail, the longest report possible.

Each size renders in a process of its own, so its peak RSS is its own. report.html is then loaded in headless
Chromium (the browser tests' flags, a fresh empty profile): navigation timing gives the time to the load event,
and the page itself times, with performance.now(), its script applying one filter (status "fail", any box) over
every row. The figures replace the section between `<!-- render:start -->` and `<!-- render:end -->` in
bench/results.md (bench/scan_bench.py carries that section over when it rewrites the file).

    .venv/bin/python bench/render_bench.py            # 100 and 1,000 accounts
    .venv/bin/python bench/render_bench.py 1000 --mix all-fail --keep bench/out --results /tmp/results.md
    .venv/bin/python bench/render_bench.py 10000 --no-pdf --results /tmp/results.md   # HTML and browser only
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from functools import partial
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, NamedTuple

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner import rundir
from scanner.audit.accepted_risks import annotate, assess_frames, read_snapshot
from scanner.audit.changes import (
    Baseline,
    BoxRate,
    BoxStatus,
    PreviousRun,
    TrendPoint,
    box_statuses,
    write_baseline,
)
from scanner.audit.layout import EXCEPTIONS_TOML
from scanner.checks import CHECK_IDS, EXTENDED_IDS, unreachable_extended
from scanner.models import Account, AccountResult, Finding, ScanStatus, Status
from scanner.render import REPORT_HTML, REPORT_PDF, prepare_report
from scanner.render.html import render_html, render_page_numbers, render_print_parts
from scanner.render.pdf import render_pdf_parts
from scanner.rundir import RunFolder
from scanner.scoring import Frames, accounts_frame, findings_frame, scorecard_frame, users_frame

ROOT = Path(__file__).resolve().parent.parent
STARTED = "2026-03-02T06:00:00Z"
OUS = ("Root", "Root/Security", "Root/Infrastructure", "Root/Sandbox", "Root/Workloads/Prod",
       "Root/Workloads/Prod/Payments", "Root/Workloads/Staging", "Root/Workloads/Dev", "Root/Suspended",
       "Root/Data/Analytics", "Root/Data/Lake", "Root/Shared Services")

# (status, detail, weight) per box, worded as the rules word them.
OUTCOMES: dict[str, tuple[tuple[Status, str, int], ...]] = {
    "root-access-keys": (
        (Status.PASS, "The root user has no access keys (account summary).", 88),
        (Status.FAIL, "The account summary shows a root access key (AccountAccessKeysPresent = 1); delete it.", 10),
        (Status.ERROR, "Neither the account summary nor the credential report's root row could be read: "
                       "AccessDenied: not authorized to perform iam:GetAccountSummary; ReportInProgress.", 2),
    ),
    "root-mfa": (
        (Status.PASS, "MFA is active on the root user (account summary).", 58),
        (Status.FAIL, "The root user has no MFA device; assign one (a hardware key is best).", 30),
        (Status.NOT_APPLICABLE, "The root user has no password, access key or signing certificate (root "
                                "credentials removed), so there is nothing to protect with MFA.", 10),
        (Status.ERROR, "Neither the account summary nor the credential report's root row could be read.", 2),
    ),
    "individual-users": (
        (Status.PASS, "People sign in as themselves: 4 IAM users and 1 identity provider.", 85),
        (Status.FAIL, "The account has no IAM users and no identity provider: people can only sign in as root.", 15),
    ),
    "groups-for-permissions": (
        (Status.PASS, "3 groups; no user has policies attached directly.", 40),
        (Status.FAIL, "Users with policies attached directly: deploy-bot (managed: AdministratorAccess); "
                      "alice (inline: s3-read-logs); bob (managed: ReadOnlyAccess, IAMUserChangePassword).", 45),
        (Status.NOT_APPLICABLE, "The account has no IAM users.", 15),
    ),
    "password-policy": (
        (Status.PASS, "A custom password policy is set (minimum length 14, reuse prevention 24).", 50),
        (Status.FAIL, "No custom password policy is set (AWS's implicit default applies).", 48),
        (Status.ERROR, "The password policy could not be read: AccessDenied: not authorized.", 2),
    ),
}


# The extended checks, worded as their rules word them. Most organizations fail two or three of them.
EXTENDED_OUTCOMES: dict[str, tuple[tuple[Status, str, int], ...]] = {
    "root-hardware-mfa": (
        (Status.PASS, "Root MFA is active and no virtual MFA device belongs to the root user: it is a hardware "
                      "device.", 38),
        (Status.FAIL, "The root user's MFA includes a virtual device (arn:aws:iam::123456789012:mfa/root-token); "
                      "use a hardware device instead.", 50),
        (Status.NOT_APPLICABLE, "The root user has no password, access key or signing certificate (root "
                                "credentials removed), so there is nothing to protect with MFA.", 10),
        (Status.ERROR, "The virtual MFA devices could not be listed: AccessDenied.", 2),
    ),
    "root-not-used-recently": (
        (Status.PASS, "The credential report records no use of the root password or root access keys.", 86),
        (Status.FAIL, "The root user was used within 30 days of the credential report: password 2026-02-20, "
                      "10 days before the report.", 12),
        (Status.ERROR, "The credential report could not be read: ReportNotReady.", 2),
    ),
    "console-users-mfa": (
        (Status.PASS, "Every user with a console password has MFA (4 users).", 65),
        (Status.FAIL, "Users with a console password and no MFA (1 of 4): bob.dev.", 15),
        (Status.NOT_APPLICABLE, "No IAM user has a console password.", 20),
    ),
    "access-keys-rotated": (
        (Status.PASS, "Every active access key was rotated within 90 days (2 users with a key).", 45),
        (Status.FAIL, "Users with an active key older than 90 days (1 of 2 with a key): ci-deployer (key 1 rotated "
                      "2024-01-16, 776 days before the report).", 35),
        (Status.NOT_APPLICABLE, "No IAM user has an active access key.", 20),
    ),
    "unused-credentials": (
        (Status.PASS, "Every console password and active access key was used within 45 days (3 users).", 50),
        (Status.FAIL, "Users with a credential unused for more than 45 days (2 of 3 holding one): alice.admin "
                      "(password never used, set 2024-01-15, 777 days before the report); ci-deployer (key 1 "
                      "never used, created 2024-01-16, 776 days before the report).", 30),
        (Status.NOT_APPLICABLE, "No IAM user has a console password or an active access key.", 20),
    ),
    "single-active-key": (
        (Status.PASS, "No user has two active access keys (2 users with a key).", 75),
        (Status.FAIL, "Users with two active access keys (1 of 2 with a key): ci-deployer.", 5),
        (Status.NOT_APPLICABLE, "No IAM user has an active access key.", 20),
    ),
    "password-length": (
        (Status.PASS, "Minimum password length is 14 (at least 14 required).", 55),
        (Status.FAIL, "No custom password policy is set; AWS's implicit default (8 characters, no reuse "
                      "prevention) applies.", 45),
    ),
    "password-reuse": (
        (Status.PASS, "The last 24 passwords cannot be reused (at least 24 required).", 55),
        (Status.FAIL, "No custom password policy is set; AWS's implicit default (8 characters, no reuse "
                      "prevention) applies.", 45),
    ),
    "no-direct-user-policies": (
        (Status.PASS, "No user has a policy attached directly (3 users).", 50),
        (Status.FAIL, "Users with policies attached directly (1 of 4): deploy-bot (managed: AdministratorAccess).",
         35),
        (Status.NOT_APPLICABLE, "The account has no IAM users.", 15),
    ),
}
# An extended check not worded above: passes in most accounts, as most of the catalog's checks do.
OTHER_EXTENDED: tuple[tuple[Status, str, int], ...] = (
    (Status.PASS, "Passes in this synthetic organization.", 85),
    (Status.FAIL, "Fails in this synthetic organization.", 15),
)
EXCEPTIONS = """\
[[exception]]
account_id = "*"
check_id = "groups-for-permissions"
justification = "Service users with one inline policy each, under review in SEC-1234"
owner = "security-team@example.com"
expires = 2026-12-31

[[exception]]
account_id = "*"
check_id = "root-hardware-mfa"
justification = "Hardware tokens are being rolled out; virtual MFA is accepted meanwhile"
owner = "platform@example.com"
expires = 2026-01-31
"""
EARLIER_RUNS = 11


def _pick(options: tuple[tuple[Status, str, int], ...], mix: str, rng: random.Random) -> tuple[Status, str]:
    if mix == "all-fail":
        return next((s, d) for s, d, _ in options if s is Status.FAIL)
    status, detail, _ = rng.choices(options, weights=[w for *_, w in options])[0]
    return status, detail


def _baseline(frames: Frames, rng: random.Random) -> Baseline:
    """Eleven earlier runs: the latest with some boxes flipped, the others' pass rates drifting upwards."""
    current = box_statuses(frames.findings)
    flips = {Status.PASS.value: Status.FAIL.value, Status.FAIL.value: Status.PASS.value}
    previous = tuple(
        BoxStatus(s.account_id, s.account_name, s.ou_path, s.check_id,
                  flips.get(s.status, s.status) if rng.random() < 0.03 else s.status)
        for s in current if rng.random() > 0.005
    )
    trend = tuple(
        TrendPoint(f"2026-{n + 1:02d}-01T060000Z", f"2026-{n + 1:02d}-01T06:00:00Z",
                   tuple(BoxRate(c, 400 + n * 30 + rng.randrange(40), 900) for c in CHECK_IDS))
        for n in range(EARLIER_RUNS - 1)
    )
    return Baseline(PreviousRun("2026-02-23T060000Z", "2026-02-23T06:00:00Z", previous),
                    (*trend, TrendPoint("2026-02-23T060000Z", "2026-02-23T06:00:00Z",
                                        tuple(BoxRate(c, 800, 900) for c in CHECK_IDS))))


def synthetic_run(root: Path, accounts: int, mix: str, seed: int = 7) -> tuple[RunFolder, list[AccountResult], Frames]:
    """A run folder with run.json, raw/accounts.json and meta.json files, and the frames a scan would give."""
    rng = random.Random(seed)
    folder = RunFolder.create(root, datetime.fromisoformat(STARTED))
    results: list[AccountResult] = []
    findings: list[Finding] = []
    for n in range(accounts):
        account_id = f"{100000000000 + n * 7919:012d}"
        account = Account(account_id, f"workload-{n:04d}-{rng.choice(('api', 'batch', 'web', 'data', 'ml'))}",
                          f"aws+{n:04d}@example.com", "ACTIVE", rng.choice(OUS))
        roll = rng.random()
        if roll < 0.01:
            results.append(AccountResult(Account(account_id, account.account_name, account.email, "SUSPENDED",
                                                 account.ou_path), ScanStatus.SKIPPED))
            continue
        if roll < 0.03:
            error = "AccessDenied: User is not authorized to perform: sts:AssumeRole on resource " \
                    f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"
            results.append(AccountResult(account, ScanStatus.ERROR, error))
            findings.extend(Finding(account_id, c, Status.ERROR, f"The account could not be accessed: {error}.")
                            for c in CHECK_IDS)
            findings.extend(unreachable_extended(account_id, error))
            continue
        results.append(AccountResult(account, ScanStatus.SCANNED))
        folder.write_raw(account_id, rundir.META_JSON, rundir.dumps(
            {"account_id": account_id, "credential_report_generated_time": f"2026-03-02T06:0{n % 10}:00Z"}))
        for check_id in CHECK_IDS:
            findings.append(Finding(account_id, check_id, *_pick(OUTCOMES[check_id], mix, rng)))
        for check_id in EXTENDED_IDS:
            outcomes = EXTENDED_OUTCOMES.get(check_id, OTHER_EXTENDED)
            findings.append(Finding(account_id, check_id, *_pick(outcomes, mix, rng)))
    results.sort(key=lambda r: r.account.account_id)
    folder.write_accounts(results)
    folder.write_run_info({
        "tool_version": "0.1.0", "started_at": STARTED, "finished_at": "2026-03-02T06:14:09Z",
        "caller_arn": "arn:aws:sts::111111111111:assumed-role/SecurityAudit/review",
        "organization_id": "o-bench12345", "organization_name": "Bench Org",
        "account_counts": {},
    })
    findings_df = findings_frame(results, findings)
    frames = Frames(accounts_frame(results), findings_df, scorecard_frame(findings_df), users_frame([]))
    rundir.write_atomic(folder.path / EXCEPTIONS_TOML, EXCEPTIONS.encode("utf-8"))
    frames = annotate(frames, assess_frames(read_snapshot(folder), frames, folder.read_run_info()))
    write_baseline(folder, _baseline(frames, rng))
    return folder, results, frames


RESULTS = ROOT / "bench" / "results.md"
SECTION_START, SECTION_END = "<!-- render:start -->", "<!-- render:end -->"
SECTION = re.compile(re.escape(SECTION_START) + r".*?" + re.escape(SECTION_END) + r"\n?", re.DOTALL)
LOADS = 5
FILTER_STATUS = "fail"

# Run in the page after it has loaded: navigation timing, in ms from the start of the navigation.
NAVIGATION_TIMING = """
const entry = performance.getEntriesByType("navigation")[0];
return {dom_content_loaded: entry.domContentLoadedEventEnd, load_event: entry.loadEventStart,
        elements: document.getElementsByTagName("*").length};
"""
# The status filter set as a reader sets it, its change handler (the report's script) timed in the page; then the
# style and layout the hidden rows cost, forced by reading a layout property; then the filter is cleared.
APPLY_FILTER = """
const status = document.getElementById("matrix-status");
if (!status || document.getElementById("matrix-tools").hidden) { return null; }
status.value = arguments[0];
const started = performance.now();
status.dispatchEvent(new Event("change"));
const applied = performance.now();
void document.body.offsetHeight;
const laidOut = performance.now();
const shown = document.getElementById("matrix-shown").textContent;
status.value = "";
status.dispatchEvent(new Event("change"));
return {script: applied - started, with_layout: laidOut - started, shown: shown};
"""


class RenderFigures(NamedTuple):
    """One size rendered in a process of its own: report.html and report.pdf, their times and the peak RSS."""

    accounts: int
    mix: str
    html_bytes: int
    html_s: float
    html_cpu_s: float
    pdf_bytes: int
    pdf_pages: int
    pdf_s: float
    pdf_cpu_s: float
    rss_before_mib: float
    peak_rss_mib: float


class BrowserFigures(NamedTuple):
    """Medians over fresh loads of report.html in headless Chromium, in milliseconds."""

    browser: str
    loads: int
    dom_elements: int
    dom_content_loaded_ms: float
    load_event_ms: float
    first_load_event_ms: float
    filter_ms: float
    filter_layout_ms: float
    filter_shown: str


class _ElementCounter(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1


def count_elements(html: str) -> int:
    """Elements written in the file (start tags), as the parser reads them; the browser adds implied ones."""
    counter = _ElementCounter()
    counter.feed(html)
    counter.close()
    return counter.elements


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def render_once(accounts: int, mix: str, into: Path, pdf: bool = True) -> RenderFigures:
    """Build the synthetic run, render report.html and report.pdf (unless `pdf` is false) into `into`, and time
    them; a PDF not rendered has zero pages, bytes and seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        folder, results, frames = synthetic_run(Path(tmp), accounts, mix)
        rss_before = _rss_mib()
        started, cpu = time.perf_counter(), time.process_time()
        report = prepare_report(folder, results, frames)
        html = render_html(report)
        html_seconds, html_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        document = render_pdf_parts(render_print_parts(report), partial(render_page_numbers, report.document.paper),
                                    created=report.document.created) if pdf else b""
        pdf_seconds, pdf_cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = _rss_mib()
    html_bytes = html.encode("utf-8")
    (into / REPORT_HTML).write_bytes(html_bytes)
    if not document:
        return RenderFigures(accounts, mix, len(html_bytes), html_seconds, html_cpu, 0, 0, 0.0, 0.0, rss_before, peak)
    (into / REPORT_PDF).write_bytes(document)
    return RenderFigures(accounts, mix, len(html_bytes), html_seconds, html_cpu, len(document),
                         len(PdfReader(io.BytesIO(document)).pages), pdf_seconds, pdf_cpu, rss_before, peak)


def render_in_child(accounts: int, mix: str, into: Path, pdf: bool = True) -> RenderFigures:
    """render_once in a fresh interpreter, so one size's peak RSS is not an earlier size's."""
    command = [sys.executable, __file__, str(accounts), "--mix", mix, "--render-into", str(into)]
    done = subprocess.run([*command, *([] if pdf else ["--no-pdf"])],  # noqa: S603
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"rendering {accounts} accounts failed:\n{done.stderr}")
    return RenderFigures(**json.loads(done.stdout.strip().splitlines()[-1]))


def missing_browser() -> str:
    """Why report.html cannot be loaded in Chromium here, or "" when it can."""
    missing = [name for name in ("chromium", "chromedriver") if shutil.which(name) is None]
    if missing:
        return f"{' and '.join(missing)} not found (scripts/ensure-system-deps --browser installs them)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return ""


def _start_chromium(profile: Path) -> Any:
    """Chromium as the browser tests start it (their flags, an empty profile), without their log capture."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from tests.browser.conftest import CHROMIUM_FLAGS

    options = webdriver.ChromeOptions()
    options.binary_location = str(shutil.which("chromium"))
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    return webdriver.Chrome(service=Service(executable_path=str(shutil.which("chromedriver"))), options=options)


def load_in_browser(html: Path, loads: int = LOADS) -> BrowserFigures | str:
    """Load `html` `loads` times, each from about:blank, and time the load and one filter; or why it cannot."""
    reason = missing_browser()
    if reason:
        return reason
    timings: list[dict[str, Any]] = []
    filters: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="orgscan-bench-profile-") as profile:
        driver = _start_chromium(Path(profile))
        try:
            version = str(driver.capabilities.get("browserVersion", "?"))
            for _ in range(loads):
                driver.get("about:blank")
                driver.get(html.as_uri())
                timings.append(driver.execute_script(NAVIGATION_TIMING))
                applied = driver.execute_script(APPLY_FILTER, FILTER_STATUS)
                if applied is None:
                    return "the page's filters did not start (its script did not run)"
                filters.append(applied)
        finally:
            driver.quit()
    return BrowserFigures(
        f"Chromium {version}", loads, int(timings[-1]["elements"]),
        statistics.median(t["dom_content_loaded"] for t in timings),
        statistics.median(t["load_event"] for t in timings), float(timings[0]["load_event"]),
        statistics.median(f["script"] for f in filters), statistics.median(f["with_layout"] for f in filters),
        str(filters[-1]["shown"]))


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,  # noqa: S603, S607
                          check=False).stdout.strip()


def _revision() -> str:
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    changed = _git("status", "--porcelain", "--", "scanner", "report_templates")
    return f"{commit} (with uncommitted changes to the renderer)" if changed else commit


def section(rows: list[tuple[RenderFigures, int, BrowserFigures | str]]) -> str:
    """The render figures as a section of bench/results.md, markers included."""
    browsers = {b.browser for _, _, b in rows if isinstance(b, BrowserFigures)}
    missing = sorted({b for _, _, b in rows if isinstance(b, str)})
    lines = [
        SECTION_START,
        "## Report render benchmark",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; commit {_revision()}",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}",
        "- organization: bench/render_bench.py's synthetic one (accounts over 12 OUs, 1 % suspended, 2 % not "
        "reachable, an exceptions register, eleven earlier runs), mix: "
        + ", ".join(sorted({r.mix for r, _, _ in rows})),
        "- HTML render: prepare_report and render_html; PDF layout+write: the print edition's parts laid out one "
        "after another in this process and joined (a scan lays them out two at a time in processes of their own); "
        "each size in a "
        "process of its own, with no other work in it"
        + ("; PDF not rendered (--no-pdf): its columns read -, and peak RSS is the HTML's alone"
           if any(not r.pdf_pages for r, _, _ in rows) else ""),
        "- elements: start tags in report.html as written (the browser's DOM, with the elements HTML implies, "
        "in brackets)",
        "- peak RSS: the rendering process's high-water mark, the synthetic frames included (before rendering in "
        "brackets)",
    ]
    if browsers:
        lines.append(
            f"- browser: {', '.join(sorted(browsers))}, headless with the browser tests' flags and an empty profile, "
            f"report.html from file://; median of {LOADS} loads, each from about:blank")
        lines.append("- load event: navigation timing, loadEventStart (DOMContentLoaded, its end, in brackets); "
                     "the report's script runs before both; first load: the first of the loads, a fresh browser's")
        lines.append(f'- filter: status set to "{FILTER_STATUS}" (any box) and its change event dispatched; the '
                     "report's handler over every row, timed in the page with performance.now() (with the style "
                     "and layout it causes in brackets)")
    for reason in missing:
        lines.append(f"- browser: not measured: {reason}")
    lines += [
        "",
        "| accounts | HTML bytes | HTML elements | HTML render s | load event ms | first load ms | filter ms | "
        "filtered | PDF pages | PDF bytes | PDF layout+write s | peak RSS MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for figures, elements, browser in rows:
        if isinstance(browser, BrowserFigures):
            dom = f" ({browser.dom_elements:,})"
            load = (f"{browser.load_event_ms:,.0f} ({browser.dom_content_loaded_ms:,.0f}) | "
                    f"{browser.first_load_event_ms:,.0f}")
            applied = f"{browser.filter_ms:.1f} ({browser.filter_layout_ms:.1f})"
            filtered = browser.filter_shown
        else:
            dom, load, applied, filtered = "", "not measured | -", "not measured", "-"
        printed = (f"{figures.pdf_pages:,} | {figures.pdf_bytes:,} | {figures.pdf_s:.2f}" if figures.pdf_pages
                   else "- | - | -")
        lines.append(
            f"| {figures.accounts:,} | {figures.html_bytes:,} | {elements:,}{dom} | {figures.html_s:.2f} | {load} | "
            f"{applied} | {filtered} | {printed} | {figures.peak_rss_mib:,.0f} ({figures.rss_before_mib:,.0f}) |")
    lines.append(SECTION_END)
    return "\n".join(lines) + "\n"


def write_section(path: Path, text: str) -> None:
    """Replace the render section of `path`, or add it at the end; the rest of the file is left as it is."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if SECTION.search(old):
        new = SECTION.sub(lambda _: text, old, count=1)
    else:
        new = old + ("\n" if old and not old.endswith("\n\n") else "") + text
    path.write_text(new, encoding="utf-8")


def bench(
    accounts: int, mix: str, keep: Path | None, pdf: bool = True,
) -> tuple[RenderFigures, int, BrowserFigures | str]:
    with tempfile.TemporaryDirectory(prefix="orgscan-bench-render-") as tmp:
        into = Path(tmp)
        figures = render_in_child(accounts, mix, into, pdf)
        html = into / REPORT_HTML
        elements = count_elements(html.read_text(encoding="utf-8"))
        browser = load_in_browser(html)
        if isinstance(browser, BrowserFigures):
            loaded = (f"load event {browser.load_event_ms:,.0f} ms, filter {browser.filter_ms:.1f} ms "
                      f"({browser.filter_layout_ms:.1f} ms with layout; {browser.filter_shown})")
        else:
            loaded = f"browser not measured: {browser}"
        printed = (f"PDF {figures.pdf_s:6.2f} s (CPU {figures.pdf_cpu_s:.2f} s, {figures.pdf_bytes / 1e6:.1f} MB), "
                   f"{figures.pdf_pages} pages" if figures.pdf_pages else "PDF not rendered")
        print(f"{accounts:>5} accounts ({mix}): HTML {figures.html_s:6.2f} s (CPU {figures.html_cpu_s:.2f} s, "
              f"{figures.html_bytes / 1e6:.1f} MB, {elements:,} elements), {printed}, "
              f"peak RSS {figures.peak_rss_mib:,.0f} MiB; {loaded}", flush=True)
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(html, keep / f"{accounts}-{mix}-{REPORT_HTML}")
            if figures.pdf_pages:
                shutil.copyfile(into / REPORT_PDF, keep / f"{accounts}-{mix}-{REPORT_PDF}")
    return figures, elements, browser


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("accounts", nargs="*", type=int, default=[100, 1000])
    parser.add_argument("--mix", choices=("typical", "all-fail"), default="typical")
    parser.add_argument("--keep", type=Path, help="also write the reports into this folder")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="the file whose render section the figures replace (default bench/results.md)")
    parser.add_argument("--no-pdf", dest="pdf", action="store_false",
                        help="render and measure report.html only (the PDF of a very large organization takes minutes)")
    parser.add_argument("--render-into", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render_into:
        print(json.dumps(render_once(args.accounts[0], args.mix, args.render_into, args.pdf)._asdict()))
        return
    rows = [bench(accounts, args.mix, args.keep, args.pdf) for accounts in args.accounts]
    write_section(args.results, section(rows))
    print(f"\nwritten to {args.results}")


if __name__ == "__main__":
    main()
