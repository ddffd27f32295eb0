"""Regions by the names people write (issue #15): GB/T 2260 names at every level, with or
without their suffix and the names above them; ambiguous names refused with the places to
choose from; former names still find the place, under its current name; `kuaiji regions TEXT`
searches codes and names; codes are resolved without building the name index."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kuaiji.errors import InputError
from kuaiji.registry import regions
from kuaiji.registry.manager import get_registry
from kuaiji_cli.main import main

REGISTRY = get_registry()
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
AT = "2026-03-01T10:00"


def resolve(query: str, field: str = "region") -> Any:
    """Resolve without the registry's memo, so that each call goes through the names."""
    return regions.resolve(query, REGISTRY.jurisdictions, REGISTRY.names, field=field)


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def refused(query: str, field: str = "region") -> str:
    with pytest.raises(InputError) as caught:
        resolve(query, field)
    problem = caught.value.problems[0]
    assert problem.path == field
    return f"{problem.message} {problem.fix}"


@pytest.mark.parametrize(
    ("query", "code", "name"),
    [
        ("石家庄市长安区", "130102", "河北省石家庄市长安区"),
        ("河北省石家庄市长安区", "130102", "河北省石家庄市长安区"),
        ("河北石家庄长安区", "130102", "河北省石家庄市长安区"),
        ("石家庄长安", "130102", "河北省石家庄市长安区"),
        ("河北长安区", "130102", "河北省石家庄市长安区"),
        (" 石家庄市 长安区 ", "130102", "河北省石家庄市长安区"),
        ("石家庄市", "1301", "河北省石家庄市"),
        ("石家庄", "1301", "河北省石家庄市"),
        ("河北省石家庄市", "1301", "河北省石家庄市"),
        ("正定县", "130123", "河北省石家庄市正定县"),  # a county name found once
        ("玄武区", "320102", "江苏省南京市玄武区"),
        ("南京鼓楼", "320106", "江苏省南京市鼓楼区"),
        ("南京市鼓楼区", "320106", "江苏省南京市鼓楼区"),
        ("福州鼓楼", "350102", "福建省福州市鼓楼区"),
        ("深圳南山", "440305", "广东省深圳市南山区"),
        ("北京朝阳", "110105", "北京市朝阳区"),
        ("浦东新区", "310115", "上海市浦东新区"),
        ("浦东", "310115", "上海市浦东新区"),
        ("延边朝鲜族自治州", "2224", "吉林省延边朝鲜族自治州"),
        ("延边", "2224", "吉林省延边朝鲜族自治州"),  # without its suffix and its people
        ("广西", "45", "广西壮族自治区"),
        ("吉林市", "2202", "吉林省吉林市"),  # the city, not the province
        ("吉林", "22", "吉林省"),
        # the forms accepted before: codes, prefixes, jurisdiction names and aliases
        ("440305", "440305", "广东省深圳市南山区"),
        ("４４０３０５", "440305", "广东省深圳市南山区"),  # full-width digits
        ("4403", "4403", "广东省深圳市"),
        ("44", "44", "广东省"),
        ("深圳市", "4403", "深圳市"),
        ("深圳", "4403", "深圳市"),
        ("广东", "44", "广东省"),
        ("兵团", "66", "新疆生产建设兵团"),
    ],
)
def test_each_name_form_resolves(query: str, code: str, name: str) -> None:
    region = resolve(query)
    assert (region.code, region.name) == (code, name)
    assert region.chain[0].code == "CN"
    assert region.code.startswith(region.chain[-1].code)


def test_the_chain_follows_the_code_found_by_name() -> None:
    assert resolve("深圳南山").plugins == resolve("440305").plugins
    assert resolve("宁波海曙").exam_area.code == "3302"  # 宁波 is its own exam area
    assert resolve("乌鲁木齐天山区").province.code == "65"


@pytest.mark.parametrize(
    ("query", "places"),
    [
        (
            "鼓楼区",
            [
                "江苏省南京市鼓楼区 320106",
                "江苏省徐州市鼓楼区 320302",
                "福建省福州市鼓楼区 350102",
                "河南省开封市鼓楼区 410204",
            ],
        ),
        ("长安区", ["河北省石家庄市长安区 130102", "陕西省西安市长安区 610116"]),
        ("朝阳", ["北京市朝阳区 110105", "吉林省长春市朝阳区 220104", "辽宁省朝阳市 2113"]),
    ],
)
def test_an_ambiguous_name_lists_every_place(query: str, places: list[str]) -> None:
    text = refused(query)
    assert "不止一处" in text
    for place in places:
        assert place in text
    assert f"kuaiji regions {query}" in text
    assert places[0] in refused(query, "collection.region")  # the field is named


