"""Run the real CLI against the simulated organization, as a user on a terminal would."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.simulation.server import MANAGEMENT_ACCESS_KEY, MANAGEMENT_SECRET_KEY, SimulatedAws

MANAGEMENT = "123456789012"


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str


@contextmanager
def aws_env(sim: SimulatedAws) -> Iterator[dict[str, str]]:
    """The environment of a user whose credential chain and endpoint point at the simulated AWS."""
    values = {
        "AWS_ENDPOINT_URL": sim.endpoint_url,
        "AWS_ACCESS_KEY_ID": MANAGEMENT_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": MANAGEMENT_SECRET_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    with pytest.MonkeyPatch.context() as patch:
        for key, value in values.items():
            patch.setenv(key, value)
        yield dict(os.environ)


def run_cli(sim: SimulatedAws | None, *args: str) -> CliResult:
    """`orgscan ARGS` in this process (the simulated AWS serves from a thread of it); no AWS when `sim` is None."""
    out, err = io.StringIO(), io.StringIO()
    with aws_env(sim) if sim else nullcontext(), redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return CliResult(code, out.getvalue(), err.getvalue())


def run_cli_process(sim: SimulatedAws, *args: str, timeout: float = 120) -> CliResult:
    """`orgscan ARGS` as a separate process, exactly as installed."""
    with aws_env(sim) as env:
        done = subprocess.run(  # noqa: S603 - our own console script
            [sys.executable, "-m", "scanner", *args], env=env, capture_output=True, text=True, timeout=timeout,
            check=False,
        )
    return CliResult(done.returncode, done.stdout, done.stderr)


def run_folder(out: Path) -> Path:
    folders = [p for p in out.iterdir() if p.is_dir()]
    assert len(folders) == 1, f"expected one run folder in {out}, found {folders}"
    return folders[0]


def read_csv(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    with io.StringIO(data.decode("utf-8"), newline="") as handle:
        return list(csv.DictReader(handle))


def csv_header(path: Path) -> list[str]:
    return path.read_bytes().split(b"\r\n", 1)[0].decode().split(",")


def read_json(path: Path) -> object:
    return json.loads(path.read_bytes())
