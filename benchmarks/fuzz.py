"""The long fuzz run (not part of the test suite): hostile candidate documents through the
parser and the precheck, with the strategies of tests/test_hardening.py.

    python benchmarks/fuzz.py --examples 50000

Every document must give a report or an InputError naming its fields; anything else is a
failure that hypothesis shrinks and prints.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from test_hardening import _checked, json_values, mutated  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=50_000)
    args = parser.parse_args()
    count = [0]

    @settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.one_of(mutated(), json_values))
    def fuzz(document: object) -> None:
        count[0] += 1
        _checked(document)

    began = time.perf_counter()
    fuzz()
    print(
        f"{count[0]:,} documents in {time.perf_counter() - began:.0f} s: no traceback, every failure an InputError"
    )


if __name__ == "__main__":
    main()
