"""IAM Access Analyzer's analyzers in each enabled region (raw/<account>/access_analyzers.json).

The file exists only in runs scanned with `access_analyzer` on; whether it was on is the run's own setting
(inputs/scan.json), so a run where it was off reads as "not checked", and a run whose orgscan did not know the
setting as "not checked by the version that wrote it".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.models import ApiError

ACCESS_ANALYZERS_JSON = "access_analyzers.json"
EXTERNAL_ACCESS_TYPES = ("ACCOUNT", "ORGANIZATION")  # the other types analyze unused or internal access


@dataclass(frozen=True)
class Analyzer:
    name: str
    type: str
    status: str

    @property
    def external_and_active(self) -> bool:
        return self.type in EXTERNAL_ACCESS_TYPES and self.status == "ACTIVE"


@dataclass(frozen=True)
class AnalyzerEvidence:
    """`regions`: each enabled region's analyzers, or the error that hid them; None with `error` when the
    enabled regions could not be listed; `collected` False when the run has no such file."""

    collected: bool = False
    regions: dict[str, tuple[Analyzer, ...] | ApiError] | None = None
    error: ApiError | None = None
    enabled_in_run: bool | None = None  # the run's access_analyzer setting; None when it records none
    names: tuple[str, ...] = field(default=())


def _unreadable(what: str) -> ApiError:
    return ApiError("EvidenceUnreadable", f"{ACCESS_ANALYZERS_JSON}: {what}")


def _analyzers(value: Any) -> tuple[Analyzer, ...] | ApiError:
    from scanner.normalize.evidence import _error_of  # evidence.py imports this module

    error = _error_of(value)
    if error:
        return error
    listed = value.get("analyzers") if isinstance(value, dict) else None
    if not isinstance(listed, list) or not all(isinstance(a, dict) for a in listed):
        return _unreadable("analyzers is not a list of objects")
    return tuple(Analyzer(str(a.get("name", "")), str(a.get("type", "")), str(a.get("status", ""))) for a in listed)


def load_analyzers(folder: Path, enabled_in_run: bool | None = None) -> AnalyzerEvidence:
    from scanner.normalize.evidence import _error_of, _load_document  # evidence.py imports this module

    path = folder / ACCESS_ANALYZERS_JSON
    if not path.exists():
        return AnalyzerEvidence(enabled_in_run=enabled_in_run)
    document = _load_document(path)
    if isinstance(document, ApiError):
        return AnalyzerEvidence(True, error=document, enabled_in_run=enabled_in_run)
    error = _error_of(document)
    if error:
        return AnalyzerEvidence(True, error=error, enabled_in_run=enabled_in_run)
    regions = document.get("Regions") if isinstance(document, dict) else None
    analyzers = document.get("Analyzers") if isinstance(document, dict) else None
    if not isinstance(regions, list) or not all(isinstance(r, dict) for r in regions) or not isinstance(analyzers,
                                                                                                          dict):
        return AnalyzerEvidence(True, error=_unreadable("Regions or Analyzers is malformed"),
                                enabled_in_run=enabled_in_run)
    names = tuple(sorted(str(r.get("RegionName", "")) for r in regions))
    found: dict[str, tuple[Analyzer, ...] | ApiError] = {
        name: _analyzers(analyzers[name]) if name in analyzers else ApiError("EvidenceMissing", f"{name} not listed")
        for name in names
    }
    return AnalyzerEvidence(True, found, None, enabled_in_run, names)
