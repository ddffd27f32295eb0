"""``kuaiji rules``: where each plugin's rules data comes from, updating it from a rules
bundle, exporting the bundled data as one."""

from __future__ import annotations

from pathlib import Path

import click

from kuaiji_cli.common import dump, handled


@click.group()
def rules() -> None:
    """规则数据：来源、从网址更新、导出为规则包 / rules data: status, update, export."""


@rules.command("update")
@click.option(
    "--from",
    "url",
    required=True,
    metavar="URL",
    help="规则包 index.json 的 https 网址 / https URL of the bundle's index.json.",
)
@click.option("--json", "as_json", is_flag=True)
@handled
def rules_update(url: str, as_json: bool) -> None:
    """下载、校验并安装规则包（校验通过才替换缓存）/ download, verify and install a rules bundle.

    \b
    退出码 / exit codes: 0 已更新或已是最新, 1 未完成（缓存未改动）, 2 输入有误."""
    from kuaiji.updates.bundles import update

    result = update(url)
    if as_json:
        dump(result.to_dict())
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
    """各插件的规则数据来自哪里（内置或已更新）及其日期 / where each plugin's data comes from."""
    from kuaiji.updates.bundles import sources

    found = sources()
    if as_json:
        dump([s.to_dict() for s in found])
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
    """把各插件的内置数据导出为可托管的规则包 / export the bundled data as a rules bundle."""
    from kuaiji.updates.bundles import export

    entries = export(Path(folder))
    click.echo(f"已导出 {len(entries)} 个文件到 {folder}（{folder}/index.json）")
