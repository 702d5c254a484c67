"""The mapping table: ids unique, control ids as the benchmarks number them, one column per framework."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from scanner.checks import ALL_CHECK_IDS, ALL_CHECKS, CHECK_IDS, EXTENDED, EXTENDED_IDS, Framework, references_for
from scanner.checks.extended import RULES

# The table, verbatim: check id -> (CIS v5.0, CIS v3.0, Security Hub).
EXPECTED = {
    "root-hardware-mfa": ("1.5", "1.6", "IAM.6"),
    "root-not-used-recently": ("1.6", "1.7", ""),
    "console-users-mfa": ("1.9", "1.10", "IAM.5"),
    "access-keys-rotated": ("1.13", "1.14", "IAM.3"),
    "unused-credentials": ("1.11", "1.12", "IAM.22"),
    "single-active-key": ("1.12", "1.13", ""),
    "password-length": ("1.7", "1.8", "IAM.15"),
    "password-reuse": ("1.8", "1.9", "IAM.16"),
    "no-direct-user-policies": ("1.14", "1.15", "IAM.2"),
}
FRAMEWORKS = (Framework.CIS_V5, Framework.CIS_V3, Framework.SECURITY_HUB)
# A box that sums up extended checks shares their control ids; nothing else may share one.
BOX_SUMMARIES = {"groups-for-permissions": {"no-direct-user-policies"},
                 "password-policy": {"password-length", "password-reuse"}}


def test_check_ids_are_unique_and_boxes_come_first() -> None:
    assert len(set(ALL_CHECK_IDS)) == len(ALL_CHECK_IDS) == 14
    assert ALL_CHECK_IDS[:5] == CHECK_IDS and ALL_CHECK_IDS[5:] == EXTENDED_IDS
    assert tuple(RULES) == EXTENDED_IDS == tuple(EXPECTED)


@pytest.mark.parametrize("check_id", list(EXPECTED))
def test_each_extended_check_maps_as_the_table_says(check_id: str) -> None:
    assert tuple(references_for(check_id, f) for f in FRAMEWORKS) == EXPECTED[check_id]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_no_two_extended_checks_share_a_control_id(framework: Framework) -> None:
    ids = [references_for(c.check_id, framework) for c in EXTENDED]
    counts = Counter(i for i in ids if i)
    assert [i for i, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_boxes_only_share_ids_with_the_checks_they_sum_up(framework: Framework) -> None:
    owners: dict[str, set[str]] = {}
    for check in ALL_CHECKS:
        for control in filter(None, references_for(check.check_id, framework).split(", ")):
            owners.setdefault(control, set()).add(check.check_id)
    for control, checks in owners.items():
        if len(checks) > 1:
            box = (checks & set(BOX_SUMMARIES)).pop()
            assert checks - {box} <= BOX_SUMMARIES[box], (framework, control, checks)


def test_control_ids_are_well_formed_and_framework_labels_known() -> None:
    patterns = {"CIS v5.0": r"1\.\d{1,2}", "CIS v3.0": r"1\.\d{1,2}", "Security Hub": r"IAM\.\d{1,2}"}
    for check in ALL_CHECKS:
        labels = [label for label, _ in check.references]
        assert len(labels) == len(set(labels)), check.check_id
        for label, controls in check.references:
            for control in controls.split(", "):
                assert re.fullmatch(patterns[label], control), (check.check_id, label, control)


def test_framework_values_and_errors() -> None:
    assert [f.value for f in Framework] == ["cis-v5", "cis-v3", "securityhub"]
    assert Framework("securityhub").label == "Security Hub"
    assert references_for("root-mfa", "cis-v3") == "1.5"
    assert references_for("individual-users", Framework.CIS_V5) == ""
    with pytest.raises(ValueError):
        references_for("root-mfa", "cis-v9")
    with pytest.raises(KeyError):
        references_for("no-such-check", Framework.CIS_V5)


def test_every_check_has_its_metadata() -> None:
    for check in EXTENDED:
        assert check.title and check.checks and check.data and check.console and check.cli, check.check_id
