"""The names this package adds to the run folder, in one place so writers and readers cannot drift.

`inputs/` holds what a scan used besides AWS's answers (its settings, the exceptions register in force,
the previous runs it is compared with), so every derived file can be re-derived from the folder alone.
"""

from __future__ import annotations

MANIFEST_JSON = "manifest.json"

INPUTS = "inputs"
SCAN_JSON = f"{INPUTS}/scan.json"
EXCEPTIONS_TOML = f"{INPUTS}/exceptions.toml"
HISTORY_JSON = f"{INPUTS}/history.json"

DISCOVERY_JSON = "discovery.json"  # under raw/
ACCESS_ERROR_JSON = "access_error.json"  # under raw/<account_id>/

FINDINGS_CSV = "findings.csv"  # every finding; its SHA-256 is on every page of report.pdf
CHANGES_CSV = "changes.csv"
TREND_JSON = "trend.json"
EXCEPTIONS_CSV = "exceptions.csv"

HISTORY_DB = "history.sqlite"  # under <out>, beside the run folders

TEMP_SUFFIX = ".tmp"  # rundir.write_atomic's temporary files: `.<name>.<random>.tmp`
