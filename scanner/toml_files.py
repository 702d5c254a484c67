"""Reading the project's TOML files (settings, thresholds) with one set of one-line errors."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from scanner.errors import ConfigError


def read_toml(path: str | Path, what: str) -> dict[str, Any]:
    """A TOML file's table; every way it can be unusable is a one-line ConfigError naming `what`."""
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{what} {path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{what} {path} is not UTF-8 text") from None
