"""Reports a person reads are Chinese (issue #15): no internal source key, no English sentence,
and every timeline step says where it comes from.

``precheck`` (library and ``render.report_text``, and the console command), ``deadlines``,
``contacts``, ``change`` and ``transfer`` are run for a candidate of every plugin region and
of several regions only the national baseline covers, for the exams of 2024–2027 (published
and projected), both levels, at moments before, during and after registration. Their human
output is scanned for

- internal keys: ``seed:`` anywhere, a source's ``(low)`` mark;
- English: a run of three or more ASCII words of letters (separated by spaces or commas),
  once the few things allowed are taken out: URLs (they can be opened), ``kuaiji`` commands
  in backticks, plugin names in brackets (``[guangdong]``) and an English value in
  parentheses after its Chinese (``可以报名 (ready)``). Rule ids (``collection.required``)
  and field paths (``work.accounting_since``) are single tokens and never make such a run.

The data test: every record whose note people are shown (events, ``collection_required``)
has a Chinese ``note_zh`` when it has a ``note``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import icalendar
import pytest
from click.testing import CliRunner

from helpers import EXAMPLES, ROOT
from kuaiji.authoring import validate
from kuaiji.commands import calendar as ics
from kuaiji.commands.deadlines import deadlines
from kuaiji.commands.plans import plan_change, plan_transfer
from kuaiji.commands.precheck import candidate_from_dict, precheck
from kuaiji.model import clock
from kuaiji.model.results import Event, EventKind, ExamLevel, Fact, FieldChange, Schedule
from kuaiji.model.sources import SEEDS, readable, shown_note, source_text
from kuaiji.registry.manager import get_registry
from kuaiji_cli.main import main
from kuaiji_cli.render import (
    change_text,
    contact_lines,
    deadlines_text,
    report_text,
    transfer_text,
)

REGISTRY = get_registry()
SEED_FOLDER = Path("/work/shared/seeds")

# A candidate of every plugin region, and of regions only the national baseline covers (with
# their own windows, two phases, a later close, channels closing early, 兵团, 宁波).
PLUGIN_REGIONS = {
    "guangdong": "440106",
    "shenzhen": "440305",
    "tianjin": "120101",
    "xinjiang": "650102",
    "hunan": "430102",
}
NATIONAL_REGIONS = ["110105", "310101", "410102", "360102", "500103", "230102", "66", "330203"]
REGIONS = [*PLUGIN_REGIONS.values(), *NATIONAL_REGIONS]
YEARS = (2024, 2025, 2026, 2027)
LEVELS = ("junior", "intermediate")

ENGLISH = re.compile(r"[A-Za-z]+(?:[ ,]+[A-Za-z]+){2,}")
ALLOWED = (
    re.compile(r"https?://[^\s（）“”，。；、]+"),  # a URL: it can be opened
    re.compile(r"`kuaiji [^`]*`"),  # a kuaiji command in backticks
    re.compile(r"\[[a-z_]+\]"),  # a plugin name in brackets
    re.compile(r"\([a-z_]+\)"),  # an English value in parentheses after its Chinese
)
CJK = re.compile(r"[\u4e00-\u9fff]")


def unreadable(text: str) -> list[str]:
    """The lines of ``text`` a Chinese reader should not be shown."""
    found = []
    for line in text.splitlines():
        if "seed:" in line or "(low)" in line:
            found.append(line)
            continue
        rest = line
        for allowed in ALLOWED:
            rest = allowed.sub(" ", rest)
        if ENGLISH.search(rest):
            found.append(line)
    return found


def test_the_scan_finds_what_it_must() -> None:
    assert unreadable("      说明：Seed 000 gives only the date 7月2日")
    assert unreadable("      说明：Registration on ausm.")
    assert unreadable(
        "      来源：seed:000-2024-intermediate-collection-requirements-by-region.txt"
    )
    assert unreadable("      来源：http://pojie9.cn/faq/3069.html (low)")
    assert not unreadable(
        "  ✗ 错误 collection.required [guangdong] 结论：可以报名 (ready)；见 `kuaiji transfer --to X`"
        " https://www.seridoat.com/article/cuo-guo-zai-deng-yi-nian-jie-mi.html work.accounting_since"
    )


def _moment(level: str, year: int, when: str) -> dt.datetime:
    """Before registration, during it, after it closes (Beijing time)."""
    if level == "junior":
        day = {"before": (year - 1, 12, 1), "during": (year, 1, 10), "after": (year, 3, 1)}[when]
    else:
        day = {"before": (year, 5, 1), "during": (year, 6, 20), "after": (year, 7, 10)}[when]
    return dt.datetime(*day, 10, 0, tzinfo=clock.SHANGHAI)


def _candidate(region: str, variant: str) -> dict[str, Any]:
    """examples/wang-fang.json in ``region``: ``ready``; ``todo`` (record approved, but no
    photo, no national account, no continuing education, a recent degree); ``held`` (the
    record held in another province)."""
    data: dict[str, Any] = json.loads((EXAMPLES / "wang-fang.json").read_text(encoding="utf-8"))
    data["region"] = region
    data["collection"]["region"] = region
    if variant == "todo":
        data["photo"] = {}
        data["national_account"] = {"registered": False, "real_name_verified": False}
        data["continuing_education"] = []
        data["education"] = [{"mode": "full_time", "level": "bachelor", "graduated": "2023-07-01"}]
        data["work"]["accounting_since"] = "2023-08-01"
    elif variant == "held":
        data["collection"]["region"] = "430102" if not region.startswith("43") else "440106"
    return data


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("chinese")
    shutil.copy(EXAMPLES / "wang.jpg", path / "wang.jpg")
    return path


def _file(folder: Path, region: str, variant: str = "ready") -> Path:
    path = folder / f"{region}-{variant}.json"
    data = _candidate(region, variant)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _steps(text: str) -> list[list[str]]:
    """The timeline's steps of a report, each as its lines."""
    timeline = text.split("\n时间线：\n", 1)[1]
    steps: list[list[str]] = []
    for line in timeline.splitlines():
        if re.match(r"^  [✓○•] ", line):
            steps.append([line])
        elif steps:
            steps[-1].append(line)
    return steps


