"""The shared, rotating log: one line per event, concurrent scans never lose or mix lines, nothing secret in it."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from scanner.logs import RETRY_LOGGERS, RunLog, configure_logging
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.faults.helpers import WORKERS, write_config
from tests.integration.helpers import aws_env, run_cli, run_folder
from tests.integration.test_scan import EXPECTED, SKIPPED

LINE = re.compile(
    r"(?P<time>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}) (?P<pid>\d+) (?P<thread>.+?) "
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) (?P<logger>[\w.]+) (?P<message>.*)"
)
COLLECTED = re.compile(r"account (\d{12}): collected")
DENIED = "210000000010"


def _parsed(*paths: Path) -> list[re.Match[str]]:
    """Every line of the files, each of which must be one whole record in the log format."""
    matches = []
    for path in paths:
        text = path.read_bytes().decode("utf-8")
        assert text.endswith("\n"), path
        for line in text[:-1].split("\n"):
            match = LINE.fullmatch(line)
            assert match, f"{path.name}: not one whole record: {line!r}"
            matches.append(match)
    return matches


def test_two_scans_at_once_share_the_log_without_losing_or_mixing_lines(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(sim.faults)
    sim.faults.latency(0.005, 0.02)  # long enough for the two runs to overlap
    out = tmp_path / "runs"
    command = [sys.executable, "-m", "scanner", "scan", "--out", str(out), *WORKERS]
    with aws_env(sim) as env:
        processes = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE,  # noqa: S603 - our own CLI
                                      stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [process.communicate(timeout=120) for process in processes]
    assert [p.returncode for p in processes] == [2, 2], outputs
    assert len([p for p in out.iterdir() if p.is_dir()]) == 2

    records = _parsed(out / "orgscan.log")
    pids = {p.pid for p in processes}
    assert {int(m["pid"]) for m in records} == pids
    scanned = {a for a in EXPECTED if a != DENIED}
    spans = []
    for pid in pids:
        own = [m for m in records if int(m["pid"]) == pid]
        collected = Counter(c.group(1) for m in own if (c := COLLECTED.fullmatch(m["message"])))
        assert collected == Counter(scanned), pid  # every account once: none lost, none doubled
        assert sum(m["message"].startswith(f"account {DENIED}: cannot access: AccessDenied") for m in own) == 1
        spans.append((own[0]["time"], own[-1]["time"]))
    first, second = sorted(spans)
    assert second[0] <= first[1]  # the second run started writing before the first one finished


def test_the_log_rotates_at_the_configured_size_and_keeps_the_configured_count(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(sim.faults)
    settings = write_config(tmp_path, "[log]\nmax_bytes = 4096\nbackups = 2\n")
    log_file = tmp_path / "logs" / "scan.log"
    out = tmp_path / "runs"
    result = run_cli(sim, "scan", "--out", str(out), *WORKERS, "--config", str(settings), "--debug",
                     "--log-file", str(log_file))
    assert result.code == 2, result.stderr
    logs = sorted(p.name for p in log_file.parent.iterdir() if p.name.startswith("scan.log"))
    assert logs == ["scan.log", "scan.log.1", "scan.log.2"]
    # The handler rolls over once a file has passed the size, so a file may end one record beyond it.
    assert all((log_file.parent / name).stat().st_size < 4096 + 1024 for name in logs)
    _parsed(*(log_file.parent / name for name in logs))
    assert run_folder(out).is_dir() and not [p for p in out.iterdir() if "orgscan" in p.name]  # no log there


def test_every_account_event_is_one_line_naming_the_account(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(sim.faults)
    sim.faults.report_in_progress("210000000005")
    result = run_cli(sim, "scan", "--out", str(tmp_path), *WORKERS, "--config", str(write_config(tmp_path)))
    assert result.code == 2
    records = _parsed(tmp_path / "orgscan.log")
    events = [m for m in records if m["logger"] == "scanner.collect.account"]
    assert events and all(re.match(r"account \d{12}: ", m["message"]) for m in events)
    messages = [m["message"] for m in events]
    assert "account 210000000005: credential report failed: ReportNotReady" in messages
    assert f"account {DENIED}: cannot access: AccessDenied: User: " in "\n".join(messages)
    discovered = f"discovered {len(EXPECTED) + len(SKIPPED)} accounts"
    assert any(m["logger"] == "scanner.discovery" and discovered in m["message"] for m in records)


def test_a_record_is_one_line_even_with_newlines_and_a_traceback(tmp_path: Path) -> None:
    handler = configure_logging(tmp_path / "one.log", 1 << 20, 1)
    log = logging.getLogger("scanner.test")
    try:
        raise ValueError("first\nsecond")
    except ValueError:
        log.exception("account 210000000013: name %r\nforged 2026-01-01 00:00:00,000 1 x ERROR y z", "a\nb")
    assert not (tmp_path / "one.log").exists()  # nothing is written before the run starts
    handler.open()
    log.info("account 210000000013: after\ropen")
    handler.close()
    records = _parsed(tmp_path / "one.log")
    assert len(records) == 2
    assert "\\nforged " in records[0]["message"] and "ValueError: first\\nsecond" in records[0]["message"]
    assert records[1]["message"] == "account 210000000013: after\\ropen"


def test_debug_enables_retry_decisions_and_never_the_wire(tmp_path: Path) -> None:
    logging.getLogger().setLevel(logging.DEBUG)  # whatever the process had before
    logging.getLogger("botocore").setLevel(logging.DEBUG)
    configure_logging(tmp_path / "debug.log", 1 << 20, 1, debug=True)
    wire = ("botocore.endpoint", "botocore.auth", "botocore.parsers", "botocore.hooks", "botocore.httpsession",
            "botocore.credentials", "urllib3.connectionpool", "boto3.resources")
    assert not [name for name in wire if logging.getLogger(name).isEnabledFor(logging.DEBUG)]
    assert all(logging.getLogger(name).isEnabledFor(logging.DEBUG) for name in RETRY_LOGGERS)
    assert logging.getLogger("scanner.collect").isEnabledFor(logging.DEBUG)
    handler = configure_logging(tmp_path / "info.log", 1 << 20, 1)  # a later run without --debug
    assert not [name for name in RETRY_LOGGERS if logging.getLogger(name).isEnabledFor(logging.DEBUG)]
    assert not logging.getLogger("scanner.collect").isEnabledFor(logging.DEBUG)
    assert isinstance(handler, RunLog) and logging.getLogger().handlers == [handler]


@pytest.mark.usefixtures("fast_backoff")
def test_debug_log_shows_how_often_each_account_was_throttled(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(sim.faults)
    sim.faults.throttle(1.0, account_id="210000000002", action="GetAccountSummary", limit=2)
    result = run_cli(sim, "scan", "--out", str(tmp_path), *WORKERS, "--debug")
    assert "; 2 retries, 2 throttled calls" in result.stdout
    records = _parsed(tmp_path / "orgscan.log")
    throttled = [m["message"] for m in records if m["logger"] == "scanner.aws.limiter"]
    assert throttled == [f"account 210000000002: throttled (Throttling), attempt {n}" for n in (1, 2)]
    retries = [m["message"] for m in records if m["logger"] == "botocore.retries.standard"
               and "retrying request after delay" in m["message"]]
    assert len(retries) == 2 and all(r.startswith("account 210000000002: Retry needed") for r in retries)
