"""Rules bundles: the plugins' data files, published by a deployment at a URL it controls,
so deadlines can change without a new release (``kuaiji rules export|update|status``).

A bundle is a folder::

    index.json                  {"format": 1, "kind": "kuaiji-rules", "created": "…",
                                 "files": [{"plugin": "xinjiang", "name": "xinjiang.json",
                                            "path": "xinjiang/xinjiang.json",
                                            "sha256": "…", "size": 9164, "updated": "2026-11-23"}]}
    <plugin>/<name>.json        data files in the plugins' own format (docs/data-format.md)

``update`` accepts only https (plain http only to a loopback address when explicitly allowed,
for tests), checks every size and sha256 that the index declares, refuses path tricks,
validates every record with the same loader as bundled data, and only then replaces the
cache, plugin by plugin, by renaming verified files into place: a broken, tampered or
partial download never replaces a good cache. The index is fetched with If-None-Match /
If-Modified-Since, so a repeat update that changed nothing costs one small request.
At run time a plugin uses its cached files when they are newer than its bundled ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from kuaiji.errors import BundleError, DataError
from kuaiji.io.cache import cache_dir
from kuaiji.model import clock
from kuaiji.registry.data import (
    PLUGIN_NAME,
    DataDocument,
    PluginData,
    parse_document,
    validate_documents,
)

if TYPE_CHECKING:  # the network stack is imported only when an update runs
    import httpx

    from kuaiji.io.net import Policy

ENV_ALLOW_LOOPBACK_HTTP = "KUAIJI_ALLOW_HTTP_LOOPBACK"  # "1": http://127.0.0.1 (tests only)
KIND = "kuaiji-rules"
INDEX = "index.json"
META = "meta.json"
MAX_INDEX_BYTES = 1024 * 1024
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,60}\.json$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


# --- export ---


@attrs.frozen
class Entry:
    plugin: str
    name: str
    sha256: str
    size: int
    updated: str

    @property
    def path(self) -> str:
        return f"{self.plugin}/{self.name}"


def export(folder: Path, plugins: dict[str, PluginData] | None = None) -> list[Entry]:
    """Write every plugin's bundled data, and the index, into ``folder``."""
    plugins = plugins if plugins is not None else _loaded_plugins()
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for name in sorted(plugins):
        data = plugins[name]
        for doc in data.bundled:
            file_name = Path(doc.name).name
            body = _document_bytes(doc)
            target = folder / name / file_name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            entries.append(
                Entry(
                    name,
                    file_name,
                    hashlib.sha256(body).hexdigest(),
                    len(body),
                    doc.updated.isoformat(),
                )
            )
    index = {
        "format": 1,
        "kind": KIND,
        "created": clock.iso(clock.now()),
        "files": [{**attrs.asdict(e), "path": e.path} for e in entries],
    }
    (folder / INDEX).write_text(json.dumps(index, ensure_ascii=False, indent=2), encoding="utf-8")
    return entries


def _document_bytes(doc: DataDocument) -> bytes:
    raw = {"format": 1, "plugin": doc.plugin, "updated": doc.updated.isoformat(), **doc.sections}
    return json.dumps(raw, ensure_ascii=False, indent=2).encode("utf-8")


def _loaded_plugins() -> dict[str, PluginData]:
    from kuaiji.registry.manager import get_registry

    get_registry()  # importing the plugins creates their PluginData
    return PluginData.every()


# --- update ---


@attrs.frozen
class UpdateResult:
    url: str
    changed: bool  # False: the server said 304, or every file was already current
    plugins: tuple[str, ...] = ()  # the plugins whose cached data was replaced
    files: int = 0
    bytes: int = 0
    cache: str = ""

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def update(
    url: str,
    *,
    policy: Policy | None = None,
    root: Path | None = None,
    http: httpx.AsyncClient | None = None,
) -> UpdateResult:
    """Download, verify and install the rules bundle whose index is at ``url``."""
    import asyncio

    from kuaiji.io.net import Policy

    policy = policy or Policy(
        max_bytes=MAX_INDEX_BYTES,
        allow_http_loopback=os.environ.get(ENV_ALLOW_LOOPBACK_HTTP) == "1",
    )
    return asyncio.run(update_async(url, policy=policy, root=root, http=http))


