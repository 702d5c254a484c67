"""Scan settings: defaults, an optional TOML file, then command-line options, validated in one place."""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from scanner.checks.references import DEFAULT_FRAMEWORK, Framework
from scanner.checks.thresholds import Thresholds, load_thresholds
from scanner.errors import ConfigError
from scanner.models import is_account_id
from scanner.toml_files import read_toml

PAPER_SIZES = ("A4", "Letter")
OU_ID = re.compile(r"^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$")
ROLE_NAME = re.compile(r"^[\w+=,.@/-]{1,512}$")
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")


@dataclass(frozen=True)
class CredentialReportSettings:
    """How long a credential report stays reusable and how to wait for a new one."""

    max_age_hours: float = 4.0
    poll_interval_s: float = 2.0
    poll_max_interval_s: float = 10.0
    deadline_s: float = 120.0


@dataclass(frozen=True)
class LogSettings:
    path: str = ""  # empty: <out>/orgscan.log
    max_bytes: int = 10 * 1024 * 1024
    backups: int = 5


@dataclass(frozen=True)
class Config:
    out: str = "runs"
    role_name: str = "OrganizationAccountAccessRole"
    external_id: str = ""
    session_name: str = "orgscan"
    session_duration_s: int = 3600
    accounts: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    workers: int = 16
    calls_per_account: int = 4
    max_attempts: int = 8
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    profile: str = ""
    region: str = ""
    endpoint_url: str = ""
    credential_report: CredentialReportSettings = field(default_factory=CredentialReportSettings)
    log: LogSettings = field(default_factory=LogSettings)
    checks_file: str = ""  # TOML thresholds of the extended checks (config/checks.toml); empty: defaults
    paper: str = "A4"  # page size of report.pdf: A4 or Letter
    framework: str = DEFAULT_FRAMEWORK.value  # mapping column the reports show (cis-v7, ... securityhub)
    thresholds: Thresholds = field(default_factory=Thresholds)  # read from checks_file, never set directly
    exceptions: str = ""  # TOML register of accepted risks (config/exceptions.toml); empty: none
    history: str = ""  # SQLite database of completed runs; empty: <out>/history.sqlite
    access_analyzer: bool = False  # check IAM Access Analyzer in every enabled region (a call per region)

    def digest(self) -> str:
        """SHA-256 of the settings that shape results, so a run can say which configuration made it.

        The external id is left out: it is a shared secret, and a digest that covered it would let anyone
        holding run.json confirm a guessed external id offline.
        """
        data = json.dumps(asdict(replace(self, external_id="")), sort_keys=True, default=list).encode()
        return hashlib.sha256(data).hexdigest()


_SECTIONS = {"credential_report": CredentialReportSettings, "log": LogSettings}
_DERIVED = frozenset({"thresholds"})


def _coerce(owner: str, name: str, expected: Any, value: Any) -> Any:
    """Accept a TOML or CLI value only if it has the type the setting declares."""
    where = f"{owner}{name}"
    if expected is bool or expected == "bool":
        if isinstance(value, bool):
            return value
    elif expected in (int, "int"):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif expected in (float, "float"):
        if isinstance(value, int | float) and not isinstance(value, bool):
            # TOML allows nan and inf: a nan deadline never expires (every comparison with it is false).
            if not math.isfinite(value):
                raise ConfigError(f"setting '{where}' must be a finite number, got {value!r}")
            return float(value)
    elif expected in (str, "str"):
        if isinstance(value, str):
            return value
    elif expected in ("tuple[str, ...]",):
        if isinstance(value, str):
            value = [v for v in value.split(",") if v.strip()]
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return tuple(v.strip() for v in value)
    raise ConfigError(f"setting '{where}' must be of type {expected}, got {type(value).__name__}: {value!r}")


def _apply(obj: Any, values: dict[str, Any], owner: str) -> Any:
    known = {f.name: f for f in fields(obj)}
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known or (not owner and key in _DERIVED):
            raise ConfigError(f"unknown setting '{owner}{key}'")
        if key in _SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(f"setting '{owner}{key}' must be a table")
            changes[key] = _apply(getattr(obj, key), value, f"{key}.")
        else:
            changes[key] = _coerce(owner, key, known[key].type, value)
    return replace(obj, **changes)


def load_config(path: str | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Defaults, then the TOML file at `path`, then non-None `overrides` (from the command line)."""
    config = Config()
    if path:
        config = _apply(config, read_toml(path, "configuration file"), "")
    if overrides:
        config = _apply(config, {k: v for k, v in overrides.items() if v is not None}, "")
    config = replace(config, thresholds=load_thresholds(config.checks_file))
    validate(config)
    return config


def validate(config: Config) -> None:
    if config.workers < 1 or config.workers > 256:
        raise ConfigError(f"--workers must be between 1 and 256, got {config.workers}")
    if config.calls_per_account < 1 or config.calls_per_account > 8:
        raise ConfigError(f"calls_per_account must be between 1 and 8, got {config.calls_per_account}")
    if config.connect_timeout_s <= 0 or config.read_timeout_s <= 0:
        raise ConfigError("connect_timeout_s and read_timeout_s must be positive")
    if config.max_attempts < 1 or config.max_attempts > 20:
        raise ConfigError(f"max_attempts must be between 1 and 20, got {config.max_attempts}")
    for option, ids in (("--accounts", config.accounts), ("--exclude", config.exclude)):
        for account_id in ids:
            if not is_account_id(account_id):
                raise ConfigError(f"{option}: '{account_id}' is not a 12-digit AWS account id")
    for ou in config.ous:
        if not OU_ID.match(ou):
            raise ConfigError(f"--ou: '{ou}' is not an organizational unit id (ou-xxxx-xxxxxxxx or r-xxxx)")
    if not ROLE_NAME.match(config.role_name):
        raise ConfigError(f"--role-name: '{config.role_name}' is not a valid IAM role name")
    if not SESSION_NAME.match(config.session_name):
        raise ConfigError(f"session_name: '{config.session_name}' must be 2-64 characters of [\\w+=,.@-]")
    if config.external_id and not 2 <= len(config.external_id) <= 1224:
        raise ConfigError("--external-id must be 2 to 1,224 characters long")
    if not 900 <= config.session_duration_s <= 43200:
        raise ConfigError("session_duration_s must be between 900 and 43200")
    report = config.credential_report
    if report.deadline_s <= 0 or report.poll_interval_s <= 0 or report.poll_max_interval_s <= 0:
        raise ConfigError("credential_report: deadline and poll intervals must be positive")
    if report.max_age_hours < 0:
        raise ConfigError("credential_report.max_age_hours must not be negative")
    if config.log.max_bytes < 1024 or config.log.backups < 0:
        raise ConfigError("log: max_bytes must be at least 1024 and backups not negative")
    if config.paper not in PAPER_SIZES:
        raise ConfigError(f"--paper: '{config.paper}' is not one of {', '.join(PAPER_SIZES)}")
    if config.framework not in {f.value for f in Framework}:
        raise ConfigError(f"--framework: '{config.framework}' is not one of {', '.join(f.value for f in Framework)}")


def parse_id_list(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(part.strip() for part in text.split(",") if part.strip())


def default_log_path(config: Config) -> Path:
    return Path(config.log.path) if config.log.path else Path(config.out) / "orgscan.log"
