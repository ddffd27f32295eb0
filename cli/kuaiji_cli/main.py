"""The `kuaiji` command.

Exit codes: 0 ready (or success), 1 not ready / too late (transfer: cannot finish in
time), 2 bad input or usage, 3 internal or plugin error, 4 pending review (precheck). Personal data is masked unless --show-personal-data.
Imports of the core happen inside the commands, so `kuaiji --help` stays fast.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kuaiji_cli.common import dump, handled, warn_rules

if TYPE_CHECKING:
    import datetime as dt

    from kuaiji.model.candidate import Candidate


class _Exam(click.Choice):  # type: ignore[type-arg]
    """初级/中级 beside junior/intermediate; the command receives junior or intermediate."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            value = {"初级": "junior", "中级": "intermediate"}.get(value.strip(), value)
        if value in ("junior", "intermediate"):
            return value
        shown = f"“{value}”" if isinstance(value, str) and len(value) <= 20 else "这个值"
        self.fail(
            f"不认识的考试级别{shown}；写 初级 或 中级（或 junior、intermediate）", param, ctx
        )


EXAMS = _Exam(["初级", "中级", "junior", "intermediate"])


class _Year(click.ParamType):  # type: ignore[type-arg]
    """An exam year: a whole number, told in Chinese when it is not one, without echoing a
    long value (a 5,000-digit "year" is not printed back). Whether the data can answer for
    it is checked by the command (kuaiji.registry.schedules.check_year, exit 2)."""

    name = "year"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        digits = text.removeprefix("-")
        if digits.isascii() and digits.isdigit() and len(digits) <= 6:
            return int(text)
        shown = f"“{text}”" if len(text) <= 20 else f"这个 {len(text)} 个字符的值"
        self.fail(f"{shown}不是整数：年份写 4 位数字，如 2026", param, ctx)


YEAR = _Year()


def _echo(message: str = "", *, err: bool = False) -> None:
    """Print a line; control and escape characters that came from data (an ANSI sequence,
    a carriage return, U+202E in a note or a name) are shown as escapes, never acted on."""
    from kuaiji.io.masking import printable

    click.echo(printable(message), err=err)


def _show(result: Any, as_json: bool, renderer: str) -> None:
    """Print ``result`` as JSON (its ``to_dict()``) or through ``render.<renderer>``."""
    warn_rules(getattr(result, "produced_by", None))
    if as_json:
        dump(result.to_dict())
        return
    from kuaiji_cli import render

    _echo(getattr(render, renderer)(result))


@contextlib.contextmanager
def _about(file: str, show_personal_data: bool = False) -> Iterator[None]:
    """Name the candidate file in any input error raised inside; what the error quotes
    from the input has ID, permit and phone numbers masked (unless asked not to) and its
    control characters neutralised."""
    from kuaiji.errors import InputError, Problem
    from kuaiji.io.masking import printable, scrub_quoted_names, scrub_text

    def clean(text: str, quoted: bool = False) -> str:
        if not show_personal_data:
            text = scrub_text(scrub_quoted_names(text) if quoted else text)
        return printable(text)

    try:
        yield
    except InputError as exc:
        source = exc.source if exc.source is not None else "<stdin>" if file == "-" else file
        problems = [  # a value quoted from the file (not from an option) may be a name
            Problem(
                clean(p.path),
                clean(p.message, quoted=not p.path.startswith("-")),
                clean(p.fix) if p.fix else None,
            )
            for p in exc.problems
        ]
        raise InputError(problems, source=clean(source)) from None


def _read_candidate(file: str) -> tuple[Candidate, Path]:
    """The candidate in FILE (at most 1 MB, a regular file) or on stdin (``-``, at most
    1 MB read), and the folder its photo path is relative to."""
    from kuaiji.commands.precheck import load_candidate, read_candidate_text

    if file == "-":
        return read_candidate_text(sys.stdin, source="<stdin>"), Path.cwd()
    return load_candidate(file), Path(file).resolve().parent


def _write(path: str, data: bytes, *, option: str = "--ics", keep: str | None = None) -> None:
    """Write a whole file or nothing (a temporary file renamed into place). A folder, a
    missing folder, or the file ``keep`` (the input, by any path) is refused (exit 2)."""
    import os
    import tempfile

    from kuaiji.errors import InputError

    target = Path(path)
    folder = target.parent if str(target.parent) else Path()
    if target.is_dir():
        raise InputError.single(option, f"“{path}”是文件夹", "给出一个文件名，如 日历.ics")
    if not folder.is_dir():
        raise InputError.single(option, f"文件夹“{folder}”不存在", "先建好文件夹，或换一个路径")
    from kuaiji_cli.batch import same_file

    if keep is not None and keep != "-" and same_file(target, keep):
        raise InputError.single(
            option, f"“{path}”就是输入文件：写入会覆盖它", "把结果写到另一个文件"
        )
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _at(at: str | None) -> dt.datetime | None:
    from kuaiji.model.clock import parse_at

    return parse_at(at) if at else None


