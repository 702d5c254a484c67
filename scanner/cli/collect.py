"""The commands that collect from AWS: `scan` (with `--resume`, several `--profile`s and `--push-*`) and `demo`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.cli.common import (
    EXIT_USAGE,
    OpensLog,
    access_analyzer_option,
    fatal,
    print_outcome,
    print_push,
    report_options,
    start_logging,
    utc_time,
    whole_number,
)
from scanner.config import Config, load_config, parse_id_list
from scanner.errors import OrgscanError
from scanner.logs import configure_logging

if TYPE_CHECKING:
    from scanner.push.command import PushRequest

log = logging.getLogger(__name__)


def add_parsers(commands: Any) -> dict[str, Callable[[argparse.Namespace], int]]:
    scan = commands.add_parser("scan", help="scan the organization reachable with your AWS credentials")
    scan.add_argument("--out", help="output folder (default: runs)")
    scan.add_argument("--role-name", help="role to assume in each account (default: OrganizationAccountAccessRole)")
    scan.add_argument("--external-id", help="external id required by the role's trust policy")
    scan.add_argument("--accounts", help="only these account ids, comma-separated")
    scan.add_argument("--exclude", help="skip these account ids, comma-separated")
    scan.add_argument("--ou", help="only accounts under these OU ids (sub-OUs included), comma-separated")
    scan.add_argument("--workers", type=whole_number, help="accounts scanned at once (default: 16)")
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
    access_analyzer_option(scan)
    report_options(scan)
    scan.add_argument("--push-securityhub", action="store_true",
                      help="when the scan ends, import its findings into Security Hub (as orgscan push)")
    scan.add_argument("--push-s3", metavar="s3://BUCKET/PREFIX",
                      help="when the scan ends, upload its bundle and report to S3 (as orgscan push)")
    scan.add_argument("--object-lock-days", type=whole_number, metavar="N", help="with --push-s3: COMPLIANCE retention")
    scan.add_argument("--kms-key-id", metavar="KEY", help="with --push-s3: the KMS key to encrypt with")

    demo = commands.add_parser("demo", help="scan a simulated organization served locally")
    demo.add_argument("--out", default="runs", help="output folder (default: runs)")
    demo.add_argument("--accounts", type=whole_number, help="accounts to simulate (default and minimum: the "
                      "hand-made accounts of the simulated organization)")
    demo.add_argument("--workers", type=whole_number, help="accounts scanned at once (default: 16)")
    demo.add_argument("--log-file", help="log file (default: OUT/orgscan.log)")
    demo.add_argument("--exceptions", metavar="FILE", help="TOML register of accepted risks")
    demo.add_argument("--clock", type=utc_time, metavar="TIME",
                      help="pretend the run starts at this UTC time, e.g. 2026-11-28T03:15:00Z "
                           "(reproducible sample reports)")
    access_analyzer_option(demo)
    report_options(demo)

    return {"scan": _run_scan, "demo": _run_demo}


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
    run_log = start_logging(config, args.debug)
    try:
        outcome = scan(config, factory, progress=OpensLog(progress_for_terminal(), run_log))
    except (OrgscanError, OSError) as exc:
        log.error("scan stopped: %s", exc)  # reaches the file only if the run had started
        raise
    print_outcome(outcome, api_stats=True)
    if push is None:
        return outcome.exit_code
    from scanner.push.command import run_push

    return max(outcome.exit_code, print_push(run_push(factory, replace(push, run_dir=outcome.folder.path))))


def _push_after_scan(args: argparse.Namespace) -> PushRequest | None:
    """The push `scan --push-*` asks for, checked before AWS is called; None without one."""
    from scanner.push.command import PushRequest

    if not args.push_securityhub and not args.push_s3:
        if args.object_lock_days is not None or args.kms_key_id:
            fatal("scan: --object-lock-days and --kms-key-id go with --push-s3")
        return None
    if args.resume is not None or len(parse_id_list(args.profile) or ()) > 1:
        fatal("scan: --push-securityhub and --push-s3 push one new run; push others with `orgscan push RUN_DIR`")
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
            run_log = start_logging(config, args.debug)
            outcome = scan(config, factory, progress=OpensLog(progress_for_terminal(), run_log))
        except OrgscanError as exc:
            print(f"orgscan: error: profile {profile}: {exc}", file=sys.stderr)
            codes.append(EXIT_USAGE)
            continue
        print_outcome(outcome, api_stats=True)
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
        fatal(f"{fixed[0]}: --resume re-uses the run's own settings, which cannot be changed")
    path = Path(args.resume)
    if not path.is_dir():
        fatal(f"--resume: not a run folder: {path}")
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
        outcome = resume(folder, config, factory, progress=OpensLog(progress_for_terminal(), run_log))
    except (OrgscanError, OSError) as exc:
        log.error("resumed scan stopped: %s", exc)
        raise
    if differences:  # said once the run is resumed: a refusal stays one line
        print(f"orgscan: note: resumed with settings that differ from the run's start: {', '.join(differences)} "
              "(run.json keeps the original digest and records this one under 'resumed')", file=sys.stderr)
    print_outcome(outcome, api_stats=True)
    return outcome.exit_code


def _run_demo(args: argparse.Namespace) -> int:
    from scanner.demo import run_demo
    from scanner.simulation.catalog import FIXED_ACCOUNT_COUNT
    from scanner.ui.progress import progress_for_terminal

    accounts = FIXED_ACCOUNT_COUNT if args.accounts is None else args.accounts
    if accounts < FIXED_ACCOUNT_COUNT:
        fatal(f"--accounts: the simulated organization needs at least {FIXED_ACCOUNT_COUNT} accounts, got {accounts}")
    overrides: dict[str, Any] = {"out": args.out, "workers": args.workers, "checks_file": args.checks,
                                 "framework": args.framework, "exceptions": args.exceptions,
                                 "paper": args.paper, "access_analyzer": args.access_analyzer}
    if args.log_file is not None:
        overrides["log"] = {"path": args.log_file}
    config = load_config(None, overrides)
    run_log = start_logging(config)
    try:
        outcome = run_demo(config, accounts, progress=OpensLog(progress_for_terminal(), run_log),
                           started_at=args.clock)
    except (OrgscanError, OSError) as exc:
        log.error("demo stopped: %s", exc)
        raise
    print_outcome(outcome, api_stats=True)
    return 0
