"""The command line: the only package that parses arguments, prints and chooses exit codes.

One module per command group: `collect` (scan, demo), `runs` (report, verify, bundle, history, diff, merge) and
`deliver` (push, policy); `common` holds what they share.
"""

from __future__ import annotations

import argparse
import sys

from scanner import __version__
from scanner.cli import collect, deliver, runs
from scanner.cli.common import Parser, fatal
from scanner.errors import OrgscanError

__all__ = ["build_parser", "main"]

GROUPS = (collect, runs, deliver)


def build_parser() -> argparse.ArgumentParser:
    """Every group adds its commands; each command's parser carries the function that runs it (`run`)."""
    parser = Parser(prog="orgscan", description="IAM Security Status scorecards for an AWS Organization.")
    parser.add_argument("--version", action="version", version=f"orgscan {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for group in GROUPS:
        for name, run in group.add_parsers(commands).items():
            commands.choices[name].set_defaults(run=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except OrgscanError as exc:
        fatal(str(exc))
    except OSError as exc:
        fatal(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
    except KeyboardInterrupt:
        print("orgscan: interrupted; once discovery had ended, the accounts already collected are on disk "
              "(`orgscan scan --resume RUN_DIR` finishes the run); before that, nothing was kept", file=sys.stderr)
        return 130