# click's own usage errors, in Chinese (the option names stay as typed).
_USAGE_ZH = (
    (r"Invalid value for '(.+?)': ", r"选项 \1 的值无效："),
    (r"Missing option '(.+?)'\.?", r"缺少选项 \1"),
    (r"Missing argument '(.+?)'\.?", r"缺少参数 \1"),
    (r"No such option: (\S+)", r"没有这个选项：\1"),
    (r"No such option '(.+?)'\.?", r"没有这个选项：\1"),
    (r"No such command '(.+?)'\.?", r"没有这个命令：\1"),
    (r"Option '(.+?)' requires an argument\.?", r"选项 \1 需要一个值"),
    (r"Got unexpected extra arguments? \((.*)\)", r"多余的参数：\1"),
    (r"'(.*?)' is not a valid integer\.?", r"“\1”不是整数"),
    (r"'(.*?)' is not a valid float\.?", r"“\1”不是数字"),
    (r"'(.*?)' is not one of (.*?)\.?$", r"“\1”不在可选值 \2 之中"),
    (r"(.*?) is not in the range (.*?)\.?$", r"\1 不在范围 \2 之内"),
)


def _usage_zh(message: str) -> str:
    import re

    for pattern, replacement in _USAGE_ZH:
        message = re.sub(pattern, replacement, message)
    # a missing choice option lists its choices, one per line: "Choose from:\n\t初级,\n\t中级"
    return re.sub(
        r"\.?\s*Choose from:\s*(.*)",
        lambda m: "，可选值：" + "、".join(c.strip() for c in m.group(1).split(",") if c.strip()),
        message,
        flags=re.S,
    )


