"""The state that lets an interrupted scan resume: what was discovered, with which settings, what is done.

A scan writes `inputs/scan.json` (its settings, start time and run id) and `raw/discovery.json` (the caller,
the organization and the selected accounts) as soon as discovery ends; accounts collected while it paged
are in the folder already, and a discovery that fails takes the folder away with them (`pipeline.scan`).
An account is finished when `raw/<id>/meta.json` exists, which the collector writes last. An account that
could not be entered gets `raw/<id>/access_error.json`, the AWS error as `{"Error": {"Code": ...,
"Message": ...}}` like every failed call, so the evidence says why. `raw/accounts.json` and every derived
file are written only at the end, from what is on disk, so a run killed at any moment after discovery
leaves complete files and a resumable folder.

One orgscan at a time writes a run folder (`RunLock`), and a resume goes on only as the caller account, in
the partition and organization, that the run recorded (`check_identity`).

Resuming re-collects every account without `meta.json`, including those whose access failed: after a
network outage or a fixed role, retrying them is what the operator wants.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, is_dataclass, replace
from datetime import datetime
from typing import Any

from scanner import __version__, rundir
from scanner.audit.layout import ACCESS_ERROR_JSON, DISCOVERY_JSON, SCAN_JSON, TEMP_SUFFIX
from scanner.config import Config, validate
from scanner.errors import ConfigError, RunFolderError
from scanner.models import Account, AccountResult, ApiError, Caller, Discovery, Organization, ScanStatus, is_account_id
from scanner.rundir import RunFolder

log = logging.getLogger(__name__)

# What an operator may change when resuming: how to reach AWS, not what the scan looks at or judges by.
RESUME_OVERRIDES = ("workers", "profile", "region", "external_id", "history")


@dataclass(frozen=True)
class ScanStart:
    """`inputs/scan.json`: the run's identity and the settings it was started with (external id left out)."""

    run_id: str
    started_at: str
    tool_version: str
    config_digest: str
    external_id_set: bool
    settings: Mapping[str, Any]


def _settings(config: Config) -> dict[str, Any]:
    settings: dict[str, Any] = json.loads(rundir.dumps(asdict(replace(config, external_id=""))))
    return settings


def record_start(folder: RunFolder, discovery: Discovery, config: Config, started: datetime) -> None:
    """Write the run's identity, settings and discovery once discovery ends: the run is resumable from here."""
    rundir.write_atomic(folder.path / SCAN_JSON, rundir.dumps({
        "run_id": folder.path.name,
        "started_at": rundir.iso(started),
        "tool_version": __version__,
        "config_digest": config.digest(),
        "external_id_set": bool(config.external_id),
        "settings": _settings(config),
    }))
    rundir.write_atomic(folder.raw / DISCOVERY_JSON, rundir.dumps({
        "caller": asdict(discovery.caller),
        "organization": asdict(discovery.organization),
        "accounts": [asdict(account) for account in discovery.accounts],
    }))


def _read_json(folder: RunFolder, relative: str) -> Any:
    try:
        return json.loads((folder.path / relative).read_bytes())
    except FileNotFoundError:
        raise RunFolderError(
            f"cannot resume {folder.path}: {relative} is missing (the scan stopped before discovery ended, "
            "or the folder was written by an orgscan without resume)") from None
    except (OSError, ValueError) as exc:
        raise RunFolderError(f"{relative} is unreadable: {exc}") from None


