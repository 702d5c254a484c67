"""IAM Access Analyzer in every region an account has enabled (off unless `access_analyzer` is on).

The account's enabled regions come from AWS Account Management's ListRegions (the regions enabled by
default and those opted in); then each region's analyzers from Access Analyzer's ListAnalyzers. That is one
call per region per account, which is why it is off by default. A region whose analyzers cannot be listed
(an SCP that denies the region, a region that does not answer) is stored as that region's error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from scanner.aws.paginate import merged
from scanner.aws.session import api_error
from scanner.collect.documents import DocumentCollector

log = logging.getLogger(__name__)

ACCESS_ANALYZER_PERMISSIONS = ("account:ListRegions", "access-analyzer:ListAnalyzers")
ENABLED_STATES = ["ENABLED", "ENABLED_BY_DEFAULT"]

# (service, region or None for the scan's own) -> a client with the account's credentials
Clients = Callable[[str, "str | None"], Any]


def list_access_analyzers(clients: Clients) -> dict[str, Any]:
    """`{"Regions": [...], "Analyzers": {region: {"analyzers": [...]} or {"Error": ...}}}`."""
    regions = merged(clients("account", None), "list_regions", ("Regions",), RegionOptStatusContains=ENABLED_STATES)
    analyzers: dict[str, Any] = {}
    for name in sorted(str(r.get("RegionName", "")) for r in regions["Regions"]):
        try:
            analyzers[name] = merged(clients("accessanalyzer", name), "list_analyzers", ("analyzers",))
        except (ClientError, BotoCoreError) as exc:
            error = api_error(exc)
            log.info("access analyzers of %s could not be listed: %s", name, error.code)
            analyzers[name] = error.to_json()
    return {"Regions": regions["Regions"], "Analyzers": analyzers}


def access_analyzer_collector(clients: Clients) -> DocumentCollector:
    """The document collector of one account, given how to make its clients."""
    return DocumentCollector("access_analyzers", ACCESS_ANALYZER_PERMISSIONS,
                             lambda _iam: list_access_analyzers(clients))
