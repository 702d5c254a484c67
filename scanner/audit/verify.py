"""`orgscan verify`: is a run folder (or its bundle) exactly what orgscan wrote, and do its results follow
from its raw evidence?

Two independent checks. The manifest: every listed file is present with its size and SHA-256, and nothing
else is there. The re-derivation: the derived CSV and JSON files are computed again from raw/ and inputs/
(in memory, as `orgscan report` would write them) and compared with the files; each finding that no
longer matches its evidence is named. The folder being verified is never written to; a bundle is unzipped
into a temporary folder, within bounds: no entry larger than the manifest says, nothing that inflates like a
zip bomb, no links or special files. Reports (HTML, PDF, XLSX) are checked by hash only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import IO, Any

from scanner import __version__, rundir
from scanner.audit.bundle import README_TXT, SHA256SUMS, readme_text, sums_text
from scanner.audit.layout import DISCOVERY_JSON, FINDINGS_CSV, HISTORY_JSON, MANIFEST_JSON, SCAN_JSON
from scanner.audit.manifest import Manifest, hash_file, is_safe_path, list_folder, parse_manifest, run_metadata
from scanner.derive import derive_outputs
from scanner.errors import OrgscanError, RunFolderError
from scanner.models import is_account_id
from scanner.rundir import RunFolder

_FINDING_KEY = ("account_id", "check_id")

# Bounds on unpacking a bundle. Evidence (JSON and CSV) deflates well under 50:1, reports hardly at all; an
# entry that inflates more than MAX_RATIO times is a zip bomb, not evidence, and so is a zip as a whole.
MAX_RATIO = 200
MAX_UNPACKED = 32 << 30  # bytes unpacked from one bundle, however large the zip
MAX_MANIFEST = 32 << 20  # bytes of manifest.json (some 150,000 files), which is read into memory first
_RATIO_FLOOR = 1 << 20  # an entry smaller than this is held to the cap on the whole zip only
_MAX_NAME = 1024  # bytes of an entry's name; a run folder's deepest is under 100
_MAX_DEPTH = 16  # folders in an entry's name; a run folder's deepest file is 3 down
_CHUNK = 1 << 20
_ENCRYPTED = 0x1  # general purpose flag bit 0
_UNZIP_ERRORS = (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error)


class ProblemKind(StrEnum):
    CHANGED = "changed"  # a file's size or SHA-256 differs from the manifest
    MISSING = "missing"  # listed in the manifest, not in the folder
    EXTRA = "extra"  # in the folder, not in the manifest (or not a regular file)
    FINDING = "finding"  # a finding that does not follow from its raw evidence
    DERIVED = "derived"  # another derived file that does not follow from raw/ and inputs/
    MANIFEST = "manifest"  # the manifest itself is missing, unreadable or inconsistent
    BUNDLE = "bundle"  # the zip's own files (README.txt, SHA256SUMS), its layout, or an entry not unpacked
    ACCOUNT = "account"  # an account id (in raw/ or inputs/, or a folder name under raw/) that is not 12 digits


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    path: str  # relative to the run folder (or the bundle for BUNDLE problems)
    detail: str


@dataclass(frozen=True)
class Verification:
    target: str
    run_name: str
    manifest_sha256: str  # "" when there is no readable manifest
    files: int  # files the manifest lists, itself included
    findings: int  # findings re-derived from raw/
    problems: tuple[Problem, ...]
    # Results this version's rules judge differently from the earlier version that wrote the run (run.json
    # `tool_version`). Rules change between versions, evidence does not: these never make a run "not intact".
    judged_differently: tuple[Problem, ...] = ()
    written_by: str = ""  # the tool version that wrote the run, when it is not this one

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(target: Path) -> Verification:
    """Verify a run folder, an unzipped bundle, or a bundle zip. RunFolderError when it is none of these."""
    if target.is_file():
        if not zipfile.is_zipfile(target):
            raise RunFolderError(f"not a run folder or a bundle zip: {target}")
        return _verify_zip(target)
    if not target.is_dir():
        raise RunFolderError(f"no such run folder or bundle: {target}")
    if (target / SHA256SUMS).is_file() and not (target / MANIFEST_JSON).exists():
        return _verify_bundle_root(target, str(target), [])
    return _verify_folder(target, str(target))


def _verify_zip(path: Path) -> Verification:
    """Unpack the bundle into a temporary folder, within bounds, and verify that as an unzipped bundle."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise RunFolderError(f"cannot read bundle {path}: {exc}") from None
    with archive, tempfile.TemporaryDirectory(prefix="orgscan-verify-") as tmp:
        plan = _plan(archive, path)
        if plan.over_limit is not None:
            return Verification(str(path), plan.run, "", 0, 0, (*plan.problems, plan.over_limit))
        root = Path(tmp)
        _unpack(archive, plan, root)
        return _verify_bundle_root(root, str(path), plan.problems, frozenset(plan.refused))


