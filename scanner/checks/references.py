"""Which benchmark a report speaks: the `--framework` choice and each check's control ids in it.

Reports show one mapping column (CIS v7.0, v6.0, v5.0, v3.0 or Security Hub), chosen per run. The mapping is
data, `frameworks.toml` beside this module: for every framework, each check's control ids, or a mark saying
why it has none. A check whose recommendation a version of the benchmark does not have (v7.0 dropped "only one
active access key") reads "not in CIS v7.0", never another version's number. The file is checked when it is
loaded: a check left out, named twice or unknown stops orgscan before anything is scanned or rendered.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from typing import Any

from scanner.checks.extended_catalog import ALL_CHECK_IDS

FRAMEWORKS_TOML = "frameworks.toml"


class Framework(StrEnum):
    """The mapping a report shows next to each check (`--framework`)."""

    CIS_V7 = "cis-v7"
    CIS_V6 = "cis-v6"
    CIS_V5 = "cis-v5"
    CIS_V3 = "cis-v3"
    SECURITY_HUB = "securityhub"

    @property
    def label(self) -> str:
        """The column title ("CIS v7.0")."""
        return MAPPINGS[self].label


DEFAULT_FRAMEWORK = Framework.CIS_V7
# A run folder whose inputs/scan.json records no framework was written when CIS v5.0 was the default.
UNRECORDED_FRAMEWORK = Framework.CIS_V5


@dataclass(frozen=True)
class FrameworkMapping:
    """One framework's column: each check's control ids, or why it has none."""

    framework: Framework
    label: str  # the column title
    title: str  # the framework's full name
    controls: Mapping[str, str]  # check id -> "2.4", or "2.8, 2.9" for a box that sums up two
    not_in: frozenset[str]  # checks whose recommendation this version does not have
    no_control: frozenset[str]  # checks the framework has no control for

    def reference(self, check_id: str) -> str:
        if check_id in self.controls:
            return self.controls[check_id]
        if check_id in self.not_in:
            return f"not in {self.label}"
        return ""


def _names(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{FRAMEWORKS_TOML}: {where} must be a list of check ids")
    return list(value)


def _mapping(framework: Framework, table: Any) -> FrameworkMapping:
    name = framework.value
    if not isinstance(table, dict):
        raise ValueError(f"{FRAMEWORKS_TOML}: {name} must be a table")
    controls = table.get("controls", {})
    if not isinstance(controls, dict) or not all(isinstance(v, str) and v for v in controls.values()):
        raise ValueError(f"{FRAMEWORKS_TOML}: {name}.controls must give each check a control id")
    not_in = _names(table.get("not_in", []), f"{name}.not_in")
    no_control = _names(table.get("no_control", []), f"{name}.no_control")
    placed = [*controls, *not_in, *no_control]
    for check_id in placed:
        if check_id not in ALL_CHECK_IDS:
            raise ValueError(f"{FRAMEWORKS_TOML}: {name}: unknown check {check_id!r}")
        if placed.count(check_id) > 1:
            raise ValueError(f"{FRAMEWORKS_TOML}: {name}: {check_id} is named more than once")
    for check_id in ALL_CHECK_IDS:
        if check_id not in placed:
            raise ValueError(f"{FRAMEWORKS_TOML}: {name}: {check_id} is neither mapped nor marked")
    label, title = table.get("label"), table.get("title")
    if not isinstance(label, str) or not label or not isinstance(title, str) or not title:
        raise ValueError(f"{FRAMEWORKS_TOML}: {name} needs a label and a title")
    return FrameworkMapping(framework, label, title, dict(controls), frozenset(not_in), frozenset(no_control))


def load_mappings(text: str) -> dict[Framework, FrameworkMapping]:
    """Every framework's mapping from the TOML `text`; ValueError naming the first problem."""
    document = tomllib.loads(text)
    unknown = sorted(set(document) - {f.value for f in Framework})
    if unknown:
        raise ValueError(f"{FRAMEWORKS_TOML}: unknown framework {unknown[0]!r}")
    mappings = {}
    for framework in Framework:
        if framework.value not in document:
            raise ValueError(f"{FRAMEWORKS_TOML}: {framework.value} is missing")
        mappings[framework] = _mapping(framework, document[framework.value])
    return mappings


MAPPINGS: dict[Framework, FrameworkMapping] = load_mappings(
    files("scanner.checks").joinpath(FRAMEWORKS_TOML).read_text(encoding="utf-8"))


def _known(check_id: str) -> None:
    if check_id not in ALL_CHECK_IDS:
        raise KeyError(check_id)


def references_for(check_id: str, framework: Framework | str) -> str:
    """What the framework column shows for the check: its control ids (`"2.12"`, `"2.8, 2.9"`), `"not in CIS
    v7.0"` when that version has no such recommendation, or "" when the framework has no control for it.

    Raises KeyError for an unknown check id and ValueError for an unknown framework, so a typo in a
    template fails loudly instead of printing an empty column.
    """
    mapping = MAPPINGS[Framework(framework)]
    _known(check_id)
    return mapping.reference(check_id)


def control_ids(check_id: str, framework: Framework | str) -> str:
    """The check's control ids in `framework` alone, "" when it has none."""
    mapping = MAPPINGS[Framework(framework)]
    _known(check_id)
    return mapping.controls.get(check_id, "")
