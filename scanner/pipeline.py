"""The pipeline in two functions: `scan` (discover -> collect, to raw/) and `build_outputs` (raw/ -> files).

`build_outputs` reads nothing but the run folder, so `orgscan report` re-derives every result offline and
a scan's own outputs are produced by exactly the same code. `resume` finishes a run that was interrupted,
in its own folder, from what the scan recorded before collecting (see `scanner/audit/checkpoint.py`).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner import __version__, report_settings, rundir
from scanner.audit import checkpoint
from scanner.audit.accepted_risks import load_register
from scanner.audit.changes import write_baseline
from scanner.audit.history import History, default_path, run_key, run_record
from scanner.audit.layout import EXCEPTIONS_TOML, FINDINGS_CSV
from scanner.audit.manifest import write_manifest
from scanner.audit.outputs import AuditSummary, summarize
from scanner.aws.session import SessionFactory
from scanner.checks import CHECK_IDS, Framework, Thresholds
from scanner.collect.organization import ORGANIZATION_FEATURES_JSON, collect_organization_features
from scanner.collection import Collected, Collection
from scanner.config import Config
from scanner.derive import Derivation, derive_outputs
from scanner.discovery import discover, identify
from scanner.errors import HistoryError, OrgscanError
from scanner.models import Account, AccountResult, Discovery, Status
from scanner.normalize.evidence import load_organization_features
from scanner.output.xlsx_export import REPORT_XLSX, write_xlsx
from scanner.render import start_reports
from scanner.rundir import RunFolder
from scanner.runner import Progress
from scanner.scoring import BoxTotal, OuTotal, box_totals, worst_ous

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_INCOMPLETE = 2


@dataclass(frozen=True)
class Outcome:
    """What a finished scan or report tells the CLI."""

    folder: RunFolder
    counts: dict[str, int]
    errors: int  # accounts not accessed plus boxes in ERROR
    audit: AuditSummary | None = None  # changes, accepted risks, the manifest's SHA-256
    boxes: tuple[BoxTotal, ...] = ()  # the five boxes over the organization
    worst_ous: tuple[OuTotal, ...] = ()  # OU paths with an account whose box is FAIL or ERROR, worst first

    @property
    def nothing_assessed(self) -> bool:
        """No account was assessed at all (every one skipped, denied or failed): never a success."""
        return self.counts.get("scanned", 0) == 0

    @property
    def exit_code(self) -> int:
        return EXIT_INCOMPLETE if self.errors or self.nothing_assessed else EXIT_OK


def account_counts(results: list[AccountResult]) -> dict[str, int]:
    counts = {"discovered": len(results), "scanned": 0, "error": 0, "skipped": 0}
    for result in results:
        counts[result.scan_status.value] += 1
    return counts


def scan(
    config: Config,
    factory: SessionFactory,
    *,
    progress: Progress | None = None,
    executor: Executor | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Outcome:
    """Discover and collect into a new run folder, then derive every output from it.

    Accounts are collected as discovery names them, so the run folder may exist before discovery is
    complete. Until inputs/scan.json and raw/discovery.json make it resumable, a failure removes it (and any
    output folder created for it) with what it had collected: the error says so, `--out` is as it was, and
    neither the log nor the history database has been opened.
    """
    # A malformed exceptions file stops the scan before AWS is called; the register in force is kept
    # before inputs/scan.json makes the run resumable.
    register = load_register(config.exceptions) if config.exceptions else None
    started = clock()
    identity = identify(factory)
    history = History(history_path(config, Path(config.out)))
    created_out = _missing_folders(Path(config.out))
    locks: list[checkpoint.RunLock] = []

    def open_folder() -> RunFolder:
        folder = RunFolder.create(Path(config.out), started)
        locks.append(checkpoint.RunLock.acquire(folder, "write"))
        if register is not None:
            rundir.write_atomic(folder.path / EXCEPTIONS_TOML, register[0])
        return folder

    collection = Collection(open_folder, identity.caller, config, factory, progress=progress, executor=executor)
    try:
        try:
            # Accounts are collected as discovery names them; its pages and the OU walk overlap collection.
            discovery = discover(factory, config, identity, on_account=collection.submit)
            checkpoint.record_start(collection.folder, discovery, config, started)  # resumable from here on
        except BaseException as exc:
            collection.abandon()
            removed = collection.remove()
            _remove_empty(created_out)
            if removed is not None and isinstance(exc, OrgscanError):
                raise type(exc)(f"{exc}; nothing was kept: the run folder of the accounts collected meanwhile "
                                "was removed") from None
            raise
        collection.run_started()
        try:
            history.ensure()
        except HistoryError as exc:
            collection.abandon()
            raise HistoryError(f"{exc}; `orgscan scan --resume {collection.folder.path}` finishes the run once "
                               "the database can be used") from None
        except BaseException:
            collection.abandon()
            raise
        collected = collection.finish()
        folder = collected.folder
        log.info("run %s: %d accounts selected", folder.path.name, len(discovery.accounts))
        return _finish(folder, discovery, config, factory, collected, history,
                       started=rundir.iso(started), finished=clock(), config_digest=config.digest())
    finally:
        for lock in locks:
            lock.release()


def _missing_folders(path: Path) -> list[Path]:
    """`path` and each of its parents that do not exist yet, deepest first."""
    missing = []
    probe = path.absolute()
    while not probe.exists() and probe.parent != probe:
        missing.append(probe)
        probe = probe.parent
    return missing


def _remove_empty(folders: list[Path]) -> None:
    """Remove folders this run created, deepest first, as long as nothing else was put in them."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def resume(
    folder: RunFolder,
    config: Config,
    factory: SessionFactory,
    *,
    progress: Progress | None = None,
    executor: Executor | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Outcome:
    """Complete an interrupted (or finished) run in its own folder, with its own discovery and settings.

    Accounts with meta.json are kept as they are; every other scannable account, access failures
    included, is collected again from nothing. `config` comes from `checkpoint.resume_config`.

    Nothing is touched unless this process is the folder's only writer and the credentials are of the
    caller account, partition and organization the run recorded.
    """
    with checkpoint.RunLock.acquire(folder, "resume"):
        start = checkpoint.read_start(folder)
        discovery = checkpoint.read_discovery(folder)
        identity = identify(factory)
        organization_id = str((identity.organization or {}).get("Id", ""))
        checkpoint.check_identity(folder, discovery, identity.caller, organization_id)
        history = History(history_path(config, folder.path.parent))
        history.ensure()
        resumed_at = clock()
        pending = checkpoint.unfinished(folder, discovery)
        checkpoint.discard_partial(folder, pending)
        log.info("run %s: resuming, %d of %d accounts to collect", folder.path.name, len(pending),
                 len(discovery.accounts))
        collected = _collect(folder, discovery, pending, config, factory, progress, executor)
        earlier = folder.read_run_info().get("resumed")
        resumed = [*(earlier if isinstance(earlier, list) else []),
                   {"at": rundir.iso(resumed_at), "accounts": len(pending), "config_digest": config.digest()}]
        return _finish(folder, discovery, config, factory, collected, history, started=start.started_at,
                       finished=clock(), config_digest=start.config_digest, resumed=resumed)


