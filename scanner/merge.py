"""`orgscan merge`: one run folder from run folders of one organization scanned in parts.

An organization larger than one process covers is scanned in parts (`--ou`, `--accounts`, `--exclude`), each
on its own machine if need be, each writing its own run folder. Merging them gives the report of the whole.

A part is merged only if it is intact (`orgscan verify`), of the same organization, framework, thresholds,
Access Analyzer setting and exceptions register as the others, written by the same release series of
orgscan and no newer one, and if no account is in two parts. Every part's per-account evidence is copied
unchanged (byte for byte, each file checked against the part's manifest as it is copied), so an auditor can
match it with the parts' manifests; raw/accounts.json, raw/discovery.json, inputs/ and run.json are written
for the whole, which run.json records as a merge (`merged_from`: each part's run id, manifest digest, times
and account selection), and every derived file, report and the manifest are then written by the same code
as `orgscan report`, so `orgscan verify` checks the merged folder like any other.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from scanner import __version__, rundir
from scanner.audit import checkpoint
from scanner.audit.changes import NO_BASELINE, write_baseline
from scanner.audit.layout import DISCOVERY_JSON, EXCEPTIONS_TOML, MANIFEST_JSON, SCAN_JSON
from scanner.audit.manifest import FileEntry, parse_manifest
from scanner.audit.verify import verify
from scanner.collect.organization import ORGANIZATION_FEATURES_JSON
from scanner.derive import access_analyzer_setting, derive_outputs
from scanner.errors import OrgscanError, RunFolderError
from scanner.models import AccountResult, Discovery, ScanStatus, is_account_id
from scanner.normalize.evidence import load_organization_features
from scanner.pipeline import Outcome, account_counts, write_outputs
from scanner.report_settings import ReportSettings, recorded_settings
from scanner.rundir import RunFolder

# Parts that started further apart than this are said to be so (stderr and run.json `merge_notes`): past it,
# AWS regenerates credential reports (at most every 4 hours), so the parts no longer describe one moment.
START_SPREAD = timedelta(hours=4)

MERGED_FROM = "merged_from"
MERGE_NOTES = "merge_notes"
_SELECTION = ("accounts", "exclude", "ous")


class PartNotIntact(OrgscanError):
    """A part does not verify, or changed while it was merged: exit code 3, as `verify` gives."""


@dataclass(frozen=True)
class Part:
    folder: RunFolder
    manifest_sha256: str
    files: dict[str, FileEntry]  # the part's manifest, by path
    info: dict[str, Any]  # run.json
    start: checkpoint.ScanStart
    discovery: Discovery
    results: list[AccountResult]
    settings: ReportSettings  # what its files were derived with
    access_analyzer: bool | None
    exceptions: bytes | None  # inputs/exceptions.toml

    @property
    def path(self) -> Path:
        return self.folder.path

    @property
    def organization(self) -> tuple[str, str, str]:
        return (self.discovery.organization.organization_id, self.discovery.organization.management_account_id,
                self.discovery.caller.partition)


@dataclass(frozen=True)
class Merged:
    outcome: Outcome
    parts: int
    notes: tuple[str, ...]  # what the reader of the merged run should know (parts far apart in time)


def merge(paths: Sequence[Path], out: Path) -> Merged:
    """Write one run folder under `out` from the run folders `paths`; nothing is written unless all of them fit.

    RunFolderError (exit 1) names what does not fit; PartNotIntact (exit 3) a part that does not verify.
    """
    _check_arguments(paths, out)
    with ExitStack() as locks:
        for path in paths:  # no orgscan rewrites a part while it is read
            locks.enter_context(checkpoint.RunLock.acquire(RunFolder(path), "merge"))
        parts = sorted((_read_part(path) for path in paths), key=lambda p: (p.start.started_at, p.start.run_id))
        _check_compatible(parts)
        notes = _notes(parts)
        rundir.make_private_folders(out)
        folder = RunFolder.create(out, _time(parts[0].start.started_at, parts[0].path))
        try:
            with checkpoint.RunLock.acquire(folder, "write"):
                outcome = _write(folder, parts, notes)
        except BaseException:
            shutil.rmtree(folder.path, ignore_errors=True)
            raise
    return Merged(outcome, len(parts), notes)


def _check_arguments(paths: Sequence[Path], out: Path) -> None:
    if len(paths) < 2:
        raise RunFolderError("merge needs at least two run folders")
    seen: dict[Path, Path] = {}
    target = out.resolve()
    for path in paths:
        if not path.is_dir():
            raise RunFolderError(f"not a run folder: {path}")
        resolved = path.resolve()
        if resolved in seen:
            raise RunFolderError(f"{path} is given twice (as {seen[resolved]})")
        seen[resolved] = path
        if target == resolved or resolved in target.parents:
            raise RunFolderError(f"--out {out} is inside the part {path}: the merged run would change it")


def _read_part(path: Path) -> Part:
    checked = verify(path)
    if not checked.intact:
        problem, more = checked.problems[0], len(checked.problems) - 1
        also = f" (and {more} more; `orgscan verify {path}` lists them)" if more else ""
        raise PartNotIntact(f"not merged: {path} is not intact: {problem.kind.value} {problem.path}: "
                            f"{problem.detail}{also}")
    folder = RunFolder.open(path)
    manifest_bytes = (path / MANIFEST_JSON).read_bytes()
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    if digest != checked.manifest_sha256:
        raise PartNotIntact(f"not merged: {path} changed while it was verified")
    if not (path / SCAN_JSON).is_file():
        raise RunFolderError(f"{path} records no settings ({SCAN_JSON}): it was written by an orgscan whose runs "
                             "cannot be merged")
    exceptions = path / EXCEPTIONS_TOML
    return Part(
        folder=folder,
        manifest_sha256=digest,
        files={entry.path: entry for entry in parse_manifest(manifest_bytes).files},
        info=folder.read_run_info(),
        start=checkpoint.read_start(folder),
        discovery=checkpoint.read_discovery(folder),
        results=folder.read_accounts(),
        settings=recorded_settings(folder),
        access_analyzer=access_analyzer_setting(folder),
        exceptions=exceptions.read_bytes() if exceptions.is_file() else None,
    )


def _organization_text(part: Part) -> str:
    organization_id, management, partition = part.organization
    return f"organization {organization_id} (management account {management}, partition {partition})"


def _release(version: str) -> tuple[int, ...] | None:
    """(major, minor) of a version string; None when it is not a release number (a source tree)."""
    found = re.match(r"^(\d+)\.(\d+)", version)
    return (int(found.group(1)), int(found.group(2))) if found else None


def _check_compatible(parts: Sequence[Part]) -> None:
    """One line naming the first part that does not fit with the first one (the earliest), and why."""
    first = parts[0]
    if not first.discovery.organization.organization_id:
        raise RunFolderError(f"{first.path} is the scan of an account in no organization: there is nothing to merge")
    ours, series = _release(__version__), _release(str(first.info.get("tool_version") or ""))
    for part in parts:
        version = str(part.info.get("tool_version") or "")
        release = _release(version)
        if release is None or (ours is not None and release > ours):
            raise RunFolderError(f"{part.path} was written by orgscan {version or '(unrecorded)'}; this orgscan "
                                 f"{__version__} merges only runs of its own or earlier versions")
        if release != series:
            raise RunFolderError(f"{part.path} was written by orgscan {version}, {first.path} by orgscan "
                                 f"{first.info.get('tool_version')}: parts must be scanned by one release series "
                                 "(major.minor) of orgscan")
    for part in parts[1:]:
        if part.organization != first.organization:
            raise RunFolderError(f"{part.path} is {_organization_text(part)}, {first.path} is "
                                 f"{_organization_text(first)}: only parts of one organization merge")
        if part.settings.framework != first.settings.framework:
            raise RunFolderError(f"{part.path} is reported in {part.settings.framework.value}, {first.path} in "
                                 f"{first.settings.framework.value}: run `orgscan report --framework` on one of them")
        if part.settings.thresholds != first.settings.thresholds:
            raise RunFolderError(f"{part.path} judges by other thresholds than {first.path}: run "
                                 "`orgscan report --checks FILE` on both with one file")
        if part.access_analyzer != first.access_analyzer:
            raise RunFolderError(f"{part.path} and {first.path} differ in --access-analyzer: scan every part "
                                 "with the same setting")
        if part.exceptions != first.exceptions:
            raise RunFolderError(f"{part.path} and {first.path} were scanned with different exceptions files "
                                 f"({EXCEPTIONS_TOML}): scan every part with the same --exceptions")
    owner: dict[str, Path] = {}
    for part in parts:
        for result in part.results:
            account_id = result.account.account_id
            if account_id in owner:
                raise RunFolderError(f"account {account_id} is in both {owner[account_id]} and {part.path}: "
                                     "parts must not overlap (scan them with disjoint --ou, --accounts or --exclude)")
            owner[account_id] = part.path


def _time(text: str, where: Path) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RunFolderError(f"{where / SCAN_JSON}: started_at {text!r} is not a time") from None


def _notes(parts: Sequence[Part]) -> tuple[str, ...]:
    starts = [_time(part.start.started_at, part.path) for part in parts]
    spread = max(starts) - min(starts)
    if spread <= START_SPREAD:
        return ()
    hours = spread.total_seconds() / 3600
    return (f"the {len(parts)} parts started {hours:.1f} hours apart ({parts[0].start.started_at} to "
            f"{parts[-1].start.started_at}), more than {START_SPREAD.total_seconds() / 3600:.0f}: their "
            "evidence describes the organization at different times",)


def _copy(part: Part, relative: str, folder: RunFolder) -> None:
    """Copy one file of a part unchanged, after checking it against the part's manifest."""
    entry = part.files.get(relative)
    if entry is None:
        raise PartNotIntact(f"not merged: {part.path}/{relative} is not in its manifest")
    data = (part.path / relative).read_bytes()
    if (len(data), hashlib.sha256(data).hexdigest()) != (entry.size, entry.sha256):
        raise PartNotIntact(f"not merged: {part.path}/{relative} changed while it was merged")
    rundir.write_atomic(folder.path / relative, data, durable=False)


