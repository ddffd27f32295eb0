"""`kuaiji contacts`: every row of seed 001 附件1 (the Guangdong and Shenzhen contact tables) is
reachable by its name, every row with a code by its code, and a zone with no code of its own
(开发区, 高新区, 新区…) is listed after the office of the county that contains it, when a source
says which, and of its city."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from kuaiji.model.results import Contact
from kuaiji.registry.manager import get_registry
from kuaiji_cli.main import main

REGISTRY = get_registry()
CONTACTS = REGISTRY.contacts
ZONES = [c for c in CONTACTS if c.code is None]


def _run(*args: str) -> Any:
    result = CliRunner().invoke(main, ["contacts", *args])
    assert result.exit_code == 0, result.output
    return result


def _json(query: str) -> dict[str, Any]:
    return json.loads(_run(query, "--json").output)


def _same(row: dict[str, Any], contact: Contact) -> bool:
    return row["name"] == contact.name and row["phones"] == list(contact.phones)


def test_the_seed_tables_are_loaded() -> None:
    plugins = {c.plugin for c in CONTACTS}
    assert {"guangdong", "shenzhen"} <= plugins
    assert len(ZONES) == 12  # rows of seed 001 附件1 with no GB/T 2260 code of their own


@pytest.mark.parametrize("contact", CONTACTS, ids=[c.name for c in CONTACTS])
def test_every_row_is_reachable_by_its_name(contact: Contact) -> None:
    data = _json("".join(contact.name.split()))
    found = data["contacts"] + data["zones"]
    assert any(_same(row, contact) for row in found), [row["name"] for row in found]


CODED = [(code, c) for c in CONTACTS for code in dict.fromkeys((c.code, *c.serves)) if code]


@pytest.mark.parametrize(("code", "contact"), CODED, ids=[f"{code}-{c.name}" for code, c in CODED])
def test_every_coded_row_is_reachable_by_its_code(code: str, contact: Contact) -> None:
    data = _json(code)
    assert any(_same(row, contact) for row in data["contacts"]), data["contacts"]


@pytest.mark.parametrize("zone", ZONES, ids=[z.name for z in ZONES])
def test_every_zone_is_listed_under_its_city_and_county(zone: Contact) -> None:
    place = REGISTRY.contact_place(zone)
    assert place.city is not None, "the city the row's name begins with"
    codes = [place.city] + ([place.county] if place.county else [])
    for code in codes:
        data = _json(code)
        assert any(_same(row, zone) for row in data["zones"]), (code, data["zones"])
        assert not any(_same(row, zone) for row in data["contacts"])
        shown = next(row for row in data["zones"] if _same(row, zone))
        assert shown["place"]["county"] == place.county


def test_zone_counties_only_where_a_source_says() -> None:
    counties = {z.name: REGISTRY.contact_place(z).county for z in ZONES}
    # The seed's address places these two; no source places the other ten.
    assert counties.pop("阳江市 高新区") == "441702"  # “广东省阳江市江城区平冈镇…”
    assert counties.pop("深圳市 深汕特别合作区") == "441521"  # “汕尾市海丰县鹅埠镇…”
    assert set(counties.values()) == {None}
    for zone in ZONES:  # the row's note says the same
        county = REGISTRY.contact_place(zone).county
        assert ("所在区县未知" if county is None else f"（{county}）") in (zone.note or ""), (
            zone.name
        )


def test_county_lists_its_own_office_first_then_its_zones() -> None:
    out = _run("441702").output
    assert out.index("阳江市 江城区") < out.index("功能区") < out.index("阳江市 高新区")
    assert "所在区县：广东省阳江市江城区 441702" in out
    out = _run("441521").output
    assert out.index("汕尾市 海丰县") < out.index("深圳市 深汕特别合作区")
    data = _json("441521")
    assert [c["name"] for c in data["contacts"]] == ["汕尾市 海丰县"]
    assert [z["name"] for z in data["zones"]] == ["深圳市 深汕特别合作区"]


def test_a_county_without_zones_lists_only_its_office() -> None:
    data = _json("440305")
    assert [c["phones"] for c in data["contacts"]] == [["0755-26662570"]]
    assert data["zones"] == []


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("南沙", "广州市 南沙区"),
        ("广州南沙", "广州市 南沙区"),
        ("广州市南沙区", "广州市 南沙区"),
        ("广州开发区", "广州市 黄埔区（广州开发区）"),
        ("大鹏新区", "深圳市 大鹏新区"),
        ("深汕", "深圳市 深汕特别合作区"),
        ("仲恺高新区", "惠州市 仲恺高新区"),
        ("红海湾开发区", "汕尾市 红海湾开发区"),
        ("华侨管理区", "汕尾市 华侨管理区"),
        ("海陵区", "阳江市 海陵区"),
        ("湛江开发区", "湛江市 开发区"),
        ("枫溪区", "潮州市 枫溪区"),
        ("揭阳空港经济区", "揭阳市 空港区"),  # in its address only
        ("肇庆高新技术产业开发区", "肇庆市 高新区"),  # in its address only
    ],
)
def test_found_by_name(query: str, name: str) -> None:
    data = _json(query)
    assert name in [c["name"] for c in data["contacts"]]
    out = _run(query).output
    assert name in out and "电话" in out


def test_exact_names_come_first() -> None:
    names = [c["name"] for c in _json("高新区")["contacts"]]
    assert set(names[:2]) == {"阳江市 高新区", "肇庆市 高新区"}
    assert "惠州市 仲恺高新区" in names[2:]


def test_human_output_is_chinese_and_says_what_is_unknown() -> None:
    out = _run("大鹏新区").output
    assert "所在区县：来源未说明（未知）" in out
    assert "未设置对外服务窗口" in out
    for contact in CONTACTS:
        assert contact.note is None or not contact.note.isascii()
        assert contact.note is None or "GB/T 2260 code" not in contact.note


def test_an_unknown_name_is_bad_input() -> None:
    result = CliRunner().invoke(main, ["contacts", "火星"])
    assert result.exit_code == 2
    assert "REGION" in result.output
    result = CliRunner().invoke(main, ["contacts", "999999"])
    assert result.exit_code == 2
