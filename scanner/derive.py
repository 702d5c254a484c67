"""Re-derivation: every derived CSV and JSON file of a run folder, computed in memory from raw/ and inputs/.

One function serves the three places that need it: a scan writing its outputs (`pipeline`), `orgscan
report`, and `orgscan verify` / `orgscan diff` comparing a folder with what its evidence gives (`audit`).
It reads nothing but the run folder and imports nothing that writes, so both sides can use it without
importing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from scanner import rundir
from scanner.audit.checkpoint import read_start
from scanner.audit.layout import FINDINGS_CSV, SCAN_JSON
from scanner.audit.outputs import AuditOutputs, derive_audit
from scanner.checks import (
    Framework,
    Thresholds,
    UserFinding,
    evaluate_boxes,
    evaluate_extended,
    unreachable_extended,
    unreachable_findings,
)
from scanner.checks.organization import evaluate_organization
from scanner.checks.references import DEFAULT_FRAMEWORK
from scanner.checks.thresholds import thresholds_from_mapping
from scanner.models import AccountResult, Finding, ScanStatus
from scanner.normalize.evidence import load_account_facts, load_organization_features
from scanner.output.asff import ASFF_JSON, asff_chunks
from scanner.output.csv_export import csv_chunks
from scanner.output.interchange import finding_records, run_facts
from scanner.output.ocsf import OCSF_JSON, ocsf_chunks
from scanner.rundir import RunFolder
from scanner.scoring import (
    Frames,
    accounts_frame,
    findings_export,
    findings_frame,
    scorecard_export,
    scorecard_frame,
    user_findings_frame,
    users_frame,
)


def recorded_thresholds(folder: RunFolder) -> Thresholds:
    """The thresholds the run was scanned with (run.json), so a re-derivation judges by the same numbers."""
    recorded = folder.read_run_info().get("check_thresholds")
    if not isinstance(recorded, dict):
        return Thresholds()
    return thresholds_from_mapping(recorded, f"{folder.path / rundir.RUN_JSON} check_thresholds")


def access_analyzer_setting(folder: RunFolder) -> bool | None:
    """Whether the scan checked IAM Access Analyzer (inputs/scan.json); None when the run records no such setting."""
    if not (folder.path / SCAN_JSON).is_file():
        return None
    value = read_start(folder).settings.get("access_analyzer")
    return value if isinstance(value, bool) else None


def evaluate_folder(
    folder: RunFolder, thresholds: Thresholds | None = None, framework: Framework = DEFAULT_FRAMEWORK,
) -> tuple[list[AccountResult], Frames]:
    """Re-derive every finding from raw/ alone; `thresholds` default to those the run recorded."""
    thresholds = thresholds or recorded_thresholds(folder)
    results = folder.read_accounts()
    features = load_organization_features(folder.raw)
    analyzer_setting = access_analyzer_setting(folder)
    findings: list[Finding] = []
    user_findings: list[UserFinding] = []
    users: list[dict[str, str]] = []
    for result in results:
        account = result.account
        if result.scan_status is ScanStatus.ERROR:
            findings.extend(unreachable_findings(account.account_id, result.error))
            findings.extend(unreachable_extended(account.account_id, result.error))
        elif result.scan_status is ScanStatus.SCANNED:
            facts = replace(load_account_facts(folder.account_dir(account.account_id), account.account_id,
                                               analyzer_setting),
                            root_credentials_management=features.root_credentials_management)
            findings.extend(evaluate_boxes(facts))
            extended, judged_users = evaluate_extended(facts, thresholds)
            findings.extend(extended)
            user_findings.extend(judged_users)
            users.extend(
                {"account_id": account.account_id, "account_name": account.account_name, **row}
                for row in facts.user_rows
            )
    findings.extend(evaluate_organization(results, folder.read_run_info(), features))
    findings_df = findings_frame(results, findings)
    frames = Frames(
        accounts=accounts_frame(results),
        findings=findings_df,
        scorecard=scorecard_frame(findings_df),
        users=users_frame(users),
        user_findings=user_findings_frame(results, user_findings),
        framework=framework,
        thresholds=thresholds,
    )
    return results, frames


class DerivedFiles(Mapping[str, bytes]):
    """Every derived CSV and JSON file by run-folder-relative name, each made from the frames when it is asked for.

    `chunks(name)` gives a file piece by piece: the exchange files take tens of kilobytes per account, so
    writing or comparing one never holds it whole. Indexing joins the pieces.
    """

    def __init__(self, makers: Mapping[str, Callable[[], Iterable[bytes]]]) -> None:
        self._makers = dict(makers)

    def chunks(self, name: str) -> Iterable[bytes]:
        return self._makers[name]()

    def __getitem__(self, name: str) -> bytes:
        return b"".join(self.chunks(name))

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


def _whole(data: bytes) -> Callable[[], Iterable[bytes]]:
    return lambda: (data,)


@dataclass(frozen=True)
class Derivation:
    """Everything `build_outputs` writes, computed from the run folder alone."""

    results: list[AccountResult]
    frames: Frames  # findings and scorecard with their `accepted` column
    files: DerivedFiles  # every derived CSV and JSON file, by run-folder-relative name
    audit: AuditOutputs


def derive_outputs(
    folder: RunFolder, thresholds: Thresholds | None = None, framework: Framework = DEFAULT_FRAMEWORK,
) -> Derivation:
    """The derived CSV and JSON files, made as they are read: `build_outputs` writes them, `orgscan verify`
    compares them."""
    results, frames = evaluate_folder(folder, thresholds, framework)
    audit = derive_audit(folder, frames)
    frames = audit.frames
    facts = run_facts(folder, folder.read_run_info())
    accepted = audit.assessment.accepted
    makers: dict[str, Callable[[], Iterable[bytes]]] = {
        "accounts.csv": lambda: csv_chunks(frames.accounts),
        FINDINGS_CSV: lambda: csv_chunks(findings_export(frames.findings)),
        "scorecard.csv": lambda: csv_chunks(scorecard_export(frames.scorecard)),
        "users.csv": lambda: csv_chunks(frames.users),
        "user_findings.csv": lambda: csv_chunks(frames.user_findings),
        OCSF_JSON: lambda: ocsf_chunks(facts, finding_records(frames.findings, accepted)),
        ASFF_JSON: lambda: asff_chunks(facts, finding_records(frames.findings, accepted)),
    }
    makers.update((name, _whole(data)) for name, data in audit.files.items())
    return Derivation(results, frames, DerivedFiles(makers), audit)