class _Main(click.Group):
    """The command group, with click's usage errors said in Chinese (exit code 2)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        standalone = standalone_mode
        try:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            if not standalone:
                raise
            if exc.ctx is not None:
                _echo(exc.ctx.get_usage(), err=True)
                _echo(f"查看帮助：{exc.ctx.command_path} --help", err=True)
            _echo(f"kuaiji: 用法错误：{_usage_zh(exc.format_message())}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            if not standalone:
                raise
            exc.show()
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            if not standalone:
                raise
            _echo("已取消", err=True)
            sys.exit(1)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--debug",
    is_flag=True,
    help="内部错误时显示调用栈（个人信息已遮盖）/ show tracebacks of internal errors.",
)
@click.version_option(
    package_name="kuaiji-cli", prog_name="kuaiji", help="显示版本 / show the version."
)
def main(debug: bool) -> None:
    """kuaiji — 会计资格考试报名前检查 / readiness prechecks for China's accounting exams.

    \b
    常用 / common:
      kuaiji precheck 考生.json --exam 中级 --year 2026   能否报名、还差什么
      kuaiji deadlines --region 北京                      接下来的截止时间
      kuaiji transfer 考生.json --to 长沙市芙蓉区         调转档案的步骤
    退出码 / exit codes: 0 成功或可以报名, 1 尚未就绪/已来不及, 2 输入有误,
    3 插件或内部错误, 4 待审核（precheck）。"""


@main.command()
@click.argument("file", required=False)
@click.option(
    "--exam", type=EXAMS, required=True, help="考试级别：初级（junior）或中级（intermediate）。"
)
@click.option("--year", type=YEAR, required=True, help="考试年份，如 2026 / exam year.")
@click.option(
    "--at",
    "at",
    metavar="DATETIME",
    help="评估时间，如 2026-06-20T10:00（不写时区即北京时间；默认：现在）/ evaluation time.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="输出一个 JSON 对象（批量：汇总）/ print JSON."
)
@click.option(
    "--show-personal-data",
    is_flag=True,
    help="显示完整姓名、证件号码和手机号（默认遮盖）/ do not mask personal data.",
)
@click.option(
    "--ics",
    "ics",
    metavar="FILE",
    help="同时把本人的待办时间线写成日历文件（提前 3 天和 1 天提醒）/ also write an iCalendar file.",
)
@click.option(
    "--batch",
    "batch",
    metavar="INPUT",
    help="批量检查：.jsonl、.csv、.xlsx 文件，.json 文件所在的文件夹，或 -（标准输入）/ check many candidates.",
)
@click.option(
    "--out",
    "out",
    metavar="FILE",
    help="批量：结果写入此文件（默认：标准输出）/ batch output file.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["jsonl", "csv", "xlsx"]),
    help="批量：结果格式（默认按 --out 的扩展名，否则 jsonl）/ batch output format.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 256),
    help="批量：工作进程数（默认：CPU 核数）/ batch worker processes.",
)
@handled
def precheck(
    file: str | None,
    exam: str,
    year: int,
    at: str | None,
    as_json: bool,
    show_personal_data: bool,
    ics: str | None,
    batch: str | None,
    out: str | None,
    output_format: str | None,
    jobs: int | None,
) -> None:
    """报名前检查：FILE 中的考生能否报名（JSON；- 为标准输入）；--batch 逐条检查 INPUT 并汇总。
    Is the candidate in FILE ready to register? With --batch, check every candidate of INPUT.

    
    退出码 / exit codes:
      0 可以报名 ready        1 尚未就绪或已来不及 not_ready / too_late
      2 输入有误 bad input    3 插件或内部错误 plugin / internal error
      4 待审核 pending（只剩审核结果 / only a review remains）
    批量 / --batch: 0 全部可以报名, 1 有任何一条不是 ready, 3 插件出错, 130 中断."""
    from kuaiji.errors import InputError

    if (file is None) == (batch is None):
        raise InputError.single(
            "FILE", "要给一个考生文件 FILE，或用 --batch 给出批量输入", "两者只给其一"
        )
    if batch is not None:
        if ics:
            raise InputError.single(
                "--ics", "批量检查不能同时写日历", "对单个考生运行 precheck FILE --ics"
            )
        from kuaiji_cli.batch import run_batch

        sys.exit(
            run_batch(
                batch,
                exam=exam,
                year=year,
                at=_at(at),
                out=out,
                output_format=output_format,
                jobs=jobs,
                as_json=as_json,
                show_personal_data=show_personal_data,
            )
        )
    assert file is not None
    from kuaiji.commands.precheck import precheck as run

    with _about(file, show_personal_data):
        candidate, base_dir = _read_candidate(file)
        report = run(candidate, exam=exam, year=year, at=_at(at), base_dir=base_dir)
    if ics:
        from kuaiji.commands.calendar import timeline_calendar

        _write(ics, timeline_calendar(report), keep=file)
    warn_rules(report.produced_by)
    if as_json:
        dump(report.to_dict(show_personal_data=show_personal_data))
    else:
        from kuaiji_cli.render import report_text

        _echo(report_text(report, show_personal_data=show_personal_data))
    sys.exit(report.exit_code)


@main.command()
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON.")
@handled
def regions(text: str | None, as_json: bool) -> None:
    """考区，或按代码、地名查找行政区划 / every jurisdiction, or the divisions matching TEXT.

    不带 TEXT：列出全部考区（代码、名称、上级、负责的插件）。带 TEXT：按代码（前缀，如 4403）或地名
    （省、市、区县各级，可不带“省”“市”“区”“县”等，可带上级，如 鼓楼、南京鼓楼、栾城县）查找，列出
    代码、全称、级别、所属考区与插件、匹配到的曾用名；找不到时退出码为 1。

    Without TEXT: every jurisdiction. With TEXT: every GB/T 2260 division whose code begins
    with it or whose name (current or former) matches it; exit 1 when none does."""
    from kuaiji.registry.manager import get_registry

    registry = get_registry()
    if text is None:
        rows = [
            {
                "code": j.code,
                "name": j.name,
                "parent": j.parent,
                "plugin": j.plugin,
                "aliases": list(j.aliases),
            }
            for j in sorted(registry.jurisdictions.values(), key=lambda j: (j.code != "CN", j.code))
        ]
        if as_json:
            dump(rows)
            return
        for row in rows:
            _echo(
                f"{row['code']:<6} {row['name']:<14} 上级：{row['parent'] or '-':<4} 插件：{row['plugin']}"
            )
        for problem in registry.problems:
            _echo(f"插件出错：{problem.plugin}：{problem.message}", err=True)
        return
    from kuaiji.errors import InputError
    from kuaiji.registry.regions import search, serving

    query = "".join(text.split())
    if not query:
        raise InputError.single(
            "TEXT",
            "要查找的文字为空",
            "写代码或其前缀（如 440305、4403）或地名（如 鼓楼、南京鼓楼）",
        )
    found: list[dict[str, Any]] = []
    for place in search(query, registry.jurisdictions):
        chain = serving(place.code, registry.jurisdictions)
        served = len(chain) > 1
        found.append(
            {
                "code": place.code,
                "name": place.name,
                "level": place.level,
                "level_name": place.level_name,
                "current": place.current,
                "jurisdictions": [
                    {"code": j.code, "name": j.name, "plugin": j.plugin} for j in chain
                ]
                if served
                else [],
                "plugins": list(dict.fromkeys(j.plugin for j in chain)) if served else [],
                "old_names": [
                    {"name": o.name, "code": o.code, "years": o.years} for o in place.old_names
                ],
            }
        )
    try:  # what a candidate file's region written so would be: listed first
        region = registry.resolve(query)
        resolves: dict[str, Any] | None = {"code": region.code, "name": region.name}
        why_not = None
    except InputError as exc:
        resolves, why_not = None, exc.problems[0].message
    found.sort(key=lambda row: resolves is None or row["code"] != resolves["code"])
    if as_json:
        dump({"query": query, "resolves_to": resolves, "matches": found})
    elif found:
        _echo(f"与“{query}”相符的地区 {len(found)} 处：")
        for match in found:
            retired = "" if match["current"] else "（已撤销的代码）"
            _echo(f"{match['code']:<6}  {match['name']}  {match['level_name']}{retired}")
            if match["jurisdictions"]:
                chain_text = " > ".join(j["name"] for j in match["jurisdictions"])
                _echo(f"        考区：{chain_text}（插件 {'、'.join(match['plugins'])}）")
            else:
                _echo("        考区：无（kuaiji 只覆盖内地 31 个省（区、市）和兵团）")
            for old in match["old_names"]:
                years = f"，{old['years']} 年" if old["years"] else ""
                _echo(f"        曾用名：{old['name']}（代码 {old['code']}{years}）")
        if resolves is not None:
            _echo(f"填作地区（region）时即：{resolves['name']} {resolves['code']}")
        else:
            _echo(f"填作地区（region）时不能用：{why_not}")
    if not found:
        _echo(
            f"kuaiji: 找不到与“{query}”相符的地区或代码；"
            "请换个写法（如 鼓楼、南京鼓楼、4403），不带 TEXT 的 kuaiji regions 列出全部考区",
            err=True,
        )
        sys.exit(1)


@main.command()
@click.argument("region")
@click.option("--json", "as_json", is_flag=True)
@handled
def contacts(region: str, as_json: bool) -> None:
    """财政局会计管理部门的联系方式 / the finance bureau's accounting office for REGION.

    REGION 为行政区划代码或地区名称：先列该地的办公室（没有则列所在市的，再没有则列省的），
    再列其辖区内没有行政区划代码的功能区（开发区、高新区、新区等）。也可按办公室名称查找，
    如“南沙”“大鹏新区”“深汕”（名称中没有的，再按地址查找）。

    A code or a region's name: its office (falling back to the city's, then the province's),
    then the zones with no code of their own that it contains; or an office's name."""
    from kuaiji.errors import InputError
    from kuaiji.registry.manager import get_registry

    registry = get_registry()
    query = region.strip()
    try:
        resolved = registry.resolve(query, field="REGION")
    except InputError:
        found = () if query.isascii() else registry.find_contacts(query)
        if not found:
            raise
        _contacts_by_name(registry, query, found, as_json)
        return
    offices = registry.contacts_for(resolved)
    zones = registry.contacts_within(resolved.code)
    # An office whose own name matches but that the code does not reach (阳江市 海陵区 has
    # no code; GB/T 2260's only 海陵区 is in 泰州): shown too, never silently dropped.
    listed = {id(c) for c in (*offices, *zones)}
    named = (
        [] if query.isascii() else [c for c in registry.find_contacts(query) if id(c) not in listed]
    )
    if as_json:
        dump(
            {
                "region": {"code": resolved.code, "name": resolved.name},
                "contacts": [_contact_dict(registry, c) for c in (*offices, *named)],
                "zones": [_contact_dict(registry, c) for c in zones],
            }
        )
        return
    if not offices and not zones and not named:
        _echo(f"{resolved.name} {resolved.code}：已安装的插件没有该地区的联系方式（未知）")
        return
    _echo(f"{resolved.name} {resolved.code}：")
    if not offices:
        _echo("  本地区办公室的联系方式：未知")
    for c in offices:
        _echo_contact(registry, c)
    if zones:
        _echo("  辖区内没有行政区划代码的功能区（开发区、新区等）：")
        for c in zones:
            _echo_contact(registry, c)
    if named:
        _echo(f"  名称与“{query}”相符的其他办公室：")
        for c in named:
            _echo_contact(registry, c)


