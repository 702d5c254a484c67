"""No credential the scanner held ever reaches a file of the run, the log, or the terminal, with --debug too."""

from __future__ import annotations

from pathlib import Path

import pytest
from moto.sts.models import sts_backends

from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import MANAGEMENT_SECRET_KEY, SimulatedAws
from tests.faults.helpers import WORKERS, every_file
from tests.integration.helpers import read_json, run_cli, run_folder

REAL_PDF = True  # the PDF is one of the files searched
# AWS's answer to a bad signature quotes the canonical request it expected, session token and all.
QUOTED_TOKEN = "FwoGZXIvYXdzEBYaDquotedSessionToken+/="
SIGNATURE_MESSAGE = (
    "The request signature we calculated does not match the signature you provided.\n\nThe Canonical String "
    "for this request should have been\n'POST\n/\n\nhost:iam.amazonaws.com\nx-amz-date:20261128T000000Z\n"
    f"x-amz-security-token:{QUOTED_TOKEN}\n\nhost;x-amz-date;x-amz-security-token\n'"
)


def _issued_secrets(organization: SeededOrganization) -> set[str]:
    """The secret keys and session tokens moto's STS handed out for the scanner's AssumeRole calls."""
    secrets: set[str] = set()
    for account_id in organization.account_ids:
        backend = dict.get(sts_backends, account_id)
        for role in backend["aws"].assumed_roles if backend else ():
            secrets |= {role.secret_access_key, role.session_token}
    return secrets


@pytest.mark.parametrize("debug", [False, True], ids=["info", "debug"])
@pytest.mark.usefixtures("fast_backoff")
def test_no_secret_reaches_the_run_folder_the_log_or_the_terminal(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path, debug: bool) -> None:
    organization.install(sim.faults)
    sim.faults.throttle(0.2, seed=5)  # retries and their log lines, with credentials in flight
    sim.faults.server_error("GetAccountSummary", "210000000003")
    sim.faults.deny("GetAccountPasswordPolicy", "210000000005", message=SIGNATURE_MESSAGE)
    out = tmp_path / "runs"
    result = run_cli(sim, "scan", "--out", str(out), *WORKERS, *(["--debug"] if debug else []))
    assert result.code == 2, result.stderr

    issued = _issued_secrets(organization)
    assert len(issued) == 2 * 11  # eleven member accounts entered: a secret key and a token each
    secrets = {MANAGEMENT_SECRET_KEY, QUOTED_TOKEN, *issued}
    files = every_file(out)
    assert out / "orgscan.log" in files and any(p.name == "credential_report.csv" for p in files)
    for path in files:  # counts only: a failure must not print the secrets it found
        data = path.read_bytes()
        leaked = sum(s.encode() in data for s in secrets)
        assert leaked == 0, f"{path.relative_to(out)} holds {leaked} secret(s)"
    for stream in (result.stdout, result.stderr):
        assert sum(s in stream for s in secrets) == 0

    stored = read_json(run_folder(out) / "raw" / "210000000005" / "password_policy.json")
    assert "\nx-amz-security-token:<redacted>\n" in stored["Error"]["Message"]  # type: ignore[index]

    log = (out / "orgscan.log").read_text()
    if debug:  # the retry decisions are there, put down to accounts; the wire is not
        assert "botocore.retries.standard account 2100" in log
        assert "Retry needed, retrying request after delay of" in log
        assert "scanner.aws.limiter account " in log and "throttled (Throttling)" in log
    for logger in ("botocore.endpoint", "botocore.auth", "botocore.parsers", "botocore.hooks", "urllib3",
                   "botocore.httpsession", "botocore.credentials"):
        assert f" {logger}" not in log, logger


def test_a_session_token_quoted_in_an_error_is_redacted_wherever_it_appears() -> None:
    from botocore.exceptions import ClientError

    from scanner.aws.session import api_error

    presigned = "GET https://sts.amazonaws.com/?X-Amz-Security-Token=IQoJb3JpZ2luX2VjE%2B&X-Amz-Date=20261128T0000Z"
    error = api_error(ClientError({"Error": {"Code": "SignatureDoesNotMatch",
                                             "Message": f"{SIGNATURE_MESSAGE} {presigned}"}}, "GetAccountSummary"))
    assert error.code == "SignatureDoesNotMatch"
    assert QUOTED_TOKEN not in error.message and "IQoJb3JpZ2luX2VjE" not in error.message
    assert "x-amz-security-token:<redacted>\n" in error.message
    assert "X-Amz-Security-Token=<redacted>&X-Amz-Date=" in error.message
    assert "host;x-amz-date;x-amz-security-token" in error.message  # the signed-header list is no secret
