"""The `kuaiji` command.

Exit codes: 0 ready (or success), 1 not ready / too late (transfer: cannot finish in
time), 2 bad input or usage, 3 internal or plugin error, 4 pending review (precheck). Personal data is masked unless --show-personal-data.
Imports of the core happen inside the commands, so `kuaiji --help` stays fast.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    import datetime as dt

    from kuaiji.models import Candidate

F = TypeVar("F", bound=Callable[..., Any])

EXAMS = click.Choice(["junior", "intermediate"])


def _fail(message: str, code: int) -> None:
    click.echo(f"kuaiji: {message}", err=True)
    sys.exit(code)


def handled(fn: F) -> F:
    """Turn kuaiji's errors into a message and an exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from kuaiji.errors import BundleError, InputError, KuaijiError

        debug = bool(click.get_current_context().find_root().params.get("debug"))
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            _fail(f"错误 (bad input): {exc.describe()}", 2)
        except BundleError as exc:
            _fail(
                f"规则更新未完成，缓存未改动 (rules update refused): {exc}", 2 if exc.usage else 1
            )
        except KuaijiError as exc:
            _fail(f"错误 (plugin or data): {exc}", 3)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:
            # The reader went away (`kuaiji … | head`): stop quietly, as other tools do.
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except Exception as exc:
            if debug:  # the traceback, with anything like an ID number or a phone masked
                import traceback

                from kuaiji.masking import scrub_text

                click.echo(scrub_text(traceback.format_exc()), err=True)
            _fail(f"内部错误 (internal error): {type(exc).__name__}; 用 --debug 查看详情", 3)

    return wrapper  # type: ignore[return-value]


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _show(result: Any, as_json: bool, renderer: str) -> None:
    """Print ``result`` as JSON (its ``to_dict()``) or through ``render.<renderer>``."""
    if as_json:
        _dump(result.to_dict())
        return
    from kuaiji_cli import render

    click.echo(getattr(render, renderer)(result))


@contextlib.contextmanager
def _about(file: str) -> Iterator[None]:
    """Name the candidate file in any input error raised inside."""
    from kuaiji.errors import InputError

    try:
        yield
    except InputError as exc:
        if exc.source is None:
            raise exc.with_source("<stdin>" if file == "-" else file) from None
        raise


def _read_candidate(file: str) -> tuple[Candidate, Path]:
    from kuaiji.engine import load_candidate, parse_candidate

    if file == "-":
        return parse_candidate(sys.stdin.read(), source="<stdin>"), Path.cwd()
    return load_candidate(file), Path(file).resolve().parent