def _contacts_by_name(registry: Any, query: str, found: Any, as_json: bool) -> None:
    """``kuaiji contacts <an office's name>``: every office whose name (else address) matches."""
    if as_json:
        dump(
            {
                "query": query,
                "region": None,
                "contacts": [_contact_dict(registry, c) for c in found],
                "zones": [],
            }
        )
        return
    _echo(f"名称或地址含“{query}”的办公室（{len(found)} 个）：")
    for c in found:
        _echo_contact(registry, c, code=True)


def _contact_dict(registry: Any, contact: Any) -> dict[str, Any]:
    import attrs

    from kuaiji.io.convert import unstructure

    return {**unstructure(contact), "place": attrs.asdict(registry.contact_place(contact))}


def _echo_contact(registry: Any, c: Any, *, code: bool = False) -> None:
    from kuaiji_cli import render

    for line in render.contact_lines(registry, c, code=code):
        _echo(line)


@main.command()
@click.option(
    "--result",
    is_flag=True,
    help="改为输出预检结果（precheck --json、接口 /v1/precheck）的 JSON Schema / the result's schema.",
)
def schema(result: bool) -> None:
    """考生文件的 JSON Schema：每个字段的中文名称、说明和可写的值 / the candidate file's JSON Schema.

    取值可写英文或所列中文（如 本科、全日制、审核通过、是/否），日期可写 1992-03-05 或
    1992年3月5日。Every field with its Chinese name ("title"), description and accepted
    values (English and Chinese). --result：预检结果的结构（结论、问题、步骤、规则与步骤编号）。"""
    if result:
        from kuaiji.io.result_schema import result_schema

        dump(result_schema())
        return
    from kuaiji.io.schema import candidate_schema

    dump(candidate_schema())