def test_a_name_within_a_named_city_is_not_ambiguous() -> None:
    refused("长安区")
    assert resolve("西安市长安区").code == "610116"
    assert resolve("陕西长安区").code == "610116"


def test_former_names_find_the_place_under_its_current_name() -> None:
    _, entries = regions.gbt2260()
    # 栾城县 became 栾城区 in 2014, under a new code; 南山区 was 南头区办事处 until 1989.
    assert entries["130124"] == "[1986-2014]栾城县"
    assert entries["130111"] == "[2014-]栾城区"
    assert entries["440305"] == "[1983-1989]南头区办事处,[1990-]南山区"
    for query, code, name in [
        ("栾城县", "130111", "河北省石家庄市栾城区"),
        ("石家庄市栾城县", "130111", "河北省石家庄市栾城区"),
        ("南头区办事处", "440305", "广东省深圳市南山区"),
        ("大兴县", "110115", "北京市大兴区"),  # 110224 until 2001
        ("鹿泉市", "130110", "河北省石家庄市鹿泉区"),
        ("襄樊市", "4206", "湖北省襄阳市"),  # the same code, renamed in 2010
    ]:
        region = resolve(query)
        assert (region.code, region.name) == (code, name), query
    # the current name still wins over a former one
    assert resolve("栾城").code == "130111"


def test_retired_codes_keep_working() -> None:
    assert resolve("130124").name == "河北省石家庄市栾城县"
    assert resolve("110103").name == "北京市崇文区"  # merged into 东城区 in 2010
    assert resolve("崇文区").code == "110103"  # a former name no current place carries on


def test_regions_shows_the_former_name_that_matched() -> None:
    result = invoke("regions", "栾城县", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["resolves_to"] == {"code": "130111", "name": "河北省石家庄市栾城区"}
    first = data["matches"][0]
    assert first["code"] == "130111" and first["current"] is True
    assert {"name": "栾城县", "code": "130124", "years": "1986–2014"} in first["old_names"]
    out = invoke("regions", "栾城县").output
    assert "河北省石家庄市栾城区" in out and "曾用名：栾城县（代码 130124，1986–2014 年）" in out


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("火星", "找不到地区“火星”"),
        ("CN", "找不到地区“CN”"),
        ("全国", "找不到地区“全国”"),
        ("", "地区为空"),
        ("12345", "“12345”不是 2、4 或 6 位数字"),
        ("999999", "找不到行政区划代码“999999”"),
        ("台湾", "没有考区负责 71（台湾省）"),
    ],
)
def test_errors_are_chinese_and_say_how_to_fix(query: str, fragment: str) -> None:
    text = refused(query)
    assert fragment in text
    assert "kuaiji regions" in text
    assert not any(word in text for word in ("unknown", "region '", "give a"))


def test_regions_search_by_name_lists_every_place() -> None:
    result = invoke("regions", "鼓楼")
    assert result.exit_code == 0, result.output
    out = result.output
    for place in ("320106", "320302", "350102", "410204"):
        assert place in out
    assert "江苏省南京市鼓楼区" in out and "县级" in out and "考区：全国 > 江苏省" in out
    assert "填作地区（region）时不能用" in out  # 鼓楼 alone is ambiguous
    data = json.loads(invoke("regions", "鼓楼", "--json").output)
    assert len(data["matches"]) >= 4
    assert data["resolves_to"] is None
    assert {row["level"] for row in data["matches"]} == {"county"}


