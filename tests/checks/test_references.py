"""The mapping table (scanner/checks/frameworks.toml): every check mapped or marked in every framework, control
ids unique and numbered as each benchmark numbers them, one column per framework."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from scanner.checks import ALL_CHECK_IDS, ALL_CHECKS, CHECK_IDS, EXTENDED, EXTENDED_IDS, Framework, references_for
from scanner.checks.extended import RULES
from scanner.checks.references import (
    DEFAULT_FRAMEWORK,
    MAPPINGS,
    UNRECORDED_FRAMEWORK,
    control_ids,
    load_mappings,
)

FRAMEWORKS = tuple(Framework)
# check id -> (CIS v7.0, CIS v6.0, CIS v5.0, CIS v3.0, Security Hub), as each benchmark numbers its IAM section.
EXPECTED = {
    "root-access-keys": ("2.4", "2.3", "1.3", "1.4", "IAM.4"),
    "root-mfa": ("2.5", "2.4", "1.4", "1.5", "IAM.9"),
    "individual-users": ("", "", "", "", ""),
    "groups-for-permissions": ("2.13", "2.14", "1.14", "1.15", "IAM.2"),
    "password-policy": ("2.8, 2.9", "2.7, 2.8", "1.7, 1.8", "1.8, 1.9", "IAM.15, IAM.16"),
    "root-hardware-mfa": ("2.6", "2.5", "1.5", "1.6", "IAM.6"),
    "root-not-used-recently": ("2.7", "2.6", "1.6", "1.7", ""),
    "console-users-mfa": ("2.10", "2.9", "1.9", "1.10", "IAM.5"),
    "access-keys-rotated": ("2.12", "2.13", "1.13", "1.14", "IAM.3"),
    "unused-credentials": ("2.11", "2.11", "1.11", "1.12", "IAM.22"),
    "single-active-key": ("not in CIS v7.0", "2.12", "1.12", "1.13", ""),
    "password-length": ("2.8", "2.7", "1.7", "1.8", "IAM.15"),
    "password-reuse": ("2.9", "2.8", "1.8", "1.9", "IAM.16"),
    "no-direct-user-policies": ("2.13", "2.14", "1.14", "1.15", "IAM.2"),
    "no-full-admin-policies": ("2.14", "2.15", "1.15", "1.16", "IAM.1"),
    "support-role": ("2.15", "2.16", "1.16", "1.17", "IAM.18"),
    "expired-server-certificates": ("2.17", "2.18", "1.18", "1.19", "IAM.26"),
    "cloudshell-full-access": ("2.20", "2.21", "1.21", "1.22", "IAM.27"),
    "access-analyzer": ("2.18", "2.19", "1.19", "1.20", "IAM.28"),
    "root-access-centralized": ("2.1.1", "not in CIS v6.0", "not in CIS v5.0", "not in CIS v3.0", ""),
}
# A box that sums up extended checks shares their control ids; nothing else may share one.
BOX_SUMMARIES = {"groups-for-permissions": {"no-direct-user-policies"},
                 "password-policy": {"password-length", "password-reuse"}}
PATTERNS = {Framework.CIS_V7: r"2\.\d{1,2}(\.\d{1,2})?", Framework.CIS_V6: r"2\.\d{1,2}",
            Framework.CIS_V5: r"1\.\d{1,2}", Framework.CIS_V3: r"1\.\d{1,2}", Framework.SECURITY_HUB: r"IAM\.\d{1,2}"}


def test_check_ids_are_unique_and_boxes_come_first() -> None:
    assert len(set(ALL_CHECK_IDS)) == len(ALL_CHECK_IDS)
    assert ALL_CHECK_IDS[:5] == CHECK_IDS and ALL_CHECK_IDS[5:] == EXTENDED_IDS
    assert tuple(RULES) == tuple(i for i in EXTENDED_IDS if i != "root-access-centralized")  # judged once
    assert set(EXPECTED) == set(ALL_CHECK_IDS)


@pytest.mark.parametrize("check_id", list(EXPECTED))
def test_each_check_maps_as_the_benchmarks_number_it(check_id: str) -> None:
    assert tuple(references_for(check_id, f) for f in FRAMEWORKS) == EXPECTED[check_id]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_check_is_mapped_or_marked_once(framework: Framework) -> None:
    mapping = MAPPINGS[framework]
    placed = [*mapping.controls, *mapping.not_in, *mapping.no_control]
    assert sorted(placed) == sorted(ALL_CHECK_IDS)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_no_two_extended_checks_share_a_control_id(framework: Framework) -> None:
    ids = [control_ids(c.check_id, framework) for c in EXTENDED]
    counts = Counter(i for i in ids if i)
    assert [i for i, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_boxes_only_share_ids_with_the_checks_they_sum_up(framework: Framework) -> None:
    owners: dict[str, set[str]] = {}
    for check in ALL_CHECKS:
        for control in filter(None, control_ids(check.check_id, framework).split(", ")):
            owners.setdefault(control, set()).add(check.check_id)
    for control, checks in owners.items():
        if len(checks) > 1:
            box = (checks & set(BOX_SUMMARIES)).pop()
            assert checks - {box} <= BOX_SUMMARIES[box], (framework, control, checks)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_control_ids_are_well_formed(framework: Framework) -> None:
    for check in ALL_CHECKS:
        for control in filter(None, control_ids(check.check_id, framework).split(", ")):
            assert re.fullmatch(PATTERNS[framework], control), (check.check_id, framework, control)


def test_a_dropped_recommendation_is_named_as_such_never_given_another_versions_id() -> None:
    assert references_for("single-active-key", Framework.CIS_V7) == "not in CIS v7.0"
    assert control_ids("single-active-key", Framework.CIS_V7) == ""
    assert references_for("root-not-used-recently", Framework.SECURITY_HUB) == ""  # no control: a dash


def test_framework_values_defaults_and_errors() -> None:
    assert [f.value for f in Framework] == ["cis-v7", "cis-v6", "cis-v5", "cis-v3", "securityhub"]
    assert [f.label for f in Framework] == ["CIS v7.0", "CIS v6.0", "CIS v5.0", "CIS v3.0", "Security Hub"]
    assert DEFAULT_FRAMEWORK is Framework.CIS_V7
    assert UNRECORDED_FRAMEWORK is Framework.CIS_V5  # the default of the versions that recorded no framework
    assert references_for("root-mfa", "cis-v3") == "1.5"
    with pytest.raises(ValueError):
        references_for("root-mfa", "cis-v9")
    with pytest.raises(KeyError):
        references_for("no-such-check", Framework.CIS_V5)


FRAMEWORK_TEXT = """
[{name}]
label = "X"
title = "X"
not_in = {not_in}
no_control = []
[{name}.controls]
{controls}
"""


def _one_framework(controls: dict[str, str], not_in: tuple[str, ...] = ()) -> str:
    texts = []
    for framework in Framework:
        lines = "\n".join(f'{k} = "{v}"' for k, v in controls.items())
        texts.append(FRAMEWORK_TEXT.format(name=framework.value, not_in=list(not_in), controls=lines))
    return "\n".join(texts)


def test_the_loader_refuses_a_file_that_leaves_out_repeats_or_invents_a_check() -> None:
    everything = {check_id: "1.1" for check_id in ALL_CHECK_IDS}
    assert load_mappings(_one_framework(everything))[Framework.CIS_V7].controls["root-mfa"] == "1.1"
    missing = dict(everything)
    missing.pop("root-mfa")
    with pytest.raises(ValueError, match="cis-v7: root-mfa is neither mapped nor marked"):
        load_mappings(_one_framework(missing))
    with pytest.raises(ValueError, match="cis-v7: root-mfa is named more than once"):
        load_mappings(_one_framework(everything, not_in=("root-mfa",)))
    with pytest.raises(ValueError, match="cis-v7: unknown check 'no-such-check'"):
        load_mappings(_one_framework({**everything, "no-such-check": "1.2"}))
    with pytest.raises(ValueError, match=r"frameworks\.toml: cis-v7 is missing"):
        load_mappings("")


def test_every_check_has_its_metadata() -> None:
    for check in EXTENDED:
        assert check.title and check.checks and check.data and check.console and check.cli, check.check_id