def read_start(folder: RunFolder) -> ScanStart:
    record = _read_json(folder, SCAN_JSON)
    try:
        return ScanStart(
            run_id=str(record["run_id"]),
            started_at=str(record["started_at"]),
            tool_version=str(record["tool_version"]),
            config_digest=str(record["config_digest"]),
            external_id_set=bool(record["external_id_set"]),
            settings=dict(record["settings"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RunFolderError(f"{SCAN_JSON} is malformed: {exc!r}") from None


def read_discovery(folder: RunFolder) -> Discovery:
    record = _read_json(folder, f"{rundir.RAW}/{DISCOVERY_JSON}")
    try:
        accounts = tuple(Account(**{k: str(v) for k, v in a.items()}) for a in record["accounts"])
        discovery = Discovery(Caller(**record["caller"]), Organization(**record["organization"]), accounts)
    except (KeyError, TypeError, AttributeError) as exc:
        raise RunFolderError(f"raw/{DISCOVERY_JSON} is malformed: {exc!r}") from None
    named = [record["caller"].get("account_id"), *(a.get("account_id") for a in record["accounts"])]
    if discovery.organization.management_account_id:
        named.append(record["organization"].get("management_account_id"))
    for account_id in named:  # as stored, before str(): a number or "1234\n" is no account id either
        if not is_account_id(account_id):
            raise RunFolderError(f"raw/{DISCOVERY_JSON}: {account_id!r} is not an account id (12 digits)")
    return discovery


def run_identity(folder: RunFolder) -> tuple[str, str]:
    """(run id, start time): from inputs/scan.json, else the folder's name and run.json."""
    try:
        record = json.loads((folder.path / SCAN_JSON).read_bytes())
        return str(record["run_id"]), str(record["started_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return folder.path.name, str(folder.read_run_info().get("started_at", ""))


# Who may write a run folder: one orgscan at a time, as the caller the run recorded


class RunLock:
    """An exclusive flock(2) on the run folder itself, held by whichever scan, resume or report writes it.

    Locking the directory leaves no file in the folder (nothing for the manifest to list, nothing to clean up
    after a crash), and the kernel releases the lock when the process ends, however it ends.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd

    @classmethod
    def acquire(cls, folder: RunFolder, doing: str) -> RunLock:
        """Lock `folder`, or refuse with RunFolderError: `cannot <doing> <folder>: another orgscan is writing it`."""
        try:
            fd = os.open(folder.path, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as exc:
            raise RunFolderError(f"cannot {doing} {folder.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise RunFolderError(f"cannot {doing} {folder.path}: another orgscan is writing it "
                                 "(wait for it to end)") from None
        except OSError as exc:  # a file system without flock(2), such as some network file systems
            log.warning("run %s: cannot lock the run folder (%s); make sure no other orgscan writes it",
                        folder.path.name, exc.strerror)
        return cls(fd)

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = -1

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _identity_text(caller: Caller, organization_id: str) -> str:
    organization = f"organization {organization_id}" if organization_id else "no organization"
    return f"account {caller.account_id} (partition {caller.partition}, {organization})"


def check_identity(folder: RunFolder, recorded: Discovery, caller: Caller, organization_id: str) -> None:
    """Refuse to resume as any caller account, partition or organization but the ones the run recorded.

    The caller's own account is collected with the caller's credentials and every role is assumed from them:
    resumed as anyone else, one account's IAM would be filed under another account's id, or another
    organization's accounts under this run. Another principal of the same account (a renewed SSO session,
    another role) is the same caller for this purpose.
    """
    was = (recorded.caller.account_id, recorded.caller.partition, recorded.organization.organization_id)
    if (caller.account_id, caller.partition, organization_id) != was:
        raise ConfigError(
            f"cannot resume {folder.path}: it was scanned as "
            f"{_identity_text(recorded.caller, recorded.organization.organization_id)}, but these credentials "
            f"are {_identity_text(caller, organization_id)}")


# While collecting


def record_outcome(folder: RunFolder, result: AccountResult) -> AccountResult:
    """Store an access failure as the account's evidence, as it happens: the folder says why it has no results."""
    if result.scan_status is ScanStatus.ERROR:
        code, _, message = result.error.partition(": ")
        folder.write_raw(result.account.account_id, ACCESS_ERROR_JSON, rundir.dumps(ApiError(code, message).to_json()))
    return result


def is_finished(folder: RunFolder, account_id: str) -> bool:
    return (folder.account_dir(account_id) / rundir.META_JSON).is_file()


def unfinished(folder: RunFolder, discovery: Discovery) -> list[Account]:
    """The scannable accounts without meta.json, access failures included."""
    return [a for a in discovery.accounts if discovery.assesses(a) and not is_finished(folder, a.account_id)]


def discard_partial(folder: RunFolder, accounts: Iterable[Account]) -> None:
    """Remove what an interrupted attempt left: temporary files anywhere and the unfinished accounts' files.

    An account is collected again from nothing, so an old error file can never sit beside a new success.
    """
    for directory, _, names in os.walk(folder.path):
        for name in names:
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                os.unlink(os.path.join(directory, name))
    for account in accounts:
        path = folder.account_dir(account.account_id)
        if path.is_dir() and not path.is_symlink():
            log.info("account %s: discarding an unfinished attempt", account.account_id)
            shutil.rmtree(path)


def assemble_results(
    folder: RunFolder, discovery: Discovery, collected: Sequence[AccountResult],
) -> list[AccountResult]:
    """Every discovered account's result: collected now, finished before (meta.json), or skipped."""
    now = {r.account.account_id: r for r in collected}
    results = []
    for account in sorted(discovery.accounts, key=lambda a: a.account_id):
        if account.account_id in now:  # collected as discovery named it, before its OU path was known
            results.append(replace(now[account.account_id], account=account))
        elif not discovery.assesses(account):
            results.append(AccountResult(account, ScanStatus.SKIPPED, ""))
        elif is_finished(folder, account.account_id):
            results.append(AccountResult(account, ScanStatus.SCANNED))
        else:
            raise RunFolderError(f"account {account.account_id} was neither collected nor finished")
    return results


# The settings of a resumed scan


def _rebuild(cls: Any, data: Mapping[str, Any]) -> Any:
    """A settings dataclass from its stored JSON form (nested dataclasses and tuples restored)."""
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for item in fields(cls):
        if item.name not in data:
            continue
        value, hint = data[item.name], hints[item.name]
        if is_dataclass(hint) and isinstance(value, Mapping):
            value = _rebuild(hint, value)
        elif typing.get_origin(hint) is tuple and isinstance(value, list):
            value = tuple(value)
        values[item.name] = value
    return cls(**values)


def _flat(settings: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in settings.items():
        if isinstance(value, Mapping):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def resume_config(start: ScanStart, overrides: Mapping[str, Any]) -> tuple[Config, tuple[str, ...]]:
    """The run's own settings, with the few `RESUME_OVERRIDES` given; and the names of settings that differ.

    The differences are reported rather than refused: a different worker count or profile does not change
    what is collected, and the configuration digest in run.json stays the one the run started with.
    """
    unknown = sorted(set(overrides) - set(RESUME_OVERRIDES))
    if unknown:
        raise ConfigError(f"--resume re-uses the run's own settings; '{unknown[0]}' cannot be changed")
    try:
        stored: Config = _rebuild(Config, start.settings)
        config = replace(stored, **{k: v for k, v in overrides.items() if v is not None})
        validate(config)
    except (TypeError, ValueError) as exc:
        raise RunFolderError(f"{SCAN_JSON}: the stored settings are malformed: {exc}") from None
    if start.external_id_set and not config.external_id:
        raise ConfigError("this run assumed roles with an external id: pass --external-id again to resume it")
    before, after = _flat(start.settings), _flat(_settings(config))
    differences = [key for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)]
    return config, tuple(differences)  # the external id is in neither: no run records what it was