def _write(path: str, data: bytes) -> None:
    """Write a whole file or nothing (a temporary file renamed into place)."""
    import os
    import tempfile

    from kuaiji.errors import InputError

    target = Path(path)
    folder = target.parent if str(target.parent) else Path()
    if not folder.is_dir():
        raise InputError.single(
            "--ics", f"folder {str(folder)!r} does not exist", "create it first"
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
    from kuaiji.clock import parse_at

    return parse_at(at) if at else None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.version_option(package_name="kuaiji-cli", prog_name="kuaiji")
def main(debug: bool) -> None:
    """kuaiji — 会计资格考试报名前检查 / readiness prechecks for China's accounting exams."""


@main.command()
@click.argument("file", required=False)
@click.option("--exam", type=EXAMS, required=True, help="junior (初级) or intermediate (中级).")
@click.option("--year", type=int, required=True, help="The exam year, e.g. 2026.")
@click.option(
    "--at",
    "at",
    metavar="DATETIME",
    help="Evaluation time, ISO 8601; no offset = Beijing time. Default: now.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (batch: the summary).")
@click.option(
    "--show-personal-data", is_flag=True, help="Do not mask names, ID numbers and phones."
)
@click.option(
    "--ics",
    "ics",
    metavar="FILE",
    help="Also write the candidate's own timeline as an iCalendar file (alarms 3 and 1 days before).",
)
@click.option(
    "--batch",
    "batch",
    metavar="INPUT",
    help="Check many candidates: a .jsonl or .csv file, a folder of .json files, or - (stdin).",
)
@click.option(
    "--out", "out", metavar="FILE", help="Batch: write the results here (default: stdout)."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["jsonl", "csv"]),
    help="Batch: results as JSON Lines or CSV (UTF-8 with BOM). Default: from --out, else jsonl.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 256),
    help="Batch: worker processes (default: the machine's cores).",
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
            "FILE", "give one candidate FILE or --batch INPUT", "not both, not neither"
        )
    if batch is not None:
        if ics:
            raise InputError.single(
                "--ics", "not available with --batch", "run precheck FILE --ics for one candidate"
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
    from kuaiji.engine import precheck as run

    candidate, base_dir = _read_candidate(file)
    with _about(file):
        report = run(candidate, exam=exam, year=year, at=_at(at), base_dir=base_dir)
    if ics:
        from kuaiji.ics import timeline_calendar

        _write(ics, timeline_calendar(report))
    if as_json:
        _dump(report.to_dict(show_personal_data=show_personal_data))
    else:
        from kuaiji_cli.render import report_text

        click.echo(report_text(report, show_personal_data=show_personal_data))
    sys.exit(report.exit_code)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@handled
def regions(as_json: bool) -> None:
    """Every jurisdiction: code, name, parent and the plugin serving it."""
    from kuaiji.plugins import get_registry

    registry = get_registry()
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
        _dump(rows)
        return
    for row in rows:
        click.echo(
            f"{row['code']:<6} {row['name']:<14} parent={row['parent'] or '-':<4} plugin={row['plugin']}"
        )
    for problem in registry.problems:
        click.echo(f"plugin problem: {problem.plugin}: {problem.message}", err=True)


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
    from kuaiji.plugins import get_registry

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
    if as_json:
        _dump(
            {
                "region": {"code": resolved.code, "name": resolved.name},
                "contacts": [_contact_dict(registry, c) for c in offices],
                "zones": [_contact_dict(registry, c) for c in zones],
            }
        )
        return
    if not offices and not zones:
        click.echo(f"{resolved.name} {resolved.code}：已安装的插件没有该地区的联系方式（未知）")
        return
    click.echo(f"{resolved.name} {resolved.code}：")
    if not offices:
        click.echo("  本地区办公室的联系方式：未知")
    for c in offices:
        _echo_contact(registry, c)
    if zones:
        click.echo("  辖区内没有行政区划代码的功能区（开发区、新区等）：")
        for c in zones:
            _echo_contact(registry, c)


def _contacts_by_name(registry: Any, query: str, found: Any, as_json: bool) -> None:
    """``kuaiji contacts <an office's name>``: every office whose name (else address) matches."""
    if as_json:
        _dump(
            {
                "query": query,
                "region": None,
                "contacts": [_contact_dict(registry, c) for c in found],
                "zones": [],
            }
        )
        return
    click.echo(f"名称或地址含“{query}”的办公室（{len(found)} 个）：")
    for c in found:
        _echo_contact(registry, c, code=True)


def _contact_dict(registry: Any, contact: Any) -> dict[str, Any]:
    import attrs

    from kuaiji.convert import unstructure

    return {**unstructure(contact), "place": attrs.asdict(registry.contact_place(contact))}


def _echo_contact(registry: Any, c: Any, *, code: bool = False) -> None:
    from kuaiji.regions import division_name

    click.echo(f"  {c.name}  电话：{'、'.join(c.phones) or '未知'}")
    if c.address:
        click.echo(f"      地址：{c.address}")
    if c.code is not None and code:
        click.echo(f"      行政区划代码：{c.code}（{division_name(c.code) or '名称未知'}）")
    if c.code is None:
        place = registry.contact_place(c)
        county = (
            f"{division_name(place.county)} {place.county}（据来源所列名称或地址）"
            if place.county
            else "来源未说明（未知）"
        )
        click.echo(f"      行政区划代码：无（功能区）；所在区县：{county}")
    if c.note:
        click.echo(f"      说明：{c.note}")
    click.echo(f"      来源：{c.source} [{c.plugin}]")


@main.command()
def schema() -> None:
    """Print the JSON Schema of the candidate file."""
    from kuaiji.schema import candidate_schema

    _dump(candidate_schema())


@main.command()
@click.argument("file")
@click.option(
    "--set",
    "sets",
    multiple=True,
    required=True,
    metavar="FIELD=VALUE",
    help="A change to ask about (repeatable).",
)
@click.option("--at", "at", metavar="DATETIME", help="Evaluation time (default: now).")
@click.option("--json", "as_json", is_flag=True)
@handled
def change(file: str, sets: tuple[str, ...], at: str | None, as_json: bool) -> None:
    """Which changes of the record are allowed, where and how."""
    from kuaiji.engine import plan_change
    from kuaiji.records import FieldChange
    from kuaiji.schema import parse_change

    candidate, _ = _read_candidate(file)
    changes = [FieldChange(*parse_change(item)) for item in sets]
    with _about(file):
        plan = plan_change(candidate, changes, at=_at(at))
    _show(plan, as_json, "change_text")
    sys.exit(3 if plan.problems else 0)


@main.command()
@click.argument("file")
@click.option(
    "--to", "to", required=True, metavar="REGION", help="Destination region (code or name)."
)
@click.option("--exam", type=EXAMS, default="intermediate", show_default=True)
@click.option(
    "--year",
    type=int,
    help="考试年份（默认：评估时尚未截止报名的下一次考试）/ exam year (default: the next exam whose registration is open or ahead).",
)
@click.option("--at", "at", metavar="DATETIME", help="Evaluation time (default: now).")
@click.option("--json", "as_json", is_flag=True)
@handled
def transfer(
    file: str, to: str, exam: str, year: int | None, at: str | None, as_json: bool
) -> None:
    """调转会计人员信息档案的步骤 / the steps to move the accountant record to another region.

    退出码 / exit codes: 0 来得及或未知, 1 来不及在截止前完成, 2 输入有误, 3 插件出错."""
    from kuaiji.engine import plan_transfer

    candidate, base_dir = _read_candidate(file)
    with _about(file):
        plan = plan_transfer(candidate, to, exam=exam, year=year, at=_at(at), base_dir=base_dir)
    _show(plan, as_json, "transfer_text")
    sys.exit(3 if plan.problems else 1 if plan.feasible is False else 0)


@main.command()
@click.option(
    "--region",
    "regions",
    multiple=True,
    metavar="CODE",
    help="A region code or name (repeatable; default: all regions).",
)
@click.option("--exam", type=EXAMS, help="junior or intermediate (default: both).")
@click.option(
    "--year",
    "years",
    type=int,
    multiple=True,
    help="考试年份，可重复（默认：每级考试尚未截止报名的下一次）/ exam year (repeatable; default: the next exam of each level whose registration has not closed).",
)
@click.option("--at", "at", metavar="DATETIME", help="Evaluation time (default: now).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--ics", "ics", metavar="FILE", help="Also write them as an iCalendar file.")
@handled
def deadlines(
    regions: tuple[str, ...],
    exam: str | None,
    years: tuple[int, ...],
    at: str | None,
    as_json: bool,
    ics: str | None,
) -> None:
    """Every known deadline, sorted by time, with the time left and its source."""
    from kuaiji.deadlines import deadlines as collect

    exams = (exam,) if exam else ("junior", "intermediate")
    table = collect(regions=regions, exams=exams, years=years, at=_at(at))
    if ics:
        from kuaiji.ics import deadlines_calendar

        _write(ics, deadlines_calendar(table))
    _show(table, as_json, "deadlines_text")
    if ics and not as_json:
        click.echo(f"已写入 {len(table.deadlines)} 个日历事件：{ics}")


@main.command()
@click.option(
    "--region", "regions", multiple=True, metavar="CODE", help="Region (repeatable; default: all)."
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 120),
    default=10.0,
    show_default=True,
    help="Seconds per request.",
)
@click.option(
    "--total",
    type=click.FloatRange(0.5, 600),
    default=30.0,
    show_default=True,
    help="Seconds for the whole command.",
)
@click.option("--json", "as_json", is_flag=True)
@handled
def status(regions: tuple[str, ...], timeout: float, total: float, as_json: bool) -> None:
    """Do the platforms answer? Probes every platform URL of the regions' chains."""
    from kuaiji.status import status as probe

    report = probe(regions, timeout=timeout, total=total)
    _show(report, as_json, "status_text")
    sys.exit(0 if report.ok else 1)


