"""The command line: the only module that parses arguments, prints and chooses exit codes."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from scanner import __version__
from scanner.audit.outputs import AuditSummary
from scanner.checks.references import Framework
from scanner.config import Config, default_log_path, load_config, parse_id_list
from scanner.errors import OrgscanError
from scanner.logs import RunLog, configure_logging
from scanner.models import AccountResult
from scanner.normalize.evidence import describe_organization_features
from scanner.pipeline import Outcome
from scanner.runner import Progress

if TYPE_CHECKING:
    from scanner.push.command import PushReport, PushRequest

EXIT_USAGE = 1
EXIT_NOT_INTACT = 3
log = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"orgscan: error: {message}\n")


def _fatal(message: str) -> NoReturn:
    print(f"orgscan: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def _workers(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None


FRAMEWORKS = tuple(framework.value for framework in Framework)


def _report_options(command: argparse.ArgumentParser) -> None:
    """The options that change what the extended checks judge by and which mapping the reports show."""
    command.add_argument("--framework", choices=FRAMEWORKS,
                         help="mapping column shown in the reports (default: cis-v7)")
    command.add_argument("--checks", metavar="FILE", help="TOML thresholds of the extended checks "
                         "(see config/checks.toml; default: the CIS values)")
    command.add_argument("--paper", choices=("A4", "Letter"), help="page size of report.pdf (default: A4)")


def _access_analyzer_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--access-analyzer", action="store_true", default=None,
                         help="also check IAM Access Analyzer in every region each account has enabled (one call "
                              "per region and account; config key access_analyzer)")


def _utc_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="orgscan", description="IAM Security Status scorecards for an AWS Organization.")
    parser.add_argument("--version", action="version", version=f"orgscan {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    scan = commands.add_parser("scan", help="scan the organization reachable with your AWS credentials")
    scan.add_argument("--out", help="output folder (default: runs)")
    scan.add_argument("--role-name", help="role to assume in each account (default: OrganizationAccountAccessRole)")
    scan.add_argument("--external-id", help="external id required by the role's trust policy")
    scan.add_argument("--accounts", help="only these account ids, comma-separated")
    scan.add_argument("--exclude", help="skip these account ids, comma-separated")
    scan.add_argument("--ou", help="only accounts under these OU ids (sub-OUs included), comma-separated")
    scan.add_argument("--workers", type=_workers, help="accounts scanned at once (default: 16)")
    scan.add_argument("--profile", help="AWS profile of the management (or delegated admin) account; "
                                        "several, comma-separated, scan several organizations, one run folder each")
    scan.add_argument("--region", help="region for STS and Organizations calls")
    scan.add_argument("--config", help="TOML configuration file")
    scan.add_argument("--debug", action="store_true", help="log botocore's retry decisions")
    scan.add_argument("--log-file", help="log file, shared by concurrent scans (default: OUT/orgscan.log)")
    scan.add_argument("--exceptions", metavar="FILE",
                      help="TOML register of accepted risks (see config/exceptions.toml)")
    scan.add_argument("--history", metavar="FILE", help="database of completed runs (default: OUT/history.sqlite)")
    scan.add_argument("--resume", metavar="RUN_DIR",
                      help="finish an interrupted run in its own folder, with its own settings: collect only "
                           "the accounts not yet finished (access failures are retried)")
    _access_analyzer_option(scan)
    _report_options(scan)
    scan.add_argument("--push-securityhub", action="store_true",
                      help="when the scan ends, import its findings into Security Hub (as orgscan push)")
    scan.add_argument("--push-s3", metavar="s3://BUCKET/PREFIX",
                      help="when the scan ends, upload its bundle and report to S3 (as orgscan push)")
    scan.add_argument("--object-lock-days", type=_workers, metavar="N", help="with --push-s3: COMPLIANCE retention")
    scan.add_argument("--kms-key-id", metavar="KEY", help="with --push-s3: the KMS key to encrypt with")

    demo = commands.add_parser("demo", help="scan a simulated organization served locally")
    demo.add_argument("--out", default="runs", help="output folder (default: runs)")
    demo.add_argument("--accounts", type=_workers, help="accounts to simulate (default and minimum: the "
                      "hand-made accounts of the simulated organization)")
    demo.add_argument("--workers", type=_workers, help="accounts scanned at once (default: 16)")
    demo.add_argument("--log-file", help="log file (default: OUT/orgscan.log)")
    demo.add_argument("--exceptions", metavar="FILE", help="TOML register of accepted risks")
    demo.add_argument("--clock", type=_utc_time, metavar="TIME",
                      help="pretend the run starts at this UTC time, e.g. 2026-11-28T03:15:00Z "
                           "(reproducible sample reports)")
    _access_analyzer_option(demo)
    _report_options(demo)

    report = commands.add_parser("report", help="re-derive every result of a run from its raw evidence")
    report.add_argument("run_dir", help="a run folder written by scan or demo")
    _report_options(report)

    verify = commands.add_parser("verify", help="check a run folder or bundle against its manifest and raw evidence")
    verify.add_argument("target", metavar="RUN_DIR_OR_ZIP", help="a run folder, a bundle zip or an unzipped bundle")

    bundle = commands.add_parser("bundle", help="write a run folder as one verifiable zip for an auditor")
    bundle.add_argument("run_dir", help="a run folder written by scan or demo")
    bundle.add_argument("--out", metavar="FILE.zip", help="the zip to write (default: ./<run-id>.zip)")

    history = commands.add_parser("history", help="list the runs recorded in the history database")
    where = history.add_mutually_exclusive_group()
    where.add_argument("--out", help="output folder whose history.sqlite to read (default: runs)")
    where.add_argument("--history", metavar="FILE", help="the history database")
    history.add_argument("--config", help="TOML configuration file (its history and out settings)")

    diff = commands.add_parser("diff", help="what changed between two runs, account by account and box by box")
    diff.add_argument("run_a", metavar="RUN_A", help="the earlier run folder")
    diff.add_argument("run_b", metavar="RUN_B", help="the later run folder")

    push = commands.add_parser("push", help="send a run's findings to Security Hub, its evidence to S3")
    push.add_argument("run_dir", help="a run folder written by scan or demo")
    push.add_argument("--securityhub", action="store_true", help="import findings.asff.json into Security Hub")
    push.add_argument("--s3", metavar="s3://BUCKET/PREFIX",
                      help="upload the verified bundle, report.pdf and the manifest's SHA-256")
    push.add_argument("--object-lock-days", type=_workers, metavar="N",
                      help="with --s3: keep each object in COMPLIANCE retention for N days (Object Lock bucket)")
    push.add_argument("--kms-key-id", metavar="KEY", help="with --s3: encrypt each object with this KMS key")
    push.add_argument("--region", help="region of Security Hub and S3 (default: the profile's)")
    push.add_argument("--profile", help="AWS profile that pushes")

    policy = commands.add_parser("policy", help="print the least-privilege IAM policy the scanner needs")
    kind = policy.add_mutually_exclusive_group()
    kind.add_argument("--caller", action="store_true",
                      help="the policy of the identity that runs the scan, not of the member role")
    kind.add_argument("--cloudformation", action="store_true",
                      help="a CloudFormation template (for a StackSet) that creates the member role")
    kind.add_argument("--push", action="store_true", help="the policy of the identity that runs `orgscan push`")
    policy.add_argument("--s3", metavar="s3://BUCKET/PREFIX", help="with --push: the objects it may write")
    policy.add_argument("--kms-key-id", metavar="KEY_ARN", help="with --push: the KMS key it encrypts with")
    policy.add_argument("--role-name", help="role assumed in members (default: OrganizationAccountAccessRole; "
                        "for --cloudformation, the role to create: OrgscanReadOnly)")
    return parser


def _scan_config(args: argparse.Namespace) -> Config:
    overrides: dict[str, Any] = {
        "out": args.out,
        "role_name": args.role_name,
        "external_id": args.external_id,
        "accounts": parse_id_list(args.accounts),
        "exclude": parse_id_list(args.exclude),
        "ous": parse_id_list(args.ou),
        "workers": args.workers,
        "profile": args.profile,
        "region": args.region,
        "checks_file": args.checks,
        "framework": args.framework,
        "paper": args.paper,
        "exceptions": args.exceptions,
        "history": args.history,
        "access_analyzer": args.access_analyzer,
    }
    if args.log_file is not None:
        overrides["log"] = {"path": args.log_file}
    return load_config(args.config, overrides)


def _print_outcome(outcome: Outcome, *, api_stats: bool = False) -> None:
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
        _print_audit(outcome.audit)
    _print_summary(outcome)


def _print_summary(outcome: Outcome) -> None:
    """The five boxes, the worst OUs and the reports' paths; coloured only on a terminal (and not NO_COLOR)."""
    from scanner.render import REPORT_HTML, REPORT_PDF
    from scanner.ui.summary import summary_lines

    if not outcome.boxes:
        return
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    for line in summary_lines(outcome.boxes, outcome.worst_ous, outcome.folder.path / REPORT_HTML,
                              outcome.folder.path / REPORT_PDF, colour=colour):
        print(line)