@main.command()
@click.argument("file", default="candidate.json", required=False)
@click.option("--force", is_flag=True, help="文件已存在时覆盖 / overwrite an existing FILE.")
@handled
def init(file: str, force: bool) -> None:
    """问答生成考生文件 FILE（默认 candidate.json）/ write a candidate file from answers.

    逐项提问（姓名、证件、手机、属地、全国平台账号、学历、在岗信息、信息采集、证件照），
    每个回答按考生文件的规则检查，有误时说明原因并重问；可写中文（如 本科、审核通过、是）。
    写出 UTF-8 JSON；文件已存在时不覆盖，除非加 --force。其余字段见 kuaiji schema。

    退出码 / exit codes: 0 已写入, 1 已取消（未写入）, 2 参数有误（如文件已存在）."""
    from kuaiji.errors import InputError

    target = Path(file)
    folder = target.parent if str(target.parent) else Path()
    if file == "-":
        raise InputError.single("FILE", "init 只写入文件", "写一个文件名，如 candidate.json")
    if target.is_dir():
        raise InputError.single("FILE", f"“{file}”是一个文件夹", "写一个文件名，如 candidate.json")
    if not folder.is_dir():
        raise InputError.single("FILE", f"文件夹“{folder}”不存在", "先建好文件夹，或换一个路径")
    if target.exists() and not force:
        raise InputError.single(
            "FILE", f"文件“{file}”已存在，没有覆盖", "换一个文件名，或加 --force 覆盖它"
        )
    try:
        document = _interview()
    except click.Abort:
        _echo("\n已取消，没有写入任何文件。", err=True)
        sys.exit(1)
    if target.exists() and not force:  # created while the questions were answered
        raise InputError.single(
            "FILE", f"文件“{file}”已存在，没有覆盖", "换一个文件名，或加 --force 覆盖它"
        )
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    _write(file, text.encode("utf-8"), option="FILE")
    _echo(f"已写入 {file}。")
    _echo(f"检查能否报名：kuaiji precheck {file} --exam 中级 --year 年份")
    _echo("其余字段（继续教育、专业技术资格等）可按 kuaiji schema 的说明补充。")


def _interview() -> dict[str, Any]:
    """``kuaiji init``'s questions. Every answer is structured by the converter as the file
    will be (Chinese words, lenient dates and phones); a refused one is said why and asked
    again. The resident ID's check digit, the mobile number and the region are checked too."""
    from kuaiji.commands.precheck import candidate_from_dict
    from kuaiji.errors import InputError
    from kuaiji.io.convert import structure_field, unstructure
    from kuaiji.model.candidate import (
        Candidate,
        Collection,
        CollectionStatus,
        Education,
        EducationMode,
        IdType,
        NationalAccount,
        Photo,
        Work,
        WorkStatus,
        zh_name,
    )
    from kuaiji.model.fields import LABELS
    from kuaiji.registry.manager import get_registry

    def ask(
        cls: type,
        path: str,
        *,
        default: str | None = None,
        optional: bool = False,
        hint: str = "",
        check: Callable[[Any], str | None] | None = None,
    ) -> Any:
        """The field at ``path`` (of class ``cls``) from the answer, asked until accepted;
        None for an empty answer to an optional question."""
        name = path.rsplit(".", 1)[-1]
        notes = [hint] if hint else []
        notes += ["可不填，直接回车"] if optional else []
        text = LABELS[path] + (f"（{'；'.join(notes)}）" if notes else "")
        while True:
            answer = click.prompt(
                text,
                default=default if default is not None else ("" if optional else None),
                show_default=default is not None,
            ).strip()
            if not answer:
                if optional:
                    return None
                _echo(f"  {path}：必须填写", err=True)
                continue
            try:
                value = structure_field(cls, name, answer, path=path)
            except InputError as exc:
                _echo(f"  {exc.describe()}", err=True)
                continue
            problem = check(value) if check else None
            if problem is None:
                return value
            _echo(f"  {path}：{problem}", err=True)

    def choices(enum_cls: Any) -> str:
        return "、".join(zh_name(m) for m in enum_cls)

    def yes(cls: type, path: str) -> bool:
        return bool(ask(cls, path, default="否", hint="是/否"))

    def resident_id(number: str) -> str | None:
        from stdnum import exceptions
        from stdnum.cn import ric

        try:
            ric.validate(number)
        except exceptions.InvalidLength:
            return f"居民身份证号码应为 18 位，现为 {len(number)} 位；核对后重新输入"
        except exceptions.InvalidChecksum:
            return "居民身份证号码的校验位（最后一位）不对；核对后重新输入"
        except exceptions.ValidationError:
            return "不是有效的居民身份证号码（数字或出生日期不对）；核对后重新输入"
        return None

    def mobile(phone: str) -> str | None:
        if len(phone) == 11 and phone.isascii() and phone.isdigit() and phone[0] == "1":
            return None
        return "应为 11 位大陆手机号码（可带空格、短横线或 +86）；核对后重新输入"

    registry = get_registry()

    def region(cls: type, path: str, default: str | None = None) -> str:
        found: list[str] = []

        def known(text: str) -> str | None:
            try:
                place = registry.resolve(text, field=path)
            except InputError as exc:
                return "；".join(
                    f"{p.message}；{p.fix}" if p.fix else p.message for p in exc.problems
                )
            found.append(place.code)
            _echo(f"  {LABELS[path]}：{place.name}（{place.code}）")
            return None

        ask(cls, path, default=default, hint="行政区划代码或地名，如 440305、深圳市", check=known)
        return found[-1]

    doc: dict[str, Any] = {"name": ask(Candidate, "name", hint="按身份证件填写")}
    id_type = ask(Candidate, "id_type", default=zh_name(IdType.RESIDENT_ID), hint=choices(IdType))
    doc["id_type"] = id_type.value
    doc["id_number"] = ask(
        Candidate, "id_number", check=resident_id if id_type is IdType.RESIDENT_ID else None
    )
    doc["phone"] = ask(Candidate, "phone", hint="11 位", check=mobile)
    doc["region"] = region(Candidate, "region")
    registered = yes(NationalAccount, "national_account.registered")
    verified = registered and yes(NationalAccount, "national_account.real_name_verified")
    doc["national_account"] = {"registered": registered, "real_name_verified": verified}
    level = ask(Education, "education.level", optional=True, hint="最高学历，如 本科、大专")
    if level is not None:
        mode = ask(
            Education,
            "education.mode",
            default=zh_name(EducationMode.FULL_TIME),
            hint=choices(EducationMode),
        )
        education = {"mode": mode.value, "level": level.value}
        graduated = ask(Education, "education.graduated", optional=True, hint="如 2012-07-01")
        if graduated is not None:
            education["graduated"] = unstructure(graduated)
        doc["education"] = [education]
    status = ask(Work, "work.status", optional=True, hint=choices(WorkStatus))
    if status is not None:
        work: dict[str, Any] = {"status": status.value}
        if status is WorkStatus.ACCOUNTING:
            since = ask(Work, "work.accounting_since", optional=True, hint="如 2015-08-01")
            if since is not None:
                work["accounting_since"] = unstructure(since)
        if status in (WorkStatus.ACCOUNTING, WorkStatus.NON_ACCOUNTING):
            employer = ask(Work, "work.employer", optional=True)
            if employer is not None:
                work["employer"] = employer
        doc["work"] = work
    collected = ask(
        Collection,
        "collection.status",
        default=zh_name(CollectionStatus.NONE),
        hint=choices(CollectionStatus),
    )
    doc["collection"] = {"status": collected.value}
    if collected is not CollectionStatus.NONE:
        doc["collection"]["region"] = region(Collection, "collection.region", doc["region"])
    photo = ask(Photo, "photo.path", optional=True, hint="相对考生文件所在的文件夹，如 wang.jpg")
    if photo is not None:
        doc["photo"] = {"path": photo}
    candidate_from_dict(doc)  # the whole document, as precheck will read it
    return doc


