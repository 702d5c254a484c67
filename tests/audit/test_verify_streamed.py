"""`orgscan verify` compares each derived file with its re-derivation piece by piece: a byte more or less at the
end of an exchange file is found, even by a forger who also rewrote the manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.audit.manifest import write_manifest
from scanner.rundir import RunFolder
from tests.integration.helpers import run_cli


@pytest.mark.parametrize("name", ["findings.ocsf.json", "findings.asff.json", "users.csv"])
@pytest.mark.parametrize("edit", ["longer", "shorter"])
def test_a_derived_file_one_byte_off_at_the_end_is_not_what_raw_gives(run_copy: Path, name: str, edit: str) -> None:
    path = run_copy / name
    data = path.read_bytes()
    path.write_bytes(data + b"\n" if edit == "longer" else data[:-1])
    write_manifest(RunFolder(run_copy))
    result = run_cli(None, "verify", str(run_copy))
    assert result.code == 3
    assert [line for line in result.stdout.splitlines() if name in line and "differs from what raw/" in line], \
        result.stdout


def test_an_untouched_copy_is_still_intact(run_copy: Path) -> None:
    assert run_cli(None, "verify", str(run_copy)).code == 0