def _print_audit(audit: AuditSummary) -> None:
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


class _OpensLog:
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


def _start_logging(config: Config, debug: bool = False) -> RunLog:
    """Check where the run and its log will be written, then log to memory until the run starts."""
    from scanner.rundir import check_writable

    log_path = default_log_path(config)
    check_writable(Path(config.out), "output folder")
    check_writable(log_path.parent, "log folder")
    return configure_logging(log_path, config.log.max_bytes, config.log.backups, debug)


def _run_scan(args: argparse.Namespace) -> int:
    from scanner.aws.session import SessionFactory
    from scanner.pipeline import scan
    from scanner.ui.progress import progress_for_terminal

    push = _push_after_scan(args)
    if args.resume is not None:
        return _run_resume(args)
    profiles = parse_id_list(args.profile) or ()
    if len(profiles) > 1:
        return _run_organizations(args, profiles)
    config = _scan_config(args)
    factory = SessionFactory(config)
    run_log = _start_logging(config, args.debug)
    try:
        outcome = scan(config, factory, progress=_OpensLog(progress_for_terminal(), run_log))
    except (OrgscanError, OSError) as exc:
        log.error("scan stopped: %s", exc)  # reaches the file only if the run had started
        raise
    _print_outcome(outcome, api_stats=True)
    if push is None:
        return outcome.exit_code
    from scanner.push.command import run_push

    return max(outcome.exit_code, _print_push(run_push(factory, replace(push, run_dir=outcome.folder.path))))


