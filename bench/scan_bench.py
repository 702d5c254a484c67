"""Scan benchmark: `orgscan scan` as a user runs it, against a simulated organization with real latency.

This process serves the simulated AWS (moto behind a latency layer: every request waits a random
50-150 ms in its own thread, like an AWS round trip) and seeds N accounts (not timed). The scanner runs
as a separate process, timed from start to exit, exactly as on the command line. For each size and worker
count it prints wall time, accounts per second, API calls per account, the scanner's peak RSS (with the
process that lays out report.pdf, and of the scan process alone) and the ratio to the latency bound
N x calls_on_critical_path x mean_latency / workers.

    .venv/bin/python bench/scan_bench.py                       # 100 and 1,000 accounts
    .venv/bin/python bench/scan_bench.py --accounts 10000 --workers 16
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scanner.simulation.seed import seed_organization  # noqa: E402
from scanner.simulation.server import (  # noqa: E402
    MANAGEMENT_ACCESS_KEY,
    MANAGEMENT_SECRET_KEY,
    SimulatedAws,
    reset_backends,
)

# bench/render_bench.py keeps its figures in the same file, between these markers; a rewrite carries them over.
RENDER_SECTION = re.compile(r"<!-- render:start -->.*?<!-- render:end -->\n?", re.DOTALL)
REPORT_ACTIONS = ("GetCredentialReport", "GenerateCredentialReport")
DOCUMENT_ACTIONS = ("GetAccountSummary", "GetAccountPasswordPolicy", "ListVirtualMFADevices",
                    "GetAccountAuthorizationDetails", "ListSAMLProviders", "ListServerCertificates")


@dataclass(frozen=True)
class Result:
    accounts: int
    workers: int
    wall_s: float
    collect_s: float
    peak_rss_mib: float
    calls_per_account: float
    critical_calls: float
    org_calls: int
    bound_s: float
    exit_code: int
    findings_digest: str
    collect_cpu_s: float = 0.0
    floor_wall_s: float = 0.0  # the bare boto3 floor (bench/floor.py), same organization, same run
    floor_collect_s: float = 0.0
    floor_cpu_s: float = 0.0
    scan_peak_rss_mib: float = 0.0  # the `orgscan scan` process alone, without the process laying out the PDF
    seed_s: float = 0.0  # seeding the simulated organization (not timed in the run)

    @property
    def rate(self) -> float:
        return self.accounts / self.wall_s

    @property
    def collect_rate(self) -> float:
        return self.accounts / self.collect_s if self.collect_s else float("nan")

    @property
    def ratio(self) -> float:
        return self.wall_s / self.bound_s if self.bound_s else float("nan")

    @property
    def collect_over_floor(self) -> float:
        return self.collect_s / self.floor_collect_s if self.floor_collect_s else float("nan")

    @property
    def wall_over_floor(self) -> float:
        return self.wall_s / self.floor_collect_s if self.floor_collect_s else float("nan")

    @property
    def outputs_share(self) -> float:
        """The part of the run after collection: derivation, CSV/XLSX/HTML/PDF, history, manifest."""
        return (self.wall_s - self.collect_s) / self.wall_s if self.wall_s else float("nan")

    @property
    def cpu_ms_per_account(self) -> float:
        return 1000 * self.collect_cpu_s / self.accounts if self.accounts else float("nan")


def critical_path(calls: dict[tuple[str, str], int], account_ids: list[str], management: str) -> float:
    """Mean sequential calls per account: AssumeRole, then the longest of the overlapping call chains."""
    per_account: dict[str, Counter[str]] = {}
    for (account, action), count in calls.items():
        per_account.setdefault(account, Counter())[action] += count
    total = 0
    for account_id in account_ids:
        counts = per_account.get(account_id, Counter())
        assume = 0 if account_id == management else counts["AssumeRole"]
        report_chain = sum(counts[a] for a in REPORT_ACTIONS)
        longest_document = max((counts[a] for a in DOCUMENT_ACTIONS), default=0)
        total += assume + max(report_chain, longest_document)
    return total / len(account_ids)


def _environment(sim: SimulatedAws) -> dict[str, str]:
    env = {**os.environ, "AWS_ENDPOINT_URL": sim.endpoint_url, "AWS_ACCESS_KEY_ID": MANAGEMENT_ACCESS_KEY,
           "AWS_SECRET_ACCESS_KEY": MANAGEMENT_SECRET_KEY, "AWS_DEFAULT_REGION": "us-east-1"}
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    return env


def run_floor(sim: SimulatedAws, workers: int) -> dict[str, float]:
    """bench/floor.py as its own process against the same simulated organization."""
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "floor.py"), "--workers", str(workers)],  # noqa: S603
                          env=_environment(sim), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"floor failed: {done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


# `python -m scanner` that also writes its own peak RSS (KiB, without child processes) to the file named by
# ORGSCAN_BENCH_PEAK when it exits: wait4's figure is the largest of the process and its children.
SCAN_WITH_OWN_PEAK = """
import atexit, os, resource, runpy, sys
atexit.register(lambda: open(os.environ["ORGSCAN_BENCH_PEAK"], "w").write(
    str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))
