"""What every command group shares: the parser class, option types, the one-line error, printing an outcome."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from scanner.audit.outputs import AuditSummary
from scanner.checks.references import Framework
from scanner.config import Config, default_log_path
from scanner.logs import RunLog, configure_logging
from scanner.models import AccountResult
from scanner.normalize.evidence import describe_organization_features
from scanner.pipeline import Outcome
from scanner.runner import Progress

if TYPE_CHECKING:
    from scanner.push.command import PushReport

EXIT_USAGE = 1
EXIT_NOT_INTACT = 3


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"orgscan: error: {message}\n")


def fatal(message: str) -> NoReturn:
    print(f"orgscan: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None


FRAMEWORKS = tuple(framework.value for framework in Framework)


def report_options(command: argparse.ArgumentParser) -> None:
    """The options that change what the extended checks judge by and which mapping the reports show."""
    command.add_argument("--framework", choices=FRAMEWORKS,
                         help="mapping column shown in the reports (default: cis-v7)")
    command.add_argument("--checks", metavar="FILE", help="TOML thresholds of the extended checks "
                         "(see config/checks.toml; default: the CIS values)")
    command.add_argument("--paper", choices=("A4", "Letter"), help="page size of report.pdf (default: A4)")


def access_analyzer_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--access-analyzer", action="store_true", default=None,
                         help="also check IAM Access Analyzer in every region each account has enabled (one call "
                              "per region and account; config key access_analyzer)")


def utc_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def print_outcome(outcome: Outcome, *, api_stats: bool = False) -> None:
    """The summary line; after a scan it adds how hard AWS pushed back (retries and throttled calls)."""
    counts = outcome.counts
    line = (
        f"{counts['discovered']} accounts: {counts['scanned']} assessed, {counts['error']} could not be "
        f"assessed, {counts['skipped']} skipped"
    )
    info = outcome.folder.read_run_info()
    api = info.get("api") if api_stats else None
    if isinstance(api, dict):
        line += f"; {api.get('retries', 0)} retries, {api.get('throttles', 0)} throttled calls"
    print(line)
    print(f"centralized root access: {describe_organization_features(info.get('organization_features'))}")
    if outcome.nothing_assessed:
        print(f"orgscan: no account was assessed ({counts['skipped']} skipped, {counts['error']} could not be "
              "assessed): this run says nothing about the organization's IAM", file=sys.stderr)
    print(f"run folder: {outcome.folder.path}")
    if outcome.audit is not None:
        print_audit(outcome.audit)
    print_summary(outcome)


def print_summary(outcome: Outcome) -> None:
    """The five boxes, the worst OUs and the reports' paths; coloured only on a terminal (and not NO_COLOR)."""
    from scanner.render import REPORT_HTML, REPORT_PDF
    from scanner.ui.summary import summary_lines

    if not outcome.boxes:
        return
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    for line in summary_lines(outcome.boxes, outcome.worst_ous, outcome.folder.path / REPORT_HTML,
                              outcome.folder.path / REPORT_PDF, colour=colour):
        print(line)


def print_audit(audit: AuditSummary) -> None:
    """Changes since the previous run, accepted risks, expired exceptions (on stderr), the manifest."""
    if audit.previous_started_at:
        counted = ", ".join(f"{n} {change}" for change, n in audit.change_counts if n) or "none"
        print(f"changes since {audit.previous_started_at}: {counted} (changes.csv)")
    else:
        print("changes: no earlier run of this organization to compare with")
    if audit.accepted:
        accepted = "1 failure accepted as a risk" if audit.accepted == 1 else \
            f"{audit.accepted} failures accepted as risks"
        print(f"{accepted}, still counted as FAIL (exceptions.csv)")
    for line in audit.expired:
        risk = line.risk
        n = line.matching_failures
        effect = ("it matches no failure in this run" if n == 0 else
                  "the failure it matches is no longer accepted" if n == 1 else
                  f"the {n} failures it matches are no longer accepted")
        print(f"orgscan: warning: exception entry {risk.entry} ({risk.account_id} {risk.check_id}, owner "
              f"{risk.owner}) expired on {risk.expires.isoformat()}; {effect}", file=sys.stderr)
    if audit.manifest_sha256:
        print(f"manifest.json sha256: {audit.manifest_sha256}")


class OpensLog:
    """Progress that opens the log file when collection starts.

    By then discovery has succeeded and the run folder exists, so a command refused for its configuration
    or credentials leaves nothing in the output folder, not even a log.
    """

    def __init__(self, inner: Progress, run_log: RunLog) -> None:
        self._inner = inner
        self._log = run_log

    def start(self, total: int) -> None:
        self._log.open()
        self._inner.start(total)

    def grow(self, more: int) -> None:
        self._inner.grow(more)

    def advance(self, result: AccountResult) -> None:
        self._inner.advance(result)

    def finish(self) -> None:
        self._inner.finish()


def start_logging(config: Config, debug: bool = False) -> RunLog:
    """Check where the run and its log will be written, then log to memory until the run starts."""
    from scanner.rundir import check_writable

    log_path = default_log_path(config)
    check_writable(Path(config.out), "output folder")
    check_writable(log_path.parent, "log folder")
    return configure_logging(log_path, config.log.max_bytes, config.log.backups, debug)


def print_push(report: PushReport) -> int:
    for line in report.stdout:
        print(line)
    for line in report.stderr:
        print(line, file=sys.stderr)
    return report.exit_code