@dataclass
class _Plan:
    """What to unpack from a bundle, decided from its directory (and manifest.json) before anything is written."""

    run: str  # the run folder's name, the zip's one top-level folder
    folders: set[str] = field(default_factory=set)
    files: list[tuple[zipfile.ZipInfo, int]] = field(default_factory=list)  # each entry and the most bytes it may hold
    manifest: bytes | None = None  # manifest.json, already read
    problems: list[Problem] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  # run-folder paths not unpacked: not to be reported missing too
    over_limit: Problem | None = None  # the whole zip inflates too far: nothing is unpacked

    def relative(self, name: str) -> str:
        """An entry's path in the run folder, for problems about the run's files; the entry's name otherwise."""
        return name[len(self.run) + 1:] if name.startswith(f"{self.run}/") else name

    def refuse(self, kind: ProblemKind, path: str, detail: str) -> None:
        self.problems.append(Problem(kind, path, detail))
        self.refused.add(self.relative(path))


def _refusal(info: zipfile.ZipInfo, name: str, seen: dict[str, zipfile.ZipInfo]) -> str:
    """Why an entry is never unpacked, whatever the manifest says; "" when it may be."""
    if not is_safe_path(name):
        return "unsafe path in the zip; not extracted"
    if len(name.encode("utf-8", "replace")) > _MAX_NAME or name.count("/") > _MAX_DEPTH:
        return "a path longer or deeper than any of a run folder; not extracted"
    if name in seen:
        return "appears more than once in the zip"
    if info.flag_bits & _ENCRYPTED:
        return "encrypted; not extracted"
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        return "a symbolic link; not extracted"
    if kind and kind != (stat.S_IFDIR if info.is_dir() else stat.S_IFREG):
        return f"not a regular file or folder (mode {mode:o}); not extracted"
    return ""


def _inflates_too_far(info: zipfile.ZipInfo) -> bool:
    return info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * info.compress_size


def _plan(archive: zipfile.ZipFile, path: Path) -> _Plan:
    problems: list[Problem] = []
    entries: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        name = info.filename.rstrip("/") if info.is_dir() else info.filename
        refusal = _refusal(info, name, entries)
        if refusal:
            problems.append(Problem(ProblemKind.BUNDLE, name if is_safe_path(name) else info.filename, refusal))
        else:
            entries[name] = info
    inside: dict[str, str] = {}  # each folder the names imply -> the first entry in it
    for name in sorted(entries):
        for parent in PurePosixPath(name).parents:
            inside.setdefault(str(parent), name)
    for name in sorted(inside.keys() & {n for n, info in entries.items() if not info.is_dir()}):
        problems.append(Problem(ProblemKind.BUNDLE, name, f"a file, and the folder of {inside[name]}; not extracted"))
        del entries[name]
    tops = {name.split("/", 1)[0] for name, info in entries.items() if "/" in name or info.is_dir()}
    if len(tops) != 1:
        raise RunFolderError(f"{path}: a bundle holds exactly one run folder, found {len(tops)}")
    plan = _Plan(tops.pop(), problems=problems)
    manifest = _read_manifest(archive, entries.pop(f"{plan.run}/{MANIFEST_JSON}", None), plan)
    allowed: dict[str, int] | None = None  # without a manifest, the caps on ratio and total alone
    if manifest is not None and plan.manifest is not None:
        digest = hashlib.sha256(plan.manifest).hexdigest()
        allowed = {f"{plan.run}/{f.path}": f.size for f in manifest.files if is_safe_path(f.path)}
        allowed[SHA256SUMS] = len(sums_text(plan.run, manifest, digest).encode("utf-8"))
        allowed[README_TXT] = len(readme_text(plan.run, manifest, digest).encode("utf-8"))
    for name, info in entries.items():
        if info.is_dir():
            plan.folders.add(name)
            continue
        limit = _allowance(plan, name, info, allowed)
        if limit is not None:
            plan.files.append((info, limit))
    unpacked = sum(limit for _, limit in plan.files) + len(plan.manifest or b"")
    size = path.stat().st_size
    if unpacked > min(MAX_UNPACKED, MAX_RATIO * size):
        bound = (f"more than {MAX_RATIO} times its {size} bytes" if MAX_RATIO * size < MAX_UNPACKED
                 else f"more than the {MAX_UNPACKED} bytes a bundle may unpack to")
        detail = f"inflates to {unpacked} bytes, {bound}; not extracted"
        plan.over_limit = Problem(ProblemKind.BUNDLE, path.name, detail)
    return plan


