"""The pipeline in two functions: `scan` (discover -> collect, to raw/) and `build_outputs` (raw/ -> files).

`build_outputs` reads nothing but the run folder, so `orgscan report` re-derives every result offline and
a scan's own outputs are produced by exactly the same code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scanner import __version__, rundir
from scanner.aws.session import SessionFactory
from scanner.checks import evaluate_boxes, unreachable_findings
from scanner.collect.account import CollectContext, collect_account
from scanner.config import Config
from scanner.discovery import discover
from scanner.models import AccountResult, Finding, ScanStatus, Status
from scanner.normalize.evidence import load_account_facts
from scanner.output.csv_export import write_csv
from scanner.rundir import RunFolder
from scanner.runner import Progress, run_per_account
from scanner.scoring import Frames, accounts_frame, findings_frame, scorecard_frame, users_frame

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_INCOMPLETE = 2


@dataclass(frozen=True)
class Outcome:
    """What a finished scan or report tells the CLI."""

    folder: RunFolder
    counts: dict[str, int]
    errors: int  # accounts not accessed plus boxes in ERROR

    @property
    def exit_code(self) -> int:
        return EXIT_INCOMPLETE if self.errors else EXIT_OK


def account_counts(results: list[AccountResult]) -> dict[str, int]:
    counts = {"discovered": len(results), "scanned": 0, "error": 0, "skipped": 0}
    for result in results:
        counts[result.scan_status.value] += 1
    return counts


def scan(
    config: Config,
    factory: SessionFactory,
    *,
    progress: Progress | None = None,
    executor: Executor | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Outcome:
    started = clock()
    discovery = discover(factory, config)
    folder = RunFolder.create(Path(config.out), started)
    log.info("run %s: %d accounts selected", folder.path.name, len(discovery.accounts))
    scannable = [a for a in discovery.accounts if a.scannable]
    with ThreadPoolExecutor(config.workers * config.calls_per_account, thread_name_prefix="call") as calls:
        context = CollectContext(factory, config, discovery.caller, folder, calls)
        collected = run_per_account(
            scannable, lambda account: collect_account(account, context),
            workers=config.workers, progress=progress, executor=executor,
        )
    by_id = {r.account.account_id: r for r in collected}
    results = [
        by_id.get(a.account_id) or AccountResult(a, ScanStatus.SKIPPED, "")
        for a in sorted(discovery.accounts, key=lambda a: a.account_id)
    ]
    folder.write_accounts(results)
    org = discovery.organization
    folder.write_run_info({
        "tool_version": __version__,
        "started_at": rundir.iso(started),
        "finished_at": rundir.iso(clock()),
        "caller_arn": discovery.caller.arn,
        "caller_account_id": discovery.caller.account_id,
        "partition": discovery.caller.partition,
        "role_name": config.role_name,
        "organization_id": org.organization_id,
        "organization_name": org.name,
        "management_account_id": org.management_account_id,
        "account_counts": account_counts(results),
        "config_digest": config.digest(),
        "api": factory.limiter.stats(),
    })
    return build_outputs(folder)


def evaluate_folder(folder: RunFolder) -> tuple[list[AccountResult], Frames]:
    """Re-derive every finding from raw/ alone."""
    results = folder.read_accounts()
    findings: list[Finding] = []
    users: list[dict[str, str]] = []
    for result in results:
        account = result.account
        if result.scan_status is ScanStatus.ERROR:
            findings.extend(unreachable_findings(account.account_id, result.error))
        elif result.scan_status is ScanStatus.SCANNED:
            facts = load_account_facts(folder.account_dir(account.account_id), account.account_id)
            findings.extend(evaluate_boxes(facts))
            users.extend(
                {"account_id": account.account_id, "account_name": account.account_name, **row}
                for row in facts.user_rows
            )
    findings_df = findings_frame(results, findings)
    frames = Frames(
        accounts=accounts_frame(results),
        findings=findings_df,
        scorecard=scorecard_frame(findings_df),
        users=users_frame(users),
    )
    return results, frames


def build_outputs(folder: RunFolder) -> Outcome:
    """Write every derived file of the run folder from its raw evidence."""
    results, frames = evaluate_folder(folder)
    write_csv(frames.accounts, folder.path / "accounts.csv")
    write_csv(frames.findings, folder.path / "findings.csv")
    write_csv(frames.scorecard, folder.path / "scorecard.csv")
    write_csv(frames.users, folder.path / "users.csv")
    counts = account_counts(results)
    errors = counts["error"] + int((frames.findings["status"] == Status.ERROR.value).sum())
    return Outcome(folder, counts, errors)