@main.group()
def rules() -> None:
    """Rules data: where it comes from, updates from a URL, export as a bundle."""


@rules.command("update")
@click.option(
    "--from", "url", required=True, metavar="URL", help="https URL of the bundle's index.json."
)
@click.option("--json", "as_json", is_flag=True)
@handled
def rules_update(url: str, as_json: bool) -> None:
    """Download, verify and install a rules bundle (the cache is replaced only when valid)."""
    from kuaiji.bundles import update

    result = update(url)
    if as_json:
        _dump(result.to_dict())
    elif not result.changed:
        click.echo(f"规则已是最新（{result.url}）")
    else:
        click.echo(
            f"已更新 {', '.join(result.plugins)}：{result.files} 个文件，{result.bytes} 字节 → {result.cache}"
        )


@rules.command("status")
@click.option("--json", "as_json", is_flag=True)
@handled
def rules_status(as_json: bool) -> None:
    """Where each plugin's data comes from (bundled or updated) and its date."""
    from kuaiji.bundles import sources

    found = sources()
    if as_json:
        _dump([s.to_dict() for s in found])
        return
    for s in found:
        origin = "更新 (updated)" if s.origin == "updated" else "随插件 (bundled)"
        click.echo(f"{s.plugin:<10} {origin:<16} {s.updated}  {s.where}")
        if s.problem:
            click.echo(f"           ! {s.problem}")