def peak_memory() -> str:
    """This process's peak resident memory, for the log: what the scan holds, without its child processes."""
    try:
        import resource
    except ImportError:  # not on Windows
        return "unknown"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return f"{peak / (2**20 if sys.platform == 'darwin' else 2**10):.0f} MiB"  # bytes on macOS, KiB elsewhere


def history_path(config: Config, out: Path) -> Path:
    return Path(config.history) if config.history else default_path(out)


def _collect(
    folder: RunFolder, discovery: Discovery, accounts: list[Account], config: Config, factory: SessionFactory,
    progress: Progress | None, executor: Executor | None,
) -> Collected:
    collection = Collection(lambda: folder, discovery.caller, config, factory, progress=progress, executor=executor)
    collection.run_started()
    try:
        for account in accounts:
            collection.submit(account)
    finally:
        collected = collection.finish()
    return collected


def _finish(
    folder: RunFolder, discovery: Discovery, config: Config, factory: SessionFactory,
    collected: Collected, history: History, *, started: str, finished: datetime,
    config_digest: str, resumed: list[dict[str, Any]] | None = None,
) -> Outcome:
    """Write raw/accounts.json and run.json from what is on disk, compare with history, derive, record."""
    results = checkpoint.assemble_results(folder, discovery, collected.results)
    folder.write_accounts(results)
    if not (folder.raw / ORGANIZATION_FEATURES_JSON).exists():  # once per run (a resumed run may lack it)
        rundir.write_atomic(folder.raw / ORGANIZATION_FEATURES_JSON,
                            rundir.dumps(collect_organization_features(factory)))
    org = discovery.organization
    info: dict[str, Any] = {
        "tool_version": __version__,
        "started_at": started,
        "finished_at": rundir.iso(finished),
        "caller_arn": discovery.caller.arn,
        "caller_account_id": discovery.caller.account_id,
        "partition": discovery.caller.partition,
        "role_name": config.role_name,
        "organization_id": org.organization_id,
        "organization_name": org.name,
        "management_account_id": org.management_account_id,
        "account_counts": account_counts(results),
        "config_digest": config_digest,
        "api": factory.limiter.stats(),
        "timings": {"collect_s": round(collected.seconds, 3), "collect_cpu_s": round(collected.cpu_seconds, 3)},
        "check_thresholds": config.thresholds.to_json(),
        "organization_features": load_organization_features(folder.raw).to_json(),
    }
    if resumed:
        info["resumed"] = resumed
    folder.write_run_info(info)
    log.info("run %s: collected; peak memory so far %s", folder.path.name, peak_memory())
    write_baseline(folder, history.baseline(run_key(folder)))
    derived = derive_outputs(folder, config.thresholds, Framework(config.framework))
    outcome = write_outputs(folder, derived, paper=config.paper)
    try:
        history.record(run_record(folder, outcome.audit.manifest_sha256 if outcome.audit else ""), derived.frames)
    except HistoryError as exc:
        raise HistoryError(f"run folder {folder.path} is complete, but it was not recorded: {exc}") from None
    return outcome