def _allowance(plan: _Plan, name: str, info: zipfile.ZipInfo, allowed: dict[str, int] | None) -> int | None:
    """The most bytes the entry may unpack to, or None when it is not unpacked (and said why)."""
    relative = plan.relative(name)
    if relative == name and name not in (README_TXT, SHA256SUMS):
        plan.problems.append(Problem(ProblemKind.EXTRA, name, "not part of an orgscan bundle"))
        return None
    limit = info.file_size
    if allowed is not None:  # a readable manifest says what each file is
        if name not in allowed:
            plan.problems.append(Problem(ProblemKind.EXTRA, relative, "not listed in the manifest"))
            return None
        if info.file_size > allowed[name]:
            if relative == name:
                plan.refuse(ProblemKind.BUNDLE, name, f"does not match {plan.run}/{MANIFEST_JSON}")
            else:
                plan.refuse(ProblemKind.CHANGED, relative, f"{info.file_size} bytes in the zip, the manifest says "
                                                           f"{allowed[name]}; not extracted")
            return None
    if _inflates_too_far(info):
        plan.refuse(ProblemKind.BUNDLE, name, f"inflates {info.file_size} bytes from {info.compress_size}, "
                                              f"{info.file_size // max(info.compress_size, 1)}:1 (evidence never "
                                              f"compresses more than {MAX_RATIO}:1); not extracted")
        return None
    return limit


def _read_manifest(archive: zipfile.ZipFile, info: zipfile.ZipInfo | None, plan: _Plan) -> Manifest | None:
    """The bundle's manifest.json, read into memory first: it says how large every other entry may be."""
    if info is None or info.is_dir():
        return None
    if info.file_size > MAX_MANIFEST or _inflates_too_far(info):
        plan.refuse(ProblemKind.MANIFEST, MANIFEST_JSON, f"inflates to {info.file_size} bytes from "
                                                         f"{info.compress_size}: not a manifest; not extracted")
        return None
    sink = io.BytesIO()
    error = _copy_entry(archive, info, sink, info.file_size)
    if error:
        plan.refuse(ProblemKind.CHANGED, MANIFEST_JSON, error)
        return None
    plan.manifest = sink.getvalue()
    try:
        return parse_manifest(plan.manifest)
    except RunFolderError:
        return None  # unpacked as it is, and reported as unreadable with the run folder


def _copy_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, sink: IO[bytes], limit: int) -> str:
    """Stream the entry into `sink`, never more than `limit` bytes; "" when done, else what went wrong."""
    written = 0
    try:
        with archive.open(info) as source:
            while chunk := source.read(min(_CHUNK, limit - written + 1)):
                written += len(chunk)
                if written > limit:
                    return f"more than the {limit} bytes its zip entry says; not extracted"
                sink.write(chunk)
    except _UNZIP_ERRORS as exc:  # a CRC mismatch, a truncated zip, an unsupported compression method
        return f"cannot be extracted: {exc}"
    return ""