def _evidence(part: Part) -> list[str]:
    """The part's per-account evidence files (raw/<account_id>/...), each of an account of its run."""
    accounts = {result.account.account_id for result in part.results}
    files = []
    for relative in part.files:
        pieces = relative.split("/")
        if len(pieces) < 3 or pieces[0] != rundir.RAW:
            continue
        if not is_account_id(pieces[1]) or pieces[1] not in accounts:
            raise RunFolderError(f"{part.path}: {rundir.RAW}/{pieces[1]} is not the folder of an account of its run")
        files.append(relative)
    return files


def _selection(part: Part) -> dict[str, list[str]]:
    return {key: sorted(part.start.settings.get(key) or []) for key in _SELECTION}


def _features_part(parts: Sequence[Part]) -> Part:
    """Whose organization features to keep: the part that assessed the management account (the finding is filed
    under it), else the earliest."""
    management = parts[0].discovery.organization.management_account_id
    for part in parts:
        if any(r.account.account_id == management and r.scan_status is not ScanStatus.SKIPPED for r in part.results):
            return part
    return parts[0]


def _write(folder: RunFolder, parts: Sequence[Part], notes: tuple[str, ...]) -> Outcome:
    first, latest = parts[0], parts[-1]  # oldest first
    for part in parts:
        for relative in _evidence(part):
            _copy(part, relative, folder)
    features = _features_part(parts)
    if f"{rundir.RAW}/{ORGANIZATION_FEATURES_JSON}" in features.files:
        _copy(features, f"{rundir.RAW}/{ORGANIZATION_FEATURES_JSON}", folder)
    if first.exceptions is not None:
        _copy(first, EXCEPTIONS_TOML, folder)
    folder.sync()

    results = sorted((r for part in parts for r in part.results), key=lambda r: r.account.account_id)
    folder.write_accounts(results)
    accounts = sorted((a for part in parts for a in part.discovery.accounts), key=lambda a: a.account_id)
    organization = latest.discovery.organization
    rundir.write_atomic(folder.raw / DISCOVERY_JSON, rundir.dumps({
        "caller": asdict(first.discovery.caller),
        "organization": asdict(organization),
        "accounts": [asdict(account) for account in accounts],
    }))

    framework, paper, thresholds = first.settings.framework, first.settings.paper, first.settings.thresholds
    settings = {**first.start.settings, "accounts": [a.account_id for a in accounts], "exclude": [], "ous": [],
                "framework": framework.value, "paper": paper, "thresholds": thresholds.to_json()}
    config_digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
    started_at = first.start.started_at
    rundir.write_atomic(folder.path / SCAN_JSON, rundir.dumps({
        "run_id": folder.path.name,
        "started_at": started_at,
        "tool_version": __version__,
        "config_digest": config_digest,
        "external_id_set": any(part.start.external_id_set for part in parts),
        "settings": settings,
    }))
    write_baseline(folder, NO_BASELINE)  # a merge is compared with nothing; each part was, when it was scanned

    def distinct(key: str) -> str:
        return ", ".join(dict.fromkeys(str(part.info.get(key) or "") for part in parts if part.info.get(key)))

    info: dict[str, Any] = {
        "tool_version": __version__,
        "started_at": started_at,
        "finished_at": max(str(part.info.get("finished_at") or part.start.started_at) for part in parts),
        "caller_arn": distinct("caller_arn"),
        "caller_account_id": first.discovery.caller.account_id,
        "partition": first.discovery.caller.partition,
        "role_name": distinct("role_name"),
        "organization_id": organization.organization_id,
        "organization_name": organization.name,
        "management_account_id": organization.management_account_id,
        "account_counts": account_counts(results),
        "config_digest": config_digest,
        "check_thresholds": thresholds.to_json(),
        "organization_features": load_organization_features(folder.raw).to_json(),
        MERGED_FROM: [{
            "run_id": part.start.run_id,
            "manifest_sha256": part.manifest_sha256,
            "started_at": part.start.started_at,
            "finished_at": str(part.info.get("finished_at") or ""),
            "tool_version": str(part.info.get("tool_version") or ""),
            "caller_arn": str(part.info.get("caller_arn") or ""),
            "config_digest": part.start.config_digest,
            "selection": _selection(part),
            "account_counts": account_counts(part.results),
        } for part in parts],
    }
    if notes:
        info[MERGE_NOTES] = list(notes)
    folder.write_run_info(info)
    return write_outputs(folder, derive_outputs(folder, thresholds, framework), paper=paper)
