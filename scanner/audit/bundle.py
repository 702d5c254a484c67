"""`orgscan bundle`: one zip an auditor can receive, check without orgscan, and re-derive with it.

Layout: `README.txt` (what each file is, how to verify), `SHA256SUMS` (every file of the run folder,
manifest.json included, in `sha256sum -c` format) and `<run-id>/...` (the run folder as it is, each of its
folders an entry of its own). The zip is deterministic: entries sorted, every entry stamped with the run's
finish time from run.json, and the run folder's own permissions (files 0600, folders 0700, so `unzip` gives
the auditor files only they can read), so bundling the same folder twice gives the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from scanner.audit.layout import MANIFEST_JSON
from scanner.audit.manifest import Manifest, is_safe_path, read_manifest
from scanner.errors import RunFolderError

README_TXT = "README.txt"
SHA256SUMS = "SHA256SUMS"
_EARLIEST = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
_FILE_MODE = (stat.S_IFREG | 0o600) << 16
_FOLDER_MODE = (stat.S_IFDIR | 0o700) << 16 | 0x10  # and the MS-DOS directory attribute
_CHUNK = 1 << 20
_ACCOUNT_DIR = re.compile(r"^raw/\d{12}/")

# Each kind of file of a run folder, for README.txt; `<account_id>` stands for every account's folder.
DESCRIPTIONS: tuple[tuple[str, str], ...] = (
    ("manifest.json", "size and SHA-256 of every other file, and the run's metadata; written last"),
    ("run.json", "tool version, start and end time, caller ARN, organization, account counts, settings digest"),
    ("accounts.csv", "every discovered account and whether it was scanned, could not be accessed, or skipped"),
    ("findings.csv", "one row per account and check: status (PASS, FAIL, NOT_APPLICABLE, ERROR), detail, "
                     "and any accepted risk"),
    ("scorecard.csv", "one row per account: the five boxes' statuses, passed, applicable, accepted risks"),
    ("users.csv", "every IAM user of every account, from the credential reports"),
    ("user_findings.csv", "per-user results of the extended checks"),
    ("findings.ocsf.json", "findings.csv as OCSF 1.5.0 Compliance Findings (class 2003)"),
    ("findings.asff.json", "findings.csv in the AWS Security Finding Format, as orgscan push imports them"),
    ("changes.csv", "what changed per account and box since the previous run of the same organization"),
    ("trend.json", "org-wide pass rate per box over the last runs"),
    ("exceptions.csv", "the accepted-risk register in force: each entry, active or expired, and its matches"),
    ("report.html", "the report"),
    ("report.pdf", "the report, printable"),
    ("report.xlsx", "the results as a workbook"),
    ("inputs/scan.json", "the settings the scan ran with (no credentials)"),
    ("inputs/exceptions.toml", "a copy of the exceptions (accepted risks) file in force at scan time"),
    ("inputs/history.json", "the previous run's statuses and earlier pass rates this run is compared with"),
    ("raw/accounts.json", "discovery evidence: every account and how its scan ended"),
    ("raw/discovery.json", "the caller, the organization and the accounts as AWS listed them"),
    ("raw/<account_id>/credential_report.csv", "the IAM credential report exactly as AWS returned it"),
    ("raw/<account_id>/credential_report.error.json", "the error AWS gave instead of a credential report"),
    ("raw/<account_id>/account_summary.json", "iam:GetAccountSummary as returned"),
    ("raw/<account_id>/password_policy.json", "iam:GetAccountPasswordPolicy as returned, or its error"),
    ("raw/<account_id>/virtual_mfa_devices.json", "iam:ListVirtualMFADevices, all pages"),
    ("raw/<account_id>/authorization_details.json", "iam:GetAccountAuthorizationDetails, all pages"),
    ("raw/<account_id>/access_error.json", "why the account could not be entered (the AWS error)"),
    ("raw/<account_id>/meta.json", "when the account's evidence was collected; written last for the account"),
)


@dataclass(frozen=True)
class BundleResult:
    path: Path
    files: int  # files of the run folder in the zip, manifest.json included
    manifest_sha256: str


def _pattern(path: str) -> str:
    return _ACCOUNT_DIR.sub("raw/<account_id>/", path)


def zip_time(run: Mapping[str, Any]) -> tuple[int, int, int, int, int, int]:
    """The run's finish time (UTC) as a zip entry's timestamp; 1980-01-01 when the run does not say."""
    try:
        moment = datetime.fromisoformat(str(run.get("finished_at") or "").replace("Z", "+00:00"))
    except ValueError:
        return _EARLIEST
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    return max(stamp, _EARLIEST)


def sums_text(run_name: str, manifest: Manifest, manifest_sha256: str) -> str:
    """SHA256SUMS: `<hash>  <run-id>/<path>` per file, manifest.json included, sorted by path."""
    entries = [(f"{run_name}/{f.path}", f.sha256) for f in manifest.files]
    entries.append((f"{run_name}/{MANIFEST_JSON}", manifest_sha256))
    return "".join(f"{sha256}  {path}\n" for path, sha256 in sorted(entries))


def readme_text(run_name: str, manifest: Manifest, manifest_sha256: str) -> str:
    run = manifest.run
    counts = run.get("account_counts") or {}
    organization = run.get("organization_id") or "(no organization: a single account)"
    if run.get("organization_name"):
        organization = f"{organization} ({run['organization_name']})"
    present = {_pattern(f.path) for f in manifest.files} | {MANIFEST_JSON}
    known = [(name, text) for name, text in DESCRIPTIONS if name in present]
    others = sorted(present - {name for name, _ in DESCRIPTIONS})
    width = max(len(name) for name, _ in known + [(o, "") for o in others])
    lines = [
        f"orgscan evidence bundle: run {run_name}",
        "",
        f"Organization:  {organization}",
        f"Scanned:       {run.get('started_at', '?')} to {run.get('finished_at', '?')} (UTC)",
        f"By:            {run.get('caller_arn', '?')} with orgscan {run.get('tool_version', '?')}",
        f"Accounts:      {counts.get('discovered', 0)} discovered, {counts.get('scanned', 0)} scanned, "
        f"{counts.get('error', 0)} could not be accessed, {counts.get('skipped', 0)} skipped",
        f"Files:         {len(manifest.files) + 1} in {run_name}/",
        "",
        f"SHA-256 of {run_name}/{MANIFEST_JSON}:",
        f"    {manifest_sha256}",
        "Confirm this value with the sender through a separate channel: manifest.json holds the size and",
        "SHA-256 of every other file, so this one value fixes the content of the whole run.",
        "",
        "HOW TO CHECK THAT NOTHING WAS ALTERED",
        "",
        "1. Without orgscan, in the folder this bundle was unzipped into:",
        f"       sha256sum -c {SHA256SUMS}              (Linux)",
        f"       shasum -a 256 -c {SHA256SUMS}          (macOS)",
        f"   Every line must end in OK. {SHA256SUMS} lists every file of {run_name}/, manifest.json included;",
        "   also check that the folder holds no file it does not list.",
        "",
        "2. With orgscan, which also re-derives every finding from the raw AWS responses in raw/:",
        "       orgscan verify <this bundle>.zip        (or the unzipped folder)",
        "   Exit code 0: intact. 3: something differs; every changed, missing or extra file and every",
        "   finding that no longer matches its raw evidence is listed. 1: usage error.",
        "",
        "3. To reproduce the results yourself, copy the run folder and run `orgscan report <copy>`: the",
        "   derived files (CSV, JSON, reports) come out byte for byte the same.",
        "",
        "WHAT EACH FILE IS",
        "",
        *(f"  {name.ljust(width)}  {text}" for name, text in known),
        *(f"  {name.ljust(width)}  (other file of the run folder)" for name in others),
        "",
        "Statuses: PASS, FAIL, NOT_APPLICABLE, ERROR (the data could not be read; never shown as clean).",
        "An accepted risk never changes a status: the FAIL stays FAIL, with the acceptance in `accepted`.",
        "Any AWS call that failed is stored as {\"Error\": {\"Code\": ..., \"Message\": ...}}. No credentials",
        "are stored. Times are UTC.",
    ]
    return "\n".join(lines) + "\n"


def _entry(name: str, stamp: tuple[int, int, int, int, int, int], size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so the permissions below are read as such
    info.external_attr = _FILE_MODE
    info.file_size = size
    return info


def _folder_entry(name: str, stamp: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.create_system = 3
    info.external_attr = _FOLDER_MODE
    info.file_size = info.compress_size = info.CRC = 0
    return info


def folders_of(paths: list[str]) -> list[str]:
    """Every folder the paths lie in, as zip entry names (`<run-id>/`, `<run-id>/raw/`, ...)."""
    return sorted({f"{parent}/" for path in paths for parent in PurePosixPath(path).parents if str(parent) != "."})


def write_bundle(folder: Path, out: Path) -> BundleResult:
    """Write the zip atomically. Each file is hashed as it is read; a file that differs from the manifest
    (changed since it was verified) stops the bundle rather than shipping it."""
    manifest = read_manifest(folder)
    manifest_bytes = (folder / MANIFEST_JSON).read_bytes()
    manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
    run_name = folder.resolve().name
    stamp = zip_time(manifest.run)
    texts = {
        README_TXT: readme_text(run_name, manifest, manifest_sha256).encode("utf-8"),
        SHA256SUMS: sums_text(run_name, manifest, manifest_sha256).encode("utf-8"),
        f"{run_name}/{MANIFEST_JSON}": manifest_bytes,
    }
    expected = {f"{run_name}/{f.path}": f for f in manifest.files}
    for entry in manifest.files:
        if not is_safe_path(entry.path):
            raise RunFolderError(f"{MANIFEST_JSON} lists an unsafe path: {entry.path!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
                for name in sorted([*texts, *expected, *folders_of([*texts, *expected])]):
                    if name.endswith("/"):
                        archive.mkdir(_folder_entry(name, stamp))
                        continue
                    if name in texts:
                        archive.writestr(_entry(name, stamp, len(texts[name])), texts[name])
                        continue
                    _copy_checked(archive, folder / expected[name].path, _entry(name, stamp, expected[name].size),
                                  expected[name].sha256)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return BundleResult(out, len(manifest.files) + 1, manifest_sha256)


def _copy_checked(archive: zipfile.ZipFile, source: Path, info: zipfile.ZipInfo, sha256: str) -> None:
    digest = hashlib.sha256()
    with open(source, "rb") as reader, archive.open(info, "w") as writer:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            writer.write(chunk)
    if digest.hexdigest() != sha256:
        raise RunFolderError(f"{source} changed while it was being bundled (its SHA-256 no longer matches)")

