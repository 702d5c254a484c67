"""How long the report takes to render, and how many pages it has, for synthetic organizations.

Builds the frames directly (no AWS, no simulation): accounts spread over OUs, a realistic mix of box
statuses with the rules' own wording, a few accounts that could not be assessed and a few suspended ones.
`--mix all-fail` makes every box of every assessed account fail, the longest report possible.

    .venv/bin/python bench/render_bench.py            # 100 and 1,000 accounts
    .venv/bin/python bench/render_bench.py 1000 --mix all-fail --keep bench/out
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner import rundir
from scanner.checks import CHECK_IDS
from scanner.models import Account, AccountResult, Finding, ScanStatus, Status
from scanner.render import REPORT_HTML, REPORT_PDF
from scanner.render.html import render_html
from scanner.render.pdf import render_pdf
from scanner.render.sources import read_report_times
from scanner.render.structure import build_report
from scanner.rundir import RunFolder
from scanner.scoring import Frames, accounts_frame, findings_frame, scorecard_frame, users_frame

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
            continue
        results.append(AccountResult(account, ScanStatus.SCANNED))
        folder.write_raw(account_id, rundir.META_JSON, rundir.dumps(
            {"account_id": account_id, "credential_report_generated_time": f"2026-03-02T06:0{n % 10}:00Z"}))
        for check_id in CHECK_IDS:
            options = OUTCOMES[check_id]
            status: Status
            detail: str
            if mix == "all-fail":
                status, detail = next((s, d) for s, d, _ in options if s is Status.FAIL)
            else:
                status, detail, _ = rng.choices(options, weights=[w for *_, w in options])[0]
            findings.append(Finding(account_id, check_id, status, detail))
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
    return folder, results, frames


def bench(accounts: int, mix: str, keep: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder, results, frames = synthetic_run(Path(tmp), accounts, mix)
        started, cpu = time.perf_counter(), time.process_time()
        assessed = [r.account.account_id for r in results if r.scan_status is ScanStatus.SCANNED]
        report = build_report(folder.read_run_info(), results, frames, read_report_times(folder, assessed))
        html = render_html(report)
        html_seconds, html_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        pdf = render_pdf(html, created=report.document.created)
        pdf_seconds, pdf_cpu = time.perf_counter() - started, time.process_time() - cpu
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(f"{accounts:>5} accounts ({mix}): HTML {html_seconds:6.2f} s (CPU {html_cpu:.2f} s, "
              f"{len(html) / 1e6:.1f} MB), PDF {pdf_seconds:6.2f} s (CPU {pdf_cpu:.2f} s, {len(pdf) / 1e6:.1f} MB), "
              f"{pages} pages", flush=True)
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / f"{accounts}-{mix}-{REPORT_HTML}").write_text(html, encoding="utf-8")
            (keep / f"{accounts}-{mix}-{REPORT_PDF}").write_bytes(pdf)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("accounts", nargs="*", type=int, default=[100, 1000])
    parser.add_argument("--mix", choices=("typical", "all-fail"), default="typical")
    parser.add_argument("--keep", type=Path, help="also write the reports into this folder")
    args = parser.parse_args()
    for accounts in args.accounts:
        bench(accounts, args.mix, args.keep)


if __name__ == "__main__":
    main()