def _unpack(archive: zipfile.ZipFile, plan: _Plan, root: Path) -> None:
    """Write the planned entries under `root`: private folders and files, created new (never through a link)."""
    run = root / plan.run
    run.mkdir(mode=0o700)
    if plan.manifest is not None:
        (run / MANIFEST_JSON).write_bytes(plan.manifest)
    for name in sorted(plan.folders):
        (root / name).mkdir(mode=0o700, parents=True, exist_ok=True)
    for info, limit in plan.files:
        target = root / info.filename
        error = ""
        try:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            error = f"cannot be extracted: {exc.strerror}"
        else:
            with os.fdopen(fd, "wb") as sink:
                error = _copy_entry(archive, info, sink, limit)
            if error:
                target.unlink()
        if error:
            plan.refuse(ProblemKind.CHANGED, plan.relative(info.filename), error)


def _verify_bundle_root(root: Path, target: str, problems: list[Problem],
                        refused: frozenset[str] = frozenset()) -> Verification:
    """An unzipped bundle: README.txt, SHA256SUMS and exactly one run folder.

    `refused` names the entries of a zip that were not unpacked (and why was said): their absence is no news.
    """
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink())
    others = sorted(p.name for p in root.iterdir() if p.name not in {README_TXT, SHA256SUMS}
                    and not (p.is_dir() and not p.is_symlink()))
    if len(folders) != 1:
        raise RunFolderError(f"{target}: a bundle holds exactly one run folder, found {len(folders)}")
    problems.extend(Problem(ProblemKind.EXTRA, name, "not part of an orgscan bundle") for name in others)
    folder = folders[0]
    result = _verify_folder(folder, target)
    problems.extend(p for p in result.problems if not (p.kind is ProblemKind.MISSING and p.path in refused))
    if result.manifest_sha256:
        manifest = parse_manifest((folder / MANIFEST_JSON).read_bytes())
        expected = {
            SHA256SUMS: sums_text(folder.name, manifest, result.manifest_sha256),
            README_TXT: readme_text(folder.name, manifest, result.manifest_sha256),
        }
        for name, text in expected.items():
            path = root / name
            if name in refused:
                continue
            if not path.is_file():
                problems.append(Problem(ProblemKind.BUNDLE, name, "missing from the bundle"))
            elif path.read_bytes() != text.encode("utf-8"):
                problems.append(Problem(ProblemKind.BUNDLE, name, f"does not match {folder.name}/{MANIFEST_JSON}"))
    return Verification(target, folder.name, result.manifest_sha256, result.files, result.findings,
                        tuple(problems), result.judged_differently, result.written_by)


def _verify_folder(root: Path, target: str) -> Verification:
    if not (root / MANIFEST_JSON).exists() and not (root / rundir.RAW).is_dir():
        raise RunFolderError(f"not an orgscan run folder (no {MANIFEST_JSON}, no raw/): {root}")
    problems: list[Problem] = []
    manifest, manifest_sha256 = _load_manifest(root, problems)
    if manifest is not None:
        problems.extend(_check_files(root, manifest))
        problems.extend(_check_metadata(root, manifest))
    problems.extend(_check_account_ids(root))
    findings, derived_problems = _check_derivation(root)
    written_by = _written_by(root)
    rejudged: list[Problem] = []
    if written_by == __version__:
        problems.extend(derived_problems)
    else:
        rejudged = derived_problems  # the hashes alone decide whether a run of another version is intact
    files = len(manifest.files) + 1 if manifest is not None else 0
    return Verification(target, root.name, manifest_sha256, files, findings, tuple(problems), tuple(rejudged),
                        "" if written_by == __version__ else (written_by or "an earlier version"))


def _written_by(root: Path) -> str:
    """The tool version run.json records ("" when it records none)."""
    try:
        version = RunFolder(root).read_run_info().get("tool_version")
    except RunFolderError:
        return __version__  # an unreadable run.json is a changed file; its derivation is judged as ours
    return str(version) if isinstance(version, str) else ""


