"""The command line: the only module that parses arguments, prints and chooses exit codes."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any, NoReturn

from scanner import __version__
from scanner.config import Config, default_log_path, load_config, parse_id_list
from scanner.errors import OrgscanError
from scanner.logs import configure_logging
from scanner.pipeline import Outcome

EXIT_USAGE = 1
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
    scan.add_argument("--profile", help="AWS profile of the management (or delegated admin) account")
    scan.add_argument("--region", help="region for STS and Organizations calls")
    scan.add_argument("--config", help="TOML configuration file")
    scan.add_argument("--debug", action="store_true", help="log botocore's retry decisions")

    demo = commands.add_parser("demo", help="scan a simulated organization served locally")
    demo.add_argument("--out", default="runs", help="output folder (default: runs)")
    demo.add_argument("--accounts", type=_workers, default=15, help="accounts to simulate (default: 15)")
    demo.add_argument("--workers", type=_workers, help="accounts scanned at once (default: 16)")

    report = commands.add_parser("report", help="re-derive every result of a run from its raw evidence")
    report.add_argument("run_dir", help="a run folder written by scan or demo")

    policy = commands.add_parser("policy", help="print the least-privilege IAM policy the scanner needs")
    policy.add_argument("--caller", action="store_true",
                        help="the policy of the identity that runs the scan, not of the member role")
    policy.add_argument("--role-name", default="OrganizationAccountAccessRole", help="role assumed in members")
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
    }
    return load_config(args.config, overrides)


def _print_outcome(outcome: Outcome) -> None:
    counts = outcome.counts
    print(
        f"{counts['discovered']} accounts: {counts['scanned']} assessed, {counts['error']} could not be "
        f"assessed, {counts['skipped']} skipped"
    )
    print(f"run folder: {outcome.folder.path}")


def _run_scan(args: argparse.Namespace) -> int:
    from scanner.aws.session import SessionFactory
    from scanner.pipeline import scan
    from scanner.ui.progress import progress_for_terminal

    config = _scan_config(args)
    configure_logging(default_log_path(config), config.log.max_bytes, config.log.backups, args.debug)
    outcome = scan(config, SessionFactory(config), progress=progress_for_terminal())
    _print_outcome(outcome)
    return outcome.exit_code


def _run_demo(args: argparse.Namespace) -> int:
    from scanner.demo import run_demo
    from scanner.ui.progress import progress_for_terminal

    if args.accounts < 15:
        _fatal(f"--accounts: the simulated organization needs at least 15 accounts, got {args.accounts}")
    config = load_config(None, {"out": args.out, "workers": args.workers})
    configure_logging(default_log_path(config), config.log.max_bytes, config.log.backups)
    outcome = run_demo(config, args.accounts, progress=progress_for_terminal())
    _print_outcome(outcome)
    return 0


def _run_report(args: argparse.Namespace) -> int:
    from scanner.pipeline import build_outputs
    from scanner.rundir import RunFolder

    outcome = build_outputs(RunFolder.open(Path(args.run_dir)))
    _print_outcome(outcome)
    return outcome.exit_code


def _run_policy(args: argparse.Namespace) -> int:
    from scanner.permissions import caller_policy, member_role_policy, policy_json

    document = caller_policy(args.role_name) if args.caller else member_role_policy()
    sys.stdout.write(policy_json(document))
    return 0


COMMANDS = {"scan": _run_scan, "demo": _run_demo, "report": _run_report, "policy": _run_policy}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except OrgscanError as exc:
        _fatal(str(exc))
    except OSError as exc:
        _fatal(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
    except KeyboardInterrupt:
        print("orgscan: interrupted; accounts already collected are on disk", file=sys.stderr)
        return 130
