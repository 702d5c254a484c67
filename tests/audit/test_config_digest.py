"""The configuration digest in run.json and inputs/scan.json says which settings made a run, and never
lets anyone holding the run folder confirm a guessed external id offline."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from scanner.audit.checkpoint import read_start, resume_config
from scanner.config import Config
from scanner.rundir import RunFolder
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.integration.helpers import read_json, run_cli, run_folder

EXTERNAL_ID = "orgscan-ext-7f3a9c21"


def test_the_digest_leaves_the_external_id_out_and_keeps_every_other_setting() -> None:
    assert Config(external_id=EXTERNAL_ID).digest() == Config(external_id="a-guess").digest() == Config().digest()
    assert Config(role_name="SecurityAudit").digest() != Config().digest()


def test_a_guessed_external_id_cannot_be_confirmed_from_the_run_folder(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path, no_report: None) -> None:
    organization.install(sim.faults)
    out = tmp_path / "runs"
    result = run_cli(sim, "scan", "--out", str(out), "--workers", "4", "--external-id", EXTERNAL_ID)
    assert result.code == 2, result.stderr
    folder = run_folder(out)
    recorded = read_json(folder / "run.json")["config_digest"]  # type: ignore[index]
    start = read_start(RunFolder(folder))
    assert start.external_id_set and start.config_digest == recorded

    # What someone holding the folder would try: the stored settings with each guess, digested.
    stored, _ = resume_config(start, {"external_id": "placeholder"})
    digests = {guess: replace(stored, external_id=guess).digest() for guess in (EXTERNAL_ID, "wrong-guess", "")}
    assert set(digests.values()) == {recorded}  # the right guess looks like any other
    for path in folder.rglob("*"):
        if path.is_file():
            assert EXTERNAL_ID.encode() not in path.read_bytes(), path