def _load_manifest(root: Path, problems: list[Problem]) -> tuple[Manifest | None, str]:
    path = root / MANIFEST_JSON
    if not path.is_file() or path.is_symlink():
        problems.append(Problem(ProblemKind.MANIFEST, MANIFEST_JSON, "missing: nothing to check the files against"))
        return None, ""
    try:
        manifest = parse_manifest(path.read_bytes())
    except RunFolderError as exc:
        problems.append(Problem(ProblemKind.MANIFEST, MANIFEST_JSON, str(exc)))
        return None, ""
    return manifest, hash_file(path)[1]


def _check_files(root: Path, manifest: Manifest) -> list[Problem]:
    problems: list[Problem] = []
    listing = list_folder(root)
    present = set(listing.files)
    listed: set[str] = set()
    for entry in manifest.files:
        if not is_safe_path(entry.path) or entry.path == MANIFEST_JSON:
            problems.append(Problem(ProblemKind.MANIFEST, entry.path, "the manifest lists an invalid path"))
            continue
        listed.add(entry.path)
        if entry.path not in present:
            problems.append(Problem(ProblemKind.MISSING, entry.path, "listed in the manifest, not in the folder"))
            continue
        size, sha256 = hash_file(root / entry.path)
        if (size, sha256) != (entry.size, entry.sha256):
            detail = (f"size {size} bytes, manifest says {entry.size}" if size != entry.size
                      else "content differs from the manifest (SHA-256)")
            problems.append(Problem(ProblemKind.CHANGED, entry.path, detail))
    problems.extend(Problem(ProblemKind.EXTRA, path, "not listed in the manifest") for path in sorted(present - listed))
    problems.extend(Problem(ProblemKind.EXTRA, path, "not a regular file") for path in listing.irregular)
    return problems


def _check_metadata(root: Path, manifest: Manifest) -> list[Problem]:
    try:
        recorded = run_metadata(RunFolder(root).read_run_info())
    except RunFolderError:
        return []  # run.json itself is reported as changed
    if recorded != dict(manifest.run):
        return [Problem(ProblemKind.MANIFEST, MANIFEST_JSON, f"its run metadata differs from {rundir.RUN_JSON}")]
    return []