def _calendar_text(data: bytes) -> str:
    calendar = icalendar.Calendar.from_ical(data)
    return "\n".join(
        f"{event.get('SUMMARY')}\n{event.get('DESCRIPTION')}" for event in calendar.walk("VEVENT")
    )


@pytest.mark.parametrize("region", REGIONS)
def test_precheck_report_is_chinese_with_a_source_on_every_step(region: str) -> None:
    runs = [
        ("ready", "during"),
        ("held", "during"),
        *(("todo", w) for w in ("before", "during", "after")),
    ]
    for variant, when in runs:
        candidate = candidate_from_dict(_candidate(region, variant))
        for year in YEARS:
            for level in LEVELS:
                report = precheck(
                    candidate,
                    exam=level,
                    year=year,
                    at=_moment(level, year, when),
                    base_dir=EXAMPLES,
                )
                text = report_text(report)
                where = f"{region} {variant} {year} {level} {when}"
                assert unreadable(text) == [], where
                steps = _steps(text)
                assert steps, where
                for step in steps:
                    sources = [line for line in step if line.startswith("      来源：")]
                    assert len(sources) == 1, (where, step)
                    assert "未注明" not in sources[0], (where, step)
                if variant == "todo" and when == "during":
                    assert unreadable(_calendar_text(ics.timeline_calendar(report))) == [], where


@pytest.mark.parametrize("plugin", sorted(PLUGIN_REGIONS))
def test_precheck_command_is_chinese(plugin: str, folder: Path) -> None:
    region = PLUGIN_REGIONS[plugin]
    path = _file(folder, region, "todo")
    for year in YEARS:
        for level in LEVELS:
            at = _moment(level, year, "during").strftime("%Y-%m-%dT%H:%M")
            calendar = folder / f"{region}-{year}-{level}.ics"
            args = ["precheck", str(path), "--exam", level, "--year", str(year)]
            result = CliRunner().invoke(
                main,
                [*args, "--at", at, "--ics", str(calendar)],
            )
            assert result.exit_code in (0, 1, 4), result.output
            assert f"[{plugin}]" in result.stdout or plugin in result.stdout
            assert unreadable(result.stdout) == [], (year, level)
            assert unreadable(_calendar_text(calendar.read_bytes())) == [], (year, level)
            steps = json.loads(
                CliRunner()
                .invoke(
                    main,
                    [*args, "--at", at, "--json"],
                )
                .stdout
            )["steps"]
            for step in steps:  # JSON: the key for machines, the readable text next to it
                assert step["source_text"] and "seed:" not in step["source_text"], step
                assert step["note_zh"] == step["note"]


