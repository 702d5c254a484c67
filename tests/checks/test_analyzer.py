"""access-analyzer from access_analyzers.json written by hand in the shapes ListRegions and ListAnalyzers return,
read by the real loader; and whether the run had the check on, as inputs/scan.json records it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scanner.checks.analyzer import access_analyzer
from scanner.models import Status
from scanner.normalize.analyzers import load_analyzers
from scanner.normalize.evidence import AccountFacts
from tests.checks.reports import ACCOUNT

DENIED = {"Error": {"Code": "AccessDeniedException", "Message": "explicit deny in a service control policy"}}


def analyzer(name: str, kind: str = "ACCOUNT", status: str = "ACTIVE", region: str = "us-east-1") -> dict[str, Any]:
    return {"arn": f"arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer/{name}", "name": name, "type": kind,
            "status": status, "createdAt": "2024-01-15T09:00:00Z"}


def facts(folder: Path, document: Any = None, setting: bool | None = True) -> AccountFacts:
    folder.mkdir(parents=True, exist_ok=True)
    if document is not None:
        (folder / "access_analyzers.json").write_text(json.dumps(document))
    return AccountFacts(ACCOUNT, analyzers=load_analyzers(folder, setting))


def stored(**regions: Any) -> dict[str, Any]:
    return {"Regions": [{"RegionName": r, "RegionOptStatus": "ENABLED_BY_DEFAULT"} for r in regions],
            "Analyzers": {r: ({"analyzers": v} if isinstance(v, list) else v) for r, v in regions.items()}}


def test_an_external_access_analyzer_in_every_enabled_region_passes(tmp_path: Path) -> None:
    outcome = access_analyzer(facts(tmp_path, stored(us_east_1=[analyzer("a")], eu_west_1=[
        analyzer("org", "ORGANIZATION", region="eu-west-1")])))
    assert (outcome.status, outcome.detail) == (
        Status.PASS, "An external access analyzer is active in each of the 2 enabled regions: account analyzer a, "
                     "organization analyzer org.")


@pytest.mark.parametrize("entry", [
    analyzer("unused", "ACCOUNT_UNUSED_ACCESS"),  # unused access, not external access
    analyzer("new", status="CREATING"),
    analyzer("off", status="DISABLED"),
])
def test_a_region_without_an_active_external_access_analyzer_fails(tmp_path: Path, entry: dict[str, Any]) -> None:
    outcome = access_analyzer(facts(tmp_path, stored(us_east_1=[analyzer("a")], eu_west_1=[entry])))
    assert (outcome.status, outcome.detail) == (
        Status.FAIL, "No active external access analyzer in 1 of 2 enabled regions: eu_west_1.")


def test_a_region_that_cannot_be_listed_is_an_error_unless_another_fails(tmp_path: Path) -> None:
    outcome = access_analyzer(facts(tmp_path, stored(us_east_1=[analyzer("a")], eu_west_1=DENIED)))
    assert (outcome.status, outcome.detail) == (
        Status.ERROR, "The analyzers of eu_west_1 (AccessDeniedException) could not be listed.")
    failing = access_analyzer(facts(tmp_path, stored(us_east_1=[], eu_west_1=DENIED)))
    assert failing.status is Status.FAIL


def test_regions_not_listed_are_an_error_with_the_reason(tmp_path: Path) -> None:
    outcome = access_analyzer(facts(tmp_path, DENIED))
    assert outcome.status is Status.ERROR and "AccessDeniedException" in outcome.detail
    empty = access_analyzer(facts(tmp_path, {"Regions": [], "Analyzers": {}}))
    assert empty.status is Status.ERROR and "no enabled region" in empty.detail
    damaged = access_analyzer(facts(tmp_path, {"Regions": "all", "Analyzers": {}}))
    assert damaged.status is Status.ERROR and "EvidenceUnreadable" in damaged.detail
    unlisted = access_analyzer(facts(tmp_path, {"Regions": [{"RegionName": "us-east-1"}], "Analyzers": {}}))
    assert unlisted.status is Status.ERROR and "us-east-1 (EvidenceMissing)" in unlisted.detail
    bad_list = access_analyzer(facts(tmp_path, stored(us_east_1={"analyzers": "none"})))
    assert bad_list.status is Status.ERROR and "EvidenceUnreadable" in bad_list.detail


def test_not_checked_says_why(tmp_path: Path) -> None:
    off = access_analyzer(facts(tmp_path / "off", setting=False))
    assert (off.status, off.detail) == (
        Status.NOT_APPLICABLE, "IAM Access Analyzer was not checked in this run: the check is off unless turned on "
                               "(access_analyzer = true in --config, or --access-analyzer).")
    older = access_analyzer(facts(tmp_path / "older", setting=None))
    assert (older.status, older.detail) == (
        Status.NOT_APPLICABLE, "IAM Access Analyzer was not checked: the version of orgscan that wrote this run did "
                               "not check it.")
    lost = access_analyzer(facts(tmp_path / "lost", setting=True))
    assert lost.status is Status.ERROR and "access_analyzers.json is not in this run" in lost.detail
