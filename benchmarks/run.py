"""The batch benchmark: candidates/s, wall time and peak memory of `kuaiji precheck --batch`
on generated candidates, beside the floor (reading and writing the same records as JSON
with no checks), plus the start-up figures of single commands.

    python benchmarks/run.py                 # 100k candidates, --jobs 2
    python benchmarks/run.py --count 1000000 # the national-scale run

Peak memory is the largest sum over the command and all its processes (workers included)
of the resident set size (RSS; pages shared between processes counted in each, sampled
every 20 ms) and of the proportional set size (PSS; shared pages split, every 200 ms),
from /proc (Linux).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import write  # noqa: E402

FLOOR = """
import json, sys
with open(sys.argv[1], encoding="utf-8") as src, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in src:
        if line.strip():
            try:
                record = json.loads(line)
            except ValueError:
                record = {"error": "invalid JSON"}
            out.write(json.dumps(record, ensure_ascii=False) + "\\n")
"""


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    found = []
    todo = [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            with Path(f"/proc/{current}/task/{current}/children").open() as children:
                todo.extend(int(c) for c in children.read().split())
        except (OSError, ValueError):
            continue
    return found


PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _rss(pid: int) -> int:
    """Resident set size in bytes, summed over the process tree (/proc/PID/statm: cheap)."""
    total = 0
    for current in _tree(pid):
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            continue
    return total


def _pss(pid: int) -> int:
    """Proportional set size (shared pages split between the processes sharing them) in
    bytes, summed over the process tree. Reading smaps_rollup walks the page tables: it is
    sampled less often, so that measuring does not slow the batch down."""
    total = 0
    for current in _tree(pid):
        try:
            with Path(f"/proc/{current}/smaps_rollup").open() as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
        except (OSError, ValueError):
            continue
    return total


def measure(command: list[str]) -> tuple[float, int, int, int]:
    """Wall seconds, peak RSS (sampled every 20 ms) and peak PSS (every 200 ms) in bytes,
    whole process tree, and the exit code."""
    peak_rss = peak_pss = 0
    began = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_rss, peak_pss
        tick = 0
        while not done.is_set():
            peak_rss = max(peak_rss, _rss(process.pid))
            if tick % 10 == 0:
                peak_pss = max(peak_pss, _pss(process.pid))
            tick += 1
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    process.wait()
    wall = time.perf_counter() - began
    done.set()
    sampler.join()
    return wall, peak_rss, peak_pss, process.returncode


STACK = "import attrs, cattrs, click, pluggy"  # the design card's libraries on this path
LIBRARIES = STACK + ", stdnum.cn.ric, chinese_calendar, zoneinfo, json"  # + the Standards' ones


def startup_ms(commands: dict[str, list[str]], rounds: int, fresh: set[str]) -> dict[str, float]:
    """Median wall time (ms) of each command, run in turns (so that a slow moment of the
    machine hits every command alike). Commands in ``fresh`` get an empty cache folder
    each run (nothing remembered: a first run); the others share a warm one."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory() as scratch:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        warm = {**env, "KUAIJI_CACHE_DIR": str(Path(scratch) / "warm")}
        for name in commands:  # one run to fill the warm cache
            subprocess.run(commands[name], env=warm, capture_output=True, check=False)
        for turn in range(rounds):
            for name, command in commands.items():
                run_env = warm
                if name in fresh:
                    run_env = {**env, "KUAIJI_CACHE_DIR": str(Path(scratch) / f"cold-{turn}")}
                began = time.perf_counter()
                subprocess.run(command, env=run_env, capture_output=True, check=False)
                times[name].append(time.perf_counter() - began)
    return {name: statistics.median(t) * 1000 for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "kuaiji-bench"))
    parser.add_argument("--json", dest="as_json", action="store_true")
    parser.add_argument("--rounds", type=int, default=21, help="runs of each start-up command")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the batch and the floor")
    parser.add_argument(
        "--startup-only", action="store_true", help="measure start-up only (no batch)"
    )
    args = parser.parse_args()

    kuaiji = shutil.which("kuaiji", path=str(Path(sys.executable).parent)) or "kuaiji"
    result: dict[str, object] = {"cpus": os.cpu_count()}
    if not args.startup_only:
        result |= batch_figures(args, kuaiji)
    result |= startup_figures(args, kuaiji)
    if args.as_json:
        print(json.dumps(result, indent=2))


