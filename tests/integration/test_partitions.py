"""GovCloud and China credentials work only in their own partition: without a configured region the scanner finds
the caller's partition, or says in one line to pass --region."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.simulation.answers import bind_key_to_partition
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import MANAGEMENT_ACCESS_KEY, MANAGEMENT_SECRET_KEY, SimulatedAws
from tests.integration.helpers import CliResult, read_json, run_folder


@pytest.fixture
def no_region(sim: SimulatedAws, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A user of the simulated AWS whose configuration names no region."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", sim.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", MANAGEMENT_ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", MANAGEMENT_SECRET_KEY)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    yield
    bind_key_to_partition(MANAGEMENT_ACCESS_KEY, None)


def _orgscan(*args: str) -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.mark.usefixtures("no_region")
@pytest.mark.parametrize(("partition", "region"), [("aws-us-gov", "us-gov-west-1"), ("aws-cn", "cn-north-1")])
def test_credentials_of_another_partition_are_scanned_in_its_default_region(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path, partition: str, region: str) -> None:
    bind_key_to_partition(MANAGEMENT_ACCESS_KEY, partition)
    result = _orgscan("scan", "--out", str(tmp_path / "runs"))
    assert result.code in (0, 2), result.stderr
    info = read_json(run_folder(tmp_path / "runs") / "run.json")
    assert info["partition"] == partition  # type: ignore[index]
    assert info["caller_arn"].startswith(f"arn:{partition}:")  # type: ignore[index]
    assert info["account_counts"]["scanned"] == 1  # type: ignore[index]


@pytest.mark.usefixtures("no_region")
def test_credentials_no_partition_knows_are_one_line_naming_region(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    bind_key_to_partition(MANAGEMENT_ACCESS_KEY, "aws-iso")  # a partition none of the defaults belongs to
    result = _orgscan("scan", "--out", str(tmp_path / "runs"))
    assert result.code == 1
    assert result.stderr.count("\n") == 1 and "InvalidClientTokenId" in result.stderr
    assert "pass --region (e.g. us-gov-west-1 or cn-north-1)" in result.stderr
    assert not (tmp_path / "runs").exists()


@pytest.mark.usefixtures("no_region")
def test_a_configured_region_is_never_second_guessed(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    bind_key_to_partition(MANAGEMENT_ACCESS_KEY, "aws-us-gov")
    result = _orgscan("scan", "--out", str(tmp_path / "runs"), "--region", "us-east-1")
    assert result.code == 1
    assert result.stderr == ("orgscan: error: cannot identify the caller: InvalidClientTokenId: The security token "
                             "included in the request is invalid.\n")


def test_policy_for_the_caller_is_valid_in_every_partition(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "--caller", "--role-name", "OrgscanReadOnly"]) == 0
    printed = capsys.readouterr().out
    assert '"arn:*:iam::*:role/OrgscanReadOnly"' in printed and "arn:aws:" not in printed
    assert '"iam:ListOrganizationsFeatures"' in printed
