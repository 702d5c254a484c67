"""What a run's outputs are derived and rendered with: the run's own settings, unless `orgscan report` is told
otherwise, and then what it was told, recorded in the run.

A scan records the framework and paper it was started with in inputs/scan.json (`settings`) and the
thresholds it judged by in run.json (`check_thresholds`). `orgscan report` without options uses exactly
these, so an unchanged run gives identical bytes. Told `--framework`, `--paper` or `--checks`, it writes
run.json first: `check_thresholds` become the thresholds in force (those `verify` re-derives with) and
`report_overrides` holds each setting that now differs from the scan's own (`framework`, `paper`,
`check_thresholds`); inputs/scan.json keeps what the scan used. Told the scan's own value again, the override
is dropped. A folder that records none of this (written by an older orgscan) reads as the defaults of the
orgscan that wrote it: CIS v5.0, A4, the CIS thresholds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner import rundir
from scanner.audit.checkpoint import read_start
from scanner.audit.layout import SCAN_JSON
from scanner.checks import Framework, Thresholds
from scanner.checks.references import UNRECORDED_FRAMEWORK
from scanner.checks.thresholds import thresholds_from_mapping
from scanner.config import PAPER_SIZES
from scanner.derive import recorded_thresholds
from scanner.errors import RunFolderError
from scanner.rundir import RunFolder

REPORT_OVERRIDES = "report_overrides"
DEFAULT_PAPER = "A4"


@dataclass(frozen=True)
class ReportSettings:
    framework: Framework
    paper: str
    thresholds: Thresholds


@dataclass(frozen=True)
class Choice:
    """The settings to derive and render with, and the run.json to write before (None: it stays as it is)."""

    settings: ReportSettings
    run_info: dict[str, Any] | None


def _framework(value: Any, where: str) -> Framework:
    try:
        return Framework(value)
    except ValueError:
        known = ", ".join(f.value for f in Framework)
        raise RunFolderError(f"{where}: framework {value!r} is not one of {known}") from None


def _paper(value: Any, where: str) -> str:
    if value not in PAPER_SIZES:
        raise RunFolderError(f"{where}: paper {value!r} is not one of {', '.join(PAPER_SIZES)}")
    return str(value)


def scan_settings(folder: RunFolder) -> ReportSettings:
    """The settings the scan was started with (inputs/scan.json); where it records none, those of the orgscan
    that wrote it (the framework was CIS v5.0 then: the default is CIS v7.0 now)."""
    stored: Mapping[str, Any] = read_start(folder).settings if (folder.path / SCAN_JSON).is_file() else {}
    thresholds = stored.get("thresholds")
    return ReportSettings(
        framework=_framework(stored.get("framework", UNRECORDED_FRAMEWORK.value), SCAN_JSON),
        paper=_paper(stored.get("paper", DEFAULT_PAPER), SCAN_JSON),
        thresholds=(thresholds_from_mapping(thresholds, f"{SCAN_JSON} thresholds")
                    if isinstance(thresholds, Mapping) else Thresholds()),
    )


def _overrides(info: Mapping[str, Any]) -> Mapping[str, Any]:
    overrides = info.get(REPORT_OVERRIDES) or {}
    if not isinstance(overrides, Mapping):
        raise RunFolderError(f"{rundir.RUN_JSON}: {REPORT_OVERRIDES} is not an object")
    return overrides


def recorded_settings(folder: RunFolder) -> ReportSettings:
    """What the run's files were last derived and rendered with."""
    scan = scan_settings(folder)
    overrides = _overrides(folder.read_run_info())
    where = f"{rundir.RUN_JSON} {REPORT_OVERRIDES}"
    return ReportSettings(
        framework=_framework(overrides["framework"], where) if "framework" in overrides else scan.framework,
        paper=_paper(overrides["paper"], where) if "paper" in overrides else scan.paper,
        thresholds=recorded_thresholds(folder),
    )


def choose(
    folder: RunFolder, *, framework: Framework | None = None, paper: str | None = None,
    thresholds: Thresholds | None = None,
) -> Choice:
    """The run's recorded settings with those given instead, and the run.json that records them."""
    recorded = recorded_settings(folder)
    wanted = ReportSettings(framework or recorded.framework, paper or recorded.paper,
                            thresholds or recorded.thresholds)
    if wanted == recorded:
        return Choice(wanted, None)
    scan = scan_settings(folder)
    overrides: dict[str, Any] = {}
    if wanted.framework != scan.framework:
        overrides["framework"] = wanted.framework.value
    if wanted.paper != scan.paper:
        overrides["paper"] = wanted.paper
    if wanted.thresholds != scan.thresholds:
        overrides["check_thresholds"] = wanted.thresholds.to_json()
    info = folder.read_run_info()
    if wanted.thresholds != recorded.thresholds or "check_thresholds" in info:
        info["check_thresholds"] = wanted.thresholds.to_json()
    if overrides:
        info[REPORT_OVERRIDES] = overrides
    else:
        info.pop(REPORT_OVERRIDES, None)
    return Choice(wanted, info)