async def update_async(
    url: str,
    *,
    policy: Policy,
    root: Path | None = None,
    http: httpx.AsyncClient | None = None,
) -> UpdateResult:
    import httpx

    from kuaiji.io.net import FetchError, check_url, client

    root = root or cache_dir()
    try:
        index_url = check_url(url, policy, field="--from")
    except FetchError as exc:
        raise BundleError(
            f"{exc} (give the https URL of the bundle's index.json)", usage=True
        ) from None
    meta = _read_meta(root)
    headers = {}
    if meta.get("url") == str(index_url):
        if meta.get("etag"):
            headers["If-None-Match"] = str(meta["etag"])
        if meta.get("last_modified"):
            headers["If-Modified-Since"] = str(meta["last_modified"])
    own = http is None
    session = http or client(policy)
    try:
        index_policy = attrs.evolve(policy, max_bytes=MAX_INDEX_BYTES)
        answer = await _get(session, str(index_url), index_policy, headers)
        if answer.status == 304:
            return UpdateResult(str(index_url), False, cache=str(root))
        if answer.status != 200:
            raise BundleError(f"index: HTTP {answer.status} from {index_url}")
        entries = parse_index(answer.body)
        installed = _installed_hashes(root)
        newer = _newer_plugins(entries, installed)
        wanted = [e for e in entries if e.plugin in newer and installed.get(e.path) != e.sha256]
        bodies: dict[str, bytes] = {}
        base = httpx.URL(answer.url)  # where the index was served from, after redirects
        for entry in wanted:
            file_url = base.join(entry.path)
            file_policy = attrs.evolve(policy, max_bytes=entry.size)
            got = await _get(session, str(file_url), file_policy, {})
            if got.status != 200:
                raise BundleError(f"{entry.path}: HTTP {got.status}")
            bodies[entry.path] = verify_file(entry, got.body)
    finally:
        if own:
            await session.aclose()
    plugins = sorted({e.plugin for e in wanted})
    if plugins:
        _install(root, entries, bodies, plugins)
    _write_json(
        root / META,
        {
            "url": str(index_url),
            "etag": answer.headers.get("etag"),
            "last_modified": answer.headers.get("last-modified"),
            "fetched": clock.iso(clock.now()),
        },
    )
    for name in plugins:
        data = PluginData.every().get(name)
        if data is not None:
            data.reload()
    _forget_registry()
    return UpdateResult(
        str(index_url),
        bool(plugins),
        tuple(plugins),
        len(bodies),
        sum(len(b) for b in bodies.values()),
        str(root),
    )


async def _get(
    session: httpx.AsyncClient, url: str, policy: Policy, headers: dict[str, str]
) -> Any:
    from kuaiji.io.net import FetchError, fetch

    try:
        return await fetch(session, url, policy, headers=headers)
    except FetchError as exc:
        raise BundleError(f"{url}: {exc.kind}: {exc}") from None


def parse_index(body: bytes) -> list[Entry]:
    """The index's entries, each checked: names, sizes, hashes, no path tricks."""
    try:
        raw = json.loads(body)
    except ValueError as exc:
        raise BundleError(f"index: not valid JSON ({exc})") from None
    if not isinstance(raw, dict) or raw.get("format") != 1 or raw.get("kind") != KIND:
        raise BundleError(f"index: not a {KIND} index of format 1")
    files = raw.get("files")
    if not isinstance(files, list) or not files:
        raise BundleError("index: 'files' must be a non-empty list")
    entries = []
    total = 0
    seen = set()
    for i, item in enumerate(files):
        where = f"index: files[{i}]"
        if not isinstance(item, dict):
            raise BundleError(f"{where}: expected an object")
        plugin, name, path = item.get("plugin"), item.get("name"), item.get("path")
        size, sha, updated = item.get("size"), item.get("sha256"), item.get("updated")
        if not isinstance(plugin, str) or not PLUGIN_NAME.match(plugin):
            raise BundleError(f"{where}: bad plugin name {plugin!r}")
        if not isinstance(name, str) or not _NAME.match(name):
            raise BundleError(f"{where}: bad file name {name!r} (path tricks are refused)")
        if path != f"{plugin}/{name}":
            raise BundleError(f"{where}: path {path!r} must be {plugin}/{name}")
        if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= MAX_FILE_BYTES:
            raise BundleError(f"{where}: size must be 1..{MAX_FILE_BYTES} bytes, got {size!r}")
        if not isinstance(sha, str) or not _SHA256.match(sha):
            raise BundleError(f"{where}: sha256 must be 64 lower-case hex digits")
        try:
            dt.date.fromisoformat(str(updated))
        except ValueError:
            raise BundleError(f"{where}: 'updated' must be a date YYYY-MM-DD") from None
        if path in seen:
            raise BundleError(f"{where}: {path} is listed twice")
        seen.add(path)
        total += size
        entries.append(Entry(plugin, name, sha, size, str(updated)))
    if total > MAX_TOTAL_BYTES:
        raise BundleError(f"index: {total} bytes in all, more than the cap of {MAX_TOTAL_BYTES}")
    return entries


