"""The extended checks' thresholds: configuration, not code, so a stricter policy needs no release.

The defaults are the CIS AWS Foundations Benchmark's numbers and equal `config/checks.toml`. A file that
is not valid TOML, names an unknown key, or gives a value of the wrong type or out of AWS's range is a
`ConfigError` with a one-line message, raised before any account is touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from scanner.errors import ConfigError
from scanner.toml_files import read_toml


@dataclass(frozen=True)
class Thresholds:
    """Numbers the extended checks compare against; every age is in whole days before the report."""

    root_use_days: int = 30  # root-not-used-recently: a use this many days before the report or fewer fails
    key_rotation_days: int = 90  # access-keys-rotated: an active key rotated longer ago than this fails
    unused_credentials_days: int = 45  # unused-credentials: a credential unused for longer than this fails
    password_min_length: int = 14  # password-length: MinimumPasswordLength must be at least this
    password_reuse: int = 24  # password-reuse: PasswordReusePrevention must be at least this

    def to_json(self) -> dict[str, int]:
        return asdict(self)


# Inclusive ranges: days within ten years; password numbers within what IAM itself accepts
# (UpdateAccountPasswordPolicy: length 6-128, reuse prevention 1-24), so every threshold can be met.
RANGES: dict[str, tuple[int, int]] = {
    "root_use_days": (1, 3650),
    "key_rotation_days": (1, 3650),
    "unused_credentials_days": (1, 3650),
    "password_min_length": (6, 128),
    "password_reuse": (1, 24),
}


def thresholds_from_mapping(values: Mapping[str, Any], source: str) -> Thresholds:
    """Validate `values` (from a TOML file or a run's `run.json`); `source` names it in the error."""
    known = {f.name for f in fields(Thresholds)}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"{source}: unknown setting '{key}' (known: {', '.join(sorted(known))})")
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"{source}: '{key}' must be a whole number, got {value!r}")
        low, high = RANGES[key]
        if not low <= value <= high:
            raise ConfigError(f"{source}: '{key}' must be between {low} and {high}, got {value}")
    return Thresholds(**dict(values))


def load_thresholds(path: str | Path | None) -> Thresholds:
    """The thresholds in the TOML file at `path`; the defaults when `path` is empty."""
    if not path:
        return Thresholds()
    return thresholds_from_mapping(read_toml(path, "checks file"), f"checks file {path}")
