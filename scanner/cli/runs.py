"""The commands that work on run folders offline: `report`, `verify`, `bundle`, `history`, `diff`, `merge`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scanner.cli.common import EXIT_NOT_INTACT, fatal, print_outcome, report_options
from scanner.config import Config, load_config


def add_parsers(commands: Any) -> dict[str, Callable[[argparse.Namespace], int]]:
    report = commands.add_parser("report", help="re-derive every result of a run from its raw evidence")
    report.add_argument("run_dir", help="a run folder written by scan or demo")
    report_options(report)

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

    merge = commands.add_parser("merge", help="combine run folders of one organization, scanned in parts "
                                              "(--ou, --accounts), into one run folder and report")
    merge.add_argument("parts", nargs="+", metavar="RUN_DIR", help="the parts' run folders (at least two)")
    merge.add_argument("--out", required=True, help="where the merged run folder is written (as scan's --out)")

    return {"report": _run_report, "verify": _run_verify, "bundle": _run_bundle, "history": _run_history,
            "diff": _run_diff, "merge": _run_merge}


def _run_report(args: argparse.Namespace) -> int:
    from scanner.checks import Framework, load_thresholds
    from scanner.pipeline import build_outputs
    from scanner.rundir import RunFolder

    thresholds = load_thresholds(args.checks) if args.checks else None  # None: the run's own settings
    folder = RunFolder.open(Path(args.run_dir))
    outcome = build_outputs(folder, thresholds, Framework(args.framework) if args.framework else None,
                            paper=args.paper)
    print_outcome(outcome)
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
        fatal(f"not a run folder: {folder}")
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
        fatal(f"no history database at {path}")
    runs = History(path).runs()
    header = ["started (UTC)", "run", "organization", "accounts", *CHECK_IDS]
    rows = [
        [run.started_at, run.run_id, run.organization_id or "(single account)",
         f"{run.scanned}/{run.discovered}", *(rate_text(r.passed, r.applicable) for r in run.rates)]
        for run in runs
    ]
    widths = [max(len(str(line[i])) for line in [header, *rows]) for i in range(len(header))]
    for line in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    print(f"{len(runs)} runs in {path}; accounts: assessed/discovered; per box: accounts passed/applicable")
    return 0


def rate_text(passed: int, applicable: int) -> str:
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


def _run_merge(args: argparse.Namespace) -> int:
    from scanner.merge import PartNotIntact, merge

    try:
        merged = merge([Path(part) for part in args.parts], Path(args.out))
    except PartNotIntact as exc:
        print(f"orgscan: error: {exc}", file=sys.stderr)
        return EXIT_NOT_INTACT
    for note in merged.notes:
        print(f"orgscan: warning: {note}", file=sys.stderr)
    print(f"merged {merged.parts} parts into one run (run.json merged_from names them)")
    print_outcome(merged.outcome)
    return merged.outcome.exit_code