@rules.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
@handled
def rules_export(folder: str) -> None:
    """Write every plugin's bundled data as a rules bundle a deployment can host."""
    from kuaiji.bundles import export

    entries = export(Path(folder))
    click.echo(f"已导出 {len(entries)} 个文件到 {folder}（{folder}/index.json）")


@main.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@handled
def plugins(ctx: click.Context, as_json: bool) -> None:
    """Every loaded plugin: distribution, version, regions, hooks, data source, load errors.

    KUAIJI_PLUGINS=a,b loads only those plugins; KUAIJI_NATIONAL_ONLY=1 loads none but the
    national baseline; KUAIJI_TRACE=1 traces every hook call to stderr."""
    if ctx.invoked_subcommand is not None:
        return
    from kuaiji.data import PluginData
    from kuaiji.plugins import get_registry

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
        _dump({"plugins": rows, "failed": failed})
        return
    for row in rows:
        dist = (
            f"{row['distribution']} {row['version'] or ''}".strip() if row["distribution"] else "-"
        )
        source = f"{row['data']['origin']} {row['data']['updated']}" if row["data"] else "no data"
        click.echo(f"{row['name']:<10} {dist:<24} regions {','.join(row['regions']) or '-'}")
        click.echo(
            f"           data: {source}; hooks: {', '.join(h.removeprefix('kuaiji_') for h in row['hooks'])}"
        )
        for problem in row["problems"]:
            click.echo(f"           ! {problem}")
    for row in failed:
        click.echo(f"{row['name']:<10} 加载失败 (failed): {'; '.join(row['problems'])}")


@plugins.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, file_okay=False))
@handled
def plugins_check(paths: tuple[str, ...]) -> None:
    """Validate plugins (installed ones, or the folders given): data, regions, sources,
    URLs, moments, hooks, example cases. Lists every problem; exit 1 if any."""
    from kuaiji.plugins import Registry
    from kuaiji.validate import check, check_folders

    registry = Registry()
    if paths:
        found = check_folders([Path(p) for p in paths], registry)
    else:
        found = check(registry)
        in_tree = Path("plugins")
        if in_tree.is_dir():  # run from a checkout: folders that are not installed
            folders = sorted(p for p in in_tree.iterdir() if (p / "pyproject.toml").is_file())
            for name, issues in check_folders(folders, registry).items():
                if name not in found:
                    found[name] = issues
    bad = 0
    for name, issues in sorted(found.items()):
        if issues:
            bad += 1
            click.echo(f"✗ {name}: {len(issues)} 个问题 (problems)")
            for issue in issues:
                click.echo(f"    {issue}")
        else:
            click.echo(f"✓ {name}")
    sys.exit(1 if bad else 0)


@plugins.command("new")
@click.argument("name")
@click.option(
    "--region", required=True, metavar="CODE", help="The region it serves (2 or 4 digits)."
)
@click.option("--parent", metavar="CODE", help="Also a child region under it, e.g. 3302 under 33.")
@click.option(
    "--dir", "folder", default=".", show_default=True, help="Where to create kuaiji-NAME/."
)
@handled
def plugins_new(name: str, region: str, parent: str | None, folder: str) -> None:
    """Write a complete, installable plugin skeleton for REGION (placeholders to fill)."""
    from kuaiji.scaffold import create

    path = create(name, region, Path(folder), child=parent)
    click.echo(f"已创建 {path}")
    click.echo(f"  pip install -e {path}   # then: kuaiji plugins; kuaiji plugins check {path}")


@main.group()
def account() -> None:
    """Platform accounts: recovering access, checking a new password."""


@account.command()
@click.option("--region", required=True, metavar="CODE", help="Region code or name.")
@click.option("--at", "at", metavar="DATETIME", help="Evaluation time (default: now).")
@click.option("--json", "as_json", is_flag=True)
@handled
def reset(region: str, at: str | None, as_json: bool) -> None:
    """How to get back into every platform account of the region (forgotten password, lost
    email), and what an office's reset sets the password to."""
    from kuaiji.accounts import account_recovery

    plan = account_recovery(region, at=_at(at))
    _show(plan, as_json, "recovery_text")
    sys.exit(3 if plan.problems else 0)


@account.command("check-password")
@click.option("--region", required=True, metavar="CODE", help="Region code or name.")
@click.option("--json", "as_json", is_flag=True)
@handled
def check_password(region: str, as_json: bool) -> None:
    """Read a new password from standard input (never echoed, logged or printed) and refuse
    it if it is a known reset default of a platform in the region."""
    from kuaiji.accounts import check_password as run

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