def _push_after_scan(args: argparse.Namespace) -> PushRequest | None:
    """The push `scan --push-*` asks for, checked before AWS is called; None without one."""
    from scanner.push.command import PushRequest

    if not args.push_securityhub and not args.push_s3:
        if args.object_lock_days is not None or args.kms_key_id:
            _fatal("scan: --object-lock-days and --kms-key-id go with --push-s3")
        return None
    if args.resume is not None or len(parse_id_list(args.profile) or ()) > 1:
        _fatal("scan: --push-securityhub and --push-s3 push one new run; push others with `orgscan push RUN_DIR`")
    return PushRequest.from_options("", securityhub=args.push_securityhub, s3_uri=args.push_s3,
                                    object_lock_days=args.object_lock_days, kms_key_id=args.kms_key_id,
                                    s3_option="--push-s3")


def _run_organizations(args: argparse.Namespace, profiles: tuple[str, ...]) -> int:
    """`--profile A,B,...`: one management-account profile per organization, one run folder (and report) each.

    An organization that cannot be scanned at all is reported and the others still run; the exit code is
    the worst of them (1 if any organization failed outright).
    """
    from scanner.aws.session import SessionFactory
    from scanner.pipeline import scan
    from scanner.ui.progress import progress_for_terminal

    codes: list[int] = []
    for profile in profiles:
        config = replace(_scan_config(args), profile=profile)
        print(f"organization of profile {profile}:")
        try:
            factory = SessionFactory(config)
            run_log = _start_logging(config, args.debug)
            outcome = scan(config, factory, progress=_OpensLog(progress_for_terminal(), run_log))
        except OrgscanError as exc:
            print(f"orgscan: error: profile {profile}: {exc}", file=sys.stderr)
            codes.append(EXIT_USAGE)
            continue
        _print_outcome(outcome, api_stats=True)
        codes.append(outcome.exit_code)
    return EXIT_USAGE if EXIT_USAGE in codes else max(codes)


# What `scan --resume` refuses: options that would change what the run looks at or judges by.
_FIXED_ON_RESUME = {"out": "--out", "role_name": "--role-name", "accounts": "--accounts", "exclude": "--exclude",
                    "ou": "--ou", "config": "--config", "checks": "--checks", "framework": "--framework",
                    "exceptions": "--exceptions", "paper": "--paper", "access_analyzer": "--access-analyzer"}


