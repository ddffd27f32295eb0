"""The long fuzz run (not part of the test suite): hostile candidate documents through the
parser and the precheck, mutated photos through the photo reader, and mutated CSV files
through a whole batch, with the strategies of tests/test_hardening.py and
tests/test_hostile_inputs.py.

    python benchmarks/fuzz.py --examples 50000
    python benchmarks/fuzz.py --examples 20000 --only photos,csv

``--examples`` documents; a tenth as many photos and a twentieth as many CSV files (``--photos``
and ``--csv`` say otherwise). Every document must give a report or an InputError naming its
fields; every photo a PhotoInfo or the candidate's ``photo.path`` error; every CSV file one
whole result row per record read, or one InputError for the whole file (its header or
encoding). Anything else is a failure that hypothesis shrinks and prints.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from test_hardening import _checked, json_values, mutated  # noqa: E402
from test_hostile_inputs import csv_checked, mutated_csv, mutated_photos, photo_checked  # noqa: E402

KINDS = ("documents", "photos", "csv")


def _fuzz(strategy: Any, check: Callable[[Any], None], examples: int) -> int:
    count = [0]

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def fuzz(value: Any) -> None:
        count[0] += 1
        check(value)

    fuzz()
    return count[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=50_000, help="candidate documents")
    parser.add_argument("--photos", type=int, help="mutated photos (default: examples / 10)")
    parser.add_argument("--csv", type=int, help="mutated CSV files (default: examples / 20)")
    parser.add_argument("--only", default=",".join(KINDS), help="documents,photos,csv")
    args = parser.parse_args()
    only = [kind.strip() for kind in args.only.split(",") if kind.strip()]
    unknown = set(only) - set(KINDS)
    if unknown:
        parser.error(f"--only: unknown {', '.join(sorted(unknown))}")
    counts = {
        "documents": args.examples,
        "photos": args.photos if args.photos is not None else max(1, args.examples // 10),
        "csv": args.csv if args.csv is not None else max(1, args.examples // 20),
    }
    with tempfile.TemporaryDirectory(prefix="kuaiji-fuzz-") as name:
        folder = Path(name)
        runs = {
            "documents": (st.one_of(mutated(), json_values), _checked),
            "photos": (mutated_photos(), lambda data: photo_checked(data, folder)),
            "csv": (mutated_csv(), lambda data: csv_checked(data, folder)),
        }
        said = {
            "documents": "no traceback, every failure an InputError",
            "photos": "each a PhotoInfo or a photo.path error",
            "csv": "records in = records out, or one InputError for the file",
        }
        for kind in only:
            strategy, check = runs[kind]
            began = time.perf_counter()
            done = _fuzz(strategy, check, counts[kind])
            print(f"{done:,} {kind} in {time.perf_counter() - began:.0f} s: {said[kind]}")


if __name__ == "__main__":
    main()