def test_a_finding_quoting_a_source_key_shows_its_title() -> None:
    """schedule.conflict quotes the other source of a date (a seed key) in its message."""
    report = precheck(
        candidate_from_dict(_candidate("430102", "ready")),
        exam="intermediate",
        year=2024,
        at=_moment("intermediate", 2024, "before"),
        base_dir=EXAMPLES,
    )
    conflict = next(f for f in report.findings if f.rule == "schedule.conflict")
    assert "seed:000" in conflict.message  # what the rule writes
    text = report_text(report)
    assert "《各地 2024 年中级会计报考信息采集要求汇总》" in text
    assert unreadable(text) == []


@pytest.mark.parametrize("region", REGIONS)
def test_deadlines_are_chinese(region: str) -> None:
    for year in YEARS:
        for level in LEVELS:
            at = _moment(level, year, "before").strftime("%Y-%m-%dT%H:%M")
            args = ["deadlines", "--region", region, "--exam", level, "--year", str(year)]
            result = CliRunner().invoke(main, [*args, "--at", at])
            assert result.exit_code == 0, result.output
            assert unreadable(result.stdout) == [], (year, level)
            assert result.stdout.count("来源：") >= 1
            rows = json.loads(CliRunner().invoke(main, [*args, "--at", at, "--json"]).stdout)
            for row in rows["deadlines"]:
                assert row["source"] and row["source_text"], row
                assert "seed:" not in row["source_text"]
                if row["note"] and not row["projected"]:
                    assert row["note_zh"] and CJK.search(row["note_zh"]), row
                for alt in row["alternatives"]:
                    assert "seed:" not in alt["source_text"] and "(low)" not in alt["source_text"]


def test_every_deadline_of_every_region_is_chinese_in_text_and_calendar() -> None:
    for year in YEARS:
        for level in LEVELS:
            at = _moment(level, year, "before")
            table = deadlines(exams=[level], years=[year], at=at, registry=REGISTRY)
            assert table.deadlines
            assert unreadable(deadlines_text(table)) == [], (year, level)
            assert unreadable(_calendar_text(ics.deadlines_calendar(table))) == [], (year, level)


def test_an_inferred_window_says_its_inference_in_chinese() -> None:
    """Hebei 2024 中级 (seed 000 gives only "7 月 2 日" for the end): the step shows the
    Chinese note, never the maintainers' English one."""
    report = precheck(
        candidate_from_dict(_candidate("130102", "ready")),
        exam="intermediate",
        year=2024,
        at=_moment("intermediate", 2024, "during"),
        base_dir=EXAMPLES,
    )
    step = next(s for s in report.steps if s.id == "registration")
    assert step.note is not None
    assert "推断：来源只写了 7 月 2 日，按全国报名系统当天 12:00 截止理解" in step.note
    assert "Seed 000" not in step.note and "推断值" not in step.note
    text = report_text(report)
    assert "      来源：《各地 2024 年中级会计报考信息采集要求汇总》" in text


@pytest.mark.parametrize("region", REGIONS)
def test_change_is_chinese(region: str, folder: Path) -> None:
    path = _file(folder, region)
    fields = [
        "name=李四",
        "phone=13900000000",
        "id_number=110105199003072346",
        "work.employer=新公司",
        "region=110105",
        "photo.path=x.jpg",
        "email=a@example.com",
    ]
    for at in ("2024-05-01T10:00", "2025-01-05T10:00"):
        args = ["change", str(path), "--at", at]
        for field in fields:
            args += ["--set", field]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert unreadable(result.stdout) == [], at
    plan = plan_change(
        candidate_from_dict(_candidate(region, "ready")),
        [FieldChange("name", "李四"), FieldChange("work.employer", "新公司")],
        at=_moment("junior", 2025, "during"),
    )
    assert unreadable(change_text(plan)) == []


