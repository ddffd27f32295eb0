"""``kuaiji rules``: where each plugin's rules data comes from; signed rules bundles: making
a key, publishing, updating from a URL or a folder, resetting the cache (docs/rules-feed.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kuaiji_cli.common import dump, handled

if TYPE_CHECKING:
    pass


def printable(value: object) -> str:
    """``value`` as text a terminal shows as it is: control and escape characters, and
    bidirectional overrides (they could move or hide text on the screen), replaced."""
    from kuaiji.updates.checks import printable as clean

    return clean(str(value))


@click.group()
def rules() -> None:
    """规则数据：来源、签名的规则包（生成密钥、发布、更新）、重置 / rules data and signed bundles."""


@rules.command("update")
@click.option(
    "--from",
    "source",
    required=True,
    metavar="URL|PATH",
    help="规则包 index.json 的 https 网址，或本机的规则包文件夹 / https URL of index.json, or a folder.",
)
@click.option(
    "--trust",
    multiple=True,
    metavar="PUBKEY|PUBKEYFILE",
    help="另外信任的公钥（ed25519:…）或 .pub 文件，可多次给出；也可用环境变量 KUAIJI_RULES_KEYS / "
    "another trusted public key.",
)
@click.option(
    "--total",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    help="整个更新最多用的秒数 / seconds for the whole update.",
)
@click.option("--json", "as_json", is_flag=True)
@handled
def rules_update(source: str, trust: tuple[str, ...], total: float, as_json: bool) -> None:
    """下载、验证签名、检查并安装规则包（全部通过才替换缓存）/ verify and install a rules bundle.

    \b
    退出码 / exit codes: 0 已安装或没有新版本, 1 未完成（缓存未改动）, 2 输入有误."""
    from kuaiji.updates.bundles import update

    result = update(source, trust=trust, total=total)
    if as_json:
        dump(result.to_dict())
        return
    feed = f"规则源 {printable(result.feed)} 第 {result.version} 版（密钥 {result.keyid}，有效至 {_shown(result.expires)}）"
    if not result.changed:
        click.echo(f"没有新版本：已安装的是{feed}")
    elif result.plugins:
        click.echo(
            f"已安装{feed}：更新了 {'、'.join(result.plugins)} 的数据"
            f"（下载 {result.files} 个文件，{result.bytes} 字节）→ {result.cache}"
        )
    elif result.installed:
        click.echo(f"已安装{feed}：{'、'.join(result.installed)} 的数据与已安装的相同，继续使用")
    else:
        click.echo(f"已安装{feed}：其中没有比已安装插件更新的数据，各插件继续使用内置数据")
    if result.ignored:
        click.echo(f"未安装的插件的数据未下载：{'、'.join(result.ignored)}")


@rules.command("status")
@click.option("--json", "as_json", is_flag=True)
@handled
def rules_status(as_json: bool) -> None:
    """已安装的规则源（版本、有效期、密钥、发布多久）及各插件数据来自哪里 / installed feed and data sources."""
    from kuaiji.model import clock
    from kuaiji.updates.bundles import status

    found = status()
    if as_json:
        dump(found.to_dict())
        return
    now = clock.now()
    feed = found.feed
    if feed is None:
        click.echo("规则源：未安装（各插件使用内置数据）")
    else:
        age = f"（{(now - feed.created).days} 天前）" if feed.created else ""
        click.echo(
            f"规则源：{printable(feed.feed)} 第 {feed.version} 版，密钥 {printable(feed.keyid)}"
        )
        click.echo(
            f"  发布于 {_shown(feed.created)}{age}，有效至 {_shown(feed.expires)}，"
            f"安装于 {_shown(feed.installed)}"
        )
        click.echo(f"  来自 {printable(feed.source)}")
        if feed.expired(now):
            click.echo(
                "  ！已过期：发布者没有按时续签，或有人在重放旧的规则源（冻结）；"
                "已安装的数据仍在使用，请向发布者确认后再更新"
            )
    if found.problem:
        click.echo(f"！规则缓存有问题：{printable(found.problem)}")
        click.echo("  所有命令照常工作，使用各插件的内置数据。")
        click.echo(f"  重置：{printable(found.reset)}")
    for s in found.plugins:
        origin = "更新 (updated)" if s.origin == "updated" else "随插件 (bundled)"
        click.echo(f"{s.plugin:<10} {origin:<16} {s.updated}  {printable(s.where)}")
        if s.problem:
            click.echo(f"           ！{printable(s.problem)}")


def _shown(moment: object) -> str:
    from kuaiji.model import clock

    if isinstance(moment, str):
        try:
            moment = dt.datetime.fromisoformat(moment)
        except ValueError:
            return printable(moment)
    return clock.human(moment) if isinstance(moment, dt.datetime) else "未知"


@rules.command("reset")
@handled
def rules_reset() -> None:
    """删除已安装的规则（缓存），各插件改用内置数据 / remove the installed rules."""
    from kuaiji.io.cache import cache_dir
    from kuaiji.updates.bundles import reset

    removed = reset()
    where = printable(cache_dir())
    if removed:
        click.echo(f"已删除 {where} 中已安装的规则（{len(removed)} 项）：各插件使用内置数据")
    else:
        click.echo(f"{where} 中没有已安装的规则：各插件使用内置数据")


@rules.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
@handled
def rules_export(folder: str) -> None:
    """把各插件的内置数据导出为未签名的文件夹（供 rules publish 签名）/ export the bundled data."""
    from kuaiji.updates.bundles import export

    entries = export(Path(folder))
    click.echo(f"已导出 {len(entries)} 个文件到 {folder}（{folder}/index.json，未签名）")


@rules.command("keygen")
@click.argument("keyfile", type=click.Path(dir_okay=False))
@handled
def rules_keygen(keyfile: str) -> None:
    """生成签名密钥：私钥写入 KEYFILE（仅本人可读），公钥写入 KEYFILE.pub 并显示 / make a signing key."""
    from kuaiji.updates.signing import generate

    public = generate(Path(keyfile))
    click.echo(f"私钥：{keyfile}（权限 0600，不要提交到仓库或发给别人）")
    click.echo(f"公钥：{keyfile}.pub，密钥编号 {public.keyid}")
    click.echo(public.text)


@rules.command("publish")
@click.argument("src", type=click.Path(file_okay=False, exists=True))
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--key", "key", required=True, metavar="KEYFILE", help="私钥文件 / private key.")
@click.option(
    "--version",
    "version",
    required=True,
    type=click.IntRange(min=1),
    help="版本号，每次发布必须更大 / version, higher at every publish.",
)
@click.option(
    "--expires",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="有效期至（北京时间该日 23:59；默认发布后 180 天）/ valid until (default: 180 days).",
)
@click.option(
    "--feed",
    metavar="NAME",
    help="规则源名称（默认：签名密钥的编号）/ feed name (default: the key id).",
)
@click.option(
    "--next-key",
    "next_keys",
    multiple=True,
    metavar="PUBKEY|PUBKEYFILE",
    help="轮换密钥：可签下一版本的公钥，可多次给出 / key(s) that may sign the next version.",
)
@click.option("--json", "as_json", is_flag=True)
@handled
def rules_publish(
    src: str,
    out: str,
    key: str,
    version: int,
    expires: dt.datetime | None,
    feed: str | None,
    next_keys: tuple[str, ...],
    as_json: bool,
) -> None:
    """把 SRC（rules export 导出的文件夹）签名发布到 OUT（可静态托管的规则包）/ sign a bundle."""
    from kuaiji.updates.bundles import publish

    result = publish(
        Path(src),
        Path(out),
        key=Path(key),
        version=version,
        expires=expires.date() if expires else None,
        feed=feed,
        next_keys=next_keys,
    )
    if as_json:
        dump(result.to_dict())
        return
    click.echo(
        f"已发布规则源 {result.feed} 第 {result.version} 版到 {result.out}：{result.files} 个文件，"
        f"{result.bytes} 字节，密钥 {result.keyid}，有效至 {_shown(result.expires)}"
    )
