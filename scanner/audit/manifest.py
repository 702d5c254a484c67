"""`manifest.json`: the size and SHA-256 of every file of a run folder, and the run's metadata.

It is written last, after every other file, by `scan` and again by `orgscan report`. It holds no time of
its own (only run.json's) and lists paths in sorted order, so re-deriving an unchanged run rewrites it with
identical bytes. The manifest's own SHA-256, printed by scan, report and bundle, is the one value to pass
to an auditor through a separate channel: it fixes the content of every other file.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from scanner import rundir
from scanner.audit.layout import MANIFEST_JSON
from scanner.errors import RunFolderError
from scanner.rundir import RunFolder

FORMAT = "orgscan-manifest/1"
ALGORITHM = "sha256"
RUN_KEYS = ("tool_version", "started_at", "finished_at", "caller_arn", "organization_id", "organization_name",
            "management_account_id", "account_counts", "config_digest")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the run folder, '/'-separated
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    run: Mapping[str, Any]  # the RUN_KEYS of run.json
    files: tuple[FileEntry, ...]  # sorted by path; manifest.json itself is not listed

    def to_bytes(self) -> bytes:
        return rundir.dumps({
            "format": FORMAT,
            "algorithm": ALGORITHM,
            "run": dict(self.run),
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in self.files],
        })


@dataclass(frozen=True)
class Listing:
    """What is in a folder: regular files, and anything else (links, devices) a manifest never lists."""

    files: tuple[str, ...]
    irregular: tuple[str, ...]


def hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def list_folder(root: Path) -> Listing:
    """Every entry under `root` except manifest.json, as sorted '/'-separated relative paths; links not followed."""
    files: list[str] = []
    irregular: list[str] = []
    for directory, dirnames, names in os.walk(root, followlinks=False):
        base = Path(directory)
        for name in dirnames:
            if (base / name).is_symlink():
                irregular.append((base / name).relative_to(root).as_posix())
        for name in names:
            relative = (base / name).relative_to(root).as_posix()
            if relative == MANIFEST_JSON:
                continue
            mode = os.lstat(base / name).st_mode
            (files if stat.S_ISREG(mode) else irregular).append(relative)
    return Listing(tuple(sorted(files)), tuple(sorted(irregular)))


def is_safe_path(relative: str) -> bool:
    """A relative path that stays inside the folder: no absolute path, no `..`, no backslash or NUL."""
    if not relative or "\\" in relative or "\0" in relative or "\n" in relative:
        return False
    path = PurePosixPath(relative)
    return not path.is_absolute() and ".." not in path.parts and "." not in path.parts and path.as_posix() == relative


def run_metadata(run_info: Mapping[str, Any]) -> dict[str, Any]:
    return {key: run_info[key] for key in RUN_KEYS if key in run_info}


def build_manifest(folder: RunFolder) -> Manifest:
    listing = list_folder(folder.path)
    entries = []
    for relative in listing.files:
        size, sha256 = hash_file(folder.path / relative)
        entries.append(FileEntry(relative, size, sha256))
    return Manifest(run_metadata(folder.read_run_info()), tuple(entries))


def write_manifest(folder: RunFolder) -> str:
    """Write manifest.json (call it after every other file); return its own SHA-256."""
    data = build_manifest(folder).to_bytes()
    rundir.write_atomic(folder.path / MANIFEST_JSON, data)
    return hashlib.sha256(data).hexdigest()


def manifest_digest(path: Path) -> str:
    return hash_file(path)[1]


def parse_manifest(data: bytes) -> Manifest:
    """The manifest in `data`; RunFolderError when it is not one this version can read."""
    try:
        document = json.loads(data)
        if document.get("format") != FORMAT or document.get("algorithm") != ALGORITHM:
            raise ValueError(f"unknown format {document.get('format')!r}")
        files = tuple(FileEntry(str(f["path"]), int(f["size"]), str(f["sha256"]).lower())
                      for f in document["files"])
        run = dict(document.get("run") or {})
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RunFolderError(f"{MANIFEST_JSON} is not a readable orgscan manifest: {exc}") from None
    return Manifest(run, files)


def read_manifest(root: Path) -> Manifest:
    try:
        data = (root / MANIFEST_JSON).read_bytes()
    except FileNotFoundError:
        raise RunFolderError(f"{root} has no {MANIFEST_JSON}") from None
    except OSError as exc:
        raise RunFolderError(f"{MANIFEST_JSON} is unreadable: {exc.strerror}") from None
    return parse_manifest(data)