@main.command()
@click.argument("file")
@click.option(
    "--set",
    "sets",
    multiple=True,
    required=True,
    metavar="FIELD=VALUE",
    help="要问的变更：字段=新值，可重复，如 --set work.employer=新公司 / a change to ask about.",
)
@click.option("--at", "at", metavar="DATETIME", help="评估时间（默认：现在）/ evaluation time.")
@click.option("--json", "as_json", is_flag=True)
@handled
def change(file: str, sets: tuple[str, ...], at: str | None, as_json: bool) -> None:
    """信息变更：哪些字段能改、在哪里改、怎么改 / which changes of the record are allowed.

    \b
    退出码 / exit codes: 0 已回答, 2 输入有误, 3 插件出错."""
    from kuaiji.commands.plans import plan_change
    from kuaiji.io.schema import parse_change
    from kuaiji.model.results import FieldChange

    with _about(file):
        candidate, _ = _read_candidate(file)
    changes = [FieldChange(*parse_change(item)) for item in sets]
    with _about(file):
        plan = plan_change(candidate, changes, at=_at(at))
    _show(plan, as_json, "change_text")
    sys.exit(3 if plan.problems else 0)


@main.command()
@click.argument("file")
@click.option(
    "--to",
    "to",
    required=True,
    metavar="REGION",
    help="调入地区：代码或地名，如 430102、长沙市芙蓉区 / destination region.",
)
@click.option("--exam", type=EXAMS, default="intermediate", show_default=True)
@click.option(
    "--year",
    type=YEAR,
    help="考试年份（默认：评估时尚未截止报名的下一次考试）/ exam year (default: the next exam whose registration is open or ahead).",
)
@click.option("--at", "at", metavar="DATETIME", help="评估时间（默认：现在）/ evaluation time.")
@click.option("--json", "as_json", is_flag=True)
@handled
def transfer(
    file: str, to: str, exam: str, year: int | None, at: str | None, as_json: bool
) -> None:
    """调转会计人员信息档案的步骤 / the steps to move the accountant record to another region.

    退出码 / exit codes: 0 来得及或未知, 1 来不及在截止前完成, 2 输入有误, 3 插件出错."""
    from kuaiji.commands.plans import plan_transfer

    with _about(file):
        candidate, base_dir = _read_candidate(file)
        plan = plan_transfer(candidate, to, exam=exam, year=year, at=_at(at), base_dir=base_dir)
    _show(plan, as_json, "transfer_text")
    sys.exit(3 if plan.problems else 1 if plan.feasible is False else 0)