@pytest.mark.parametrize("region", REGIONS)
def test_transfer_is_chinese(region: str, folder: Path) -> None:
    path = _file(folder, region)
    destinations = ["440106", "430102"] if not region.startswith(("44", "43")) else ["110105"]
    destinations += ["440305"] if region != "440305" else ["440106"]
    for destination in destinations:
        for year in YEARS:
            for level in LEVELS:
                at = _moment(level, year, "before").strftime("%Y-%m-%dT%H:%M")
                args = ["transfer", str(path), "--to", destination, "--exam", level]
                result = CliRunner().invoke(main, [*args, "--year", str(year), "--at", at])
                assert result.exit_code in (0, 1), result.output
                assert unreadable(result.stdout) == [], (destination, year, level)
    plan = plan_transfer(
        candidate_from_dict(_candidate(region, "ready")),
        "440305",
        exam="intermediate",
        year=2024,
        at=_moment("intermediate", 2024, "before"),
        base_dir=EXAMPLES,
    )
    assert unreadable(transfer_text(plan)) == []
    assert all(s.source for s in plan.steps)


def test_every_contact_is_rendered_in_chinese_with_its_source_title() -> None:
    contacts = REGISTRY.contacts
    assert contacts
    for contact in contacts:
        lines = contact_lines(REGISTRY, contact, code=True)
        assert unreadable("\n".join(lines)) == [], contact.name
        source = next(line for line in lines if "来源：" in line)
        assert "《" in source or "http" in source, source


def test_contacts_command_is_chinese() -> None:
    for query in ("4401", "440106", "4403", "440305", "南沙", "大鹏新区", "44"):
        result = CliRunner().invoke(main, ["contacts", query])
        assert result.exit_code == 0, result.output
        assert unreadable(result.stdout) == [], query


def test_collection_required_unknown_shows_the_chinese_note() -> None:
    """A candidate without an approved record where no source says whether collection is
    required (Beijing 2024 中级: seed 000's column is blank)."""
    data = _candidate("110105", "ready")
    data["collection"] = {"status": "none"}
    report = precheck(
        candidate_from_dict(data),
        exam="intermediate",
        year=2024,
        at=_moment("intermediate", 2024, "during"),
        base_dir=EXAMPLES,
    )
    finding = next(f for f in report.findings if f.rule == "collection.required")
    assert "信息采集要求栏为空" in finding.message
    for region in REGIONS:
        data = _candidate(region, "ready")
        data["collection"] = {"status": "none"}
        for year in YEARS:
            for level in LEVELS:
                report = precheck(
                    candidate_from_dict(data),
                    exam=level,
                    year=year,
                    at=_moment(level, year, "during"),
                    base_dir=EXAMPLES,
                )
                assert unreadable(report_text(report)) == [], (region, year, level)


# --- sources ---


def test_source_text_turns_keys_into_titles_and_keeps_urls() -> None:
    source = (
        "seed:000-2024-intermediate-collection-requirements-by-region.txt ; "
        "https://www.tm022.com/zjkjzc/zixun/1123909.html ; "
        "http://pojie9.cn/faq/3069.html (low) ; "
        "seed:001-guangdong-collection-change-transfer-guide.txt ; "
        "seed:000-2024-intermediate-collection-requirements-by-region.txt"
    )
    assert source_text(source) == (
        "《各地 2024 年中级会计报考信息采集要求汇总》；"
        "https://www.tm022.com/zjkjzc/zixun/1123909.html ；"
        "http://pojie9.cn/faq/3069.html （来源可靠性低）；"
        "《广东省财政厅关于做好会计人员信息采集、信息更新工作的通知》"
    )
    assert source_text(None) == "" and source_text("  ") == ""
    assert source_text("seed:999-someone-elses.txt") == "资料“999-someone-elses.txt”"
    assert (
        source_text("GB 32100-2015（python-stdnum cn.uscc）")
        == "GB 32100-2015（python-stdnum cn.uscc）"
    )
    assert (
        readable("另有 2024-06-12 23:59（来源 seed:002-2025-junior-national-collection-steps.txt）")
        == "另有 2024-06-12 23:59（来源 《一定要尽快完成信息采集!2025年初级会计信息采集操作步骤(详细版)》）"
    )
    assert "原文无标题" in source_text("seed:004-xinjiang-2024-intermediate-registration-faq.txt")