def test_regions_search_by_code() -> None:
    result = invoke("regions", "440305", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["query"] == "440305"
    assert data["resolves_to"] == {"code": "440305", "name": "广东省深圳市南山区"}
    [row] = data["matches"]
    assert row["code"] == "440305"
    assert row["name"] == "广东省深圳市南山区"
    assert (row["level"], row["level_name"], row["current"]) == ("county", "县级", True)
    assert [j["code"] for j in row["jurisdictions"]] == ["CN", "44", "4403"]
    assert row["plugins"] == ["national", "guangdong", "shenzhen"]
    assert row["old_names"] == []
    # a prefix lists the city and every current district in it, the city first
    rows = json.loads(invoke("regions", "4403", "--json").output)["matches"]
    assert rows[0]["code"] == "4403" and rows[0]["level"] == "prefecture"
    assert {"440303", "440305", "440309"} <= {row["code"] for row in rows}
    assert all(row["code"].startswith("4403") for row in rows)


def test_regions_search_finds_jurisdictions_and_cities() -> None:
    rows = json.loads(invoke("regions", "兵团", "--json").output)["matches"]
    assert rows[0]["code"] == "66" and rows[0]["name"] == "新疆生产建设兵团"
    data = json.loads(invoke("regions", "南京鼓楼", "--json").output)
    assert data["resolves_to"]["code"] == "320106"
    assert data["matches"][0]["code"] == "320106"


def test_regions_without_text_still_lists_the_jurisdictions() -> None:
    rows = json.loads(invoke("regions", "--json").output)
    assert rows[0]["code"] == "CN" and len(rows) == len(REGISTRY.jurisdictions)


def test_regions_search_without_a_match_exits_1_and_bad_text_exits_2() -> None:
    result = invoke("regions", "火星")
    assert result.exit_code == 1
    assert "找不到与“火星”相符的地区或代码" in result.output
    assert "Traceback" not in result.output
    result = invoke("regions", "火星", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["matches"] == []
    result = invoke("regions", "  ")
    assert result.exit_code == 2
    assert "TEXT" in result.output and "Traceback" not in result.output


def _candidate_file(tmp_path: Path, **changes: Any) -> Path:
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "wang.jpg")
    data = json.loads((EXAMPLES / "wang-fang.json").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key == "collection_region":
            data["collection"]["region"] = value
        else:
            data[key] = value
    path = tmp_path / "candidate.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _precheck(path: Path) -> Any:
    return invoke("precheck", str(path), "--exam", "junior", "--year", "2026", "--at", AT, "--json")


def test_a_candidate_file_may_give_its_region_by_name(tmp_path: Path) -> None:
    path = _candidate_file(tmp_path, region="石家庄市长安区", collection_region="河北石家庄长安")
    result = _precheck(path)
    assert result.exit_code in (0, 1, 4), result.output
    report = json.loads(result.stdout)
    assert report["region"]["code"] == "130102"
    assert report["region"]["name"] == "河北省石家庄市长安区"


@pytest.mark.parametrize("field", ["region", "collection_region"])
def test_an_ambiguous_name_in_a_candidate_file_exits_2(tmp_path: Path, field: str) -> None:
    result = _precheck(_candidate_file(tmp_path, **{field: "鼓楼区"}))
    assert result.exit_code == 2, result.output
    out = result.output
    assert field.replace("_", ".") in out
    assert "江苏省南京市鼓楼区 320106" in out and "河南省开封市鼓楼区 410204" in out
    assert "Traceback" not in out


def test_other_region_arguments_take_names() -> None:
    result = invoke("contacts", "深圳南山", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["region"]["code"] == "440305"
    result = invoke("contacts", "长安区")
    assert result.exit_code == 2
    assert "REGION" in result.output and "陕西省西安市长安区 610116" in result.output


def test_resolving_codes_never_builds_the_name_index() -> None:
    _, entries = regions.gbt2260()
    codes = [c for c in entries if not c.endswith("00") and c[:2] not in ("71", "81", "82")]
    sample = random.Random(15).choices(codes, k=10_000)
    regions.name_table.cache_clear()
    for code in sample:
        resolve(code)
    for query in ("4403", "44", "深圳市", "广东", "兵团", "660000"):
        resolve(query)
    assert regions.name_table.cache_info().currsize == 0
    resolve("石家庄")
    assert regions.name_table.cache_info().currsize == 1


@pytest.mark.parametrize(
    "typed", ["110105199003072346", "13800138000", "王小明", "\x1b[2J火星", "火" * 200]
)
def test_an_unknown_region_is_quoted_without_personal_data_or_escapes(typed: str) -> None:
    from kuaiji.errors import InputError
    from kuaiji.registry.manager import Registry

    registry = Registry(entry_points=False)
    with pytest.raises(InputError) as raised:
        registry.resolve(typed)
    message = str(raised.value)
    assert typed not in message and "\x1b" not in message and len(message) < 200