def build_outputs(
    folder: RunFolder, thresholds: Thresholds | None = None, framework: Framework | None = None,
    paper: str | None = None,
) -> Outcome:
    """Write every derived file of the run folder from its raw evidence (`orgscan report`).

    Settings left as None are the run's own (`report_settings`); any other is recorded in run.json, which
    is written once the results are derived and before any of them is.
    """
    with checkpoint.RunLock.acquire(folder, "report on"):
        chosen = report_settings.choose(folder, framework=framework, paper=paper, thresholds=thresholds)
        derived = derive_outputs(folder, chosen.settings.thresholds, chosen.settings.framework)
        if chosen.run_info is not None:
            folder.write_run_info(chosen.run_info)
        return write_outputs(folder, derived, paper=chosen.settings.paper)


def write_outputs(folder: RunFolder, derived: Derivation, *, paper: str = "A4") -> Outcome:
    """Write the derived files and reports, then the manifest, which must come after every other file."""
    results, frames = derived.results, derived.frames
    def write(name: str) -> None:  # piece by piece: the exchange files are never held whole
        with rundir.atomic_file(folder.path / name) as handle:
            handle.writelines(derived.files.chunks(name))

    write(FINDINGS_CSV)  # first: every page of report.pdf carries its digest
    reports = start_reports(folder, results, frames, paper=paper)  # a large run's PDF is laid out meanwhile
    for name in derived.files:
        if name != FINDINGS_CSV:
            write(name)
    write_xlsx(folder.path / REPORT_XLSX, folder.read_run_info(), results, frames)
    reports.finish()
    manifest_sha256 = write_manifest(folder)  # last: it lists every file written above
    log.info("run %s: outputs written; peak memory %s (report.pdf of a large run is laid out in a process of "
             "its own)", folder.path.name, peak_memory())
    counts = account_counts(results)
    boxes = frames.findings[frames.findings["check_id"].isin(CHECK_IDS)]  # the exit code speaks for the boxes
    errors = counts["error"] + int((boxes["status"] == Status.ERROR.value).sum())
    return Outcome(folder, counts, errors, summarize(derived.audit, manifest_sha256),
                   box_totals(frames.findings), worst_ous(frames.scorecard))
