"""The HTTP API under load: `kuaiji serve` with N workers on loopback, driven by wrk (Debian's
``wrk`` package) with a bounded number of connections, beside the same machine's in-process
precheck rate, so that the ratio is visible; and the workers' memory before and after.

    python -m benchmarks.serve                       # 2 workers, 50 connections, 20 s
    python -m benchmarks.serve --duration 600        # memory over 10 minutes of load

The request is a Beijing candidate without ``at`` (evaluated now), or with ``--advance``
an ``at`` one minute later at every request from 2025-11-01 (a 10-minute run crosses about
two years of days: every per-day cache of the workers is exercised, as a service's clock does
over months). The load generator shares the machine's cores with the server.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CANDIDATE = {
    "name": "王芳",
    "id_number": "110105199003072346",
    "phone": "13800138000",
    "region": "110105",
    "national_account": {"registered": True, "real_name_verified": True},
    "education": [{"mode": "full_time", "level": "bachelor", "graduated": "2012-07-01"}],
    "work": {"status": "accounting", "accounting_since": "2012-08-01"},
    "collection": {"status": "approved", "region": "110105"},
}
LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[%s]]
%s
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %%d, "seconds": %%.3f, "errors": %%d, "p50": %%.3f, "p99": %%.3f, "p999": %%.3f}\\n',
    summary.requests, summary.duration / 1e6, errors,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
end
"""


# With --advance: each request's body with "at" one minute after the previous one's.
ADVANCE = """
template = [[%s]]
counter = 0
request = function()
  counter = counter + 1
  local at = os.date("!%%Y-%%m-%%dT%%H:%%M:00+00:00", 1761955200 + counter * 60)
  return wrk.format(nil, nil, nil, string.format(template, at))
end
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _workers(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    children = [int(p) for p in found.split()]
    # uvicorn's supervisor starts the workers; skip its resource tracker (no app inside).
    return [p for p in children if "resource_tracker" not in Path(f"/proc/{p}/cmdline").read_text()]


def in_process_rate(seconds: float = 3.0) -> float:
    """Prechecks per second of this request in one process (registry warm)."""
    from kuaiji import candidate_from_dict, get_registry, precheck

    registry = get_registry()
    body = json.loads(json.dumps({"candidate": CANDIDATE, "exam": "中级", "year": 2026}))
    precheck(
        candidate_from_dict(body["candidate"]), exam="intermediate", year=2026, registry=registry
    )
    count = 0
    began = time.perf_counter()
    while time.perf_counter() - began < seconds:
        candidate = candidate_from_dict(json.loads(json.dumps(body))["candidate"])
        report = precheck(candidate, exam="intermediate", year=2026, registry=registry)
        json.dumps(report.to_dict(), ensure_ascii=False)
        count += 1
    return count / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument(
        "--advance", action="store_true", help="'at' one minute later at every request"
    )
    args = parser.parse_args()
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    kuaiji = Path(sys.executable).parent / "kuaiji"
    # The machine's speed drifts (it is shared): the in-process rate is taken before and
    # after the load, and their mean is the ratio's denominator.
    rate_before = in_process_rate()
    port = _port()
    env = {**os.environ, "KUAIJI_ACCESS_LOG": "0"}
    server = subprocess.Popen(
        [str(kuaiji), "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(200):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        body = json.dumps(
            {"candidate": CANDIDATE, "exam": "中级", "year": 2026}, ensure_ascii=False
        )
        advance = ""
        if args.advance:
            moving = {"candidate": CANDIDATE, "exam": "中级", "year": 2026, "at": "%s"}
            advance = ADVANCE % json.dumps(moving, ensure_ascii=False)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA % (body, advance))
        subprocess.run(  # warm every worker
            [wrk, "-t2", "-c8", "-d2s", "-s", script.name, f"{base}/v1/precheck"],
            capture_output=True, check=True,
        )  # fmt: skip
        workers = _workers(server.pid)
        rss_before = {p: _rss_kb(p) for p in workers}
        cpu_before = sum(_cpu_seconds(p) for p in workers)
        ran = subprocess.run(
            [wrk, "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "5s",
             "-s", script.name, f"{base}/v1/precheck"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        rss_after = {p: _rss_kb(p) for p in workers}
        cpu_used = sum(_cpu_seconds(p) for p in workers) - cpu_before
        result = json.loads(ran.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=30)
    rate_after = in_process_rate()
    rate = (rate_before + rate_after) / 2
    http = result["requests"] / result["seconds"]
    moving = ", 'at' +1 min per request" if args.advance else ""
    print(
        f"kuaiji serve, {args.workers} workers, {args.connections} connections,"
        f" {args.duration} s (wrk{moving})"
    )
    print(f"  requests/s      {http:,.0f}   errors {result['errors']}")
    print(
        f"  latency         p50 {result['p50']:.1f} ms   p99 {result['p99']:.1f} ms   p999 {result['p999']:.1f} ms"
    )
    print(
        f"  in-process      {rate:,.0f} prechecks/s in one process (same request, JSON in and out;"
        f" {rate_before:,.0f} before the load, {rate_after:,.0f} after)"
    )
    print(
        f"  CPU per request {cpu_used / result['requests'] * 1e6:,.0f} µs in the workers,"
        f" {1e6 / rate:,.0f} µs in-process"
    )
    print(f"  HTTP ÷ (in-process × workers) = {http / (rate * args.workers):.0%}")
    for pid in workers:
        print(f"  worker {pid} RSS {rss_before[pid] / 1024:.1f} → {rss_after[pid] / 1024:.1f} MB")


if __name__ == "__main__":
    main()