def _json_file(path: Path) -> Any:
    """The document, or None when it is missing or unreadable (which the other checks report)."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def _records(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _named_account_ids(root: Path) -> Iterator[tuple[str, Any]]:
    """(file, value) for every account id that raw/ and inputs/ name, as stored."""
    accounts_json = f"{rundir.RAW}/{rundir.ACCOUNTS_JSON}"
    record: Any
    for record in _records(_json_file(root / accounts_json)):
        if "account_id" in record:
            yield accounts_json, record["account_id"]
    discovery_json = f"{rundir.RAW}/{DISCOVERY_JSON}"
    discovery = _json_file(root / discovery_json)
    if isinstance(discovery, dict):
        for record in [discovery.get("caller"), *_records(discovery.get("accounts"))]:
            if isinstance(record, dict) and "account_id" in record:
                yield discovery_json, record["account_id"]
        organization = discovery.get("organization")
        if isinstance(organization, dict) and organization.get("management_account_id"):
            yield discovery_json, organization["management_account_id"]
    history = _json_file(root / HISTORY_JSON)
    previous = history.get("previous") if isinstance(history, dict) else None
    if isinstance(previous, dict):
        for record in _records(previous.get("findings")):
            if "account_id" in record:
                yield HISTORY_JSON, record["account_id"]
    scan = _json_file(root / SCAN_JSON)
    settings = scan.get("settings") if isinstance(scan, dict) else None
    if isinstance(settings, dict):
        for key in ("accounts", "exclude"):
            if isinstance(settings.get(key), list):
                yield from ((SCAN_JSON, value) for value in settings[key])


def _check_account_ids(root: Path) -> list[Problem]:
    """Every account id the run folder names is 12 digits, and so is every folder under raw/.

    An id is a folder name under raw/: anything else (a path, a name) would point evidence elsewhere.
    """
    problems: dict[tuple[str, str], Problem] = {}  # each (file, id) once
    for path, value in _named_account_ids(root):
        if not is_account_id(value):
            detail = f"{value!r} is not an account id (12 digits)"
            problems.setdefault((path, detail), Problem(ProblemKind.ACCOUNT, path, detail))
    try:
        folders = sorted(entry.name for entry in os.scandir(root / rundir.RAW) if entry.is_dir(follow_symlinks=False))
    except OSError:
        folders = []
    return [*problems.values(), *(
        Problem(ProblemKind.ACCOUNT, f"{rundir.RAW}/{name}",
                f"{name!r} is not an account id (12 digits): raw/ holds one folder per account")
        for name in folders if not is_account_id(name))]


def _check_derivation(root: Path) -> tuple[int, list[Problem]]:
    """Re-derive every derived CSV/JSON file from raw/ and inputs/ and compare, piece by piece."""
    problems: list[Problem] = []
    try:
        derived = derive_outputs(RunFolder(root))
        for name in derived.files:
            path = root / name
            if not path.is_file():
                problems.append(Problem(ProblemKind.DERIVED, name, "missing: raw/ gives this file"))
                continue
            if _same_bytes(path, derived.files.chunks(name)):
                continue
            if name == FINDINGS_CSV:
                mismatches = _finding_mismatches(path.read_bytes(), derived.files[name])
                if mismatches:
                    problems.extend(mismatches)
                    continue
            problems.append(Problem(ProblemKind.DERIVED, name, "differs from what raw/ and inputs/ give"))
    except (OrgscanError, OSError, ValueError, KeyError, TypeError) as exc:
        return 0, [Problem(ProblemKind.DERIVED, rundir.RAW, f"results cannot be re-derived from raw/: {exc}")]
    return len(derived.frames.findings), problems


def _same_bytes(path: Path, chunks: Iterable[bytes]) -> bool:
    """Whether the file holds exactly the concatenation of `chunks`, read alongside them."""
    with path.open("rb") as handle:
        for chunk in chunks:
            if handle.read(len(chunk)) != chunk:
                return False
        return handle.read(1) == b""


def _rows(data: bytes) -> tuple[dict[tuple[str, str], dict[str, str]], list[str]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8", "replace"), newline=""))
    rows = {}
    for row in reader:
        rows[(row.get("account_id") or "", row.get("check_id") or "")] = {k: v or "" for k, v in row.items() if k}
    return rows, list(reader.fieldnames or [])


def _finding_mismatches(actual: bytes, expected: bytes) -> list[Problem]:
    """One problem per finding of findings.csv that its raw evidence does not give."""
    found, found_columns = _rows(actual)
    wanted, columns = _rows(expected)
    if found_columns != columns:
        return [Problem(ProblemKind.FINDING, FINDINGS_CSV, f"columns are {found_columns}, raw/ gives {columns}")]
    problems = []
    for key in sorted(set(found) | set(wanted)):
        label = f"{key[0]} {key[1]}"
        if key not in wanted:
            problems.append(Problem(ProblemKind.FINDING, FINDINGS_CSV, f"{label}: not a finding raw/ gives"))
        elif key not in found:
            problems.append(Problem(ProblemKind.FINDING, FINDINGS_CSV, f"{label}: missing, raw/ gives "
                                                                       f"{wanted[key].get('status', '')}"))
        elif found[key] != wanted[key]:
            differing = [c for c in columns if c not in _FINDING_KEY and found[key].get(c) != wanted[key].get(c)]
            if "status" in differing:
                detail = (f"{label}: findings.csv says {found[key].get('status')}, raw evidence gives "
                          f"{wanted[key].get('status')}")
            else:
                detail = f"{label}: {', '.join(differing)} differs from what raw evidence gives"
            problems.append(Problem(ProblemKind.FINDING, FINDINGS_CSV, detail))
    return problems


def describe(problem: Problem) -> str:
    """One line for the terminal."""
    where = "" if problem.kind is ProblemKind.FINDING else f"{problem.path}: "
    return f"{problem.kind.value:<8} {where}{problem.detail}"