sys.argv[0] = "orgscan"
runpy.run_module("scanner", run_name="__main__")
"""


def _identical(digests: list[str]) -> str:
    """Whether the findings.csv of one size's runs (one per worker count) are the same bytes."""
    if len(digests) < 2:
        return "one worker count only"
    return f"yes ({len(digests)} worker counts)" if len(set(digests)) == 1 else "NO"


def run_scan(sim: SimulatedAws, out: Path, workers: int, extra: list[str]) -> tuple[float, float, int, float]:
    """Wall seconds, peak RSS MiB with child processes, exit code, peak RSS MiB of the scan process alone."""
    peak_file = out / "scan-peak-kib"
    env = {**_environment(sim), "ORGSCAN_BENCH_PEAK": str(peak_file)}
    command = [sys.executable, "-c", SCAN_WITH_OWN_PEAK, "scan", "--out", str(out / "runs"), "--workers",
               str(workers), *extra]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)  # noqa: S603
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 2):
            errors.seek(0)
            raise SystemExit(f"scan failed ({process.returncode}): {errors.read().decode(errors='replace')}")
    own = int(peak_file.read_text()) / 1024 if peak_file.exists() else float("nan")
    return wall, usage.ru_maxrss / 1024, process.returncode, own


def bench_one(sim: SimulatedAws, n: int, workers: int, latency: tuple[float, float], extra: list[str]) -> Result:
    reset_backends()
    sim.faults.clear()
    organization = seed_organization(n)
    print(f"seeded {n} accounts in {organization.seconds:.1f} s", file=sys.stderr, flush=True)
    sim.faults.latency(*latency)
    sim.faults.counter.reset()
    with tempfile.TemporaryDirectory(prefix="orgscan-bench-") as tmp:
        wall, rss, code, own_rss = run_scan(sim, Path(tmp), workers, extra)
        folder = next(p for p in (Path(tmp) / "runs").iterdir() if p.is_dir())
        with (Path(tmp) / "runs" / "orgscan.log").open(encoding="utf-8", errors="replace") as scan_log:
            for line in scan_log:
                if "peak memory" in line:  # after collection, after the outputs
                    print(line.rstrip(), file=sys.stderr, flush=True)
        info = json.loads((folder / "run.json").read_bytes())
        collect_s = float(info.get("timings", {}).get("collect_s", 0.0))
        collect_cpu_s = float(info.get("timings", {}).get("collect_cpu_s", 0.0))
        digest = hashlib.sha256((folder / "findings.csv").read_bytes()).hexdigest()[:16]
    calls = sim.faults.counter.calls()
    scanned = [a.account_id for a in organization.accounts if a.scannable]
    assessed = set(scanned)
    account_calls = sum(c for (account, _), c in calls.items() if account in assessed)
    management = organization.management_account_id
    org_calls = sum(c for (account, action), c in calls.items()
                    if account == management and action not in (*REPORT_ACTIONS, *DOCUMENT_ACTIONS))
    crit = critical_path(calls, scanned, management)
    mean_latency = sum(latency) / 2
    bound = len(scanned) * crit * mean_latency / workers
    # The floor meets the same organization in the same state: its credential reports are now fresh, as they
    # are for a second orgscan run; so it is measured against a freshly seeded copy.
    reset_backends()
    seed_organization(n)
    floor = run_floor(sim, workers)
    return Result(n, workers, wall, collect_s, rss, account_calls / len(scanned), crit, org_calls, bound, code,
                  digest, collect_cpu_s, floor["wall_s"], floor["collect_s"], floor["collect_cpu_s"], own_rss,
                  organization.seconds)