def test_every_seed_the_data_names_is_in_the_catalogue() -> None:
    named = set()
    for path in _data_files():
        named |= set(re.findall(r"seed:[^\s;\"]+\.txt", path.read_text(encoding="utf-8")))
    assert named and named <= set(SEEDS)


@pytest.mark.skipif(not SEED_FOLDER.is_dir(), reason="the seed documents are not on this machine")
def test_catalogue_titles_are_as_the_seeds_write_them() -> None:
    for key, document in SEEDS.items():
        path = SEED_FOLDER / key.removeprefix("seed:")
        head = "".join(path.read_text(encoding="utf-8").splitlines()[:8])
        squeeze = re.compile(r"\s+")
        if document.titled:
            assert squeeze.sub("", document.title) in squeeze.sub("", head), key
        else:  # no title line: the document opens with its first question's preamble
            assert "2024年中级资格考试报名工作" in head
        assert document.url is None  # no seed states where it was published


# --- data ---


def _data_files() -> list[Path]:
    return sorted(
        [
            *(ROOT / "core" / "kuaiji" / "national" / "data").glob("*.json"),
            *(ROOT / "plugins").glob("*/kuaiji_*/data/*.json"),
        ]
    )


def _shown_records(node: Any, kind: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Events and collection_required facts: the data records whose notes people read."""
    if isinstance(node, dict):
        if kind in ("events", "collection_required"):
            yield kind, node
        for key, value in node.items():
            yield from _shown_records(value, key)
    elif isinstance(node, list):
        for item in node:
            yield from _shown_records(item, kind)


def test_every_displayed_note_has_a_chinese_note_zh() -> None:
    counted = 0
    for path in _data_files():
        for kind, record in _shown_records(json.loads(path.read_text(encoding="utf-8"))):
            if record.get("note"):
                counted += 1
                zh = record.get("note_zh")
                where = (path.name, kind, record.get("id"), record["note"][:60])
                assert zh and CJK.search(zh), where
                assert unreadable(zh) == [], where
                assert "seed" not in zh.lower() and "domain notes" not in zh.lower(), where
            for alternative in record.get("alternatives", []):
                assert unreadable(alternative.get("value") or "") == [], alternative
    assert counted >= 140


def test_only_note_zh_reaches_people() -> None:
    """An event's note is never shown; its note_zh is."""
    event = Event(
        id="registration",
        kind=EventKind.REGISTRATION,
        source="seed:000-2024-intermediate-collection-requirements-by-region.txt",
        closes=dt.datetime(2024, 7, 2, 12, tzinfo=clock.SHANGHAI),
        note="English for maintainers",
        note_zh="给考生看的说明",
    )
    assert shown_note(event) == "给考生看的说明"
    assert shown_note(Fact(source="x", note="English")) is None


def test_the_validator_asks_for_a_chinese_note_zh() -> None:
    def issues(**fields: Any) -> list[str]:
        event = Event(
            id="registration",
            kind=EventKind.REGISTRATION,
            source="https://example.gov.cn/notice.html",
            closes=dt.datetime(2026, 7, 2, 12, tzinfo=clock.SHANGHAI),
            **fields,
        )
        schedule = Schedule(
            region="44",
            level=ExamLevel.INTERMEDIATE,
            year=2026,
            source="https://example.gov.cn/notice.html",
            events=(event,),
            collection_required=Fact(source="https://example.gov.cn/notice.html", **fields),
        )
        return [i.message for i in validate._check_schedule("demo", schedule, REGISTRY)]

    assert issues() == []
    assert issues(note="Read as the national close.", note_zh="推断：按全国截止理解") == []
    missing = issues(note="Read as the national close.")
    assert len(missing) == 2 and all("note_zh" in m for m in missing)
    english = issues(note="Read as the national close.", note_zh="Read as the national close.")
    assert english == ["note_zh 不是中文"] * 2


def test_every_plugin_passes_the_checks_of_its_notes() -> None:
    found = validate.check(REGISTRY, [n for n in PLUGIN_REGIONS if n in REGISTRY.info])
    assert set(found) == set(PLUGIN_REGIONS)
    assert all(issues == [] for issues in found.values()), found