@main.command()
@click.option(
    "--region",
    "regions",
    multiple=True,
    metavar="CODE",
    help="地区代码或地名，可重复（默认：全部地区）/ region, repeatable.",
)
@click.option("--exam", type=EXAMS, help="初级或中级（默认：两者）/ exam level (default: both).")
@click.option(
    "--year",
    "years",
    type=YEAR,
    multiple=True,
    help="考试年份，可重复（默认：每级考试尚未截止报名的下一次）/ exam year (repeatable; default: the next exam of each level whose registration has not closed).",
)
@click.option("--at", "at", metavar="DATETIME", help="评估时间（默认：现在）/ evaluation time.")
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--ics", "ics", metavar="FILE", help="同时写成日历文件 / also write an iCalendar file."
)
@handled
def deadlines(
    regions: tuple[str, ...],
    exam: str | None,
    years: tuple[int, ...],
    at: str | None,
    as_json: bool,
    ics: str | None,
) -> None:
    """截止时间一览：按时间排序，附剩余时间和来源 / every deadline, sorted, with its source.

    尚未公布的年份按往年推算并标“预计”。/ Unpublished years are projected (预计).
    退出码 / exit codes: 0 成功, 2 输入有误."""
    from kuaiji.commands.deadlines import deadlines as collect

    exams = (exam,) if exam else ("junior", "intermediate")
    table = collect(regions=regions, exams=exams, years=years, at=_at(at))
    if ics:
        from kuaiji.commands.calendar import deadlines_calendar

        _write(ics, deadlines_calendar(table))
    _show(table, as_json, "deadlines_text")
    if ics and not as_json:
        _echo(f"已写入 {len(table.deadlines)} 个日历事件：{ics}")


@main.command()
@click.option(
    "--region",
    "regions",
    multiple=True,
    metavar="CODE",
    help="地区，可重复（默认：全部）/ region, repeatable.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 120),
    default=10.0,
    show_default=True,
    help="每个请求的秒数 / seconds per request.",
)
@click.option(
    "--total",
    type=click.FloatRange(0.5, 600),
    default=30.0,
    show_default=True,
    help="整个命令的秒数 / seconds for the whole command.",
)
@click.option("--json", "as_json", is_flag=True)
@handled
def status(regions: tuple[str, ...], timeout: float, total: float, as_json: bool) -> None:
    """各平台能否访问：逐个探测地区链上的平台网址 / do the platforms answer?

    \b
    退出码 / exit codes: 0 都正常, 1 有平台出错或无法访问, 2 输入有误."""
    from kuaiji.commands.status import status as probe

    report = probe(regions, timeout=timeout, total=total)
    _show(report, as_json, "status_text")
    sys.exit(0 if report.ok else 1)


@main.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@handled
def plugins(ctx: click.Context, as_json: bool) -> None:
    """已加载的插件：发行包、版本、地区、钩子、数据来源、加载错误 / every loaded plugin.

    KUAIJI_PLUGINS=a,b 只加载这些插件；KUAIJI_NATIONAL_ONLY=1 只加载全国基线；
    KUAIJI_TRACE=1 把每次钩子调用打印到标准错误。"""
    if ctx.invoked_subcommand is not None:
        return
    from kuaiji.registry.data import PluginData
    from kuaiji.registry.manager import get_registry

    registry = get_registry()
    data = PluginData.every()
    rows: list[dict[str, Any]] = []
    for name, info in registry.info.items():
        plugin_data = data.get(name)
        rows.append(
            {
                "name": name,
                "distribution": info.distribution,
                "version": info.version,
                "module": info.module,
                "regions": sorted(c for c, j in registry.jurisdictions.items() if j.plugin == name),
                "hooks": sorted(h for h, names in registry.implementers.items() if name in names),
                "data": {
                    "origin": plugin_data.origin,
                    "updated": str(plugin_data.updated) if plugin_data.updated else None,
                }
                if plugin_data
                else None,
                "problems": [p.message for p in registry.problems if p.plugin == name],
            }
        )
    failed: list[dict[str, Any]] = [
        {"name": p.plugin, "problems": [p.message]}
        for p in registry.problems
        if p.plugin not in registry.info
    ]
    if as_json:
        dump({"plugins": rows, "failed": failed})
        return
    for row in rows:
        dist = (
            f"{row['distribution']} {row['version'] or ''}".strip() if row["distribution"] else "-"
        )
        origin = {"bundled": "内置", "updated": "已更新"}
        source = (
            f"{origin.get(row['data']['origin'], row['data']['origin'])} {row['data']['updated']}"
            if row["data"]
            else "无"
        )
        _echo(f"{row['name']:<10} {dist:<24} 地区：{'、'.join(row['regions']) or '-'}")
        hooks = "、".join(h.removeprefix("kuaiji_") for h in row["hooks"])
        _echo(f"           数据：{source}；钩子：{hooks}")
        for problem in row["problems"]:
            _echo(f"           ! {problem}")
    for row in failed:
        _echo(f"{row['name']:<10} 加载失败 (failed): {'; '.join(row['problems'])}")


