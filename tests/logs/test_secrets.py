"""No credential the scanner held ever reaches a file of the run, the log, or the terminal, with --debug too."""

from __future__ import annotations

from pathlib import Path

import pytest
from moto.sts.models import sts_backends

from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import MANAGEMENT_SECRET_KEY, SimulatedAws
from tests.faults.helpers import WORKERS, accounts, every_file, write_config
from tests.integration.helpers import MANAGEMENT, read_json, run_cli, run_folder
from tests.integration.test_scan import EXPECTED

REAL_PDF = True  # the PDF is one of the files searched
DENIED = "210000000010"
ENTERED = [a for a in EXPECTED if a not in (MANAGEMENT, DENIED)]
CUT_AFTER_CREDENTIALS = "210000000006"
# AWS's answer to a bad signature quotes the canonical request it expected, session token and all.
QUOTED_TOKEN = "FwoGZXIvYXdzEBYaDquotedSessionToken+/="
SIGNATURE_MESSAGE = (
    "The request signature we calculated does not match the signature you provided.\n\nThe Canonical String "
    "for this request should have been\n'POST\n/\n\nhost:iam.amazonaws.com\nx-amz-date:20261128T000000Z\n"
    f"x-amz-security-token:{QUOTED_TOKEN}\n\nhost;x-amz-date;x-amz-security-token\n'"
)


def _issued_secrets(organization: SeededOrganization, *account_ids: str) -> set[str]:
    """The secret keys and session tokens moto's STS handed out for the scanner's AssumeRole calls."""
    secrets: set[str] = set()
    for account_id in account_ids or organization.account_ids:
        backend = dict.get(sts_backends, account_id)
        for role in backend["aws"].assumed_roles if backend else ():
            secrets |= {role.secret_access_key, role.session_token}
    return secrets


def _leaks(out: Path, secrets: set[str], *streams: str) -> dict[str, int]:
    """How many of `secrets` each file under `out` (run folder, log, history database) and each stream holds.

    Counts only: a failure must not print the secrets it found.
    """
    found = {str(p.relative_to(out)): sum(s.encode() in p.read_bytes() for s in secrets) for p in every_file(out)}
    found |= {f"stream {i}": sum(s in stream for s in secrets) for i, stream in enumerate(streams)}
    return {name: n for name, n in found.items() if n}


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
    assert len(issued) == 2 * len(ENTERED)  # every member account entered: a secret key and a token each
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


@pytest.mark.usefixtures("fast_backoff")
def test_an_assume_role_answer_cut_off_after_its_credentials_leaves_them_nowhere(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(sim.faults)
    sim.faults.cut_off(action="AssumeRole", account_id=CUT_AFTER_CREDENTIALS, after="</Credentials>")
    out = tmp_path / "runs"
    result = run_cli(sim, "scan", "--out", str(out), *WORKERS, "--debug", "--config", str(write_config(tmp_path)))
    assert result.code == 2, result.stderr

    # Each attempt was answered with a new secret key and session token, cut off right after them.
    served = _issued_secrets(organization, CUT_AFTER_CREDENTIALS)
    assert {p.name for p in out.iterdir()} >= {"orgscan.log", "history.sqlite"}
    secrets = served | _issued_secrets(organization) | {MANAGEMENT_SECRET_KEY}
    assert _leaks(out, secrets, result.stdout, result.stderr) == {}
    assert len(served) == 2 * 3 and sim.faults.counter.faults()["cut_off"] == 3  # max_attempts = 3
    row = accounts(run_folder(out))[CUT_AFTER_CREDENTIALS]
    assert row["scan_status"] == "error" and row["error"].startswith("MalformedResponse: ")


def test_credentials_are_redacted_in_every_form_an_error_can_quote_them() -> None:
    from botocore.exceptions import ClientError
    from botocore.parsers import ResponseParserError

    from scanner.aws.redaction import remember_secret
    from scanner.aws.session import api_error

    held = "HeldSecretValue/0123456789+abcdefghijklmn"  # a credential this process holds
    remember_secret(held)
    quoted = {
        "xml": "<Credentials><AccessKeyId>ASIAQUOTEDKEYID00001</AccessKeyId><SecretAccessKey>xmlSecret+/="
               "</SecretAccessKey><SessionToken>xmlToken+/=</SessionToken></Credentials>",
        "json": '{"SecretAccessKey": "jsonSecret", "SessionToken":"jsonToken"}',
        "repr": "{'SecretAccessKey': 'reprSecret', 'X-Amz-Security-Token': b'reprToken'}",
        "header": "X-Amz-Security-Token: headerToken\r\n",
        "query": "GET /?X-Amz-Security-Token=queryToken&X-Amz-Date=20261128T000000Z",
        "held": f"signed with {held}.",
        "cut xml": "<SessionToken>cutToken+/",  # last: a cut element is redacted up to the next tag or the end
    }
    error = api_error(ClientError({"Error": {"Code": "InvalidClientTokenId", "Message": " ".join(quoted.values())}},
                                  "AssumeRole"))
    assert error.code == "InvalidClientTokenId"
    for secret in ("xmlSecret", "xmlToken", "cutToken", "jsonSecret", "jsonToken", "reprSecret", "reprToken",
                   "headerToken", "queryToken", held):
        assert secret not in error.message, secret
    assert "<SecretAccessKey><redacted></SecretAccessKey><SessionToken><redacted></SessionToken>" in error.message
    assert '"SecretAccessKey": "<redacted>", "SessionToken":"<redacted>"' in error.message
    assert "X-Amz-Security-Token=<redacted>&X-Amz-Date=" in error.message and "signed with <redacted>." in error.message
    assert "ASIAQUOTEDKEYID00001" in error.message  # an access key id is no secret: it says which key failed

    # Not an AWS error: its type and first line, redacted; never the answer botocore appends below it.
    failure = api_error(ResponseParserError(
        f"Unable to parse response (no element found), invalid XML received. Further retries may succeed:\n"
        f"b'<AssumeRoleResponse><Credentials><SecretAccessKey>{held}</SecretAccessKey>'"))
    assert (failure.code, failure.message) == (
        "ResponseParserError", "Unable to parse response (no element found), invalid XML received. "
                               "Further retries may succeed:")


def test_the_log_scrubs_credentials_from_every_record_tracebacks_included(tmp_path: Path) -> None:
    import logging

    from scanner.aws.redaction import remember_secret
    from scanner.logs import configure_logging

    held = "LogHeldSecret0123456789abcdefABCDEF/+="
    remember_secret(held)
    handler = configure_logging(tmp_path / "scan.log", 1 << 20, 1)
    handler.open()
    log = logging.getLogger("scanner.collect.account")
    log.warning("account %s: %s", "210000000002", f"quoted {held}")
    try:
        raise RuntimeError(f"<SecretAccessKey>tracebackSecret</SecretAccessKey> and {held}")
    except RuntimeError:
        log.exception("account 210000000002: unexpected failure")
    logging.getLogger("botocore.retries.standard").warning("canonical request x-amz-security-token:retryToken")
    handler.close()

    text = (tmp_path / "scan.log").read_text()
    for secret in (held, "tracebackSecret", "retryToken"):
        assert secret not in text, secret
    assert "account 210000000002: quoted <redacted>" in text
    assert "RuntimeError: <SecretAccessKey><redacted></SecretAccessKey> and <redacted>" in text  # still there
    assert "x-amz-security-token:<redacted>" in text
