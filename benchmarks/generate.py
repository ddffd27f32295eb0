"""Write N realistic synthetic candidates as JSON Lines, deterministic by seed.

Every region of GB/T 2260 (python-stdnum's table), resident IDs with valid checksums,
every collection status, Shenzhen receipt codes, records held in other provinces, and a few
per cent deliberately broken lines (invalid JSON, wrong field types, unknown regions, bad
checksums). Used by the benchmark and by tests.

    python benchmarks/generate.py 100000 --seed 7 > candidates.jsonl
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Iterator
from typing import Any, TextIO

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁欣悦晨阳雪琳晶颖"
WEIGHTS = {  # weight of each broken kind, per 1000 records
    "invalid_json": 10,
    "wrong_type": 10,
    "unknown_region": 5,
    "bad_checksum": 5,
}
_FACTORS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def counties() -> list[tuple[str, int]]:
    """County codes in use today, each with the first year it was (from python-stdnum's
    GB/T 2260 table): an ID's birth year must fall in the code's period to be valid."""
    from stdnum import numdb

    codes = []
    for _, province, _, _, children in numdb.get("cn/loc").prefixes:
        for _, lo, hi, props, _ in children:
            if lo != hi or lo.endswith("00"):
                continue
            for name in str(props.get("county", "")).split(","):
                if not name.startswith("["):
                    codes.append((province + lo, 0))
                    break
                start, end = name[1:].split("]")[0].split("-")
                if not end:
                    codes.append((province + lo, int(start or 0)))
                    break
    return sorted(c for c in codes if c[1] <= 2002)


def resident_id(rng: random.Random, region: str, born: dt.date, female: bool) -> str:
    sequence = rng.randrange(0, 100) * 10 + rng.choice(
        (0, 2, 4, 6, 8) if female else (1, 3, 5, 7, 9)
    )
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    check = "10X98765432"[sum(int(d) * f for d, f in zip(body, _FACTORS, strict=True)) % 11]
    return body + check


def candidate(rng: random.Random, regions: list[tuple[str, int]]) -> dict[str, Any]:
    region, since_year = rng.choice(regions)
    first = dt.date(max(1970, since_year), 1, 1)
    born = first + dt.timedelta(days=rng.randrange(0, (dt.date(2002, 12, 31) - first).days))
    female = rng.random() < 0.6
    level = rng.choices(
        ["high_school", "associate", "bachelor", "master", "second_bachelor"], [10, 30, 45, 12, 3]
    )[0]
    graduated = dt.date(born.year + {"high_school": 18, "associate": 21}.get(level, 22), 7, 1)
    if level == "master":
        graduated = dt.date(born.year + 25, 6, 30)
    since = graduated + dt.timedelta(days=rng.randrange(30, 900))
    data: dict[str, Any] = {
        "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
        "id_number": resident_id(rng, region, born, female),
        "phone": f"1{rng.choice('3456789')}{rng.randrange(0, 10**9):09d}",
        "region": region,
        "national_account": {"registered": True, "real_name_verified": rng.random() < 0.9},
        "education": [
            {
                "mode": rng.choice(("full_time", "part_time")),
                "level": level,
                "graduated": graduated.isoformat(),
            }
        ],
        "work": {"status": "accounting", "accounting_since": since.isoformat()},
    }
    if region.startswith("4403"):
        data["photo"] = {"receipt_code": f"{rng.randrange(0, 10**11):011d}"}
    elif rng.random() < 0.95:
        data["photo"] = {"path": "photo.jpg"}
    status = rng.choices(["approved", "submitted", "none", "rejected", None], [70, 10, 10, 3, 7])[0]
    if status is not None:
        held = region if rng.random() < 0.95 else rng.choice(regions)[0]
        data["collection"] = {"status": status, "region": held}
    if rng.random() < 0.7:
        data["continuing_education"] = [
            {"year": year, "professional": rng.choice((40, 60, 70)), "public": rng.choice((20, 30))}
            for year in range(2021, 2026)
        ]
    if region.startswith("65") and rng.random() < 0.8:
        data["provincial_review"] = {"status": rng.choice(("none", "applied", "approved"))}
    return data


def broken(rng: random.Random, good: dict[str, Any]) -> str | dict[str, Any]:
    kind = rng.choices(list(WEIGHTS), list(WEIGHTS.values()))[0]
    if kind == "invalid_json":
        return json.dumps(good, ensure_ascii=False)[:-7]
    bad = dict(good)
    if kind == "wrong_type":
        bad["education"] = [{"mode": "full_time", "level": "bachelor", "graduated": 2012}]
    elif kind == "unknown_region":
        bad["region"] = "999999"
    else:
        last = bad["id_number"][-1]
        bad["id_number"] = bad["id_number"][:-1] + ("1" if last != "1" else "2")
    return bad


def records(count: int, seed: int = 7, broken_per_mille: int = 30) -> Iterator[str]:
    """JSON Lines, one candidate each; about ``broken_per_mille`` ‰ deliberately broken."""
    rng = random.Random(seed)
    regions = counties()
    for _ in range(count):
        data: str | dict[str, Any] = candidate(rng, regions)
        if rng.randrange(1000) < broken_per_mille:
            data = broken(rng, data)  # type: ignore[arg-type]
        yield data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)


def write(count: int, out: TextIO, seed: int = 7) -> None:
    for line in records(count, seed):
        out.write(line + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write(args.count, sys.stdout, args.seed)


if __name__ == "__main__":
    main()