def table(results: list[Result], baseline: Result | None) -> str:
    lines = ["| accounts | workers | wall s | collect s | accounts/s | API calls/account | critical-path calls | "
             "latency bound s | wall / bound | collect / bound | speed-up (wall) | speed-up (collect) | "
             "peak RSS MiB | scan process peak RSS MiB | floor collect s | collect / floor | wall / floor | "
             "outputs share | CPU ms/account (floor) | seed s |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        wall_up = f"{r.rate / baseline.rate:.1f}x" if baseline else "-"
        collect_up = f"{r.collect_rate / baseline.collect_rate:.1f}x" if baseline else "-"
        collect_ratio = r.collect_s / r.bound_s if r.bound_s else float("nan")
        lines.append(f"| {r.accounts} | {r.workers} | {r.wall_s:.1f} | {r.collect_s:.1f} | {r.rate:.1f} | "
                     f"{r.calls_per_account:.2f} | {r.critical_calls:.2f} | {r.bound_s:.1f} | {r.ratio:.2f} | "
                     f"{collect_ratio:.2f} | {wall_up} | {collect_up} | {r.peak_rss_mib:.0f} | "
                     f"{r.scan_peak_rss_mib:.0f} | {r.floor_collect_s:.1f} | {r.collect_over_floor:.2f} | "
                     f"{r.wall_over_floor:.2f} | {r.outputs_share:.0%} | {r.cpu_ms_per_account:.0f} "
                     f"({1000 * r.floor_cpu_s / r.accounts:.0f}) | {r.seed_s:.1f} |")
    return "\n".join(lines)


def render_section(path: Path) -> str:
    """The report render figures of the file about to be rewritten, unchanged, or "" when it has none."""
    try:
        match = RENDER_SECTION.search(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ""
    return match.group(0).rstrip("\n") + "\n" if match else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", default="100,1000", help="sizes, comma-separated (default 100,1000)")
    parser.add_argument("--workers", default="8,16,32", help="worker counts, comma-separated (default 8,16,32)")
    parser.add_argument("--baseline-accounts", type=int, default=100,
                        help="accounts for the workers=1 baseline (accounts/s does not depend on size); 0: none")
    parser.add_argument("--latency", default="0.05,0.15", help="min,max seconds per request (default 0.05,0.15)")
    parser.add_argument("--results", default=str(ROOT / "bench" / "results.md"), help="where to write the table")
    parser.add_argument("--scan-args", default="", help="extra arguments for orgscan scan")
    args = parser.parse_args()
    sizes = [int(x) for x in args.accounts.split(",")]
    worker_counts = [int(x) for x in args.workers.split(",")]
    low, high = (float(x) for x in args.latency.split(","))
    extra = args.scan_args.split()

    results: list[Result] = []
    baseline: Result | None = None
    with SimulatedAws() as sim:
        if args.baseline_accounts:
            baseline = bench_one(sim, args.baseline_accounts, 1, (low, high), extra)
            print(table([baseline], baseline), flush=True)
        for n in sizes:
            for workers in worker_counts:
                result = bench_one(sim, n, workers, (low, high), extra)
                results.append(result)
                print(table([result], baseline).splitlines()[-1], flush=True)
    runs = ([baseline] if baseline else []) + results
    digests: dict[int, list[str]] = {r.accounts: [] for r in runs}
    for r in runs:
        digests[r.accounts].append(r.findings_digest)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,  # noqa: S607
                            text=True, check=False).stdout.strip()
    text = "\n".join([
        "# Scan benchmark",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; commit {commit or 'unknown'}",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}",
        f"- simulated AWS: moto in the harness process, each request delayed {low * 1000:.0f}-{high * 1000:.0f} ms",
        "- wall: the `orgscan scan` process from start to exit (discovery, collection, CSV/HTML/PDF outputs)",
        "- collect: the collection phase alone (discovery overlaps it), as recorded in run.json",
        "- speed-up: accounts per second against the workers=1 baseline (accounts/s does not depend on size)",
        "- latency bound: accounts x critical-path calls x mean latency / workers",
        "- floor: bench/floor.py, a bare boto3 thread pool making orgscan's requests per account (same count, same "
        "order of dependence) and writing nothing, as its own process against the same organization in the same "
        "run; targets: collect / floor <= 1.15, wall / floor <= 1.35 at 1,000 accounts, outputs share <= 25 %",
        "- CPU ms/account: the scanner process's CPU time during collection per account (the floor's in brackets)",
        "- peak RSS: the scan with its child processes (report.pdf is laid out in one from 100 accounts on); "
        "scan process peak RSS: the `orgscan scan` process alone",
        "- seed s: loading the simulated organization into moto, in the harness process (not part of the run)",
        "- findings identical across worker counts: "
        + ", ".join(f"{n} accounts: {_identical(d)}" for n, d in digests.items()),
        "",
        table(([baseline] if baseline else []) + results, baseline),
        "",
    ])
    carried = render_section(Path(args.results))
    Path(args.results).write_text(text + ("\n" + carried if carried else ""))
    print(f"\nwritten to {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
