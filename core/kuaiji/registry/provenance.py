"""What produced an answer: the kuaiji version, the output format and, per plugin, its
version and the date and origin of its data, so that a screenshot, a batch file or a
calendar handed to an HR manager can be traced to the code and rules behind it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kuaiji.registry.data import PluginData

if TYPE_CHECKING:  # the registry works its provenance out once (Registry.produced_by)
    from kuaiji.registry.manager import Registry

OUTPUT_FORMAT = 2  # 2: verdict "pending", projected schedules, url_reliability


def provenance(registry: Registry) -> dict[str, Any]:
    """``{"kuaiji": "0.2.0", "format": 2, "plugins": {"national": {"version": …,
    "data_updated": "2026-11-23", "data_origin": "bundled"}, …}}``."""
    from kuaiji._version import __version__

    data = PluginData.every()
    plugins: dict[str, Any] = {}
    problems = []
    for name, info in sorted(registry.info.items()):
        loaded = data.get(name)
        updated = loaded.updated if loaded is not None else None
        plugins[name] = {
            "version": info.version,
            "data_updated": updated.isoformat() if updated else None,
            "data_origin": loaded.origin if loaded is not None else None,
        }
        if loaded is not None and loaded.problem:  # known once its data is read, just above
            problems.append(loaded.problem)
    rules = _feed(problems)
    return {"kuaiji": __version__, "format": OUTPUT_FORMAT, "plugins": plugins, "rules": rules}


def _feed(problems: Sequence[str] = ()) -> dict[str, Any] | None:
    """The signed rules feed installed, or None when only bundled data is used and nothing is
    wrong. ``feed``, ``version``, ``created``, ``expires``: the installed index (left out when
    no installed record can be used). ``expired``: that index has expired (its data stays in
    use; the publisher has not signed it again, or the feed is being frozen). ``problem``: why
    installed data could not be used (the cache or its record, else the first of ``problems``,
    the plugins' own), in Chinese and printable; bundled data is used instead. None if none."""
    from kuaiji.errors import DataError
    from kuaiji.io.masking import printable
    from kuaiji.model import clock
    from kuaiji.registry.data import current_install, read_state

    problem = next(iter(problems), None)
    try:
        state = read_state()
        current_install()
    except DataError as exc:
        state, problem = None, str(exc)
    current = state.get("current") if state else None
    if not isinstance(current, dict) or not isinstance(current.get("version"), int):
        current = None
    if current is None and problem is None:
        return None
    found: dict[str, Any] = {}
    if current is not None:
        found = {
            "feed": str(current.get("feed")),
            "version": current["version"],
            "created": current.get("created"),
            "expires": current.get("expires"),
        }
    expires = _moment(found.get("expires"))
    found["expired"] = expires is not None and expires <= clock.now()
    found["problem"] = printable(problem) if problem else None
    return found


def _moment(value: object) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def provenance_text(registry: Registry) -> str:
    """One Chinese line: ``kuaiji 0.2.0；插件与规则数据：national 0.2.0 数据 2026-11-23（内置），…``."""
    return describe(provenance(registry))


def describe(produced_by: dict[str, Any]) -> str:
    """:func:`provenance`'s answer as one Chinese line."""
    origin_zh = {"bundled": "内置", "updated": "已更新"}
    parts = []
    for name, row in produced_by.get("plugins", {}).items():
        date = row["data_updated"] or "无数据"
        origin = origin_zh.get(row["data_origin"] or "", "")
        version = f" {row['version']}" if row["version"] else ""
        parts.append(f"{name}{version} 数据 {date}" + (f"（{origin}）" if origin else ""))
    return f"kuaiji {produced_by.get('kuaiji')}；插件与规则数据：" + "，".join(parts)