def _run_resume(args: argparse.Namespace) -> int:
    from scanner.audit.checkpoint import read_start, resume_config
    from scanner.aws.session import SessionFactory
    from scanner.pipeline import resume
    from scanner.rundir import RunFolder, check_writable
    from scanner.ui.progress import progress_for_terminal

    fixed = [option for name, option in _FIXED_ON_RESUME.items() if getattr(args, name) is not None]
    if fixed:
        _fatal(f"{fixed[0]}: --resume re-uses the run's own settings, which cannot be changed")
    path = Path(args.resume)
    if not path.is_dir():
        _fatal(f"--resume: not a run folder: {path}")
    folder = RunFolder(path)
    overrides = {"workers": args.workers, "profile": args.profile, "region": args.region,
                 "external_id": args.external_id, "history": args.history}
    config, differences = resume_config(read_start(folder), {k: v for k, v in overrides.items() if v is not None})
    log_path = Path(args.log_file or config.log.path or path.parent / "orgscan.log")
    check_writable(path, "run folder")
    check_writable(log_path.parent, "log folder")
    run_log = configure_logging(log_path, config.log.max_bytes, config.log.backups, args.debug)
    factory = SessionFactory(config)
    try:
        outcome = resume(folder, config, factory, progress=_OpensLog(progress_for_terminal(), run_log))
    except (OrgscanError, OSError) as exc:
        log.error("resumed scan stopped: %s", exc)
        raise
    if differences:  # said once the run is resumed: a refusal stays one line
        print(f"orgscan: note: resumed with settings that differ from the run's start: {', '.join(differences)} "
              "(run.json keeps the original digest and records this one under 'resumed')", file=sys.stderr)
    _print_outcome(outcome, api_stats=True)
    return outcome.exit_code


def _run_demo(args: argparse.Namespace) -> int:
    from scanner.demo import run_demo
    from scanner.simulation.catalog import FIXED_ACCOUNT_COUNT
    from scanner.ui.progress import progress_for_terminal

    accounts = FIXED_ACCOUNT_COUNT if args.accounts is None else args.accounts
    if accounts < FIXED_ACCOUNT_COUNT:
        _fatal(f"--accounts: the simulated organization needs at least {FIXED_ACCOUNT_COUNT} accounts, got {accounts}")
    overrides: dict[str, Any] = {"out": args.out, "workers": args.workers, "checks_file": args.checks,
                                 "framework": args.framework, "exceptions": args.exceptions,
                                 "paper": args.paper, "access_analyzer": args.access_analyzer}
    if args.log_file is not None:
        overrides["log"] = {"path": args.log_file}
    config = load_config(None, overrides)
    run_log = _start_logging(config)
    try:
        outcome = run_demo(config, accounts, progress=_OpensLog(progress_for_terminal(), run_log),
                           started_at=args.clock)
    except (OrgscanError, OSError) as exc:
        log.error("demo stopped: %s", exc)
        raise
    _print_outcome(outcome, api_stats=True)
    return 0


def _run_report(args: argparse.Namespace) -> int:
    from scanner.checks import Framework, load_thresholds
    from scanner.pipeline import build_outputs
    from scanner.rundir import RunFolder

    thresholds = load_thresholds(args.checks) if args.checks else None  # None: the run's own settings
    folder = RunFolder.open(Path(args.run_dir))
    outcome = build_outputs(folder, thresholds, Framework(args.framework) if args.framework else None,
                            paper=args.paper)
    _print_outcome(outcome)
    return outcome.exit_code


def _run_verify(args: argparse.Namespace) -> int:
    from scanner.audit.verify import describe, verify

    result = verify(Path(args.target))
    for problem in result.problems:
        print(describe(problem))
    if result.judged_differently:
        print(f"judged differently since {result.written_by} (the rules changed; the evidence did not): "
              f"{len(result.judged_differently)} differences")
        for problem in result.judged_differently:
            print(f"  {describe(problem)}")
    if result.intact:
        print(f"intact: {result.files} files match manifest.json (sha256 {result.manifest_sha256}); "
              f"{result.findings} findings re-derived from raw/ match findings.csv")
        return 0
    print(f"NOT INTACT: {len(result.problems)} problems in {result.target}")
    return EXIT_NOT_INTACT


def _run_bundle(args: argparse.Namespace) -> int:
    from scanner.audit.bundle import write_bundle
    from scanner.audit.verify import describe, verify

    folder = Path(args.run_dir)
    if not folder.is_dir():
        _fatal(f"not a run folder: {folder}")
    checked = verify(folder)
    if not checked.intact:
        for problem in checked.problems:
            print(describe(problem))
        print(f"not bundled: {folder} is not intact ({len(checked.problems)} problems); "
              "`orgscan report` rewrites the derived files and the manifest of a run whose raw/ is trusted")
        return EXIT_NOT_INTACT
    out = Path(args.out) if args.out else Path(f"{folder.resolve().name}.zip")
    result = write_bundle(folder, out)
    print(f"bundle: {result.path} ({result.files} files of run {folder.resolve().name})")
    print(f"manifest.json sha256: {result.manifest_sha256} (give this to the auditor separately)")
    return 0


