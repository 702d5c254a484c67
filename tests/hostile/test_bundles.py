"""Hostile bundle zips: `orgscan verify` unpacks within bounds, refuses links and clashing names, never crashes.

The bundles start as a real one (`orgscan bundle` of a hand-written run folder) and are then rewritten the
way an attacker would: a zip bomb in place of evidence, a forged manifest, a file and a folder of the same
name, symbolic links and special files.
"""

from __future__ import annotations

import json
import resource
import shutil
import stat
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.integration.helpers import run_cli
from tests.output.runs import NO_REPORT, SCANNED, make_run

RUN = "2026-06-30T115807Z"
REPORT = f"{RUN}/raw/{SCANNED}/credential_report.csv"
STAMP = (2026, 6, 30, 11, 59, 0)
GIB = 1 << 30
MIB = 1 << 20


@pytest.fixture
def run(tmp_path: Path) -> Path:
    folder = make_run(tmp_path / "runs").path
    result = run_cli(None, "report", str(folder))
    assert result.code == 2, result.stderr
    return folder


@pytest.fixture
def bundle(run: Path, tmp_path: Path) -> Path:
    out = tmp_path / "evidence.zip"
    result = run_cli(None, "bundle", str(run), "--out", str(out))
    assert result.code == 0, result.stdout + result.stderr
    return out


def _verify(target: Path) -> tuple[int, list[str]]:
    result = run_cli(None, "verify", str(target))
    return result.code, result.stdout.splitlines() + result.stderr.splitlines()