def verify_file(entry: Entry, body: bytes) -> bytes:
    """The body if it is exactly what the index declares and loads as valid data."""
    if len(body) != entry.size:
        raise BundleError(f"{entry.path}: {len(body)} bytes, the index declares {entry.size}")
    digest = hashlib.sha256(body).hexdigest()
    if digest != entry.sha256:
        raise BundleError(f"{entry.path}: sha256 {digest[:12]}… does not match the index")
    try:
        doc = parse_document(body, entry.path, origin="updated")
        if doc.plugin != entry.plugin:
            raise DataError(f"{entry.path}: 'plugin' is {doc.plugin!r}, expected {entry.plugin!r}")
        if doc.updated.isoformat() != entry.updated:
            raise DataError(
                f"{entry.path}: 'updated' is {doc.updated}, the index says {entry.updated}"
            )
        validate_documents([doc])
    except DataError as exc:
        raise BundleError(f"invalid data: {exc}") from None
    return body


def _newer_plugins(entries: list[Entry], installed: dict[str, str]) -> set[str]:
    """The plugins whose bundle differs from the cache and is newer than their bundled data
    (only newer data is ever used, so nothing else is worth fetching)."""
    bundled = {
        name: max((d.updated for d in data.bundled), default=dt.date.min)
        for name, data in _loaded_plugins().items()
    }
    out = set()
    for plugin in {e.plugin for e in entries}:
        mine = [e for e in entries if e.plugin == plugin]
        changed = any(installed.get(e.path) != e.sha256 for e in mine)
        newest = max(dt.date.fromisoformat(e.updated) for e in mine)
        if changed and newest > bundled.get(plugin, dt.date.min):
            out.add(plugin)
    return out


def _installed_hashes(root: Path) -> dict[str, str]:
    installed = {}
    for path in root.glob("*/*.json"):
        if path.is_file() and not path.is_symlink():
            installed[f"{path.parent.name}/{path.name}"] = hashlib.sha256(
                path.read_bytes()
            ).hexdigest()
    return installed


def _install(
    root: Path, entries: list[Entry], bodies: dict[str, bytes], plugins: list[str]
) -> None:
    """Replace each changed plugin's folder by a verified copy, by renames."""
    root.mkdir(parents=True, exist_ok=True)
    for plugin in plugins:
        staging = Path(tempfile.mkdtemp(prefix=f".{plugin}.", dir=root))
        try:
            for entry in (e for e in entries if e.plugin == plugin):
                body = bodies.get(entry.path)
                if body is None:  # unchanged file: keep the installed copy
                    body = (root / entry.path).read_bytes()
                (staging / entry.name).write_bytes(body)
            target = root / plugin
            old = root / f".{plugin}.old"
            if old.exists():
                shutil.rmtree(old)
            if target.exists():
                target.rename(old)
            staging.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            if old.exists() and not target.exists():
                old.rename(target)  # the good cache comes back
            raise


def _read_meta(root: Path) -> dict[str, Any]:
    try:
        raw = json.loads((root / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return raw if isinstance(raw, dict) else {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=2)
    Path(tmp).replace(path)


def _forget_registry() -> None:
    from kuaiji.registry.manager import get_registry

    get_registry.cache_clear()


# --- status ---


@attrs.frozen
class DataSource:
    plugin: str
    origin: str  # bundled | updated
    updated: dt.date | None
    bundled_updated: dt.date | None
    where: str
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "plugin": self.plugin,
            "origin": self.origin,
            "updated": self.updated.isoformat() if self.updated else None,
            "bundled_updated": self.bundled_updated.isoformat() if self.bundled_updated else None,
            "where": self.where,
            "problem": self.problem,
        }


def sources(root: Path | None = None) -> list[DataSource]:
    """Where each loaded plugin's data comes from, and its date."""
    root = root or cache_dir()
    out = []
    for name, data in sorted(_loaded_plugins().items()):
        origin = data.origin
        bundled = max((d.updated for d in data.bundled), default=None)
        where = str(root / name) if origin == "updated" else f"{data.package}/data"
        out.append(DataSource(name, origin, data.updated, bundled, where, data.problem))
    return out