def _run_history(args: argparse.Namespace) -> int:
    from scanner.audit.history import History, default_path
    from scanner.checks import CHECK_IDS

    config = load_config(args.config) if args.config else Config()
    if args.history:
        path = Path(args.history)
    elif args.out:
        path = default_path(args.out)
    else:
        path = Path(config.history) if config.history else default_path(config.out)
    if not path.is_file():
        _fatal(f"no history database at {path}")
    runs = History(path).runs()
    header = ["started (UTC)", "run", "organization", "accounts", *CHECK_IDS]
    rows = [
        [run.started_at, run.run_id, run.organization_id or "(single account)",
         f"{run.scanned}/{run.discovered}", *(_rate_text(r.passed, r.applicable) for r in run.rates)]
        for run in runs
    ]
    widths = [max(len(str(line[i])) for line in [header, *rows]) for i in range(len(header))]
    for line in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    print(f"{len(runs)} runs in {path}; accounts: assessed/discovered; per box: accounts passed/applicable")
    return 0


def _rate_text(passed: int, applicable: int) -> str:
    """`11/12 91%`: the report's share (floored, so 100 % means every applicable account passed)."""
    from scanner.shares import share_percent

    if not applicable:
        return "-"
    return f"{passed}/{applicable} {share_percent(passed, applicable, space='')}"


def _run_diff(args: argparse.Namespace) -> int:
    from scanner.audit.changes import change_counts, compare
    from scanner.audit.diff import run_statuses

    before, after = run_statuses(Path(args.run_a)), run_statuses(Path(args.run_b))
    rows = compare(before.statuses, after.statuses)
    print(f"changes from {before.run_id} ({before.started_at}) to {after.run_id} ({after.started_at})")
    header = ["account_id", "account_name", "check_id", "change", "previous", "now", "accepted"]
    lines = [[r.account_id, r.account_name, r.check_id, r.change.value, r.previous_status, r.status, r.accepted]
             for r in rows]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    for line in [header, *lines]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    print(", ".join(f"{n} {change.value}" for change, n in change_counts(rows) if n) or "no changes")
    return 0


def _run_policy(args: argparse.Namespace) -> int:
    from scanner.permissions import caller_policy, member_role_policy, policy_json, push_policy

    if args.push:
        sys.stdout.write(policy_json(push_policy(args.s3, args.kms_key_id)))
        return 0
    if args.s3 or args.kms_key_id:
        _fatal("policy: --s3 and --kms-key-id go with --push")
    if args.cloudformation:
        from scanner.policy_cfn import DEFAULT_STACK_ROLE_NAME, template_json

        sys.stdout.write(template_json(args.role_name or DEFAULT_STACK_ROLE_NAME))
        return 0
    role_name = args.role_name or "OrganizationAccountAccessRole"
    document = caller_policy(role_name) if args.caller else member_role_policy()
    sys.stdout.write(policy_json(document))
    return 0


def _run_push(args: argparse.Namespace) -> int:
    from scanner.aws.session import SessionFactory
    from scanner.push.command import PushRequest, run_push

    request = PushRequest.from_options(args.run_dir, securityhub=args.securityhub, s3_uri=args.s3,
                                       object_lock_days=args.object_lock_days, kms_key_id=args.kms_key_id)
    return _print_push(run_push(SessionFactory(load_config(None, {"profile": args.profile, "region": args.region})),
                                request))


def _print_push(report: PushReport) -> int:
    for line in report.stdout:
        print(line)
    for line in report.stderr:
        print(line, file=sys.stderr)
    return report.exit_code


COMMANDS = {"scan": _run_scan, "demo": _run_demo, "report": _run_report, "verify": _run_verify,
            "bundle": _run_bundle, "history": _run_history, "diff": _run_diff, "policy": _run_policy,
            "push": _run_push}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except OrgscanError as exc:
        _fatal(str(exc))
    except OSError as exc:
        _fatal(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
    except KeyboardInterrupt:
        print("orgscan: interrupted; once discovery had ended, the accounts already collected are on disk "
              "(`orgscan scan --resume RUN_DIR` finishes the run); before that, nothing was kept", file=sys.stderr)
        return 130