@contextmanager
def rewritten(bundle: Path, *, drop: Callable[[str], bool] = lambda name: False) -> Iterator[zipfile.ZipFile]:
    """A copy of the bundle (as `hostile.zip` beside it) without the dropped entries, open to add more."""
    with zipfile.ZipFile(bundle) as source, \
            zipfile.ZipFile(bundle.with_name("hostile.zip"), "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            if not drop(info.filename):
                target.writestr(info, source.read(info))
        yield target


def _entry(name: str, mode: int = stat.S_IFREG | 0o600) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=STAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = mode << 16
    return info


def write_zeros(archive: zipfile.ZipFile, name: str, size: int) -> None:
    """An entry of `size` zero bytes, written a mebibyte at a time: it deflates about a thousand to one."""
    chunk = bytes(MIB)
    with archive.open(_entry(name), "w") as sink:
        for _ in range(size // MIB):
            sink.write(chunk)


def _central_header(data: bytearray, name: str) -> int:
    """Where the entry's header in the zip's central directory starts (its name is the last copy, 46 bytes in)."""
    start = data.rindex(name.encode()) - 46
    assert data[start:start + 4] == b"PK\x01\x02"
    return start


def _written_bytes() -> int:
    """Bytes this process has passed to write(2) so far (files, temporary files, anything)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    raise AssertionError("no wchar in /proc/self/io")


def _peak_memory() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


@contextmanager
def bounded(limit: int) -> Iterator[None]:
    """Fails when the block writes, or grows the process's peak memory by, `limit` bytes or more."""
    if not Path("/proc/self/io").is_file():
        pytest.skip("needs Linux's /proc/self/io to count the bytes written")
    written, memory = _written_bytes(), _peak_memory()
    yield
    assert _written_bytes() - written < limit, f"{_written_bytes() - written} bytes written"
    assert _peak_memory() - memory < limit, f"peak memory grew by {_peak_memory() - memory} bytes"


# Zip bombs


def test_a_zip_bomb_in_place_of_evidence_is_not_intact_and_never_inflated(bundle: Path) -> None:
    with rewritten(bundle, drop=lambda name: name == REPORT) as archive:
        write_zeros(archive, REPORT, GIB)
    assert bundle.with_name("hostile.zip").stat().st_size < 4 * MIB
    with bounded(256 * MIB):
        code, lines = _verify(bundle.with_name("hostile.zip"))
    assert code == 3, lines
    size = len((bundle.parent / "runs" / RUN / "raw" / SCANNED / "credential_report.csv").read_bytes())
    assert (f"changed  raw/{SCANNED}/credential_report.csv: {GIB} bytes in the zip, the manifest says {size}; "
            "not extracted") in lines
    assert f"missing  raw/{SCANNED}/credential_report.csv: listed in the manifest, not in the folder" not in lines


def test_a_zip_bomb_whose_manifest_claims_its_size_is_refused_for_its_compression_ratio(bundle: Path) -> None:
    manifest_name = f"{RUN}/manifest.json"
    with zipfile.ZipFile(bundle) as source:
        manifest = json.loads(source.read(manifest_name))
    for entry in manifest["files"]:
        if entry["path"] == f"raw/{SCANNED}/credential_report.csv":
            entry["size"] = 64 * MIB  # a forger who also rewrites the manifest
    with rewritten(bundle, drop=lambda name: name in (REPORT, manifest_name)) as archive:
        archive.writestr(_entry(manifest_name), json.dumps(manifest, indent=2))
        write_zeros(archive, REPORT, 64 * MIB)
    with bounded(32 * MIB):
        code, lines = _verify(bundle.with_name("hostile.zip"))
    assert code == 3, lines
    refused = [line for line in lines if line.startswith(f"bundle   {REPORT}: inflates {64 * MIB} bytes from ")]
    assert refused and refused[0].endswith(":1 (evidence never compresses more than 200:1); not extracted"), lines


def test_many_small_bombs_are_stopped_by_the_cap_on_the_whole_bundle(bundle: Path) -> None:
    manifest_name = f"{RUN}/manifest.json"
    with rewritten(bundle, drop=lambda name: name == manifest_name) as archive:  # nothing to hold sizes to
        for n in range(200):
            write_zeros(archive, f"{RUN}/raw/{SCANNED}/padding-{n:03}", MIB)
    hostile = bundle.with_name("hostile.zip")
    with bounded(32 * MIB):
        code, lines = _verify(hostile)
    assert code == 3, lines
    assert len(lines) == 2, lines
    words = lines[0].split()
    assert words[:4] == ["bundle", "hostile.zip:", "inflates", "to"] and int(words[4]) > 200 * MIB, lines
    assert lines[0].endswith(f"more than 200 times its {hostile.stat().st_size} bytes; not extracted"), lines


def test_an_entry_longer_than_its_zip_header_says_is_cut_and_reported(bundle: Path) -> None:
    with rewritten(bundle, drop=lambda name: name == REPORT) as archive:
        write_zeros(archive, REPORT, 4 * MIB)
    hostile = bundle.with_name("hostile.zip")
    data = bytearray(hostile.read_bytes())
    with zipfile.ZipFile(hostile) as archive:
        info = archive.getinfo(REPORT)
    central = _central_header(data, REPORT)
    assert int.from_bytes(data[central + 24:central + 28], "little") == info.file_size
    data[central + 24:central + 28] = (100).to_bytes(4, "little")  # its uncompressed size, now 100 bytes
    hostile.write_bytes(bytes(data))
    with bounded(32 * MIB):
        code, lines = _verify(hostile)
    assert code == 3, lines
    cut = f"changed  raw/{SCANNED}/credential_report.csv: cannot be extracted: Bad CRC-32 for file {REPORT!r}"
    assert cut in lines, lines


# Names that clash, links and special files


@pytest.mark.parametrize("order", ["file first", "folder first"])
def test_a_file_and_a_folder_of_the_same_name_are_not_intact(bundle: Path, order: str) -> None:
    names = [f"{RUN}/raw/x", f"{RUN}/raw/x/y"]
    with rewritten(bundle) as archive:
        for name in names if order == "file first" else names[::-1]:
            archive.writestr(_entry(name), b"{}")
    code, lines = _verify(bundle.with_name("hostile.zip"))
    assert code == 3, lines
    assert f"bundle   {RUN}/raw/x: a file, and the folder of {RUN}/raw/x/y; not extracted" in lines


def test_a_symbolic_link_in_place_of_evidence_is_refused(bundle: Path) -> None:
    with rewritten(bundle, drop=lambda name: name == REPORT) as archive:
        archive.writestr(_entry(REPORT, stat.S_IFLNK | 0o777), b"/etc/passwd")
        archive.writestr(_entry(f"{RUN}/raw/{SCANNED}/home", stat.S_IFLNK | 0o777), b"/home")
    code, lines = _verify(bundle.with_name("hostile.zip"))
    assert code == 3, lines
    assert f"bundle   {REPORT}: a symbolic link; not extracted" in lines
    assert f"bundle   {RUN}/raw/{SCANNED}/home: a symbolic link; not extracted" in lines


@pytest.mark.parametrize("kind", [stat.S_IFIFO, stat.S_IFCHR, stat.S_IFBLK, stat.S_IFSOCK])
def test_a_special_file_in_a_bundle_is_refused(bundle: Path, kind: int) -> None:
    with rewritten(bundle, drop=lambda name: name == REPORT) as archive:
        archive.writestr(_entry(REPORT, kind | 0o600), b"")
    code, lines = _verify(bundle.with_name("hostile.zip"))
    assert code == 3, lines
    assert f"bundle   {REPORT}: not a regular file or folder (mode {kind | 0o600:o}); not extracted" in lines


@pytest.mark.parametrize("name", [f"{RUN}/raw/" + "deeper/" * 20 + "x.json", f"{RUN}/raw/" + "x" * 2000])
def test_a_name_no_run_folder_has_is_refused(bundle: Path, name: str) -> None:
    with rewritten(bundle) as archive:
        archive.writestr(_entry(name), b"{}")
    code, lines = _verify(bundle.with_name("hostile.zip"))
    assert code == 3, lines
    assert f"bundle   {name}: a path longer or deeper than any of a run folder; not extracted" in lines


def test_an_encrypted_entry_is_reported_not_a_crash(bundle: Path) -> None:
    hostile = bundle.with_name("hostile.zip")
    shutil.copy(bundle, hostile)
    data = bytearray(hostile.read_bytes())
    data[_central_header(data, REPORT) + 8] |= 1  # the "encrypted" flag
    hostile.write_bytes(bytes(data))
    code, lines = _verify(hostile)
    assert code == 3, lines
    assert f"bundle   {REPORT}: encrypted; not extracted" in lines


# What `orgscan bundle` writes


def test_bundle_entries_are_private_files_and_folders_and_the_zip_is_deterministic(
        run: Path, bundle: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        infos = archive.infolist()
    folders = {info.filename for info in infos if info.is_dir()}
    assert folders == {f"{RUN}/", f"{RUN}/raw/", f"{RUN}/raw/{SCANNED}/", f"{RUN}/raw/{NO_REPORT}/"}
    assert {info.external_attr >> 16 for info in infos if info.is_dir()} == {stat.S_IFDIR | 0o700}
    assert {info.external_attr >> 16 for info in infos if not info.is_dir()} == {stat.S_IFREG | 0o600}
    assert [info.filename for info in infos] == sorted(info.filename for info in infos)
    again = tmp_path / "again.zip"
    assert run_cli(None, "bundle", str(run), "--out", str(again)).code == 0
    assert again.read_bytes() == bundle.read_bytes()
    assert _verify(bundle)[0] == 0


def test_unzip_gives_the_auditor_files_only_they_can_read(bundle: Path, tmp_path: Path) -> None:
    unzip = shutil.which("unzip")
    if unzip is None:
        pytest.skip("unzip is not installed")
    target = tmp_path / "unzipped"
    done = subprocess.run([unzip, "-q", str(bundle), "-d", str(target)], capture_output=True, text=True,  # noqa: S603
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    modes = {p.relative_to(target).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in target.rglob("*")}
    assert {m for name, m in modes.items() if (target / name).is_dir()} == {0o700}
    assert {m for name, m in modes.items() if (target / name).is_file()} == {0o600}
    assert _verify(target)[0] == 0
