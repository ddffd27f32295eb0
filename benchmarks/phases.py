"""Where a batch record's time goes: CPU instructions per record (valgrind's callgrind,
deterministic: the same count whatever else the machine is doing) for each phase of the
batch path, beside the floor of reading and writing the same records with the stdlib
``json`` and with orjson (when installed), all in the same run.

    python -m benchmarks.phases                  # 1,000 generated records
    python -m benchmarks.phases --count 2000 --cpu   # CPU time instead (no valgrind)

Each stage runs the batch path's own functions up to one phase, in a fresh process under
callgrind, which counts only the loop over the records: the runner calls ``os.getppid()``
just before it (callgrind zeroes its counters there) and ``os.getpgrp()`` just after (it
writes them out there). A phase's cost is its stage's count minus the previous stage's. The
last stage is the batch's own ``check_chunk`` (what a worker does, JSON out included).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# stage → (label, what it adds)
STAGES = {
    "floor": "floor: stdlib json.loads + json.dumps of each record",
    "orjson": "floor with orjson (loads + dumps)",
    "structure": "1. decode and structure (one pass when canonical)",
    "context": "2. + build_context (regions, schedule, photo)",
    "rules": "3. + the rules (precheck, timeline=False, remembering)",
    "batch": "4. + the row and JSON out (check_chunk: the batch's own path)",
}
AT = "2026-06-20T10:00:00+08:00"

RUNNER = r"""
import contextlib, json, os, sys, time
remembering = contextlib.nullcontext()
stage, path, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = [l for l in open(path, encoding="utf-8").read().split("\n") if l.strip()][:count]
if stage == "orjson":
    import orjson
    def one(line):
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            record = {"error": "invalid JSON"}
        orjson.dumps(record)
elif stage == "floor":
    def one(line):
        try:
            record = json.loads(line)
        except ValueError:
            record = {"error": "invalid JSON"}
        json.dumps(record, ensure_ascii=False)
else:
    from kuaiji.batch.check import check_chunk
    from kuaiji.batch.options import Item, Options
    from kuaiji.commands.precheck import build_context, candidate_from_dict, precheck
    from kuaiji.errors import InputError
    from kuaiji.model.clock import parse_at
    from kuaiji.model.results import ExamLevel
    from kuaiji.registry.manager import get_registry

    from pathlib import Path

    try:  # kuaiji 0.2.0 and later (older versions measured for the README's before/after)
        from kuaiji.io.fastpath import candidate as fast
        from kuaiji.registry.memo import remembering as batch_memo
    except ImportError:
        fast, batch_memo = (lambda line: None), contextlib.nullcontext

    registry = get_registry()
    base = Path(path).parent  # where photo.jpg is, as beside a real batch's file
    options = Options(ExamLevel.INTERMEDIATE, 2026, parse_at(sys.argv[4]))

    def one(line):
        try:
            candidate = fast(line) or candidate_from_dict(json.loads(line))
            if stage == "structure":
                return
            if stage == "context":
                build_context(candidate, exam=options.exam, year=2026, at=options.at,
                              base_dir=base, registry=registry)
                return
            precheck(candidate, exam=options.exam, year=2026, at=options.at,
                     base_dir=base, registry=registry, timeline=False)
        except (ValueError, InputError):
            return
    if stage == "batch":
        items = [Item(f"line {i}", line, str(base)) for i, line in enumerate(lines, 1)]
        check_chunk(items[:20], options, registry)  # warm, as a worker is after its first chunk
        os.getppid()  # callgrind: zero the counters
        began = time.process_time()
        check_chunk(items, options, registry)
        spent = time.process_time() - began
        os.getpgrp()  # callgrind: write the counters out
        print(spent)
        sys.exit(0)
    remembering = batch_memo()  # as a batch does
with remembering:
    for line in lines[:20]:
        one(line)
    os.getppid()
    began = time.process_time()
    for line in lines:
        one(line)
    spent = time.process_time() - began
    os.getpgrp()
print(spent)
"""


def _instructions(stage: str, source: Path, count: int, env: dict[str, str]) -> int:
    """Instructions callgrind counted in the loop over the records of ``stage``."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.out"
        ran = subprocess.run(
            ["valgrind", "--tool=callgrind", "--zero-before=os_getppid",
             "--dump-before=os_getpgrp", "--dump-instr=no", f"--callgrind-out-file={out}",
             sys.executable, "-c", RUNNER, stage, str(source), str(count), AT],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        dumped = Path(f"{out}.1")
        found = re.search(r"^summary: (\d+)", dumped.read_text(), re.M) if dumped.exists() else None
    if ran.returncode != 0 or found is None:
        raise SystemExit(f"callgrind gave no count for {stage}:\n{ran.stderr[-2000:]}")
    return int(found.group(1))


def _cpu_seconds(stage: str, source: Path, count: int, env: dict[str, str]) -> float:
    """CPU seconds of the records' loop alone (the best of three runs)."""
    runs = []
    for _ in range(3):
        ran = subprocess.run(
            [sys.executable, "-c", RUNNER, stage, str(source), str(count), AT],
            capture_output=True, text=True, env=env, check=True,
        )  # fmt: skip
        runs.append(float(ran.stdout.split()[-1]))
    return min(runs)


def _available(stage: str) -> bool:
    if stage != "orjson":
        return True
    import importlib.util

    return importlib.util.find_spec("orjson") is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cpu", action="store_true", help="CPU time, not instructions")
    parser.add_argument("--json", dest="as_json", action="store_true")
    parser.add_argument(
        "--stages", default=",".join(STAGES), help="which stages, comma-separated (all by default)"
    )
    args = parser.parse_args()
    use_valgrind = not args.cpu and shutil.which("valgrind") is not None
    from benchmarks.generate import write

    wanted = set(args.stages.split(","))
    stages = [s for s in STAGES if s in wanted and _available(s)]
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "candidates.jsonl"
        with source.open("w", encoding="utf-8") as out:
            write(args.count, out, args.seed)
        shutil.copy(ROOT / "examples" / "wang.jpg", Path(scratch) / "photo.jpg")
        # The same warm start-up caches and string hashes in every run.
        env = {
            **os.environ,
            "KUAIJI_CACHE_DIR": str(Path(scratch) / "cache"),
            "PYTHONHASHSEED": "0",
        }
        subprocess.run([sys.executable, "-c", RUNNER, "batch", str(source), "1", AT], env=env,
                       capture_output=True, check=True)  # fmt: skip
        began = time.perf_counter()
        if use_valgrind:
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
                counts = pool.map(lambda s: _instructions(s, source, args.count, env), stages)
            per = {s: n / args.count for s, n in zip(stages, counts, strict=True)}
            unit = "instructions/record"
        else:
            per = {s: _cpu_seconds(s, source, args.count, env) / args.count * 1e6 for s in stages}
            unit = "µs CPU/record"
        seconds = time.perf_counter() - began
    if args.as_json:
        print(json.dumps({"count": args.count, "unit": unit, "per_record": per}, indent=2))
        return
    floor = per.get("floor")
    print(f"{args.count:,} generated records, {unit} ({seconds:.0f} s to measure)")
    previous = 0.0
    for stage in stages:
        value = per[stage]
        ratio = f"{value / floor:5.2f}x floor" if floor else " " * 11
        phase = "" if stage in ("floor", "orjson") else f"  phase {value - previous:>10,.0f}"
        print(f"  {STAGES[stage]:62s} {value:>10,.0f}  {ratio}{phase}")
        if stage not in ("floor", "orjson"):
            previous = value


if __name__ == "__main__":
    main()