@plugins.command("check")
@click.argument("targets", nargs=-1, metavar="[FOLDER|NAME]...")
@handled
def plugins_check(targets: tuple[str, ...]) -> None:
    """校验插件：给出的文件夹（按文件夹中的代码，而不是已安装的同名插件）或已安装插件的名字；
    不给参数时校验所有已安装的插件（在代码仓库中运行时还有 plugins/ 下未安装的）。

    \b
    检查：导入与钩子（@hookimpl）、数据文件、地区代码与上级、来源（资料文件或 https 网址）、
    网址、北京时间、规则覆盖、示例用例，并在各地区、年份、考生记录状态和报名前后调用每个钩子。
    同一文件中同类的问题合为一行，注明处数和前几个例子。

    \b
    退出码：0 没有问题，1 有问题，2 参数有误。"""
    from kuaiji.authoring.validate import (
        check_targets,
        grouped,
        installed_entry_points,
        read_folder,
    )
    from kuaiji.registry.manager import Registry

    registry = Registry()
    in_tree = Path("plugins")
    found = check_targets(targets, registry, in_tree=None if targets else in_tree)
    installed = installed_entry_points()
    folders = [Path(t) for t in targets if Path(t).is_dir()] or (
        [p for p in in_tree.iterdir() if p.is_dir()] if not targets and in_tree.is_dir() else []
    )
    paths = {n: f.path for f in map(read_folder, folders) for n in {**f.guessed, **f.entry_points}}
    bad = 0
    for name, issues in sorted(found.items()):
        if issues:
            bad += 1
            _echo(f"✗ {name}：{len(issues)} 个问题")
            for line in grouped(issues):
                _echo(f"    {line}")
        else:
            _echo(f"✓ {name}")
        if name not in installed and name in paths:
            _echo(f"    （未安装：pip install -e {paths[name]} 之后 kuaiji 才会加载它）")
    sys.exit(1 if bad else 0)


@plugins.command("new")
@click.argument("name")
@click.option(
    "--region",
    required=True,
    metavar="CODE",
    help="插件服务的地区（2 或 4 位代码）/ the region it serves.",
)
@click.option(
    "--parent",
    metavar="CODE",
    help="该地区的上级地区代码，如 1301 的上级 13；不写时按 GB/T 2260 自动填写（省级为 CN）。",
)
@click.option(
    "--dir",
    "folder",
    default=".",
    show_default=True,
    help="在此文件夹下创建 kuaiji-NAME/ / where to create it.",
)
@handled
def plugins_new(name: str, region: str, parent: str | None, folder: str) -> None:
    """为地区生成可安装的插件骨架（需填写的占位内容已标出）。"""
    from kuaiji.authoring.scaffold import create

    path = create(name, region, Path(folder), parent=parent)
    _echo(f"已创建 {path}")
    _echo(f'  pip install -e "{path}[test]"   # 然后：kuaiji plugins；kuaiji plugins check {path}')


@main.group()
def account() -> None:
    """平台账号：找回密码、检查新密码 / platform accounts: recovery and password checks."""


@account.command()
@click.option(
    "--region", required=True, metavar="CODE", help="地区代码或地名 / region code or name."
)
@click.option("--at", "at", metavar="DATETIME", help="评估时间（默认：现在）/ evaluation time.")
@click.option("--json", "as_json", is_flag=True)
@handled
def reset(region: str, at: str | None, as_json: bool) -> None:
    """找回地区各平台账号的办法（忘记密码、邮箱失效），以及会计科重置后的默认密码。
    How to get back into every platform account of the region."""
    from kuaiji.commands.accounts import account_recovery

    plan = account_recovery(region, at=_at(at))
    _show(plan, as_json, "recovery_text")
    sys.exit(3 if plan.problems else 0)


@account.command("check-password")
@click.option(
    "--region", required=True, metavar="CODE", help="地区代码或地名 / region code or name."
)
@click.option("--json", "as_json", is_flag=True)
@handled
def check_password(region: str, as_json: bool) -> None:
    """从标准输入读取新密码（不回显、不记录、不输出），是已知的重置默认密码则拒绝。
    Refuse a new password equal to a known reset default.

    \b
    退出码 / exit codes: 0 可以使用, 1 不可使用, 2 输入有误."""
    from kuaiji.commands.accounts import check_password as run

    if sys.stdin.isatty():
        password = click.prompt("新密码 (new password)", hide_input=True, err=True, default="")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    result = run(password, region)
    del password
    _show(result, as_json, "password_text")
    sys.exit(3 if result.problems else 0 if result.ok else 1)


if __name__ == "__main__":  # pragma: no cover
    main()


from kuaiji_cli.rules import rules  # noqa: E402 (the group lives in its own module)
from kuaiji_cli.serve import serve  # noqa: E402

main.add_command(rules)
main.add_command(serve)
