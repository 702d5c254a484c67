"""How long the report takes to render, and how many pages it has, for synthetic organizations.

Builds the frames directly (no AWS, no simulation): accounts spread over OUs, a realistic mix of box and
extended-check statuses with the rules' own wording, a few accounts that could not be assessed and a few
suspended ones. The run folder also holds an exceptions register and the baseline of eleven earlier runs,
so the changes table, the trend chart and the accepted risks are laid out too. `--mix all-fail` makes
every box and every extended check of every assessed account fail, the longest report possible.

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
from scanner.render.html import render_html
from scanner.render.pdf import render_pdf
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


def bench(accounts: int, mix: str, keep: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder, results, frames = synthetic_run(Path(tmp), accounts, mix)
        started, cpu = time.perf_counter(), time.process_time()
        report = prepare_report(folder, results, frames)
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