def batch_figures(args: argparse.Namespace, kuaiji: str) -> dict[str, object]:
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"candidates-{args.count}-{args.seed}.jsonl"
    if not source.exists():
        with source.open("w", encoding="utf-8") as out:
            write(args.count, out, args.seed)
    shutil.copy(ROOT / "examples" / "wang.jpg", work / "photo.jpg")

    floor = [sys.executable, "-c", FLOOR, str(source), str(work / "floor.jsonl")]
    batch = [kuaiji, "precheck", "--batch", str(source), "--exam", "intermediate", "--year", "2026"]
    batch += ["--at", "2026-06-20T10:00", "--jobs", str(args.jobs)]
    batch += ["--out", str(work / "out.jsonl")]
    # This machine's speed drifts by a third from one minute to the next: the floor and the
    # batch are run in turns, and the median run of each is reported, with the range.
    floors, batches = [], []
    for _ in range(args.repeat):
        floors.append(measure(floor))
        batches.append(measure(batch))
    floor_wall, floor_rss, _, _ = sorted(floors)[len(floors) // 2]
    walls = sorted(run[0] for run in batches)
    wall, rss, pss = walls[len(walls) // 2], max(r[1] for r in batches), max(r[2] for r in batches)
    code = batches[-1][3]
    lines = sum(1 for _ in (work / "out.jsonl").open(encoding="utf-8"))
    if not args.as_json:
        print(
            f"{args.count:,} candidates, --jobs {args.jobs} on {os.cpu_count()} CPUs"
            f" ({lines:,} results); median of {args.repeat} runs, peaks over all"
        )
        print(
            f"  batch  {wall:7.2f} s  {args.count / wall:9,.0f} candidates/s"
            f"  peak RSS {rss / 2**20:6.1f} MB (PSS {pss / 2**20:.1f} MB)"
            f"  [runs: {', '.join(f'{args.count / w:,.0f}/s' for w in walls)}]"
        )
        print(
            f"  floor  {floor_wall:7.2f} s  {args.count / floor_wall:9,.0f} records/s"
            f"     peak RSS {floor_rss / 2**20:6.1f} MB"
        )
        print(f"  batch / floor: {wall / floor_wall:.2f}x")
    return {
        "count": args.count,
        "jobs": args.jobs,
        "records_out": lines,
        "exit_code": code,
        "batch_seconds": round(wall, 2),
        "candidates_per_second": round(args.count / wall),
        "batch_peak_rss_mb": round(rss / 2**20, 1),
        "batch_peak_pss_mb": round(pss / 2**20, 1),
        "floor_seconds": round(floor_wall, 2),
        "floor_per_second": round(args.count / floor_wall),
        "floor_peak_rss_mb": round(floor_rss / 2**20, 1),
        "ratio_to_floor": round(wall / floor_wall, 2),
        "runs_candidates_per_second": [round(args.count / w) for w in walls],
    }


def startup_figures(args: argparse.Namespace, kuaiji: str) -> dict[str, object]:
    example = str(ROOT / "examples" / "wang-fang.json")
    single = [kuaiji, "precheck", example, "--exam", "intermediate", "--year", "2026"]
    single += ["--at", "2026-06-20T10:00"]
    ms = startup_ms(
        {
            "json": [sys.executable, "-c", "import json"],
            "stack": [sys.executable, "-c", STACK],
            "libraries": [sys.executable, "-c", LIBRARIES],
            "single": single,
            "single_cold": single,
            "help": [kuaiji, "--help"],
        },
        rounds=args.rounds,
        fresh={"single_cold"},
    )
    base = ms["json"]
    if not args.as_json:
        print(f"start-up (median of {args.rounds} runs each, in turns):")
        rows = [
            ("python -c 'import json'", ms["json"]),
            (f"python -c '{STACK}'", ms["stack"]),
            ("  ... + stdnum.cn.ric, chinese_calendar, zoneinfo", ms["libraries"]),
            ("kuaiji precheck FILE", ms["single"]),
            ("kuaiji precheck FILE, first run (empty cache)", ms["single_cold"]),
            ("kuaiji --help", ms["help"]),
        ]
        for label, value in rows:
            print(f"  {label:52s} {value:6.0f} ms  {value / base:4.1f}x import json")
    return {
        "python_import_json_ms": round(base, 1),
        "import_stack_ms": round(ms["stack"], 1),
        "import_libraries_ms": round(ms["libraries"], 1),
        "single_precheck_ms": round(ms["single"], 1),
        "single_precheck_vs_import_json": round(ms["single"] / base, 1),
        "import_stack_vs_import_json": round(ms["stack"] / base, 1),
        "import_libraries_vs_import_json": round(ms["libraries"] / base, 1),
        "single_precheck_first_run_ms": round(ms["single_cold"], 1),
        "help_ms": round(ms["help"], 1),
    }


if __name__ == "__main__":
    main()
